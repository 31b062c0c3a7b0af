//! The listener's controls of the sound while the queue plays: pause and resume, another
//! output device (and the chosen one's comings and goings), `ReplayGain` settings.

use std::time::Duration;

use strato_model::ipc::PlaybackState;

use super::{SinkOpener, Worker};
use crate::gain::ReplayGainSettings;
use crate::media::QueueItem;

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

    pub(super) fn replay_gain_factor(&self, item: &QueueItem) -> f32 {
        item.replay_gain
            .unwrap_or_default()
            .factor(&self.replay_gain)
    }
}
