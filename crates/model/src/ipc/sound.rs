//! The listener's sound controls as settings: the equaliser of each output device (a graphic
//! one, a parametric one, a headphone correction profile), kept in the settings file and
//! edited in the Equaliser panel. The engine (`strato-dsp`) turns them into filters.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The centre frequencies of the graphic equaliser's ten bands, in Hz: octaves from 31 Hz
/// (ISO 266's preferred numbers, as hi-fi graphic equalisers print them).
pub const GRAPHIC_BANDS_HZ: [f32; 10] = [
    31.0, 62.0, 125.0, 250.0, 500.0, 1000.0, 2000.0, 4000.0, 8000.0, 16000.0,
];

/// The largest boost or cut a band may have, in dB, either way.
pub const EQ_GAIN_LIMIT_DB: f32 = 24.0;

/// The kind of a parametric band's filter (the RBJ Audio EQ Cookbook's biquads).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum FilterKind {
    /// Boosts or cuts around its frequency, as wide as its Q says.
    Peaking,
    /// Boosts or cuts everything below its frequency.
    LowShelf,
    /// Boosts or cuts everything above its frequency.
    HighShelf,
    /// Lets what is below its frequency through (its gain is ignored).
    LowPass,
    /// Lets what is above its frequency through (its gain is ignored).
    HighPass,
}

/// One band of the parametric equaliser.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
pub struct EqBand {
    pub kind: FilterKind,
    pub frequency_hz: f32,
    pub gain_db: f32,
    /// Quality: higher is narrower (0.1 to 20; 0.707 is a shelf without overshoot).
    pub q: f32,
    /// A band switched off is kept, and not heard.
    pub enabled: bool,
}

/// Which of a device's two equalisers plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum EqMode {
    /// Ten bands at fixed octaves, a gain each.
    #[default]
    Graphic,
    /// Bands of any kind, frequency, gain and width (a headphone correction profile is one).
    Parametric,
}

/// The equaliser of one output device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct EqualizerSettings {
    pub enabled: bool,
    pub mode: EqMode,
    /// The graphic equaliser's gain per band of [`GRAPHIC_BANDS_HZ`], in dB.
    pub graphic_db: Vec<f32>,
    /// The graphic preset the gains came from, while they are unchanged ("rock").
    pub preset: Option<String>,
    /// The parametric equaliser's bands, in the order they are applied.
    pub bands: Vec<EqBand>,
    /// The name of the headphone correction profile the bands came from, when imported.
    pub profile: Option<String>,
    /// A pre-amp the listener set, in dB. `None` follows the largest boost of the curve, so
    /// that the equalised sound never exceeds full scale before the limiter.
    pub preamp_db: Option<f32>,
}

impl Default for EqualizerSettings {
    fn default() -> Self {
        Self {
            enabled: false,
            mode: EqMode::Graphic,
            graphic_db: vec![0.0; GRAPHIC_BANDS_HZ.len()],
            preset: None,
            bands: Vec::new(),
            profile: None,
            preamp_db: None,
        }
    }
}

impl EqualizerSettings {
    /// The bands heard: the graphic equaliser's as peaking filters an octave wide, or the
    /// parametric ones switched on. Empty when the equaliser is off.
    #[must_use]
    pub fn active_bands(&self) -> Vec<EqBand> {
        if !self.enabled {
            return Vec::new();
        }
        match self.mode {
            EqMode::Graphic => GRAPHIC_BANDS_HZ
                .iter()
                .zip(&self.graphic_db)
                .filter(|(_, gain)| **gain != 0.0)
                .map(|(&frequency_hz, &gain_db)| EqBand {
                    kind: FilterKind::Peaking,
                    frequency_hz,
                    gain_db,
                    q: GRAPHIC_Q,
                    enabled: true,
                })
                .collect(),
            EqMode::Parametric => self.bands.iter().copied().filter(|b| b.enabled).collect(),
        }
    }

    /// The pre-amp the listener set, in force only while the equaliser plays.
    #[must_use]
    pub fn manual_preamp_db(&self) -> Option<f32> {
        self.preamp_db.filter(|_| self.enabled)
    }
}

/// The Q of an octave-wide peaking band (bandwidth N octaves: Q = 2^(N/2) / (2^N - 1)).
pub const GRAPHIC_Q: f32 = std::f32::consts::SQRT_2;

/// Every device's equaliser, by the name the Output settings know it by (`""`: the
/// system's default output).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct SoundSettings {
    pub equalizers: BTreeMap<String, EqualizerSettings>,
}

/// The key of the system's default output in [`SoundSettings::equalizers`].
pub const DEFAULT_OUTPUT_KEY: &str = "";

impl SoundSettings {
    /// The equaliser of `device` (`None`: the system's default); a flat, switched-off one
    /// for a device never equalised.
    #[must_use]
    pub fn equalizer(&self, device: Option<&str>) -> EqualizerSettings {
        self.equalizers
            .get(device.unwrap_or(DEFAULT_OUTPUT_KEY))
            .cloned()
            .unwrap_or_default()
    }
}

/// The Equaliser panel: the device's settings and the curve they make, drawn from the
/// filters' own transfer functions at the output's rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct EqualizerView {
    /// The device these settings belong to (`None`: the system's default).
    pub device: Option<String>,
    pub settings: EqualizerSettings,
    /// The total response, in dB, at [`Self::curve_hz`], pre-amp included.
    pub curve_db: Vec<f32>,
    /// Log-spaced frequencies from 20 Hz to 20 kHz.
    pub curve_hz: Vec<f32>,
    /// The pre-amp in force: the listener's, or the one following the largest boost.
    pub preamp_db: f32,
    /// The graphic equaliser's presets.
    pub presets: Vec<EqPreset>,
}

/// A graphic equaliser preset: a name the UI translates (`eq_preset_<name>`) and a gain per
/// band.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct EqPreset {
    pub name: String,
    pub gains_db: Vec<f32>,
}
