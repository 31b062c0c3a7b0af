use std::time::{Duration, Instant};

use super::{PcmFormat, Sink, SinkError};

/// How a [`NullSink`] consumes audio.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pacing {
    /// Like a device: one second of audio takes one second.
    RealTime,
    /// As fast as it is written, for tests and benchmarks.
    Unpaced,
}

/// A sink that discards audio, used where there is no device and in tests.
#[derive(Debug)]
pub struct NullSink {
    format: Option<PcmFormat>,
    clock: PacedClock,
    preferred_rate: Option<u32>,
}

impl NullSink {
    #[must_use]
    pub fn new(pacing: Pacing) -> Self {
        Self {
            format: None,
            clock: PacedClock::new(pacing),
            preferred_rate: None,
        }
    }

    /// Makes the sink ask for `rate` ([`Sink::preferred_rate`]) as a device would, so the
    /// engine resamples to it: for measuring that path's cost. Any rate is still accepted.
    #[must_use]
    pub fn with_preferred_rate(mut self, rate: u32) -> Self {
        self.preferred_rate = Some(rate);
        self
    }
}

/// The bookkeeping a device would do, shared by the sinks that have no device: frames written,
/// and under [`Pacing::RealTime`] a wall clock that says how many of them have been "played".
#[derive(Debug)]
pub(super) struct PacedClock {
    pacing: Pacing,
    rate: u32,
    written: u64,
    /// Playing time accumulated before the last resume.
    played_before: Duration,
    resumed_at: Option<Instant>,
}

impl PacedClock {
    pub(super) fn new(pacing: Pacing) -> Self {
        Self {
            pacing,
            rate: 0,
            written: 0,
            played_before: Duration::ZERO,
            resumed_at: None,
        }
    }

    /// Starts a new stream at `rate`: nothing written, clock at zero and running.
    pub(super) fn start(&mut self, rate: u32) {
        self.rate = rate;
        self.written = 0;
        self.played_before = Duration::ZERO;
        self.resumed_at = Some(Instant::now());
    }

    fn clock_frames(&self) -> u64 {
        let elapsed = self.played_before + self.resumed_at.map_or(Duration::ZERO, |t| t.elapsed());
        let frames = elapsed.as_secs_f64() * f64::from(self.rate);
        // Truncation is intended: a partly played frame has not been played.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let frames = frames as u64;
        frames
    }

    /// How many of `frames` may be taken now. Under real time, keeps at most half a second
    /// queued ahead of the clock, as a device buffer would; when full it sleeps (at most
    /// `timeout`, and briefly) so a caller looping on `write` does not spin.
    pub(super) fn admit(&mut self, frames: usize, timeout: Duration) -> usize {
        if self.pacing == Pacing::Unpaced {
            return frames;
        }
        let room = (self.clock_frames() + self.ahead()).saturating_sub(self.written);
        if room == 0 {
            if !timeout.is_zero() {
                std::thread::sleep(timeout.min(Duration::from_millis(10)));
            }
            return 0;
        }
        frames.min(usize::try_from(room).unwrap_or(usize::MAX))
    }

    /// Frames the "device" holds ahead of its clock: half a second.
    fn ahead(&self) -> u64 {
        u64::from(self.rate) / 2
    }

    /// See [`Sink::refill_in`]: until no more than three quarters of [`Self::ahead`] are
    /// queued.
    pub(super) fn refill_in(&self) -> Duration {
        if self.pacing == Pacing::Unpaced || self.rate == 0 {
            return Duration::ZERO;
        }
        let queued = self.written.saturating_sub(self.clock_frames());
        let excess = queued.saturating_sub(self.ahead() - self.ahead() / 4);
        #[allow(clippy::cast_precision_loss)] // frames: far below 2^52
        Duration::from_secs_f64(excess as f64 / f64::from(self.rate))
    }

    pub(super) fn wrote(&mut self, frames: usize) {
        self.written += frames as u64;
    }

    pub(super) fn played(&self) -> u64 {
        match self.pacing {
            Pacing::RealTime => self.clock_frames().min(self.written),
            Pacing::Unpaced => self.written,
        }
    }

    pub(super) fn written(&self) -> u64 {
        self.written
    }

    pub(super) fn pause(&mut self) {
        if let Some(t) = self.resumed_at.take() {
            self.played_before += t.elapsed();
        }
    }

    pub(super) fn resume(&mut self) {
        if self.resumed_at.is_none() {
            self.resumed_at = Some(Instant::now());
        }
    }

    /// Freezes the clock; `played` keeps its last answer until the next `start`.
    pub(super) fn stop(&mut self) {
        self.pause();
    }
}

impl Sink for NullSink {
    fn name(&self) -> String {
        "null".to_owned()
    }

    fn start(&mut self, format: PcmFormat) -> Result<(), SinkError> {
        if format.channels == 0 || format.sample_rate == 0 {
            return Err(SinkError::UnsupportedFormat(format));
        }
        self.format = Some(format);
        self.clock.start(format.sample_rate);
        Ok(())
    }

    fn write(&mut self, samples: &[f32], timeout: Duration) -> usize {
        let Some(format) = self.format else { return 0 };
        let channels = usize::from(format.channels);
        let frames = self.clock.admit(samples.len() / channels, timeout);
        self.clock.wrote(frames);
        frames * channels
    }

    fn refill_in(&self) -> Duration {
        self.clock.refill_in()
    }

    fn played_frames(&self) -> u64 {
        self.clock.played()
    }

    fn written_frames(&self) -> u64 {
        self.clock.written()
    }

    fn pause(&mut self) {
        self.clock.pause();
    }

    fn resume(&mut self) {
        self.clock.resume();
    }

    fn stop(&mut self) {
        self.format = None;
        self.clock.stop();
    }

    fn preferred_rate(&self) -> Option<u32> {
        self.preferred_rate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STEREO_48K: PcmFormat = PcmFormat {
        sample_rate: 48_000,
        channels: 2,
    };

    #[test]
    fn unpaced_takes_whole_frames_only() {
        let mut sink = NullSink::new(Pacing::Unpaced);
        sink.start(STEREO_48K).unwrap();
        assert_eq!(sink.write(&[0.0; 5], Duration::ZERO), 4);
        assert_eq!(sink.played_frames(), 2);
    }

    #[test]
    fn real_time_refuses_more_than_its_buffer() {
        let mut sink = NullSink::new(Pacing::RealTime);
        sink.start(STEREO_48K).unwrap();
        let two_seconds = vec![0.0; 48_000 * 2 * 2];
        let taken = sink.write(&two_seconds, Duration::ZERO);
        assert!(
            taken <= 48_000 * 2 * 6 / 10,
            "took {taken} samples, more than ~0.5 s"
        );
        assert!(
            sink.played_frames() < 48_000,
            "cannot have played a second yet"
        );
    }

    #[test]
    fn paused_clock_does_not_advance() {
        let mut sink = NullSink::new(Pacing::RealTime);
        sink.start(STEREO_48K).unwrap();
        sink.write(&vec![0.0; 48_000], Duration::ZERO);
        sink.pause();
        let at_pause = sink.played_frames();
        std::thread::sleep(Duration::from_millis(30));
        assert_eq!(sink.played_frames(), at_pause);
    }

    #[test]
    fn a_full_real_time_sink_says_when_a_quarter_of_it_is_free() {
        let mut sink = NullSink::new(Pacing::RealTime);
        sink.start(STEREO_48K).unwrap();
        assert_eq!(sink.refill_in(), Duration::ZERO, "empty: room now");
        // Frozen at (about) zero played, then filled: half a second queued, and a quarter
        // of that has to play before it is worth writing again.
        sink.pause();
        let taken = sink.write(&vec![0.0; 48_000 * 2], Duration::ZERO);
        assert_eq!(taken, 24_000 * 2, "half a second");
        assert_eq!(sink.write(&[0.0; 2], Duration::ZERO), 0, "full");
        let wait = sink.refill_in();
        assert!(
            wait > Duration::from_millis(100) && wait <= Duration::from_millis(125),
            "{wait:?}"
        );
        assert_eq!(NullSink::new(Pacing::Unpaced).refill_in(), Duration::ZERO);
    }

    #[test]
    fn rejects_empty_format() {
        let mut sink = NullSink::new(Pacing::Unpaced);
        assert!(
            sink.start(PcmFormat {
                sample_rate: 0,
                channels: 2
            })
            .is_err()
        );
    }
}
