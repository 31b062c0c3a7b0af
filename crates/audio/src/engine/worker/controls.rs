//! The listener's controls of the sound while the queue plays: pause and resume, another
//! output device (and the chosen one's comings and goings), `ReplayGain` settings and the
//! loudness the player measured.

use std::sync::Arc;
use std::time::Duration;

use strato_model::ipc::PlaybackState;

use super::timeline::duration_ms;
use super::{PlayerEvent, Session};
use super::{SinkOpener, Worker};
use crate::gain::{MeasuredLoudness, ReplayGainSettings, normalisation_factor};
use crate::media::{QueueItem, TrackMedia};

impl Worker {
    pub(super) fn pause(&mut self) {
        if self.feeding.is_some() || self.output.has_queued() {
            self.paused = true;
            if let Some(sink) = self.output.sink_mut() {
                sink.pause();
            }
            self.set_state(PlaybackState::Paused);
        }
    }

    pub(super) fn set_output(&mut self, open_sink: SinkOpener) {
        let position = self.position();
        let playing = self.feeding.is_some();
        self.output.replace(open_sink);
        self.markers.clear();
        if playing {
            self.seek(position);
        } else {
            let _ = self.output.ensure_sink(&*self.emit);
        }
    }

    /// Follows the output's comings and goings: a device gone away is replaced (the
    /// default standing in for the chosen one), and the chosen one taken back when it
    /// returns; playback goes on from where the listener was.
    pub(super) fn follow_output(&mut self) {
        if (self.feeding.is_some() || self.ending) && self.output.is_lost() {
            // Where the listener was, measured on the device that is going away.
            self.resume_at = Some(self.position());
            self.output.drop_lost(&*self.emit);
        }
        if self.output.prefers_another() {
            self.return_to_chosen_output();
        }
        if let Some(position) = self.resume_at
            && self.output.try_reopen(&*self.emit)
        {
            // A new device: go on from there.
            self.resume_at = None;
            self.ending = false;
            if self.heard.is_some() || self.feeding.is_some() {
                self.seek(position);
            }
        }
    }

    /// The device the listener chose is back: playback goes on through it, from where
    /// the device standing in for it was.
    pub(super) fn return_to_chosen_output(&mut self) {
        let position = self.position();
        let playing = self.feeding.is_some();
        self.output.close();
        self.markers.clear();
        // Opened now, not at the next write, so that the output stops asking: a failure
        // is reported (and another device stands in again) by the opening itself.
        let _ = self.output.ensure_sink(&*self.emit);
        if playing {
            self.seek(position);
        }
    }

    pub(super) fn set_replay_gain(&mut self, settings: ReplayGainSettings) {
        self.replay_gain = settings;
        self.output
            .set_normalisation_limited(settings.needs_limiter());
        self.emit_signal();
        if self.regain_fade() {
            return;
        }
        if let Some(factor) = self
            .feeding
            .as_ref()
            .map(|f| self.replay_gain_factor(&f.item))
        {
            self.output.set_replay_gain(factor);
        }
    }

    pub(super) fn resume(&mut self) {
        if self.paused {
            self.paused = false;
            if let Some(sink) = self.output.sink_mut() {
                sink.resume();
                self.set_state(PlaybackState::Playing);
            } else {
                // The output rested: feeding opens it again, and says "playing" once the
                // first audio is in.
                self.set_state(PlaybackState::Loading);
            }
        } else if self.feeding.is_none() && self.queue.current().is_some() {
            if let Some(position) = self.restored_at.take() {
                self.start_current(position);
                return;
            }
            // Ended, with tracks added after the end since: on with them.
            if self.state == PlaybackState::Ended && self.queue.advance().is_some() {
                self.emit_queue();
            }
            self.start_current(Duration::ZERO);
        }
    }

    /// The factor `item` plays at: its tags, else its measured loudness (see [`crate::gain`]).
    pub(super) fn replay_gain_factor(&self, item: &QueueItem) -> f32 {
        normalisation_factor(
            item.replay_gain.as_ref(),
            item.loudness.as_ref(),
            &self.replay_gain,
        )
    }

    /// Loudness the decode threads measured: kept with the queue's entries of the track
    /// (and the one decoded ahead), and sent out for the library. Not with the track being
    /// fed: it plays on at the level it started with (a crossfade mixes it at that level).
    pub(super) fn take_measurements(&mut self) {
        let measured: Vec<_> = self.measured.finished().collect();
        for (id, loudness) in measured {
            let known = MeasuredLoudness {
                track: loudness,
                album: None,
            };
            self.queue.set_loudness(&id, known);
            if let Some(up) = self.upcoming.as_mut().filter(|up| up.item.id == id) {
                up.item.loudness.get_or_insert(known);
            }
            (self.emit)(PlayerEvent::Loudness { id, loudness });
        }
    }

    /// Moves to `position` in the track heard (or, paused where the last run left off, the
    /// place to resume).
    pub(super) fn seek(&mut self, position: Duration) {
        let Some(feeding) = self.feeding.as_mut() else {
            if self.restored_at.is_some() {
                // Still paused where the last run left off: only the place to resume moves.
                self.restored_at = Some(position);
                (self.emit)(PlayerEvent::Position {
                    position_ms: duration_ms(position),
                    duration_ms: None,
                    buffered_ms: None,
                });
            } else if self.queue.current().is_some() {
                self.start_current(position);
            }
            return;
        };
        let media: Arc<dyn TrackMedia> = Arc::clone(feeding.session.media());
        match Session::start(media, position) {
            Ok(session) => {
                feeding.session = session;
                feeding.pending.clear();
                feeding.offset = 0;
                feeding.base_ms = duration_ms(position);
                feeding.started = false;
                let entry = feeding.entry;
                self.flush_sink();
                self.markers.clear();
                self.heard = Some(entry);
                if !self.paused {
                    self.set_state(PlaybackState::Loading);
                }
            }
            Err(err) => self.track_failed(err),
        }
    }
}
