//! The ends of streams: what the resampler and the limiter still hold when a stream of one
//! format ends, written out whole, and the signal path told when it changes.

use super::{PlayerEvent, SLICE, Worker};

impl Worker {
    /// Writes the resampler's and the limiter's last samples, at the end of a stream of one
    /// format.
    pub(super) fn play_out_tail(&mut self) {
        let tail = self.output.drain_tail();
        self.write_all(&tail);
    }

    /// Writes `samples` whole, waiting for room; gives up when the output is lost or has
    /// no stream to take them.
    pub(super) fn write_all(&mut self, samples: &[f32]) {
        let mut offset = 0;
        while offset < samples.len() && self.output.is_streaming() {
            let Some(sink) = self.output.sink_mut() else {
                return;
            };
            let taken = sink.write(&samples[offset..], SLICE);
            if taken == 0 && sink.is_lost() {
                return;
            }
            offset += taken;
        }
    }

    /// Says what the sound goes through now, when a stream plays.
    pub(super) fn emit_signal(&self) {
        if let Some(signal) = self.output.signal() {
            (self.emit)(PlayerEvent::Signal(signal));
        }
    }
}
