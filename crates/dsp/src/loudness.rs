//! Loudness as EBU R 128 measures it: the integrated loudness (ITU-R BS.1770's K-weighted,
//! gated mean, in LUFS) and the true peak (4× oversampled, as the limiter sees it) of a whole
//! track, for the tracks that come without `ReplayGain`.
//!
//! A thin wrapper of the `ebur128` crate (a port of libebur128, which ffmpeg's `ebur128`
//! filter also derives from): the measurement is a standard with many subtleties (the
//! K-weighting filters at any rate, the 400 ms blocks overlapping by 75 %, the absolute and
//! relative gates), and a port that has been checked against the reference files is worth
//! more than a dozen lines saved. The meter runs in histogram mode, so its memory does not
//! grow with the track (a three-hour mix costs what a song does); the gate is then resolved to
//! a 0.1 LU bin, far inside the 0.5 LU the player needs.
//!
//! A stream may change format mid-way (an HLS discontinuity to another rate): the meter
//! follows it, keeping the blocks measured so far (the filters start afresh, the unfinished
//! block is lost: 400 ms at most, nothing against a track's loudness).

use ebur128::{EbuR128, Mode};

/// What a whole track measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Loudness {
    /// Integrated loudness, LUFS (EBU R 128's "I").
    pub integrated_lufs: f32,
    /// The highest true peak of any channel, as a linear amplitude (1.0 = full scale).
    pub true_peak: f32,
    /// How long the audio measured lasted, in seconds (what album loudness weights by).
    pub seconds: f32,
}

impl Loudness {
    /// The true peak in dB true peak (dBTP).
    #[must_use]
    pub fn true_peak_dbtp(&self) -> f32 {
        20.0 * self.true_peak.max(1e-10).log10()
    }
}

/// Why a meter could not take a stream.
#[derive(Debug, thiserror::Error)]
#[error("the loudness meter cannot take {channels} channels at {rate} Hz: {reason}")]
pub struct MeterError {
    channels: u16,
    rate: u32,
    reason: String,
}

/// Measures one track, fed interleaved `f32` blocks as they are decoded.
pub struct LoudnessMeter {
    state: EbuR128,
    channels: u16,
    rate: u32,
    frames: u64,
    /// Seconds measured at earlier formats (a stream that changed rate).
    earlier_seconds: f64,
    /// Peaks of the formats before the current one.
    earlier_peak: f64,
}

impl std::fmt::Debug for LoudnessMeter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoudnessMeter")
            .field("channels", &self.channels)
            .field("rate", &self.rate)
            .field("frames", &self.frames)
            .finish_non_exhaustive()
    }
}

impl LoudnessMeter {
    /// A meter for `channels` channels at `rate` Hz (the channels are taken as left, right,
    /// centre, unused, left and right surround: BS.1770's weights, libebur128's default).
    ///
    /// # Errors
    /// No channels, or a rate the filters cannot be designed for (under 16 Hz or so).
    pub fn new(rate: u32, channels: u16) -> Result<Self, MeterError> {
        let state = EbuR128::new(u32::from(channels), rate, mode())
            .map_err(|e| error(rate, channels, e))?;
        Ok(Self {
            state,
            channels,
            rate,
            frames: 0,
            earlier_seconds: 0.0,
            earlier_peak: 0.0,
        })
    }

    /// Adds interleaved samples (whole frames) at `rate` Hz with `channels` channels; a
    /// format other than the last one's carries the measurement on in the new format.
    ///
    /// # Errors
    /// The new format cannot be measured; the meter is then of no further use.
    pub fn add(&mut self, samples: &[f32], rate: u32, channels: u16) -> Result<(), MeterError> {
        if rate != self.rate || channels != self.channels {
            self.earlier_peak = self.earlier_peak.max(self.peak_so_far());
            self.earlier_seconds += self.seconds_at_this_format();
            self.state
                .change_parameters(u32::from(channels), rate)
                .map_err(|e| error(rate, channels, e))?;
            (self.rate, self.channels, self.frames) = (rate, channels, 0);
        }
        let whole = samples.len() - samples.len() % usize::from(channels.max(1));
        self.state
            .add_frames_f32(&samples[..whole])
            .map_err(|e| error(rate, channels, e))?;
        self.frames += (whole / usize::from(channels.max(1))) as u64;
        Ok(())
    }

    /// The measurement so far; `None` while it has nothing above the absolute gate (-70
    /// LUFS): silence, or less than one 400 ms block.
    #[must_use]
    #[allow(
        clippy::cast_possible_truncation,
        reason = "loudness in LUFS and seconds of audio fit an f32 with room to spare"
    )]
    pub fn loudness(&self) -> Option<Loudness> {
        let integrated = self.state.loudness_global().ok()?;
        if !integrated.is_finite() || integrated <= -70.0 {
            return None;
        }
        Some(Loudness {
            integrated_lufs: integrated as f32,
            true_peak: self.earlier_peak.max(self.peak_so_far()) as f32,
            seconds: (self.earlier_seconds + self.seconds_at_this_format()) as f32,
        })
    }

    fn peak_so_far(&self) -> f64 {
        (0..u32::from(self.channels))
            .filter_map(|c| self.state.true_peak(c).ok())
            .fold(0.0, f64::max)
    }

    #[allow(clippy::cast_precision_loss, reason = "frame counts far below 2^52")]
    fn seconds_at_this_format(&self) -> f64 {
        self.frames as f64 / f64::from(self.rate.max(1))
    }
}

/// Integrated loudness, true peak; in histogram mode (constant memory, see the module doc).
fn mode() -> Mode {
    Mode::I | Mode::TRUE_PEAK | Mode::HISTOGRAM
}

fn error(rate: u32, channels: u16, err: ebur128::Error) -> MeterError {
    MeterError {
        channels,
        rate,
        reason: err.to_string(),
    }
}

#[cfg(test)]
#[allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "signal generation"
)]
mod tests {
    use super::*;

    fn sine(rate: u32, channels: u16, seconds: f32, amplitude: f32, hz: f32) -> Vec<f32> {
        let frames = (rate as f32 * seconds) as usize;
        (0..frames)
            .flat_map(|i| {
                let s = amplitude * (std::f32::consts::TAU * hz * i as f32 / rate as f32).sin();
                std::iter::repeat_n(s, usize::from(channels))
            })
            .collect()
    }

    #[test]
    fn a_1k_sine_in_stereo_reads_its_level_in_lufs() {
        // BS.1770's calibration: a 0 dBFS 997 Hz sine in one channel reads -3.01 LUFS; in
        // both channels of a stereo pair, +3 dB: 0 LUFS. At -20 dBFS: -20 LUFS.
        let mut meter = LoudnessMeter::new(48_000, 2).unwrap();
        let tone = sine(48_000, 2, 5.0, 0.1, 997.0);
        for block in tone.chunks(960 * 2) {
            meter.add(block, 48_000, 2).unwrap();
        }
        let loudness = meter.loudness().unwrap();
        assert!(
            (loudness.integrated_lufs + 20.0).abs() < 0.1,
            "{loudness:?}"
        );
        assert!(
            (loudness.true_peak_dbtp() + 20.0).abs() < 0.1,
            "{loudness:?}"
        );
        assert!((loudness.seconds - 5.0).abs() < 1e-3);
    }

    #[test]
    fn silence_has_no_loudness() {
        let mut meter = LoudnessMeter::new(44_100, 2).unwrap();
        meter.add(&vec![0.0; 44_100 * 2 * 3], 44_100, 2).unwrap();
        assert_eq!(meter.loudness(), None);
    }

    #[test]
    fn a_change_of_rate_mid_stream_carries_the_measurement_on() {
        let mut meter = LoudnessMeter::new(44_100, 2).unwrap();
        meter
            .add(&sine(44_100, 2, 3.0, 0.1, 997.0), 44_100, 2)
            .unwrap();
        meter
            .add(&sine(48_000, 2, 3.0, 0.1, 997.0), 48_000, 2)
            .unwrap();
        let loudness = meter.loudness().unwrap();
        assert!(
            (loudness.integrated_lufs + 20.0).abs() < 0.2,
            "{loudness:?}"
        );
        assert!((loudness.seconds - 6.0).abs() < 1e-3);
    }
}
