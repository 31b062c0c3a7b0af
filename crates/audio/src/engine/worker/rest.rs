//! The output at rest: a device's stream is closed once nothing has played for
//! [`OUTPUT_REST_AFTER`], and opened again on play, where the listener left off.
//!
//! An open device stream costs the machine something even when it plays silence: its
//! callback runs every few milliseconds for as long as the stream exists, and on some
//! outputs that keeps a core awake. A listener who pauses for the night should leave a
//! silent machine. Sinks that cost nothing at rest (the null sink, a WAV file) are left
//! open (see [`crate::Sink::costs_at_rest`]).

use std::time::{Duration, Instant};

use strato_model::ipc::PlaybackState;

use super::Worker;

/// Nothing has played for this long: the output's stream is closed.
pub const OUTPUT_REST_AFTER: Duration = Duration::from_secs(5);

impl Worker {
    /// Notes when playback stopped making sound (paused, stopped, ended, failed).
    pub(super) fn note_silence(&mut self, state: PlaybackState) {
        let silent = matches!(
            state,
            PlaybackState::Paused
                | PlaybackState::Idle
                | PlaybackState::Ended
                | PlaybackState::Error
        );
        self.silent_since = silent.then(Instant::now);
    }

    /// Closes the output once nothing has played for [`OUTPUT_REST_AFTER`]. Paused in a
    /// track, the track's place is kept: its session restarts there (its media is still
    /// fetched), so what the device held but had not played is not lost.
    pub(super) fn rest_when_silent(&mut self) {
        let due = self
            .silent_since
            .is_some_and(|since| since.elapsed() >= OUTPUT_REST_AFTER);
        if !due || !self.output.costs_at_rest() {
            return;
        }
        if self.paused && self.feeding.is_some() {
            let position = self.position();
            self.seek(position);
        }
        self.output.close();
        self.markers.clear();
        self.silent_since = None;
        tracing::debug!("nothing plays: the audio output is closed until something does");
    }
}
