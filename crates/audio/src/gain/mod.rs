//! Loudness: the listener's volume and `ReplayGain`, applied to interleaved `f32` blocks in the
//! engine (not in the device's mixer), so the capture sink hears exactly what a speaker would
//! and every output behaves the same.
//!
//! - [`volume_to_gain`] maps the 0..=1 slider to a factor on a cubic curve.
//! - [`replay_gain`]: a track's `ReplayGain` tags or measured loudness made a factor under the
//!   listener's settings (mode, target, preamp, clipping prevention).
//! - [`Gain`] applies volume × `ReplayGain` to blocks, ramping over [`RAMP_SECONDS`] whenever the
//!   factor changes so a volume change never clicks, and leaving samples untouched (bit-exact)
//!   at unity, which is what tests comparing PCM rely on.

mod replay_gain;

pub use replay_gain::{
    LIMITED_HEADROOM_DB, MeasuredLoudness, REPLAY_GAIN_REFERENCE_LUFS, ReplayGain, ReplayGainMode,
    ReplayGainSettings, normalisation_factor,
};

use crate::sink::PcmFormat;

/// How long a change of gain takes. A step in gain is a step in the waveform, heard as a click;
/// spread over 5 ms it is inaudible as such, and still short enough to feel immediate.
pub const RAMP_SECONDS: f32 = 0.005;

/// Maps the volume slider (0.0 silent ..= 1.0 full) to a linear factor: `volume³`.
///
/// Loudness is perceived roughly logarithmically, so a linear slider crams all the audible
/// change into its bottom fifth. The cube (the curve `PulseAudio` and `PipeWire` use for their
/// volume sliders) gives -18 dB at the middle, -60 dB at 0.1 and true silence at 0, which a
/// pure dB curve cannot reach. Values outside 0..=1 are clamped; NaN is silence.
#[must_use]
pub fn volume_to_gain(volume: f32) -> f32 {
    if volume.is_nan() || volume <= 0.0 {
        return 0.0;
    }
    let v = volume.min(1.0);
    v * v * v
}

/// Decibels to a linear amplitude factor.
#[must_use]
pub fn db_to_gain(db: f32) -> f32 {
    10f32.powf(db / 20.0)
}

/// Applies volume × `ReplayGain` to interleaved blocks, ramping between factors.
#[derive(Debug, Clone)]
pub struct Gain {
    channels: usize,
    ramp_frames: u16,
    volume: f32,
    track_factor: f32,
    /// The factor applied to the last frame processed.
    current: f32,
    /// Added to `current` per frame while ramping.
    step: f32,
    /// Frames left until `current` reaches the target.
    ramp_left: u16,
}

impl Gain {
    /// A unity gain stage for PCM in `format`.
    #[must_use]
    pub fn new(format: PcmFormat) -> Self {
        let mut gain = Self {
            channels: 1,
            ramp_frames: 1,
            volume: 1.0,
            track_factor: 1.0,
            current: 1.0,
            step: 0.0,
            ramp_left: 0,
        };
        gain.set_format(format);
        gain
    }

    /// Follows a change of stream format (channels, and the rate the ramp is timed by).
    /// Ends any ramp: the new stream starts at the target.
    pub fn set_format(&mut self, format: PcmFormat) {
        self.channels = usize::from(format.channels.max(1));
        // A few hundred frames (1920 at 384 kHz); saturates rather than wraps beyond u16.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let frames = (f64::from(format.sample_rate) * f64::from(RAMP_SECONDS)).round() as u16;
        self.ramp_frames = frames.max(1);
        self.snap();
    }

    /// Sets the volume from the slider position (see [`volume_to_gain`]).
    pub fn set_volume(&mut self, volume: f32) {
        self.volume = volume_to_gain(volume);
        self.retarget();
    }

    /// Sets the `ReplayGain` factor of the track now playing (see [`ReplayGain::factor`]).
    /// Non-finite or negative factors are ignored as unity.
    pub fn set_replay_gain(&mut self, factor: f32) {
        self.track_factor = if factor.is_finite() && factor >= 0.0 {
            factor
        } else {
            1.0
        };
        self.retarget();
    }

    /// Sets the `ReplayGain` factor from the next frame on, without a ramp of its own: a
    /// crossfade hands each track's factor to its mix and back at sample-exact points. A
    /// ramp of the volume under way goes on, scaled to the new factor.
    pub fn set_replay_gain_at_once(&mut self, factor: f32) {
        let before = self.track_factor;
        self.track_factor = if factor.is_finite() && factor >= 0.0 {
            factor
        } else {
            1.0
        };
        if self.ramp_left > 0 && before > 0.0 {
            let scale = self.track_factor / before;
            self.current *= scale;
            self.step *= scale;
        } else {
            self.snap();
        }
    }

    /// Jumps straight to the target without a ramp. For the start of a stream or after a seek,
    /// where there is no previous sound to be continuous with.
    pub fn snap(&mut self) {
        self.current = self.target();
        self.step = 0.0;
        self.ramp_left = 0;
    }

    /// The factor being moved to (or held): volume × `ReplayGain`.
    #[must_use]
    pub fn target(&self) -> f32 {
        self.volume * self.track_factor
    }

    /// True when [`Gain::apply`] leaves samples untouched.
    #[must_use]
    #[allow(
        clippy::float_cmp,
        reason = "unity is exact on purpose: bit-exact pass-through"
    )]
    pub fn is_unity(&self) -> bool {
        self.ramp_left == 0 && self.current == 1.0
    }

    /// Scales interleaved `samples` (whole frames) in place.
    #[allow(
        clippy::float_cmp,
        reason = "unity is exact on purpose: bit-exact pass-through"
    )]
    pub fn apply(&mut self, samples: &mut [f32]) {
        let mut rest = samples;
        while self.ramp_left > 0 && rest.len() >= self.channels {
            let (frame, tail) = rest.split_at_mut(self.channels);
            self.ramp_left -= 1;
            self.current = if self.ramp_left == 0 {
                self.target()
            } else {
                self.current + self.step
            };
            for s in frame {
                *s *= self.current;
            }
            rest = tail;
        }
        if self.ramp_left > 0 || self.current == 1.0 {
            return;
        }
        let factor = self.current;
        for s in rest {
            *s *= factor;
        }
    }

    #[allow(
        clippy::float_cmp,
        reason = "only an exact repeat of the target is a no-op"
    )]
    fn retarget(&mut self) {
        let target = self.target();
        if self.ramp_left == 0 && target == self.current {
            return;
        }
        self.ramp_left = self.ramp_frames;
        self.step = (target - self.current) / f32::from(self.ramp_frames);
    }
}

#[cfg(test)]
#[allow(
    clippy::float_cmp,
    clippy::cast_precision_loss,
    reason = "exact values are the point"
)]
mod tests {
    use super::*;

    const STEREO_48K: PcmFormat = PcmFormat {
        sample_rate: 48_000,
        channels: 2,
    };

    fn noise(frames: usize) -> Vec<f32> {
        // A deterministic, awkward signal: values whose products are not exact.
        (0..frames * 2)
            .map(|i| ((i as f32) * 0.618_034).sin() * 0.9)
            .collect()
    }

    #[test]
    fn volume_curve_is_cubic_and_clamped() {
        assert_eq!(volume_to_gain(1.0), 1.0);
        assert_eq!(volume_to_gain(0.0), 0.0);
        assert_eq!(volume_to_gain(-1.0), 0.0);
        assert_eq!(volume_to_gain(f32::NAN), 0.0);
        assert_eq!(volume_to_gain(2.0), 1.0);
        let half_db = 20.0 * volume_to_gain(0.5).log10();
        assert!((half_db + 18.06).abs() < 0.01, "{half_db} dB at half");
    }

    #[test]
    fn unity_is_bit_exact() {
        let mut gain = Gain::new(STEREO_48K);
        let original = noise(1000);
        let mut block = original.clone();
        gain.apply(&mut block);
        assert!(gain.is_unity());
        assert_eq!(
            block.iter().map(|s| s.to_bits()).collect::<Vec<_>>(),
            original.iter().map(|s| s.to_bits()).collect::<Vec<_>>()
        );
        // Back at unity after a round trip through another volume: exact again.
        gain.set_volume(0.5);
        gain.apply(&mut vec![0.0; 2000]);
        gain.set_volume(1.0);
        gain.apply(&mut vec![0.0; 2000]);
        assert!(gain.is_unity());
        let mut block = original.clone();
        gain.apply(&mut block);
        assert_eq!(block, original);
    }

    #[test]
    fn volume_change_ramps_without_a_step() {
        let mut gain = Gain::new(STEREO_48K);
        gain.set_volume(0.5);
        let mut block = vec![1.0; 2 * 1000];
        gain.apply(&mut block);
        let ramp = 240; // 5 ms at 48 kHz
        // Channels move together, every frame moves by at most one step, and it lands exactly.
        let target = 0.125;
        let max_step = (1.0 - target) / ramp as f32 * 1.001;
        let mut previous = 1.0;
        for (i, frame) in block.chunks_exact(2).enumerate() {
            assert_eq!(frame[0], frame[1]);
            assert!((frame[0] - previous).abs() <= max_step, "jump at frame {i}");
            previous = frame[0];
        }
        assert!(block[2 * (ramp - 2)] > target, "ramp ended early");
        assert_eq!(block[2 * (ramp - 1)], target);
        assert_eq!(*block.last().unwrap(), target);
    }

    #[test]
    fn ramp_continues_across_blocks_of_any_size() {
        let mut whole = Gain::new(STEREO_48K);
        let mut pieces = Gain::new(STEREO_48K);
        for g in [&mut whole, &mut pieces] {
            g.set_volume(0.3);
        }
        let original = noise(700);
        let mut a = original.clone();
        whole.apply(&mut a);
        let mut b = original.clone();
        for chunk in b.chunks_mut(2 * 37) {
            pieces.apply(chunk);
        }
        assert_eq!(a, b);
    }

    #[test]
    fn retarget_mid_ramp_starts_from_where_it_is() {
        let mut gain = Gain::new(STEREO_48K);
        gain.set_volume(0.0);
        let mut block = vec![1.0; 2 * 100];
        gain.apply(&mut block);
        let reached = block[block.len() - 1];
        gain.set_volume(1.0);
        let mut next = vec![1.0; 2 * 300];
        gain.apply(&mut next);
        assert!((next[0] - reached).abs() < 0.01, "{} vs {reached}", next[0]);
        assert!(gain.is_unity());
    }

    #[test]
    fn a_factor_set_at_once_keeps_the_volume_ramp_going() {
        let mut gain = Gain::new(STEREO_48K);
        gain.set_replay_gain_at_once(0.5);
        let mut block = vec![1.0; 4];
        gain.apply(&mut block);
        assert_eq!(block, vec![0.5; 4], "no ramp of its own");

        gain.set_volume(0.5); // a ramp to 0.125 × 0.5 over 240 frames
        let mut first = vec![1.0; 2 * 120];
        gain.apply(&mut first);
        gain.set_replay_gain_at_once(1.0);
        let mut rest = vec![1.0; 2 * 200];
        gain.apply(&mut rest);
        let halfway = first[first.len() - 1];
        assert!(
            (rest[0] / halfway - 2.0).abs() < 0.02,
            "the ramp went on, doubled: {halfway} then {}",
            rest[0]
        );
        assert!(
            (rest[2 * 119] - 0.125).abs() < 1e-6,
            "and reached the volume"
        );
    }

    #[test]
    fn snap_skips_the_ramp() {
        let mut gain = Gain::new(STEREO_48K);
        gain.set_replay_gain(0.5);
        gain.snap();
        let mut block = vec![1.0; 4];
        gain.apply(&mut block);
        assert_eq!(block, vec![0.5; 4]);
    }
}
