//! Second-order IIR filters: the five kinds of the RBJ Audio EQ Cookbook (peaking, low and
//! high shelf, low and high pass), designed in `f64` and run in `f32` in transposed direct
//! form II, which keeps the fewest states and the least rounding noise of the direct forms
//! for single-precision audio.

use std::f64::consts::PI;

use strato_model::ipc::{EqBand, FilterKind};

/// A filter's coefficients, normalised so that `a0` is 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Coefficients {
    pub b0: f64,
    pub b1: f64,
    pub b2: f64,
    pub a1: f64,
    pub a2: f64,
}

impl Coefficients {
    /// The filter that changes nothing.
    pub const IDENTITY: Self = Self {
        b0: 1.0,
        b1: 0.0,
        b2: 0.0,
        a1: 0.0,
        a2: 0.0,
    };

    /// Designs `band` for a stream at `rate` Hz. A band at or above 45 % of the rate
    /// (16 kHz at 32 kHz) cannot be made and is the identity, as is a peaking or shelving
    /// band of 0 dB; the Q is held between 0.05 and 50.
    #[must_use]
    #[allow(
        clippy::manual_midpoint,
        reason = "the cookbook's formulas as it writes them"
    )]
    pub fn design(band: &EqBand, rate: u32) -> Self {
        let rate = f64::from(rate);
        let frequency = f64::from(band.frequency_hz);
        if !(frequency.is_finite() && frequency > 0.0 && frequency < 0.45 * rate) {
            return Self::IDENTITY;
        }
        let gain_db = f64::from(band.gain_db);
        let gain_db = if gain_db.is_finite() { gain_db } else { 0.0 };
        let shapes_gain = !matches!(band.kind, FilterKind::LowPass | FilterKind::HighPass);
        if shapes_gain && gain_db == 0.0 {
            return Self::IDENTITY;
        }
        let q = f64::from(band.q);
        let q = if q.is_finite() {
            q.clamp(0.05, 50.0)
        } else {
            0.707
        };
        let w0 = 2.0 * PI * frequency / rate;
        let (sin, cos) = w0.sin_cos();
        let alpha = sin / (2.0 * q);
        let a = 10f64.powf(gain_db / 40.0);
        let [b0, b1, b2, a0, a1, a2] = match band.kind {
            FilterKind::Peaking => [
                1.0 + alpha * a,
                -2.0 * cos,
                1.0 - alpha * a,
                1.0 + alpha / a,
                -2.0 * cos,
                1.0 - alpha / a,
            ],
            FilterKind::LowShelf => {
                let root = 2.0 * a.sqrt() * alpha;
                [
                    a * ((a + 1.0) - (a - 1.0) * cos + root),
                    2.0 * a * ((a - 1.0) - (a + 1.0) * cos),
                    a * ((a + 1.0) - (a - 1.0) * cos - root),
                    (a + 1.0) + (a - 1.0) * cos + root,
                    -2.0 * ((a - 1.0) + (a + 1.0) * cos),
                    (a + 1.0) + (a - 1.0) * cos - root,
                ]
            }
            FilterKind::HighShelf => {
                let root = 2.0 * a.sqrt() * alpha;
                [
                    a * ((a + 1.0) + (a - 1.0) * cos + root),
                    -2.0 * a * ((a - 1.0) + (a + 1.0) * cos),
                    a * ((a + 1.0) + (a - 1.0) * cos - root),
                    (a + 1.0) - (a - 1.0) * cos + root,
                    2.0 * ((a - 1.0) - (a + 1.0) * cos),
                    (a + 1.0) - (a - 1.0) * cos - root,
                ]
            }
            FilterKind::LowPass => [
                (1.0 - cos) / 2.0,
                1.0 - cos,
                (1.0 - cos) / 2.0,
                1.0 + alpha,
                -2.0 * cos,
                1.0 - alpha,
            ],
            FilterKind::HighPass => [
                (1.0 + cos) / 2.0,
                -(1.0 + cos),
                (1.0 + cos) / 2.0,
                1.0 + alpha,
                -2.0 * cos,
                1.0 - alpha,
            ],
        };
        Self {
            b0: b0 / a0,
            b1: b1 / a0,
            b2: b2 / a0,
            a1: a1 / a0,
            a2: a2 / a0,
        }
    }

    /// Whether the filter changes nothing.
    #[must_use]
    pub fn is_identity(&self) -> bool {
        *self == Self::IDENTITY
    }

    /// The filter's gain at `frequency` Hz for a stream at `rate` Hz, in dB: the magnitude
    /// of its transfer function `H(z)` on the unit circle.
    #[must_use]
    pub fn response_db(&self, frequency: f64, rate: u32) -> f64 {
        let w = 2.0 * PI * frequency / f64::from(rate);
        let (s1, c1) = w.sin_cos();
        let (s2, c2) = (2.0 * w).sin_cos();
        let num_re = self.b0 + self.b1 * c1 + self.b2 * c2;
        let num_im = -(self.b1 * s1 + self.b2 * s2);
        let den_re = 1.0 + self.a1 * c1 + self.a2 * c2;
        let den_im = -(self.a1 * s1 + self.a2 * s2);
        let power = (num_re * num_re + num_im * num_im) / (den_re * den_re + den_im * den_im);
        10.0 * power.log10()
    }
}

/// A filter running on one channel: its coefficients in `f32` and its two states.
#[derive(Debug, Clone, Copy, Default)]
pub struct Biquad {
    b0: f32,
    b1: f32,
    b2: f32,
    a1: f32,
    a2: f32,
    s1: f32,
    s2: f32,
}

impl Biquad {
    #[must_use]
    #[allow(
        clippy::cast_possible_truncation,
        reason = "f32 is the processing precision"
    )]
    pub fn new(c: &Coefficients) -> Self {
        Self {
            b0: c.b0 as f32,
            b1: c.b1 as f32,
            b2: c.b2 as f32,
            a1: c.a1 as f32,
            a2: c.a2 as f32,
            s1: 0.0,
            s2: 0.0,
        }
    }

    /// Filters one sample.
    #[inline]
    pub fn process(&mut self, x: f32) -> f32 {
        let y = self.b0 * x + self.s1;
        self.s1 = self.b1 * x - self.a1 * y + self.s2;
        self.s2 = self.b2 * x - self.a2 * y;
        y
    }

    /// Takes over `other`'s states: the same band with new settings goes on from where
    /// the old one was.
    pub fn continue_from(&mut self, other: &Self) {
        self.s1 = other.s1;
        self.s2 = other.s2;
    }

    /// Forgets the signal so far.
    pub fn reset(&mut self) {
        self.s1 = 0.0;
        self.s2 = 0.0;
    }

    /// Clears states decayed into subnormal numbers, which most CPUs compute a hundred
    /// times slower than normal ones (a filter ringing out into silence gets there).
    pub fn flush_subnormals(&mut self) {
        const TINY: f32 = 1e-25;
        if self.s1.abs() < TINY {
            self.s1 = 0.0;
        }
        if self.s2.abs() < TINY {
            self.s2 = 0.0;
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]

    use super::*;

    fn band(kind: FilterKind, frequency_hz: f32, gain_db: f32, q: f32) -> EqBand {
        EqBand {
            kind,
            frequency_hz,
            gain_db,
            q,
            enabled: true,
        }
    }

    #[test]
    fn peaking_and_shelves_reach_their_gain_where_the_cookbook_says() {
        let peak = Coefficients::design(&band(FilterKind::Peaking, 1000.0, 6.0, 1.0), 48_000);
        assert!((peak.response_db(1000.0, 48_000) - 6.0).abs() < 1e-9);
        assert!(peak.response_db(20.0, 48_000).abs() < 0.05);
        let low = Coefficients::design(&band(FilterKind::LowShelf, 100.0, -4.0, 0.707), 44_100);
        assert!((low.response_db(10.0, 44_100) + 4.0).abs() < 0.05);
        // A shelf is halfway (in dB) at its frequency.
        assert!((low.response_db(100.0, 44_100) + 2.0).abs() < 1e-6);
        let high = Coefficients::design(&band(FilterKind::HighShelf, 8000.0, 3.0, 0.707), 96_000);
        assert!((high.response_db(40_000.0, 96_000) - 3.0).abs() < 0.05);
    }

    #[test]
    fn passes_are_3_db_down_at_their_frequency_with_a_butterworth_q() {
        let q = std::f32::consts::FRAC_1_SQRT_2;
        let low = Coefficients::design(&band(FilterKind::LowPass, 2000.0, 0.0, q), 48_000);
        assert!((low.response_db(2000.0, 48_000) + 3.0103).abs() < 1e-3);
        assert!(low.response_db(50.0, 48_000).abs() < 1e-3);
        let high = Coefficients::design(&band(FilterKind::HighPass, 80.0, 0.0, q), 48_000);
        assert!((high.response_db(80.0, 48_000) + 3.0103).abs() < 1e-3);
    }

    #[test]
    fn bands_that_cannot_be_made_change_nothing() {
        for bad in [
            band(FilterKind::Peaking, 30_000.0, 6.0, 1.0),
            band(FilterKind::Peaking, f32::NAN, 6.0, 1.0),
            band(FilterKind::Peaking, -5.0, 6.0, 1.0),
            band(FilterKind::Peaking, 1000.0, 0.0, 1.0),
            band(FilterKind::Peaking, 1000.0, f32::INFINITY, 1.0),
        ] {
            assert!(Coefficients::design(&bad, 48_000).is_identity(), "{bad:?}");
        }
        let odd_q = Coefficients::design(&band(FilterKind::Peaking, 1000.0, 6.0, f32::NAN), 48_000);
        assert!(odd_q.response_db(1000.0, 48_000).is_finite());
    }

    #[test]
    fn the_running_filter_settles_to_the_designed_gain() {
        let c = Coefficients::design(&band(FilterKind::Peaking, 440.0, -9.0, 2.0), 48_000);
        let mut f = Biquad::new(&c);
        let tone = |n: usize| (2.0 * PI * 440.0 * n as f64 / 48_000.0).sin() as f32;
        let mut peak = 0f32;
        for n in 0..48_000 {
            let y = f.process(tone(n));
            if n > 24_000 {
                peak = peak.max(y.abs());
            }
        }
        let db = 20.0 * f64::from(peak).log10();
        assert!((db + 9.0).abs() < 0.05, "{db}");
    }
}
