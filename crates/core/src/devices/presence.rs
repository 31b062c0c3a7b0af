//! What this device tells the listener's others it plays: the player's status reduced to
//! the track, playing or not, the volume, and the position, said again only when it means
//! something new (a new track, a pause, a new volume, a seek), never as the position moves.
//! The others move the position on themselves while it plays, so a track of three minutes
//! costs a handful of frames, not seven hundred.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use strato_model::api::{DevicePlayback, NowPlaying};
use strato_model::ipc::{PlaybackState, PlayerStatus};
use tokio::sync::watch;

/// While playing, a position this far from where the last word put it is a seek (or a
/// stall): said again. (The position moves in ticks of a quarter second, and the network
/// delays the word a little: closer than this is the others' estimate being right.)
const DRIFT_PLAYING: Duration = Duration::from_secs(1);
/// While paused the position stands still: any move is a seek.
const DRIFT_PAUSED: Duration = Duration::from_millis(100);

/// The player's status, as the live follower tells it (a `watch`: only the latest counts).
#[derive(Debug)]
pub(crate) struct Presence {
    said: watch::Sender<Option<DevicePlayback>>,
    /// What was said last, and when.
    last: Mutex<Option<(DevicePlayback, Instant)>>,
}

impl Default for Presence {
    fn default() -> Self {
        Self {
            said: watch::Sender::new(None),
            last: Mutex::new(None),
        }
    }
}

impl Presence {
    /// Hears every status the player makes; says it again when it is news.
    pub(crate) fn observe(&self, status: &PlayerStatus) {
        self.observe_at(status, Instant::now());
    }

    fn observe_at(&self, status: &PlayerStatus, now: Instant) {
        let current = playback_of(status);
        let mut last = self.last.lock().unwrap_or_else(PoisonError::into_inner);
        if last
            .as_ref()
            .is_some_and(|(said, at)| !is_news(said, *at, &current, now))
        {
            return;
        }
        *last = Some((current.clone(), now));
        drop(last);
        self.said.send_replace(Some(current));
    }

    /// What the follower sends: the latest word, and each new one.
    pub(crate) fn subscribe(&self) -> watch::Receiver<Option<DevicePlayback>> {
        self.said.subscribe()
    }
}

fn playback_of(status: &PlayerStatus) -> DevicePlayback {
    DevicePlayback {
        track: status.track.as_ref().map(|track| NowPlaying {
            // A file's id is its path on this computer: the others are told its tags only.
            track_id: if strato_local::ids::is_local_track_id(&track.id) {
                String::new()
            } else {
                track.id.clone()
            },
            title: track.title.clone(),
            artist: track.artist_name.clone(),
            duration_ms: u64::from(status.duration_ms.unwrap_or(track.duration_ms)),
        }),
        playing: status.state == PlaybackState::Playing,
        position_ms: u64::from(status.position_ms),
        // A fraction in 0..=1 to a percentage: the cast cannot overflow.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        volume_percent: (status.volume.clamp(0.0, 1.0) * 100.0).round() as u8,
    }
}

/// Whether `now` says something the others could not work out from `said` at `at`.
fn is_news(said: &DevicePlayback, at: Instant, now: &DevicePlayback, when: Instant) -> bool {
    if said.track != now.track
        || said.playing != now.playing
        || said.volume_percent != now.volume_percent
    {
        return true;
    }
    let (moved, drift) = if said.playing {
        (when.duration_since(at), DRIFT_PLAYING)
    } else {
        (Duration::ZERO, DRIFT_PAUSED)
    };
    let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
    let expected = said.position_ms.saturating_add(ms(moved));
    now.position_ms.abs_diff(expected) > ms(drift)
}

#[cfg(test)]
mod tests {
    use strato_model::ipc::OutputStatus;

    use super::*;

    fn status(state: PlaybackState, position_ms: u32, volume: f32) -> PlayerStatus {
        let mut status = PlayerStatus::idle(OutputStatus::Unavailable {
            reason: String::new(),
        });
        status.state = state;
        status.position_ms = position_ms;
        status.volume = volume;
        status
    }

    #[test]
    fn only_what_the_others_cannot_work_out_is_said_again() {
        let presence = Presence::default();
        let mut heard = presence.subscribe();
        let start = Instant::now();
        let at = |ms| start + Duration::from_millis(ms);

        presence.observe_at(&status(PlaybackState::Playing, 0, 0.8), at(0));
        assert!(heard.has_changed().unwrap(), "the first word is said");
        let first = heard.borrow_and_update().clone().unwrap();
        assert!(first.playing);
        assert_eq!(first.volume_percent, 80);

        // Ticks as it plays on: nothing new.
        for tick in 1..=40 {
            presence.observe_at(
                &status(PlaybackState::Playing, tick * 250, 0.8),
                at(u64::from(tick) * 250),
            );
        }
        assert!(!heard.has_changed().unwrap());

        // A seek: the position is far from where the others put it.
        presence.observe_at(&status(PlaybackState::Playing, 60_000, 0.8), at(10_250));
        assert_eq!(
            heard.borrow_and_update().as_ref().unwrap().position_ms,
            60_000
        );

        // A pause, then a seek while paused, then a new volume.
        presence.observe_at(&status(PlaybackState::Paused, 60_100, 0.8), at(10_350));
        assert!(!heard.borrow_and_update().as_ref().unwrap().playing);
        presence.observe_at(&status(PlaybackState::Paused, 60_100, 0.8), at(20_000));
        assert!(
            !heard.has_changed().unwrap(),
            "paused, time passing is no news"
        );
        presence.observe_at(&status(PlaybackState::Paused, 59_500, 0.8), at(20_100));
        assert_eq!(
            heard.borrow_and_update().as_ref().unwrap().position_ms,
            59_500
        );
        presence.observe_at(&status(PlaybackState::Paused, 5_000, 0.5), at(20_200));
        assert_eq!(
            heard.borrow_and_update().as_ref().unwrap().volume_percent,
            50
        );
    }
}
