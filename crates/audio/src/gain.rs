//! Loudness: the listener's volume and `ReplayGain`, applied to interleaved `f32` blocks in the
//! engine (not in the device's mixer), so the capture sink hears exactly what a speaker would
//! and every output behaves the same.
//!
//! - [`volume_to_gain`] maps the 0..=1 slider to a factor on a cubic curve.
//! - [`ReplayGain`] holds a track's tags; [`ReplayGain::factor`] turns them into a factor under
//!   the listener's [`ReplayGainSettings`] (mode, preamp, clipping prevention).
//! - [`Gain`] applies volume × `ReplayGain` to blocks, ramping over [`RAMP_SECONDS`] whenever the
//!   factor changes so a volume change never clicks, and leaving samples untouched (bit-exact)
//!   at unity, which is what tests comparing PCM rely on.

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

/// A track's `ReplayGain` tags, as read from its metadata or given by the service. Peaks are
/// linear sample amplitudes (1.0 = full scale).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ReplayGain {
    pub track_gain_db: Option<f32>,
    pub track_peak: Option<f32>,
    pub album_gain_db: Option<f32>,
    pub album_peak: Option<f32>,
}

/// Which of a track's gains to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReplayGainMode {
    /// Play tracks as mastered.
    #[default]
    Off,
    /// Every track at the same loudness (shuffle, playlists). Falls back to the album gain.
    Track,
    /// Albums keep their internal dynamics (quiet intros stay quiet). Falls back to the track
    /// gain.
    Album,
}

/// The listener's `ReplayGain` preferences.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReplayGainSettings {
    pub mode: ReplayGainMode,
    /// Added to every tagged gain. The reference level (89 dB SPL) is quiet next to modern
    /// masters; a few dB here compensates.
    pub preamp_db: f32,
    /// Gain for tracks without tags, so they do not stand out against normalised ones.
    pub untagged_db: f32,
    /// Lower the gain so the tagged peak does not exceed full scale.
    pub prevent_clipping: bool,
}

impl Default for ReplayGainSettings {
    fn default() -> Self {
        Self {
            mode: ReplayGainMode::Off,
            preamp_db: 0.0,
            untagged_db: 0.0,
            prevent_clipping: true,
        }
    }
}

impl ReplayGain {
    /// The linear factor to play this track at. Exactly 1.0 when the mode is off, or when the
    /// track is untagged and `untagged_db` is 0.
    #[must_use]
    pub fn factor(&self, settings: &ReplayGainSettings) -> f32 {
        let track = (self.track_gain_db, self.track_peak);
        let album = (self.album_gain_db, self.album_peak);
        let (gain_db, peak) = match settings.mode {
            ReplayGainMode::Off => return 1.0,
            ReplayGainMode::Track if track.0.is_some() => track,
            ReplayGainMode::Album if album.0.is_none() => track,
            ReplayGainMode::Track | ReplayGainMode::Album => album,
        };
        let Some(gain_db) = gain_db.filter(|g| g.is_finite()) else {
            return if settings.untagged_db == 0.0 {
                1.0
            } else {
                db_to_gain(settings.untagged_db)
            };
        };
        let mut factor = db_to_gain(gain_db + settings.preamp_db);
        if settings.prevent_clipping
            && let Some(peak) = peak.filter(|p| p.is_finite() && *p > 0.0)
        {
            factor = factor.min(1.0 / peak);
        }
        factor
    }
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
    fn snap_skips_the_ramp() {
        let mut gain = Gain::new(STEREO_48K);
        gain.set_replay_gain(0.5);
        gain.snap();
        let mut block = vec![1.0; 4];
        gain.apply(&mut block);
        assert_eq!(block, vec![0.5; 4]);
    }

    #[test]
    fn replay_gain_modes_preamp_and_clipping() {
        let tags = ReplayGain {
            track_gain_db: Some(-6.0),
            track_peak: Some(0.5),
            album_gain_db: Some(-3.0),
            album_peak: Some(0.9),
        };
        let off = ReplayGainSettings::default();
        assert_eq!(tags.factor(&off), 1.0);

        let track = ReplayGainSettings {
            mode: ReplayGainMode::Track,
            ..off
        };
        assert!((tags.factor(&track) - db_to_gain(-6.0)).abs() < 1e-6);
        let album = ReplayGainSettings {
            mode: ReplayGainMode::Album,
            ..off
        };
        assert!((tags.factor(&album) - db_to_gain(-3.0)).abs() < 1e-6);

        // -6 dB + 15 dB preamp is +9 dB (x2.8), which would push a 0.5 peak to 1.4: clipping
        // prevention caps the factor at 1 / peak.
        let loud = ReplayGainSettings {
            mode: ReplayGainMode::Track,
            preamp_db: 15.0,
            ..off
        };
        assert!((tags.factor(&loud) - 2.0).abs() < 1e-6);
        let unsafe_loud = ReplayGainSettings {
            prevent_clipping: false,
            ..loud
        };
        assert!((tags.factor(&unsafe_loud) - db_to_gain(9.0)).abs() < 1e-5);
    }

    #[test]
    fn replay_gain_falls_back_between_track_and_album() {
        let only_album = ReplayGain {
            album_gain_db: Some(-3.0),
            ..ReplayGain::default()
        };
        let only_track = ReplayGain {
            track_gain_db: Some(-6.0),
            ..ReplayGain::default()
        };
        let track = ReplayGainSettings {
            mode: ReplayGainMode::Track,
            ..ReplayGainSettings::default()
        };
        let album = ReplayGainSettings {
            mode: ReplayGainMode::Album,
            ..track
        };
        assert!((only_album.factor(&track) - db_to_gain(-3.0)).abs() < 1e-6);
        assert!((only_track.factor(&album) - db_to_gain(-6.0)).abs() < 1e-6);
        // Untagged: exactly unity by default, `untagged_db` otherwise.
        assert_eq!(ReplayGain::default().factor(&track), 1.0);
        let quieter = ReplayGainSettings {
            untagged_db: -6.0,
            ..track
        };
        assert!((ReplayGain::default().factor(&quieter) - db_to_gain(-6.0)).abs() < 1e-6);
    }
}
