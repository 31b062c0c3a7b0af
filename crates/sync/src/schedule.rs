//! When sync runs: at start, shortly after each local edit (debounced, so a burst of edits
//! goes in one pass), periodically, and, while the service cannot be reached, on a backoff
//! that notices the network's return within a minute.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;
use tokio::task::JoinHandle;

use crate::playlists::{PlaylistSync, SyncError, SyncReport};

/// How sync is paced.
#[derive(Debug, Clone, Copy)]
pub struct SyncSchedule {
    /// Between passes when everything is fine (other devices' changes arrive this late at
    /// most).
    pub period: Duration,
    /// After an edit, wait this long for more before syncing.
    pub debounce: Duration,
    /// The first retry after a failure; doubled each time, up to `max_backoff`.
    pub first_backoff: Duration,
    pub max_backoff: Duration,
}

impl Default for SyncSchedule {
    fn default() -> Self {
        Self {
            period: Duration::from_secs(60),
            debounce: Duration::from_millis(500),
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
    wake: Arc<Notify>,
    task: JoinHandle<()>,
}

impl SyncLoop {
    /// Starts the loop on the current tokio runtime; `report` hears every pass.
    pub fn spawn(
        sync: PlaylistSync,
        schedule: SyncSchedule,
        report: impl Fn(SyncEvent) + Send + Sync + 'static,
    ) -> Self {
        Self::spawn_on(&tokio::runtime::Handle::current(), sync, schedule, report)
    }

    /// Starts the loop on `runtime`.
    pub fn spawn_on(
        runtime: &tokio::runtime::Handle,
        sync: PlaylistSync,
        schedule: SyncSchedule,
        report: impl Fn(SyncEvent) + Send + Sync + 'static,
    ) -> Self {
        let wake = Arc::new(Notify::new());
        let task = runtime.spawn(run(sync, schedule, Arc::clone(&wake), report));
        Self { wake, task }
    }

    /// An edit was made, or the listener asked: sync soon.
    pub fn nudge(&self) {
        self.wake.notify_one();
    }
}

impl Drop for SyncLoop {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn run(
    sync: PlaylistSync,
    schedule: SyncSchedule,
    wake: Arc<Notify>,
    report: impl Fn(SyncEvent),
) {
    let mut backoff = schedule.first_backoff;
    loop {
        report(SyncEvent::Started);
        let wait = match sync.sync().await {
            Ok(outcome) => {
                backoff = schedule.first_backoff;
                report(SyncEvent::Finished(outcome));
                schedule.period
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
            () = wake.notified() => {
                // Let a burst of edits finish; the nudges it sends meanwhile fold into one.
                tokio::time::sleep(schedule.debounce).await;
            }
            () = tokio::time::sleep(wait) => {}
        }
    }
}
