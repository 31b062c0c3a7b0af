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

use std::time::Duration;

use rand::Rng as _;
use strato_cloud::{ApiClient, CloudError, LiveConnection, LiveEnd};
use strato_model::api::{LiveEvent, live_close};
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
}

impl LiveFollower {
    /// Starts following on `runtime`. `sync` is the account's playlist sync (its feed
    /// cursor tells which events are news), `trigger` its loop's; `tell` hears every change
    /// of [`LiveState`] and the news that is not about playlists.
    pub fn spawn_on(
        runtime: &tokio::runtime::Handle,
        api: ApiClient,
        sync: PlaylistSync,
        trigger: SyncTrigger,
        schedule: LiveSchedule,
        tell: impl Fn(LiveNews) + Send + Sync + 'static,
    ) -> Self {
        let task = runtime.spawn(follow(api, sync, trigger, schedule, tell));
        Self { task }
    }
}

impl Drop for LiveFollower {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn follow(
    api: ApiClient,
    sync: PlaylistSync,
    trigger: SyncTrigger,
    schedule: LiveSchedule,
    tell: impl Fn(LiveNews),
) {
    let report = |state| tell(LiveNews::State(state));
    let mut failures = 0_u32;
    report(LiveState::Connecting);
    loop {
        let wait = match api.open_live().await {
            Ok(connection) => {
                let opened = Instant::now();
                let end = listen(connection, &sync, &trigger, &tell).await;
                trigger.set_live(false);
                let lived = opened.elapsed();
                tracing::info!(?end, ?lived, "live channel ended");
                if lived >= schedule.healthy_after {
                    failures = 0;
                }
                report(LiveState::Connecting);
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
                report(LiveState::Polling(error));
                wait
            }
        };
        tokio::time::sleep(wait).await;
    }
}

/// Reads events until the connection ends; each change not yet pulled starts a pull.
async fn listen(
    mut connection: LiveConnection,
    sync: &PlaylistSync,
    trigger: &SyncTrigger,
    tell: &impl Fn(LiveNews),
) -> LiveEnd {
    loop {
        let event = match connection.next().await {
            Ok(event) => event,
            Err(end) => return end,
        };
        match event {
            LiveEvent::Hello { .. } => {
                tell(LiveNews::State(LiveState::Live));
                // Whatever changed while the channel was down is in the feed: pull it now.
                trigger.set_live(true);
                trigger.pull_now();
            }
            LiveEvent::PlaylistChanged { seq, .. } | LiveEvent::PlaylistDeleted { seq, .. } => {
                // This device's own writes come back too; the feed already has them when
                // its pass pulled past them.
                let known = sync.feed_cursor().await.unwrap_or(0);
                if seq > known {
                    trigger.pull_now();
                }
            }
            LiveEvent::UploadsChanged { upload_id } => {
                tell(LiveNews::UploadsChanged { upload_id });
            }
            LiveEvent::TrackUnavailable { track_id } => {
                tell(LiveNews::TrackUnavailable { track_id });
            }
            LiveEvent::SignedOut => tell(LiveNews::SignedOutEverywhere),
            LiveEvent::Pong => {}
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
