//! Measures each play from the player's events, on the player's own thread (a few field
//! updates per event; nothing waits): how long from the play starting to load until its
//! first audio, the stalls once it sounded and how long they lasted, the bitrate switches
//! of its stream, the error it ended on, and the output device. A finished play is handed
//! to the writer, which keeps it in the account's library.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use strato_audio::PlayerEvent;
use strato_library::PlayMetrics;
use strato_model::ipc::{AppError, OutputStatus, PlaybackState};
use strato_stream::hls::SharedBandwidth;
use tokio::sync::mpsc;

use crate::error;

/// Finished plays waiting for the disk; past this (a disk that stopped answering), the
/// newest are dropped rather than the player waiting.
pub(crate) const WAITING_PLAYS: usize = 64;

/// The meter the player's event callback feeds.
pub(crate) struct PlayMeter {
    state: Mutex<Meter>,
    bandwidth: SharedBandwidth,
    finished: mpsc::Sender<PlayMetrics>,
}

#[derive(Default)]
struct Meter {
    play: Option<Play>,
    output_device: Option<String>,
    /// A seek is under way: the wait that follows is not a stall.
    seeking: bool,
    /// The player's state as last said.
    state: Option<PlaybackState>,
    /// The player has been loading since (it says so before it says which track).
    loading_since: Option<Instant>,
    /// A track is opening (a skip, a jump, a new queue): its wait is the next play's, and a
    /// buffering meanwhile is part of it, not a stall.
    opening: bool,
    /// A wait that ended in audio before the track it was for was named (the player names
    /// a track when it is heard).
    waited: Option<Duration>,
}

/// The play being measured.
struct Play {
    track_id: String,
    started_at: i64,
    first_audio: Option<Duration>,
    /// It has sounded (first audio, or it followed the previous track without a wait).
    sounded: bool,
    stalls: u32,
    stalled: Duration,
    stall_since: Option<Instant>,
    switches_before: u64,
    error: Option<AppError>,
}

impl PlayMeter {
    pub(crate) fn new(bandwidth: SharedBandwidth, finished: mpsc::Sender<PlayMetrics>) -> Self {
        Self {
            state: Mutex::new(Meter::default()),
            bandwidth,
            finished,
        }
    }

    /// The listener seeks: what follows until the audio is back is not a stall.
    pub(crate) fn seeking(&self) {
        self.lock().seeking = true;
    }

    pub(crate) fn observe(&self, event: &PlayerEvent) {
        self.observe_at(event, Instant::now(), crate::unix_now());
    }

    fn observe_at(&self, event: &PlayerEvent, now: Instant, unix_now: i64) {
        let mut meter = self.lock();
        let finished = match event {
            PlayerEvent::TrackChanged { id, .. } => {
                let finished = meter.finish(now, self.switches());
                if let Some(id) = id {
                    meter.begin(id, unix_now, self.switches());
                }
                finished
            }
            PlayerEvent::State(state) => {
                meter.state(*state, now);
                // The queue has ended (played out, stopped, or nothing left after a failure):
                // so has the play heard.
                if matches!(
                    state,
                    PlaybackState::Ended | PlaybackState::Idle | PlaybackState::Error
                ) {
                    meter.finish(now, self.switches())
                } else {
                    None
                }
            }
            PlayerEvent::Error { id, error: err } => {
                let failed = error::from_audio(err);
                match (id, &mut meter.play) {
                    // The play heard failed: it ends on this error.
                    (Some(id), Some(play)) if *id == play.track_id => {
                        play.error = Some(failed);
                        meter.finish(now, self.switches())
                    }
                    // Another track (the next one, while this one's end still plays) failed
                    // to open: a play of its own that never sounded.
                    (Some(id), _) => Some(meter.never_sounded(id, unix_now, failed)),
                    // The output failed: the play heard ends on it.
                    (None, Some(play)) => {
                        play.error = Some(failed);
                        meter.finish(now, self.switches())
                    }
                    (None, None) => None,
                }
            }
            PlayerEvent::Output(output) => {
                meter.output_device = match output {
                    OutputStatus::Available { device }
                    | OutputStatus::StandingIn { device, .. } => Some(device.clone()),
                    OutputStatus::Unavailable { .. } => None,
                };
                None
            }
            _ => None,
        };
        drop(meter);
        if let Some(play) = finished
            && self.finished.try_send(play).is_err()
        {
            tracing::warn!("a play's metrics were dropped: the library is not keeping up");
        }
    }

    fn switches(&self) -> u64 {
        self.bandwidth
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .variant_switches
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Meter> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Meter {
    fn begin(&mut self, track_id: &str, started_at: i64, switches: u64) {
        self.seeking = false;
        // Named as it sounds: the wait just before is its wait. Named while it plays on
        // from the track before (gapless), it had none.
        let sounded = self.state == Some(PlaybackState::Playing);
        self.play = Some(Play {
            track_id: track_id.to_owned(),
            started_at,
            first_audio: if sounded { self.waited.take() } else { None },
            sounded,
            stalls: 0,
            stalled: Duration::ZERO,
            stall_since: None,
            switches_before: switches,
            error: None,
        });
        self.waited = None;
    }

    /// A track that failed before it could sound.
    fn never_sounded(&self, track_id: &str, started_at: i64, error: AppError) -> PlayMetrics {
        PlayMetrics {
            track_id: track_id.to_owned(),
            started_at,
            error: Some((error::kind_name(error.kind), error.message)),
            output_device: self.output_device.clone(),
            ..PlayMetrics::default()
        }
    }

    fn state(&mut self, state: PlaybackState, now: Instant) {
        self.state = Some(state);
        match state {
            PlaybackState::Loading | PlaybackState::Buffering => {
                self.loading_since.get_or_insert(now);
                if state == PlaybackState::Loading && !self.seeking {
                    self.opening = true;
                }
                // Only a wait for data in the middle of a play is a stall.
                if state == PlaybackState::Buffering
                    && !self.opening
                    && let Some(play) = &mut self.play
                    && play.sounded
                    && !self.seeking
                    && play.stall_since.is_none()
                {
                    play.stalls += 1;
                    play.stall_since = Some(now);
                }
            }
            PlaybackState::Playing => {
                let wait = self.loading_since.take().map(|since| now - since);
                match &mut self.play {
                    Some(play) if !play.sounded => {
                        play.sounded = true;
                        play.first_audio = wait;
                    }
                    Some(play) => {
                        play.close_stall(now);
                        // The play heard is still the old one: the wait was for the track
                        // about to be named.
                        if self.opening {
                            self.waited = wait;
                        }
                    }
                    None => self.waited = wait,
                }
                self.opening = false;
                self.seeking = false;
            }
            PlaybackState::Paused
            | PlaybackState::Idle
            | PlaybackState::Ended
            | PlaybackState::Error => {
                // A wait cut by a pause is the listener's, not the network's: it starts
                // again when the player loads again.
                self.loading_since = None;
                self.opening = false;
                if let Some(play) = &mut self.play {
                    play.close_stall(now);
                }
            }
        }
    }

    /// The play measured so far, finished; `None` when there was none.
    fn finish(&mut self, now: Instant, switches: u64) -> Option<PlayMetrics> {
        let mut play = self.play.take()?;
        play.close_stall(now);
        let ms = |d: Duration| u32::try_from(d.as_millis()).unwrap_or(u32::MAX);
        Some(PlayMetrics {
            track_id: play.track_id,
            started_at: play.started_at,
            first_audio_ms: play.first_audio.map(ms),
            stalls: play.stalls,
            stalled_ms: ms(play.stalled),
            bitrate_switches: u32::try_from(switches.saturating_sub(play.switches_before))
                .unwrap_or(u32::MAX),
            error: play.error.map(|e| (error::kind_name(e.kind), e.message)),
            output_device: self.output_device.clone(),
        })
    }
}

impl Play {
    fn close_stall(&mut self, now: Instant) {
        if let Some(since) = self.stall_since.take() {
            self.stalled += now - since;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use strato_audio::EntryId;
    use strato_stream::abr::Bandwidth;

    use super::*;

    fn changed(id: &str) -> PlayerEvent {
        PlayerEvent::TrackChanged {
            entry: Some(EntryId(1)),
            id: Some(id.to_owned()),
        }
    }

    #[test]
    fn a_play_is_measured_from_its_load_to_its_end() {
        let bandwidth: SharedBandwidth = Arc::new(Mutex::new(Bandwidth::default()));
        let (sender, mut finished) = mpsc::channel(8);
        let meter = PlayMeter::new(Arc::clone(&bandwidth), sender);
        let start = Instant::now();
        let at = |ms| start + Duration::from_millis(ms);
        let feed = |event: PlayerEvent, ms| meter.observe_at(&event, at(ms), 1_000);

        feed(
            PlayerEvent::Output(OutputStatus::Available {
                device: "Speakers".into(),
            }),
            0,
        );
        feed(changed("t1"), 0);
        feed(PlayerEvent::State(PlaybackState::Loading), 10);
        feed(PlayerEvent::State(PlaybackState::Playing), 250);
        // A stall of 1.5 s, then a seek whose wait is not one.
        feed(PlayerEvent::State(PlaybackState::Buffering), 5_000);
        feed(PlayerEvent::State(PlaybackState::Playing), 6_500);
        bandwidth.lock().unwrap().variant_switches += 2;
        meter.seeking();
        feed(PlayerEvent::State(PlaybackState::Buffering), 8_000);
        feed(PlayerEvent::State(PlaybackState::Playing), 9_000);
        // A skip: the player loads the next track (buffering on the way) while this one is
        // still the one heard.
        feed(PlayerEvent::State(PlaybackState::Loading), 19_000);
        feed(PlayerEvent::State(PlaybackState::Buffering), 19_200);
        feed(PlayerEvent::State(PlaybackState::Playing), 19_900);
        // The next track follows without a wait, then fails.
        feed(changed("t2"), 20_000);
        feed(PlayerEvent::State(PlaybackState::Playing), 20_000);
        feed(
            PlayerEvent::Error {
                id: Some("t2".into()),
                error: strato_audio::AudioError::Malformed("bad frame".into()),
            },
            21_000,
        );
        // Loading said before the track: the wait counts from the load. Then the fourth
        // fails to open while the third still plays.
        feed(PlayerEvent::State(PlaybackState::Loading), 22_000);
        feed(changed("t3"), 22_100);
        feed(PlayerEvent::State(PlaybackState::Playing), 22_400);
        feed(
            PlayerEvent::Error {
                id: Some("t4".into()),
                error: strato_audio::AudioError::Unsupported("no codec".into()),
            },
            30_000,
        );

        let first = finished.try_recv().unwrap();
        assert_eq!(first.track_id, "t1");
        assert_eq!(first.first_audio_ms, Some(240));
        assert_eq!((first.stalls, first.stalled_ms), (1, 1_500));
        assert_eq!(first.bitrate_switches, 2);
        assert_eq!(first.output_device.as_deref(), Some("Speakers"));
        assert_eq!(first.error, None);
        let second = finished.try_recv().unwrap();
        assert_eq!(second.track_id, "t2");
        assert_eq!(
            second.first_audio_ms,
            Some(900),
            "the skip's wait is the next track's"
        );
        assert_eq!(second.stalls, 0);
        assert_eq!(second.bitrate_switches, 0);
        let (kind, message) = second.error.unwrap();
        assert_eq!(kind, "damaged_media");
        assert!(!message.is_empty());
        let fourth = finished.try_recv().unwrap();
        assert_eq!(
            fourth.track_id, "t4",
            "the next track's failure is its own play"
        );
        assert_eq!(fourth.first_audio_ms, None);
        assert_eq!(fourth.error.unwrap().0, "unsupported_format");
        assert!(finished.try_recv().is_err(), "the third plays on");
        // The sixth follows the third gaplessly: no wait of its own.
        feed(changed("t6"), 35_000);
        let third = finished.try_recv().unwrap();
        assert_eq!(
            (third.track_id.as_str(), third.first_audio_ms),
            ("t3", Some(400))
        );
        feed(PlayerEvent::State(PlaybackState::Ended), 40_000);
        let sixth = finished.try_recv().unwrap();
        assert_eq!(
            (sixth.track_id.as_str(), sixth.first_audio_ms),
            ("t6", None)
        );
        assert_eq!(sixth.error, None);
    }
}
