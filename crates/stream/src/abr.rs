//! Adaptive bitrate: which variant to fetch the next segment from.
//!
//! Throughput is estimated as hls.js does, with two exponentially weighted moving averages
//! of the measured download rate, weighted by download time: a fast one that reacts to a
//! drop within a segment or two, and a slow one that does not chase a lucky burst. The
//! estimate is the lower of the two. A variant is chosen when its bandwidth fits under the
//! estimate with a safety margin; moving up needs a wider margin than staying, so the
//! choice does not flap at a boundary.

use std::time::Duration;

/// Half-lives, in seconds of download time (hls.js's defaults for VOD).
const FAST_HALF_LIFE_S: f64 = 3.0;
const SLOW_HALF_LIFE_S: f64 = 9.0;
/// The estimate before anything has been measured (hls.js uses 500 kbit/s).
const DEFAULT_ESTIMATE_BPS: f64 = 500_000.0;
/// Fraction of the estimate a variant may use to be kept...
const STAY_FACTOR: f64 = 0.9;
/// ... and to be switched up to.
const UP_FACTOR: f64 = 0.7;
/// Downloads shorter than this say more about latency than bandwidth; they still count,
/// but as if they took this long, so a burst of tiny requests cannot inflate the estimate.
const MIN_SAMPLE: Duration = Duration::from_millis(20);

/// What the listener allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Quality {
    /// Follow the network.
    #[default]
    Auto,
    /// Always the lowest bitrate (metered connections).
    Low,
    /// The variant nearest 128 kbit/s.
    Normal,
    /// Always the highest.
    High,
}

/// An exponentially weighted moving average weighted by sample duration.
#[derive(Debug, Clone, Copy)]
struct Ewma {
    alpha: f64,
    estimate: f64,
    total_weight: f64,
}

impl Ewma {
    fn new(half_life_s: f64) -> Self {
        Self {
            alpha: (0.5_f64.ln() / half_life_s).exp(),
            estimate: 0.0,
            total_weight: 0.0,
        }
    }

    fn sample(&mut self, weight: f64, value: f64) {
        let adj = self.alpha.powf(weight);
        self.estimate = value * (1.0 - adj) + adj * self.estimate;
        self.total_weight += weight;
    }

    /// The average with its zero-start bias removed.
    fn value(&self) -> Option<f64> {
        if self.total_weight <= 0.0 {
            return None;
        }
        let zero_factor = 1.0 - self.alpha.powf(self.total_weight);
        Some(self.estimate / zero_factor)
    }
}

/// What a session has learned about the network, shared by all its tracks: the throughput
/// estimate, and the variant chosen last (its URI relative to its master playlist), which
/// lets the next track's variant playlist be fetched alongside its master.
#[derive(Debug, Clone)]
pub struct Bandwidth {
    fast: Ewma,
    slow: Ewma,
    pub last_variant: Option<String>,
    /// How many times the session's streams moved to another variant (the playback
    /// metrics count a play's switches as the difference across it).
    pub variant_switches: u64,
}

impl Default for Bandwidth {
    fn default() -> Self {
        Self {
            fast: Ewma::new(FAST_HALF_LIFE_S),
            slow: Ewma::new(SLOW_HALF_LIFE_S),
            last_variant: None,
            variant_switches: 0,
        }
    }
}

impl Bandwidth {
    /// Records one download of `bytes` that took `elapsed`.
    pub fn record(&mut self, bytes: usize, elapsed: Duration) {
        let seconds = elapsed.max(MIN_SAMPLE).as_secs_f64();
        #[allow(clippy::cast_precision_loss)]
        let bps = bytes as f64 * 8.0 / seconds;
        self.fast.sample(seconds, bps);
        self.slow.sample(seconds, bps);
    }

    /// Bits per second the network is believed to carry.
    #[must_use]
    pub fn estimate_bps(&self) -> f64 {
        match (self.fast.value(), self.slow.value()) {
            (Some(fast), Some(slow)) => fast.min(slow),
            _ => DEFAULT_ESTIMATE_BPS,
        }
    }
}

/// Picks the variant for the next segment. `bandwidths` are the variants' declared
/// bandwidths in bits per second, in playlist order; `current` is the variant in use.
#[must_use]
pub fn choose_variant(
    bandwidths: &[u64],
    current: Option<usize>,
    estimate_bps: f64,
    quality: Quality,
) -> usize {
    let mut order: Vec<usize> = (0..bandwidths.len()).collect();
    order.sort_by_key(|&i| bandwidths[i]);
    let (Some(&lowest), Some(&highest)) = (order.first(), order.last()) else {
        return 0;
    };
    match quality {
        Quality::Low => return lowest,
        Quality::High => return highest,
        Quality::Normal => {
            return *order
                .iter()
                .min_by_key(|&&i| bandwidths[i].abs_diff(128_000))
                .unwrap_or(&lowest);
        }
        Quality::Auto => {}
    }
    #[allow(clippy::cast_precision_loss)]
    let fits = |i: usize, factor: f64| bandwidths[i] as f64 <= estimate_bps * factor;
    let best_up = order
        .iter()
        .rev()
        .copied()
        .find(|&i| fits(i, UP_FACTOR))
        .unwrap_or(lowest);
    match current {
        // Keep the current variant while it still fits, unless a higher one fits well.
        Some(cur) if fits(cur, STAY_FACTOR) && bandwidths[best_up] <= bandwidths[cur] => cur,
        _ => best_up,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VARIANTS: [u64; 3] = [70_000, 140_000, 280_000];

    #[test]
    fn starts_high_on_the_default_estimate() {
        let bw = Bandwidth::default();
        assert_eq!(
            choose_variant(&VARIANTS, None, bw.estimate_bps(), Quality::Auto),
            2
        );
    }

    #[test]
    fn a_slow_network_moves_down_and_a_fast_one_back_up() {
        let mut bw = Bandwidth::default();
        // 200 kbit/s: 25 kB per second.
        for _ in 0..6 {
            bw.record(25_000, Duration::from_secs(1));
        }
        let est = bw.estimate_bps();
        assert!((190_000.0..210_000.0).contains(&est), "{est}");
        let chosen = choose_variant(&VARIANTS, Some(2), est, Quality::Auto);
        assert_eq!(chosen, 1);
        for _ in 0..30 {
            bw.record(500_000, Duration::from_secs(1));
        }
        assert_eq!(
            choose_variant(&VARIANTS, Some(chosen), bw.estimate_bps(), Quality::Auto),
            2
        );
    }

    #[test]
    fn the_fast_average_reacts_to_a_drop_first() {
        let mut bw = Bandwidth::default();
        for _ in 0..20 {
            bw.record(1_000_000, Duration::from_secs(1));
        }
        bw.record(10_000, Duration::from_secs(1));
        assert!(bw.fast.value().unwrap() < bw.slow.value().unwrap());
        assert!((bw.estimate_bps() - bw.fast.value().unwrap()).abs() < f64::EPSILON);
    }

    #[test]
    fn staying_needs_less_margin_than_moving_up() {
        // 140 kbit/s fits under 0.9 x 180k but not under 0.7 x 180k.
        assert_eq!(
            choose_variant(&VARIANTS, Some(1), 180_000.0, Quality::Auto),
            1
        );
        assert_eq!(
            choose_variant(&VARIANTS, Some(0), 180_000.0, Quality::Auto),
            0
        );
    }

    #[test]
    fn pinned_qualities_ignore_the_network() {
        assert_eq!(choose_variant(&VARIANTS, None, 1.0, Quality::High), 2);
        assert_eq!(choose_variant(&VARIANTS, None, 1e9, Quality::Low), 0);
        assert_eq!(choose_variant(&VARIANTS, None, 1e9, Quality::Normal), 1);
        assert_eq!(choose_variant(&[], None, 1e9, Quality::Auto), 0);
    }
}
