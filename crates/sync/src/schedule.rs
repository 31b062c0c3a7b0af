//! When sync runs: at start, shortly after each local edit (debounced, so a burst of edits
//! goes in one pass), at once when the live channel says another device changed something,
//! periodically (often while there is no live channel, rarely while there is), and, while
//! the service cannot be reached, on a backoff that notices the network's return within a
//! minute.
//!
//! The same loop runs either kind of pass ([`PlaylistPasses`]): the Strato cloud's, or an
//! `OpenSubsonic` server's.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::task::JoinHandle;

use crate::playlists::{PlaylistSync, SyncError, SyncReport};
use crate::subsonic_playlists::SubsonicPlaylistSync;

/// The passes a [`SyncLoop`] runs: the account's service's kind of playlist sync.
#[derive(Debug, Clone)]
pub enum PlaylistPasses {
    Cloud(PlaylistSync),
    Subsonic(SubsonicPlaylistSync),
}

impl PlaylistPasses {
    async fn sync(&self) -> Result<SyncReport, SyncError> {
        match self {
            Self::Cloud(sync) => sync.sync().await,
            Self::Subsonic(sync) => Ok(sync.sync().await?),
        }
    }
}

impl From<PlaylistSync> for PlaylistPasses {
    fn from(sync: PlaylistSync) -> Self {
        Self::Cloud(sync)
    }
}

impl From<SubsonicPlaylistSync> for PlaylistPasses {
    fn from(sync: SubsonicPlaylistSync) -> Self {
        Self::Subsonic(sync)
    }
}

/// How sync is paced.
#[derive(Debug, Clone, Copy)]
pub struct SyncSchedule {
    /// Between passes when everything is fine and there is no live channel (other devices'
    /// changes arrive this late at most): polling.
    pub period: Duration,
    /// Between passes while the live channel is up: changes are pulled as they are told, so
    /// this pass is only a safety net.
    pub live_period: Duration,
    /// After an edit, wait this long for more before syncing. Short: a pass also sends the
    /// edits made while it runs, so a burst costs at most two passes, and the listener's
    /// other devices see an edit this much later.
    pub debounce: Duration,
    /// The first retry after a failure; doubled each time, up to `max_backoff`.
    pub first_backoff: Duration,
    pub max_backoff: Duration,
}

impl Default for SyncSchedule {
    fn default() -> Self {
        Self {
            period: Duration::from_secs(60),
            live_period: Duration::from_secs(10 * 60),
            debounce: Duration::from_millis(30),
            first_backoff: Duration::from_secs(2),
            max_backoff: Duration::from_secs(60),
        }
    }
}

/// What the loop reports.
#[derive(Debug)]
pub enum SyncEvent {
    /// A pass started.
    Started,
    /// A pass finished.
    Finished(SyncReport),
    /// A pass stopped early; the next one is due after the backoff.
    Failed(SyncError),
}

/// The running loop. Dropping it stops the loop.
#[derive(Debug)]
pub struct SyncLoop {
    trigger: SyncTrigger,
    task: JoinHandle<()>,
}

/// What can start a pass of a running [`SyncLoop`]; cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct SyncTrigger {
    control: Arc<Control>,
}

#[derive(Debug, Default)]
struct Control {
    /// A local edit: sync after the debounce.
    edited: Notify,
    /// Another device changed something: pull now.
    pull: Notify,
    /// The live channel is up: poll rarely.
    live: AtomicBool,
}

impl SyncTrigger {
    /// An edit was made, or the listener asked: sync soon (after the debounce).
    pub fn nudge(&self) {
        self.control.edited.notify_one();
    }

    /// The live channel told of a change, or (re)connected: pull the changes feed now.
    pub fn pull_now(&self) {
        self.control.pull.notify_one();
    }

    /// Whether the live channel is up. A change runs a pass at once: the channel going down
    /// may mean changes went untold.
    pub fn set_live(&self, live: bool) {
        if self.control.live.swap(live, Ordering::Relaxed) != live {
            self.pull_now();
        }
    }

    /// Whether the loop counts on the live channel now.
    #[must_use]
    pub fn is_live(&self) -> bool {
        self.control.live.load(Ordering::Relaxed)
    }
}

impl SyncLoop {
    /// Starts the loop on the current tokio runtime; `report` hears every pass.
    pub fn spawn(
        sync: impl Into<PlaylistPasses>,
        schedule: SyncSchedule,
        report: impl Fn(SyncEvent) + Send + Sync + 'static,
    ) -> Self {
        Self::spawn_on(&tokio::runtime::Handle::current(), sync, schedule, report)
    }

    /// Starts the loop on `runtime`.
    pub fn spawn_on(
        runtime: &tokio::runtime::Handle,
        sync: impl Into<PlaylistPasses>,
        schedule: SyncSchedule,
        report: impl Fn(SyncEvent) + Send + Sync + 'static,
    ) -> Self {
        let trigger = SyncTrigger::default();
        let task = runtime.spawn(run(sync.into(), schedule, trigger.clone(), report));
        Self { trigger, task }
    }

    /// An edit was made, or the listener asked: sync soon.
    pub fn nudge(&self) {
        self.trigger.nudge();
    }

    /// What starts this loop's passes, for the live channel's follower.
    #[must_use]
    pub fn trigger(&self) -> SyncTrigger {
        self.trigger.clone()
    }
}

impl Drop for SyncLoop {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn run(
    sync: PlaylistPasses,
    schedule: SyncSchedule,
    trigger: SyncTrigger,
    report: impl Fn(SyncEvent),
) {
    let control = &trigger.control;
    let mut backoff = schedule.first_backoff;
    loop {
        report(SyncEvent::Started);
        // One trace per pass: its writes and its pull of the changes feed.
        let trace = strato_cloud::trace::Trace::new();
        tracing::debug!(trace = trace.root(), "sync pass");
        let wait = match trace.scope(Box::pin(sync.sync())).await {
            Ok(outcome) => {
                backoff = schedule.first_backoff;
                report(SyncEvent::Finished(outcome));
                if control.live.load(Ordering::Relaxed) {
                    schedule.live_period
                } else {
                    schedule.period
                }
            }
            Err(error) => {
                let wait = if error.is_transient() {
                    let wait = backoff;
                    backoff = (backoff * 2).min(schedule.max_backoff);
                    wait
                } else {
                    schedule.period
                };
                tracing::info!(%error, retry_in = ?wait, "playlist sync stopped early");
                report(SyncEvent::Failed(error));
                wait
            }
        };
        tokio::select! {
            () = control.edited.notified() => {
                // Let a burst of edits finish; the nudges it sends meanwhile fold into one.
                tokio::time::sleep(schedule.debounce).await;
            }
            // Told by another device: every millisecond here is one the listener waits.
            () = control.pull.notified() => {}
            () = tokio::time::sleep(wait) => {}
        }
    }
}
