//! The listener's controls of the sound while the queue plays: pause and resume, another
//! output device, `ReplayGain` settings.

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
