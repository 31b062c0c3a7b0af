//! A track's loudness made a factor: its `ReplayGain` tags, or its loudness as the player
//! measured it (EBU R 128, [`strato_dsp::LoudnessMeter`]) when it has none, under the
//! listener's [`ReplayGainSettings`].
//!
//! # Normalising to a target
//!
//! `ReplayGain` 2.0's gains bring a track to -18 LUFS ([`REPLAY_GAIN_REFERENCE_LUFS`]). The
//! listener picks a target instead (-14 LUFS, what the streaming services play at, by
//! default; -18 or -23, EBU R 128's broadcast level): a tagged gain is shifted by `target +
//! 18`, and a measured track gets `target - integrated`. One rule for both, so a tagged and a
//! measured track of the same loudness play at the same level.
//!
//! # Clipping
//!
//! At -18 LUFS and below, a gain is capped so the track's peak stays under full scale, as
//! `ReplayGain` always did: normalisation alone can then never clip, and the limiter is not
//! needed for it. At -14 LUFS, most tracks mastered before the loudness war (and most
//! classical music) need more boost than their peaks leave room for: capped at their peaks
//! they would stay quieter than the rest, which is what the target is meant to end. So above
//! the reference the cap is [`LIMITED_HEADROOM_DB`] above full scale, and the output's
//! true-peak limiter catches those peaks ([`ReplayGainSettings::needs_limiter`]). The limiter
//! is engaged for the whole stream while that setting holds, not per track: a gapless
//! album keeps one constant delay (the limiter's 1.5 ms look-ahead), and a track that needs no
//! limiting passes it sample for sample, only delayed.

use strato_dsp::Loudness;

use super::db_to_gain;

/// The level `ReplayGain` 2.0's gains bring a track to, in LUFS.
pub const REPLAY_GAIN_REFERENCE_LUFS: f32 = -18.0;

/// How far above full scale a normalised track's peak may go while the limiter is engaged
/// for it: the limiter takes off up to this much, briefly, on the loudest peaks. A track that
/// would need more plays quieter than the target rather than squashed.
pub const LIMITED_HEADROOM_DB: f32 = 6.0;

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
    /// The loudness to bring every track to, in LUFS (see the module's doc). At
    /// [`REPLAY_GAIN_REFERENCE_LUFS`], the default, tagged gains apply as they are.
    pub target_lufs: f32,
    /// Added to every tagged gain. The reference level (89 dB SPL) is quiet next to modern
    /// masters; a few dB here compensates.
    pub preamp_db: f32,
    /// Gain for tracks without tags, so they do not stand out against normalised ones.
    pub untagged_db: f32,
    /// Lower the gain so the tagged peak does not exceed full scale (or, while the limiter
    /// is engaged for normalisation, [`LIMITED_HEADROOM_DB`] above it).
    pub prevent_clipping: bool,
}

impl Default for ReplayGainSettings {
    fn default() -> Self {
        Self {
            mode: ReplayGainMode::Off,
            target_lufs: REPLAY_GAIN_REFERENCE_LUFS,
            preamp_db: 0.0,
            untagged_db: 0.0,
            prevent_clipping: true,
        }
    }
}

impl ReplayGainSettings {
    /// Whether normalisation under these settings lets peaks go over full scale for the
    /// output's limiter to catch, so the limiter must be engaged (for the whole stream: see
    /// the module's doc). Not without clipping prevention: that asks for the gains as they
    /// are, clipping or not.
    #[must_use]
    pub fn needs_limiter(&self) -> bool {
        self.mode != ReplayGainMode::Off
            && self.prevent_clipping
            && self.target_lufs > REPLAY_GAIN_REFERENCE_LUFS
    }

    /// How far over full scale a normalised peak may go: none unless the limiter is there.
    fn headroom(&self) -> f32 {
        if self.needs_limiter() {
            db_to_gain(LIMITED_HEADROOM_DB)
        } else {
            1.0
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
        let shift = if settings.target_lufs.is_finite() {
            settings.target_lufs - REPLAY_GAIN_REFERENCE_LUFS
        } else {
            0.0
        };
        let mut factor = db_to_gain(gain_db + shift + settings.preamp_db);
        if settings.prevent_clipping
            && let Some(peak) = peak.filter(|p| p.is_finite() && *p > 0.0)
        {
            factor = factor.min(settings.headroom() / peak);
        }
        factor
    }
}

/// A track's loudness as the player measured it (it had no `ReplayGain`), and its album's
/// when every track of the album has been measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeasuredLoudness {
    pub track: Loudness,
    pub album: Option<Loudness>,
}

impl MeasuredLoudness {
    /// The same as `ReplayGain` tags: the gains to [`REPLAY_GAIN_REFERENCE_LUFS`], the true
    /// peaks (a measured album without its own falls back to the track's, as tags do).
    #[must_use]
    pub fn as_replay_gain(&self) -> ReplayGain {
        let gain = |l: &Loudness| REPLAY_GAIN_REFERENCE_LUFS - l.integrated_lufs;
        ReplayGain {
            track_gain_db: Some(gain(&self.track)),
            track_peak: Some(self.track.true_peak),
            album_gain_db: self.album.as_ref().map(gain),
            album_peak: self.album.map(|a| a.true_peak),
        }
    }
}

/// The factor a track plays at: from its tags when it has them, else from its measured
/// loudness, else unity (or `untagged_db`).
#[must_use]
pub fn normalisation_factor(
    tags: Option<&ReplayGain>,
    measured: Option<&MeasuredLoudness>,
    settings: &ReplayGainSettings,
) -> f32 {
    match (tags, measured) {
        (Some(tags), _) => tags.factor(settings),
        (None, Some(measured)) => measured.as_replay_gain().factor(settings),
        (None, None) => ReplayGain::default().factor(settings),
    }
}

#[cfg(test)]
#[allow(clippy::float_cmp, reason = "exact values are the point")]
mod tests {
    use super::*;

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

    fn measured(lufs: f32, peak_dbtp: f32) -> MeasuredLoudness {
        MeasuredLoudness {
            track: Loudness {
                integrated_lufs: lufs,
                true_peak: db_to_gain(peak_dbtp),
                seconds: 200.0,
            },
            album: None,
        }
    }

    fn db(factor: f32) -> f32 {
        20.0 * factor.log10()
    }

    #[test]
    fn a_target_shifts_tagged_gains_and_sets_measured_ones() {
        let tags = ReplayGain {
            track_gain_db: Some(-6.0),
            track_peak: Some(0.25),
            ..ReplayGain::default()
        };
        let at = |target_lufs| ReplayGainSettings {
            mode: ReplayGainMode::Track,
            target_lufs,
            ..ReplayGainSettings::default()
        };
        // Tagged: -6 dB to -18 LUFS; at -14, 4 dB more; at -23, 5 dB less.
        assert!((db(tags.factor(&at(-18.0))) + 6.0).abs() < 1e-4);
        assert!((db(tags.factor(&at(-14.0))) + 2.0).abs() < 1e-4);
        assert!((db(tags.factor(&at(-23.0))) + 11.0).abs() < 1e-4);
        // Measured at -9 LUFS: to -14 is -5 dB, the same as a tag saying -9 dB would give.
        let loud = measured(-9.0, -0.5);
        let factor = normalisation_factor(None, Some(&loud), &at(-14.0));
        assert!((db(factor) + 5.0).abs() < 1e-4, "{}", db(factor));
        // Tags win over a measurement; neither: unity.
        let both = normalisation_factor(Some(&tags), Some(&loud), &at(-18.0));
        assert!((db(both) + 6.0).abs() < 1e-4);
        assert_eq!(normalisation_factor(None, None, &at(-14.0)), 1.0);
        let off = ReplayGainSettings::default();
        assert_eq!(normalisation_factor(None, Some(&loud), &off), 1.0);
    }

    #[test]
    fn boosts_stop_at_the_peak_unless_the_limiter_is_there() {
        // A quiet, dynamic track: -24 LUFS, peaks at -2 dBTP.
        let quiet = measured(-24.0, -2.0);
        let at = |target_lufs| ReplayGainSettings {
            mode: ReplayGainMode::Track,
            target_lufs,
            ..ReplayGainSettings::default()
        };
        // At -18 it needs +6 dB, has room for +2: capped at the peak, no limiter.
        assert!(!at(-18.0).needs_limiter());
        let capped = normalisation_factor(None, Some(&quiet), &at(-18.0));
        assert!((db(capped) - 2.0).abs() < 1e-3, "{}", db(capped));
        // At -14 it needs +10 dB: the limiter is engaged and takes up to 6 dB of peaks, so
        // +8 dB.
        assert!(at(-14.0).needs_limiter());
        let limited = normalisation_factor(None, Some(&quiet), &at(-14.0));
        assert!((db(limited) - 8.0).abs() < 1e-3, "{}", db(limited));
        // A loud track is simply turned down.
        let loud = measured(-8.0, 0.0);
        let down = normalisation_factor(None, Some(&loud), &at(-14.0));
        assert!((db(down) + 6.0).abs() < 1e-3);
        assert!(!ReplayGainSettings::default().needs_limiter());
    }

    #[test]
    fn album_mode_uses_the_measured_album_and_falls_back_to_the_track() {
        let mut track = measured(-20.0, -6.0);
        let album = ReplayGainSettings {
            mode: ReplayGainMode::Album,
            ..ReplayGainSettings::default()
        };
        let alone = normalisation_factor(None, Some(&track), &album);
        assert!((db(alone) - 2.0).abs() < 1e-3);
        track.album = Some(Loudness {
            integrated_lufs: -16.0,
            true_peak: db_to_gain(-1.0),
            seconds: 2400.0,
        });
        let with_album = normalisation_factor(None, Some(&track), &album);
        assert!((db(with_album) + 2.0).abs() < 1e-3);
    }
}
