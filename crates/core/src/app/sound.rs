//! The equaliser of each output device, as the listener sets it in the Equaliser panel:
//! kept in the settings file (`Settings::sound`), given to the player for the device it
//! plays through, and shown with the curve it makes, computed from the filters' transfer
//! functions by `strato-dsp` (so the panel draws what is heard).

use std::path::Path;

use strato_dsp::design::{AUDIBLE_HZ, log_grid};
use strato_dsp::{EqDesign, autoeq, presets};
use strato_model::ipc::{
    AppError, DEFAULT_OUTPUT_KEY, EQ_GAIN_LIMIT_DB, EqBand, EqMode, EqPreset, EqualizerSettings,
    EqualizerView, ErrorKind, GRAPHIC_BANDS_HZ,
};

use super::App;

/// The rate the panel's curve is drawn for: the most common device rate. The response
/// below 20 kHz differs between rates by hundredths of a dB.
const CURVE_RATE: u32 = 48_000;
/// The points of the curve.
const CURVE_POINTS: usize = 160;
/// The most bands a parametric equaliser keeps.
const MAX_BANDS: usize = autoeq::MAX_FILTERS;

impl App {
    /// The equaliser of `device` (`None`: the system's default output) and its curve.
    #[must_use]
    pub fn equalizer(&self, device: Option<String>) -> EqualizerView {
        let settings = self
            .preferences
            .current()
            .sound
            .equalizer(device.as_deref());
        view(device, settings)
    }

    /// Sets the equaliser of `device`, kept across restarts and heard at once (gliding in
    /// over 20 ms) when the music plays through that device. Values out of range are held
    /// at their limits.
    pub fn set_equalizer(
        &self,
        device: Option<String>,
        settings: EqualizerSettings,
    ) -> EqualizerView {
        let settings = within_limits(settings);
        let key = device
            .clone()
            .unwrap_or_else(|| DEFAULT_OUTPUT_KEY.to_owned());
        self.preferences.update(|s| {
            s.sound.equalizers.insert(key, settings.clone());
        });
        if device == self.applied_settings().audio_device {
            self.player.set_equalizer(settings.clone());
        }
        view(device, settings)
    }

    /// Imports a headphone correction profile (`AutoEQ`'s `ParametricEQ.txt`) into the
    /// parametric equaliser of `device`, switched on, named after the file.
    pub async fn import_equalizer_profile(
        &self,
        device: Option<String>,
        path: &Path,
    ) -> Result<EqualizerView, AppError> {
        let name = path
            .file_stem()
            .map(|stem| stem.to_string_lossy().into_owned());
        let bytes = read_profile(path).await?;
        let text = String::from_utf8_lossy(&bytes);
        let profile = autoeq::parse(&text).map_err(|err| {
            AppError::new(
                ErrorKind::InvalidInput,
                format!("This is not a headphone profile Strato can read: {err}."),
            )
        })?;
        let mut settings = self
            .preferences
            .current()
            .sound
            .equalizer(device.as_deref());
        settings.enabled = true;
        settings.mode = EqMode::Parametric;
        settings.bands = profile.bands;
        settings.preamp_db = profile.preamp_db;
        settings.profile = name;
        Ok(self.set_equalizer(device, settings))
    }

    /// The equaliser of the device the player plays through, for the player.
    pub(super) fn output_equalizer(&self) -> EqualizerSettings {
        self.preferences
            .current()
            .sound
            .equalizer(self.applied_settings().audio_device.as_deref())
    }
}

async fn read_profile(path: &Path) -> Result<Vec<u8>, AppError> {
    let unreadable = |why: String| AppError::new(ErrorKind::InvalidInput, why);
    let metadata = tokio::fs::metadata(path).await.map_err(|err| {
        unreadable(format!(
            "The file {} could not be read: {err}.",
            path.display()
        ))
    })?;
    if metadata.len() > autoeq::MAX_PROFILE_BYTES as u64 {
        return Err(unreadable(format!(
            "The file {} is too large to be a headphone profile.",
            path.display()
        )));
    }
    tokio::fs::read(path).await.map_err(|err| {
        unreadable(format!(
            "The file {} could not be read: {err}.",
            path.display()
        ))
    })
}

/// The panel's view of `settings`: the curve at [`CURVE_RATE`] and the pre-amp in force.
fn view(device: Option<String>, settings: EqualizerSettings) -> EqualizerView {
    let design = EqDesign::new(&settings, CURVE_RATE);
    let frequencies: Vec<f64> = log_grid(AUDIBLE_HZ.0, AUDIBLE_HZ.1, CURVE_POINTS).collect();
    #[allow(clippy::cast_possible_truncation, reason = "drawn, not computed with")]
    let to_f32 = |v: f64| v as f32;
    EqualizerView {
        device,
        curve_db: frequencies
            .iter()
            .map(|&f| to_f32(design.response_db(f)))
            .collect(),
        curve_hz: frequencies.into_iter().map(to_f32).collect(),
        preamp_db: to_f32(design.preamp_db),
        presets: presets::PRESETS
            .iter()
            .map(|(name, gains)| EqPreset {
                name: (*name).to_owned(),
                gains_db: gains.to_vec(),
            })
            .collect(),
        settings,
    }
}

/// `settings` with every value inside what the equaliser can do: ten graphic gains, at most
/// [`MAX_BANDS`] bands, gains within ±24 dB, frequencies between 10 Hz and 24 kHz, Q
/// between 0.05 and 20, a pre-amp between -30 and +12 dB. Numbers that are not numbers
/// become the neutral value.
fn within_limits(mut settings: EqualizerSettings) -> EqualizerSettings {
    let gain = |db: f32| {
        if db.is_finite() {
            db.clamp(-EQ_GAIN_LIMIT_DB, EQ_GAIN_LIMIT_DB)
        } else {
            0.0
        }
    };
    settings.graphic_db.resize(GRAPHIC_BANDS_HZ.len(), 0.0);
    for db in &mut settings.graphic_db {
        *db = gain(*db);
    }
    settings.bands.truncate(MAX_BANDS);
    for band in &mut settings.bands {
        *band = EqBand {
            frequency_hz: if band.frequency_hz.is_finite() {
                band.frequency_hz.clamp(10.0, 24_000.0)
            } else {
                1000.0
            },
            gain_db: gain(band.gain_db),
            q: if band.q.is_finite() {
                band.q.clamp(0.05, 20.0)
            } else {
                std::f32::consts::FRAC_1_SQRT_2
            },
            ..*band
        };
    }
    settings.preamp_db = settings
        .preamp_db
        .filter(|db| db.is_finite())
        .map(|db| db.clamp(-30.0, 12.0));
    settings
}

#[cfg(test)]
mod tests {
    use strato_model::ipc::FilterKind;

    use super::*;

    #[test]
    fn values_out_of_range_are_held_at_their_limits() {
        let settings = within_limits(EqualizerSettings {
            graphic_db: vec![99.0, f32::NAN],
            bands: vec![
                EqBand {
                    kind: FilterKind::Peaking,
                    frequency_hz: 1e9,
                    gain_db: -99.0,
                    q: f32::INFINITY,
                    enabled: true,
                };
                MAX_BANDS + 3
            ],
            preamp_db: Some(f32::NAN),
            ..EqualizerSettings::default()
        });
        assert_eq!(settings.graphic_db.len(), 10);
        assert_eq!(settings.graphic_db[..3], [EQ_GAIN_LIMIT_DB, 0.0, 0.0]);
        assert_eq!(settings.bands.len(), MAX_BANDS);
        let band = settings.bands[0];
        assert_eq!(
            (band.frequency_hz, band.gain_db),
            (24_000.0, -EQ_GAIN_LIMIT_DB)
        );
        assert!((band.q - std::f32::consts::FRAC_1_SQRT_2).abs() < 1e-6);
        assert_eq!(settings.preamp_db, None);
    }

    #[test]
    fn the_view_draws_the_curve_heard() {
        let mut settings = EqualizerSettings {
            enabled: true,
            ..EqualizerSettings::default()
        };
        settings.graphic_db[5] = 6.0;
        let view = view(None, settings);
        assert_eq!(view.curve_hz.len(), CURVE_POINTS);
        assert!((view.preamp_db + 6.0).abs() < 0.01, "{}", view.preamp_db);
        let (at, top) = view
            .curve_db
            .iter()
            .enumerate()
            .fold(
                (0, f32::MIN),
                |best, (i, &db)| if db > best.1 { (i, db) } else { best },
            );
        // The peak, at about 1 kHz, is brought to 0 dB by the pre-amp.
        assert!(
            (view.curve_hz[at] / 1000.0 - 1.0).abs() < 0.05,
            "{}",
            view.curve_hz[at]
        );
        assert!(top.abs() < 0.05, "{top}");
        assert_eq!(view.presets.len(), presets::PRESETS.len());
    }
}
