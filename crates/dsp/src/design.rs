//! A device's equaliser settings made filters for a stream at one rate: their coefficients,
//! the pre-amp in force and the total response the Equaliser panel draws.
//!
//! The automatic pre-amp lowers the sound by the curve's largest boost, found on the total
//! response (overlapping bands add up, so the largest band's gain alone can be too little),
//! so that equalised music stays under full scale and the limiter rarely has work to do.

use strato_model::ipc::EqualizerSettings;

use crate::biquad::Coefficients;

/// The points the response is sampled at to find its largest boost, log-spaced over what
/// is heard. Peaks narrower than the spacing (a Q above ~20) are found at their centre,
/// which is sampled too.
const SEARCH_POINTS: usize = 512;

/// The lowest and highest frequency drawn and searched, in Hz.
pub const AUDIBLE_HZ: (f64, f64) = (20.0, 20_000.0);

/// An equaliser ready to run at one sample rate.
#[derive(Debug, Clone, PartialEq)]
pub struct EqDesign {
    pub rate: u32,
    /// The filters, in the order they run; none that change nothing.
    pub filters: Vec<Coefficients>,
    /// Applied before the filters, in dB (-30 to +12; the limiter catches what a boost
    /// pushes over).
    pub preamp_db: f64,
}

impl EqDesign {
    /// The design that changes nothing.
    #[must_use]
    pub fn flat(rate: u32) -> Self {
        Self {
            rate,
            filters: Vec::new(),
            preamp_db: 0.0,
        }
    }

    /// Designs `settings` at `rate`: the bands heard, and the listener's pre-amp or one that
    /// follows the largest boost.
    #[must_use]
    pub fn new(settings: &EqualizerSettings, rate: u32) -> Self {
        let bands = settings.active_bands();
        let centres: Vec<f64> = bands.iter().map(|b| f64::from(b.frequency_hz)).collect();
        let filters: Vec<Coefficients> = bands
            .iter()
            .map(|band| Coefficients::design(band, rate))
            .filter(|c| !c.is_identity())
            .collect();
        let mut design = Self {
            rate,
            filters,
            preamp_db: 0.0,
        };
        design.preamp_db = match settings.manual_preamp_db() {
            Some(db) if db.is_finite() => f64::from(db).clamp(-30.0, 12.0),
            _ => -design.largest_boost_db(&centres).max(0.0),
        };
        design
    }

    /// Whether running the design would leave every sample as it is.
    #[must_use]
    pub fn is_flat(&self) -> bool {
        self.filters.is_empty() && self.preamp_db == 0.0
    }

    /// The filters' total gain at `frequency`, in dB, without the pre-amp.
    #[must_use]
    pub fn filters_db(&self, frequency: f64) -> f64 {
        self.filters
            .iter()
            .map(|c| c.response_db(frequency, self.rate))
            .sum()
    }

    /// The total gain at `frequency`, in dB, pre-amp included: what the listener hears.
    #[must_use]
    pub fn response_db(&self, frequency: f64) -> f64 {
        self.preamp_db + self.filters_db(frequency)
    }

    /// The pre-amp as a linear factor.
    #[must_use]
    pub fn preamp_gain(&self) -> f32 {
        #[allow(
            clippy::cast_possible_truncation,
            reason = "f32 is the processing precision"
        )]
        let gain = 10f64.powf(self.preamp_db / 20.0) as f32;
        gain
    }

    /// The highest point of the filters' response between 20 Hz and 20 kHz (or below
    /// Nyquist), sampled on a log grid and at the bands' own centres.
    fn largest_boost_db(&self, centres: &[f64]) -> f64 {
        if self.filters.is_empty() {
            return 0.0;
        }
        let top = AUDIBLE_HZ.1.min(0.49 * f64::from(self.rate));
        log_grid(AUDIBLE_HZ.0, top, SEARCH_POINTS)
            .chain(centres.iter().copied().filter(|f| *f < top))
            .map(|f| self.filters_db(f))
            .fold(f64::NEG_INFINITY, f64::max)
    }
}

/// `points` frequencies from `low` to `high`, evenly spaced on a log scale.
pub fn log_grid(low: f64, high: f64, points: usize) -> impl Iterator<Item = f64> {
    let steps = points.max(2) - 1;
    let ratio = (high / low).ln();
    (0..=steps).map(move |i| {
        #[allow(clippy::cast_precision_loss, reason = "a few hundred points")]
        let t = i as f64 / steps as f64;
        low * (ratio * t).exp()
    })
}

#[cfg(test)]
mod tests {
    use strato_model::ipc::{EqBand, EqMode, FilterKind};

    use super::*;

    fn parametric(bands: Vec<EqBand>, preamp_db: Option<f32>) -> EqualizerSettings {
        EqualizerSettings {
            enabled: true,
            mode: EqMode::Parametric,
            bands,
            preamp_db,
            ..EqualizerSettings::default()
        }
    }

    fn peak(frequency_hz: f32, gain_db: f32, q: f32) -> EqBand {
        EqBand {
            kind: FilterKind::Peaking,
            frequency_hz,
            gain_db,
            q,
            enabled: true,
        }
    }

    #[test]
    fn a_switched_off_or_flat_equaliser_is_flat() {
        let mut settings = parametric(vec![peak(1000.0, 6.0, 1.0)], None);
        settings.enabled = false;
        assert!(EqDesign::new(&settings, 48_000).is_flat());
        assert!(EqDesign::new(&EqualizerSettings::default(), 48_000).is_flat());
        let mut graphic = EqualizerSettings {
            enabled: true,
            ..EqualizerSettings::default()
        };
        assert!(EqDesign::new(&graphic, 48_000).is_flat());
        graphic.graphic_db[5] = 3.0;
        assert_eq!(EqDesign::new(&graphic, 48_000).filters.len(), 1);
    }

    #[test]
    fn the_automatic_preamp_follows_the_largest_boost_of_the_total_curve() {
        // Two boosts overlapping at 1.2 kHz add up to more than either alone.
        let settings = parametric(vec![peak(1000.0, 6.0, 0.7), peak(1500.0, 6.0, 0.7)], None);
        let design = EqDesign::new(&settings, 48_000);
        assert!(design.preamp_db < -6.5, "{}", design.preamp_db);
        let top = log_grid(20.0, 20_000.0, 4000)
            .map(|f| design.response_db(f))
            .fold(f64::NEG_INFINITY, f64::max);
        assert!(top.abs() < 0.01, "the curve peaks at {top} dB");
        // Cuts only: no pre-amp.
        let cuts = EqDesign::new(&parametric(vec![peak(200.0, -8.0, 1.0)], None), 48_000);
        assert!(cuts.preamp_db.abs() < f64::EPSILON);
    }

    #[test]
    fn a_preamp_the_listener_set_is_kept_within_reason() {
        let set = EqDesign::new(&parametric(vec![peak(60.0, 9.0, 1.0)], Some(-3.0)), 44_100);
        assert!((set.preamp_db + 3.0).abs() < 1e-9);
        let loud = EqDesign::new(&parametric(vec![peak(60.0, 9.0, 1.0)], Some(40.0)), 44_100);
        assert!((loud.preamp_db - 12.0).abs() < 1e-9, "at most +12 dB");
    }
}
