//! Follows the live channel for one signed-in account: keeps one connection open, pulls the
//! changes feed when another device changed something, and after every (re)connect, so that
//! nothing told while disconnected is missed (the feed is the record, events are hints).
//!
//! - Reconnects with exponential backoff and full jitter (1 s doubling to a minute), so many
//!   clients after an outage do not all come back in the same second. A connection the
//!   service ended in the ordinary way (its longest life, an expired token, a slow reader)
//!   is opened again at once; the token is refreshed by the session when it must be.
//! - Where the channel cannot be had (the service does not offer it, a proxy refuses the
//!   upgrade, the network is down), the sync loop polls as it always did, and the state says
//!   so for the sync indicator. A service without the channel is asked again every ten
//!   minutes, not every second.
//! - The channel also carries this app as one of the listener's devices ([`DevicePresence`]):
//!   registered on every (re)connect, what it plays sent as it changes, commands to the
//!   listener's other devices sent, and theirs to this one handed to the owner as news.

use std::time::Duration;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use rand::Rng as _;
use strato_cloud::{ApiClient, CloudError, LiveConnection, LiveEnd};
use strato_model::api::{
    Device, DeviceCommand, DevicePlayback, LiveEvent, LiveRequest, live_close,
};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::PlaylistSync;
use crate::schedule::SyncTrigger;

/// How the live channel is pacing reconnections.
#[derive(Debug, Clone, Copy)]
pub struct LiveSchedule {
    /// The ceiling of the first wait after a failure; doubled each time.
    pub first_backoff: Duration,
    /// The ceiling stops doubling here.
    pub max_backoff: Duration,
    /// How long before asking again a service that refused the channel for good.
    pub refused_retry: Duration,
    /// A connection that lived at least this long was healthy: the backoff starts over.
    pub healthy_after: Duration,
}

impl Default for LiveSchedule {
    fn default() -> Self {
        Self {
            first_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(60),
            refused_retry: Duration::from_secs(10 * 60),
            healthy_after: Duration::from_secs(30),
        }
    }
}

/// What the follower tells its owner.
#[derive(Debug)]
pub enum LiveNews {
    /// The channel's state changed.
    State(LiveState),
    /// One of the listener's own uploads changed (on any device, or in processing).
    UploadsChanged { upload_id: String },
    /// A track others could play no longer is; whoever keeps it offline should check.
    TrackUnavailable { track_id: String },
    /// The listener signed out everywhere (another device asked): this session is over.
    SignedOutEverywhere,
    /// The listener's devices now (this one among them), as the service lists them; empty
    /// when the channel closed (nothing is known of them until it opens again).
    Devices(Vec<Device>),
    /// Another of the listener's devices asks this one to act.
    Command {
        from: String,
        command: DeviceCommand,
    },
    /// A command of this device's could not be delivered, for `reason`.
    CommandRefused { to: String, reason: String },
}

/// This app as one of the listener's devices, for the follower to register and keep told.
#[derive(Debug, Clone)]
pub struct DevicePresence {
    /// The app's id for itself on this account (stable across restarts).
    pub device_id: String,
    /// `linux`, `macos` or `windows`.
    pub os: String,
    /// What the listener calls this device; a change registers it again.
    pub name: watch::Receiver<String>,
    /// What it plays; each change is sent.
    pub playback: watch::Receiver<Option<DevicePlayback>>,
}

/// A command could not be sent to another device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommandNotSent {
    /// The live channel is not open: the listener's other devices cannot be reached now.
    NotConnected,
    /// Commands are being sent faster than the channel carries them.
    Busy,
}

/// Where the channel stands, as the sync indicator tells it.
#[derive(Debug)]
pub enum LiveState {
    /// Opening (at start, or again after a drop); sync polls meanwhile.
    Connecting,
    /// Open: other devices' changes arrive as they happen.
    Live,
    /// Not to be had now, for this reason; sync polls, and the channel is tried again.
    Polling(CloudError),
}

/// The running follower. Dropping it closes the connection.
#[derive(Debug)]
pub struct LiveFollower {
    task: JoinHandle<()>,
    commands: mpsc::Sender<(String, DeviceCommand)>,
    /// The channel is open now (commands can be sent).
    open: Arc<AtomicBool>,
}

/// Commands waiting to be written to the channel; a listener clicks, so few ever wait.
const COMMANDS_WAITING: usize = 32;

/// What a connection works with besides the channel itself.
struct Follow<T> {
    sync: PlaylistSync,
    trigger: SyncTrigger,
    tell: T,
    presence: Option<DevicePresence>,
    commands: mpsc::Receiver<(String, DeviceCommand)>,
    open: Arc<AtomicBool>,
}

impl LiveFollower {
    /// Starts following on `runtime`. `sync` is the account's playlist sync (its feed
    /// cursor tells which events are news), `trigger` its loop's; `tell` hears every change
    /// of [`LiveState`] and the news that is not about playlists. With a `presence`, the app
    /// registers as one of the listener's devices and hears theirs.
    pub fn spawn_on(
        runtime: &tokio::runtime::Handle,
        (api, sync, trigger): (ApiClient, PlaylistSync, SyncTrigger),
        schedule: LiveSchedule,
        presence: Option<DevicePresence>,
        tell: impl Fn(LiveNews) + Send + Sync + 'static,
    ) -> Self {
        let (commands, waiting) = mpsc::channel(COMMANDS_WAITING);
        let open = Arc::new(AtomicBool::new(false));
        let follow = Follow {
            sync,
            trigger,
            tell,
            presence,
            commands: waiting,
            open: Arc::clone(&open),
        };
        let task = runtime.spawn(run(api, schedule, follow));
        Self {
            task,
            commands,
            open,
        }
    }

    /// Sends `command` to the listener's device `to`. Not delivered is told later as
    /// [`LiveNews::CommandRefused`]; `Err` is a command that could not even be sent.
    pub fn send_command(&self, to: String, command: DeviceCommand) -> Result<(), CommandNotSent> {
        if !self.open.load(Ordering::Relaxed) {
            return Err(CommandNotSent::NotConnected);
        }
        self.commands.try_send((to, command)).map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => CommandNotSent::Busy,
            mpsc::error::TrySendError::Closed(_) => CommandNotSent::NotConnected,
        })
    }
}

impl Drop for LiveFollower {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn run<T: Fn(LiveNews)>(api: ApiClient, schedule: LiveSchedule, mut follow: Follow<T>) {
    let report = |follow: &Follow<T>, state| (follow.tell)(LiveNews::State(state));
    let mut failures = 0_u32;
    report(&follow, LiveState::Connecting);
    loop {
        let wait = match api.open_live().await {
            Ok(connection) => {
                let opened = Instant::now();
                let end = follow.listen(connection).await;
                follow.open.store(false, Ordering::Relaxed);
                follow.trigger.set_live(false);
                if follow.presence.is_some() {
                    (follow.tell)(LiveNews::Devices(Vec::new()));
                }
                let lived = opened.elapsed();
                tracing::info!(?end, ?lived, "live channel ended");
                if lived >= schedule.healthy_after {
                    failures = 0;
                }
                report(&follow, LiveState::Connecting);
                if ends_in_the_ordinary_way(&end) && lived >= schedule.healthy_after {
                    // Its longest life, its token's: connect again now, within a second.
                    jitter(Duration::from_secs(1))
                } else {
                    failures += 1;
                    backoff(&schedule, failures)
                }
            }
            Err(error) => {
                let wait = if error.is_transient() {
                    failures += 1;
                    backoff(&schedule, failures)
                } else {
                    schedule.refused_retry
                };
                tracing::info!(%error, retry_in = ?wait, "live channel not open; polling");
                report(&follow, LiveState::Polling(error));
                wait
            }
        };
        tokio::time::sleep(wait).await;
    }
}

impl<T: Fn(LiveNews)> Follow<T> {
    /// Reads events until the connection ends; each change not yet pulled starts a pull.
    /// Meanwhile sends what this device plays as it changes, and the commands asked for.
    async fn listen(&mut self, mut connection: LiveConnection) -> LiveEnd {
        loop {
            // Each arm's future is cancel-safe: `next` keeps its frames and its count of the
            // silence, `changed` and `recv` lose nothing.
            let sent = tokio::select! {
                event = connection.next() => match event {
                    Ok(LiveEvent::Hello { .. }) => self.opened(&mut connection).await,
                    Ok(event) => {
                        self.hear(event).await;
                        Ok(())
                    }
                    Err(end) => return end,
                },
                Some(request) = self.next_request() => connection.send(&request).await,
            };
            if let Err(end) = sent {
                return end;
            }
        }
    }

    /// The service said hello: the channel is open, this device registers, and whatever
    /// changed while it was closed is pulled from the feed.
    async fn opened(&mut self, connection: &mut LiveConnection) -> Result<(), LiveEnd> {
        (self.tell)(LiveNews::State(LiveState::Live));
        self.trigger.set_live(true);
        self.trigger.pull_now();
        if let Some(presence) = &mut self.presence {
            let register = LiveRequest::RegisterDevice {
                device_id: presence.device_id.clone(),
                name: presence.name.borrow_and_update().clone(),
                os: presence.os.clone(),
            };
            let playback = presence.playback.borrow_and_update().clone();
            connection.send(&register).await?;
            connection.send(&LiveRequest::Playback { playback }).await?;
        }
        // Commands asked for while the channel was closed are stale: a pause meant then is
        // not meant now.
        while self.commands.try_recv().is_ok() {}
        self.open.store(true, Ordering::Relaxed);
        Ok(())
    }

    /// The next thing this device has to say: a new name (registering again), what it plays
    /// now, or a command. Pending forever without a presence.
    async fn next_request(&mut self) -> Option<LiveRequest> {
        let Some(presence) = &mut self.presence else {
            return std::future::pending().await;
        };
        tokio::select! {
            Ok(()) = presence.name.changed() => Some(LiveRequest::RegisterDevice {
                device_id: presence.device_id.clone(),
                name: presence.name.borrow_and_update().clone(),
                os: presence.os.clone(),
            }),
            Ok(()) = presence.playback.changed() => Some(LiveRequest::Playback {
                playback: presence.playback.borrow_and_update().clone(),
            }),
            // Only once this device has registered (after the hello): commands left from a
            // closed connection are dropped there, not sent ahead of the registration.
            Some((to, command)) = self.commands.recv(), if self.open.load(Ordering::Relaxed) => {
                Some(LiveRequest::Command { to, command })
            }
            else => std::future::pending().await,
        }
    }

    async fn hear(&self, event: LiveEvent) {
        let tell = &self.tell;
        match event {
            // The connection reads a closing event as the end it announces.
            LiveEvent::Hello { .. } | LiveEvent::Pong | LiveEvent::Closing { .. } => {}
            LiveEvent::PlaylistChanged { seq, .. } | LiveEvent::PlaylistDeleted { seq, .. } => {
                // This device's own writes come back too; the feed already has them when
                // its pass pulled past them.
                let known = self.sync.feed_cursor().await.unwrap_or(0);
                if seq > known {
                    self.trigger.pull_now();
                }
            }
            LiveEvent::UploadsChanged { upload_id } => tell(LiveNews::UploadsChanged { upload_id }),
            LiveEvent::TrackUnavailable { track_id } => {
                tell(LiveNews::TrackUnavailable { track_id });
            }
            LiveEvent::SignedOut => tell(LiveNews::SignedOutEverywhere),
            LiveEvent::Devices { devices } => tell(LiveNews::Devices(devices)),
            LiveEvent::Command { from, command } => tell(LiveNews::Command { from, command }),
            LiveEvent::CommandRefused { to, reason } => {
                tell(LiveNews::CommandRefused { to, reason });
            }
        }
    }
}

/// Closes the service makes as a matter of course; anything else is a failure to back off
/// from.
fn ends_in_the_ordinary_way(end: &LiveEnd) -> bool {
    matches!(
        end,
        LiveEnd::Closed { code, .. }
            if [live_close::TOO_OLD, live_close::TOKEN_EXPIRED, live_close::LAGGED].contains(code)
    )
}

/// Full jitter: uniform in `[0, ceiling]`.
fn jitter(ceiling: Duration) -> Duration {
    rand::thread_rng().gen_range(Duration::ZERO..=ceiling)
}

/// The wait after the `failures`th failure in a row: full jitter under a ceiling that
/// doubles from `first_backoff` up to `max_backoff`.
fn backoff(schedule: &LiveSchedule, failures: u32) -> Duration {
    let doublings = failures.saturating_sub(1).min(16);
    let ceiling = schedule
        .first_backoff
        .saturating_mul(1 << doublings)
        .min(schedule.max_backoff);
    jitter(ceiling)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backoff_doubles_under_its_ceiling_and_is_jittered() {
        let schedule = LiveSchedule::default();
        for failures in 1..40 {
            let ceiling = Duration::from_secs(1 << (failures - 1).min(6)).min(schedule.max_backoff);
            for _ in 0..50 {
                assert!(backoff(&schedule, failures) <= ceiling, "{failures}");
            }
        }
        // It grows: the longest of many waits after n failures is past the ceiling after
        // n - 1 (1 s, 2 s, 4 s ... up to the minute).
        let longest = |failures| {
            (0..400)
                .map(|_| backoff(&schedule, failures))
                .max()
                .unwrap()
        };
        for failures in 2..=6 {
            let previous = Duration::from_secs(1 << (failures - 2));
            assert!(longest(failures) > previous, "{failures}");
        }
        assert!(longest(20) > Duration::from_secs(32));
        // Jittered: a hundred waits at the ceiling of a minute are not all one value.
        let waits: std::collections::HashSet<_> =
            (0..100).map(|_| backoff(&schedule, 10)).collect();
        assert!(waits.len() > 50, "{}", waits.len());
    }

    #[test]
    fn only_the_services_ordinary_closes_reconnect_at_once() {
        let closed = |code| LiveEnd::Closed {
            code,
            reason: String::new(),
        };
        assert!(ends_in_the_ordinary_way(&closed(live_close::TOO_OLD)));
        assert!(ends_in_the_ordinary_way(&closed(live_close::TOKEN_EXPIRED)));
        assert!(ends_in_the_ordinary_way(&closed(live_close::LAGGED)));
        assert!(!ends_in_the_ordinary_way(&closed(live_close::UNREADABLE)));
        assert!(!ends_in_the_ordinary_way(&closed(1011)));
        assert!(!ends_in_the_ordinary_way(&LiveEnd::Silent));
        assert!(!ends_in_the_ordinary_way(&LiveEnd::Broken("reset".into())));
    }
}
