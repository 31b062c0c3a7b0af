//! The equaliser running on a stream: its filters for every channel, applied in place.
//!
//! New settings never step the filters' coefficients under running states (that clicks, and
//! a low shelf can ring for a tenth of a second): the new filters start from silence next to
//! the old ones, and the output cross-fades from the old to the new over [`FADE_SECONDS`].
//! A flat design is no processing at all, so a switched-off equaliser is bit-exact.

use crate::biquad::Biquad;
use crate::design::EqDesign;

/// How long a change of settings takes to be heard whole.
pub const FADE_SECONDS: f64 = 0.02;

/// One design's filters running on `channels` channels.
#[derive(Debug, Clone)]
struct Bank {
    preamp: f32,
    /// Band-major: the filters of band `b` are `filters[b * channels..][..channels]`.
    filters: Vec<Biquad>,
    flat: bool,
}

impl Bank {
    fn new(design: &EqDesign, channels: usize) -> Self {
        let filters = design
            .filters
            .iter()
            .flat_map(|c| std::iter::repeat_n(Biquad::new(c), channels))
            .collect();
        Self {
            preamp: design.preamp_gain(),
            filters,
            flat: design.is_flat(),
        }
    }

    fn process(&mut self, block: &mut [f32], channels: usize) {
        if self.flat {
            return;
        }
        #[allow(clippy::float_cmp, reason = "exactly unity is exactly no work")]
        if self.preamp != 1.0 {
            for sample in block.iter_mut() {
                *sample *= self.preamp;
            }
        }
        // Frame by frame through every band: band b of one frame and band b-1 of the next
        // do not wait on each other, so the CPU overlaps the bands' recursions (band by
        // band over the block took 1.7x as long, each band's recursion running alone;
        // measured by sound_bench).
        for frame in block.chunks_exact_mut(channels) {
            for band in self.filters.chunks_exact_mut(channels) {
                for (sample, filter) in frame.iter_mut().zip(band.iter_mut()) {
                    *sample = filter.process(*sample);
                }
            }
        }
        for filter in &mut self.filters {
            filter.flush_subnormals();
        }
    }
}

/// The equaliser of one stream (a rate and a channel count).
#[derive(Debug, Clone)]
pub struct Equalizer {
    channels: usize,
    /// The design heard (or being faded to), and one waiting for the fade to end: a slider
    /// dragged sends settings faster than a fade lasts, and each fade runs whole rather
    /// than being cut by the next.
    design: EqDesign,
    waiting: Option<EqDesign>,
    current: Bank,
    /// The bank being faded out, and the frames left of the fade.
    previous: Option<(Bank, usize)>,
    fade_frames: usize,
    /// The previous bank's output during a fade; grows to the largest block once.
    faded: Vec<f32>,
}

impl Equalizer {
    /// An equaliser playing `design` on a stream of `channels` channels, from silence.
    #[must_use]
    pub fn new(design: &EqDesign, channels: u16) -> Self {
        let channels = usize::from(channels.max(1));
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "a few thousand frames"
        )]
        let fade_frames = (f64::from(design.rate) * FADE_SECONDS).round() as usize;
        Self {
            channels,
            design: design.clone(),
            waiting: None,
            current: Bank::new(design, channels),
            previous: None,
            fade_frames: fade_frames.max(1),
            faded: Vec::new(),
        }
    }

    /// Whether the equaliser shapes the sound, or will once a fade ends: its settings are
    /// not flat.
    #[must_use]
    pub fn shapes(&self) -> bool {
        !self
            .waiting
            .as_ref()
            .map_or(self.current.flat, EqDesign::is_flat)
    }

    /// Whether [`Self::process`] leaves samples as they are.
    #[must_use]
    pub fn is_flat(&self) -> bool {
        self.current.flat && self.previous.is_none()
    }

    /// Plays `design` from now on, cross-fading to it; the same design again changes
    /// nothing. The design must be for the stream's rate.
    pub fn set_design(&mut self, design: &EqDesign) {
        if self.previous.is_some() {
            self.waiting = (*design != self.design).then(|| design.clone());
            return;
        }
        if *design == self.design {
            return;
        }
        self.begin_fade(design);
    }

    fn begin_fade(&mut self, design: &EqDesign) {
        let mut next = Bank::new(design, self.channels);
        // Filters of the same bands carry on from the old ones' states rather than from
        // silence, so a boosted bass is there at once instead of building up.
        if next.filters.len() == self.current.filters.len() {
            for (new, old) in next.filters.iter_mut().zip(&self.current.filters) {
                new.continue_from(old);
            }
        }
        self.design = design.clone();
        let old = std::mem::replace(&mut self.current, next);
        self.previous = Some((old, self.fade_frames));
    }

    /// Forgets what the filters were ringing with (a seek: what follows is not continuous
    /// with what came before) and ends any fade.
    pub fn reset(&mut self) {
        self.previous = None;
        if let Some(design) = self.waiting.take() {
            self.current = Bank::new(&design, self.channels);
            self.design = design;
        }
        for filter in &mut self.current.filters {
            filter.reset();
        }
    }

    /// Equalises an interleaved block in place.
    pub fn process(&mut self, block: &mut [f32]) {
        let channels = self.channels;
        let Some((previous, left)) = self.previous.as_mut() else {
            self.current.process(block, channels);
            return;
        };
        self.faded.clear();
        self.faded.extend_from_slice(block);
        previous.process(&mut self.faded, channels);
        self.current.process(block, channels);
        #[allow(clippy::cast_precision_loss, reason = "a few thousand frames")]
        let total = self.fade_frames as f32;
        for (frame, old) in block
            .chunks_exact_mut(channels)
            .zip(self.faded.chunks_exact(channels))
        {
            if *left == 0 {
                break;
            }
            #[allow(clippy::cast_precision_loss, reason = "a few thousand frames")]
            let new_weight = 1.0 - *left as f32 / total;
            for (sample, old) in frame.iter_mut().zip(old) {
                *sample = *old + (*sample - *old) * new_weight;
            }
            *left -= 1;
        }
        if *left == 0 {
            self.previous = None;
            if let Some(design) = self.waiting.take() {
                self.begin_fade(&design);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]

    use strato_model::ipc::{EqBand, EqMode, EqualizerSettings, FilterKind};

    use super::*;

    fn design(gain_db: f32) -> EqDesign {
        let settings = EqualizerSettings {
            enabled: true,
            mode: EqMode::Parametric,
            bands: vec![EqBand {
                kind: FilterKind::LowShelf,
                frequency_hz: 120.0,
                gain_db,
                q: 0.707,
                enabled: true,
            }],
            preamp_db: Some(0.0),
            ..EqualizerSettings::default()
        };
        EqDesign::new(&settings, 48_000)
    }

    fn tone(frames: usize) -> Vec<f32> {
        (0..frames * 2)
            .map(|i| {
                (0.4 * (2.0 * std::f64::consts::PI * 80.0 * (i / 2) as f64 / 48_000.0).sin()) as f32
            })
            .collect()
    }

    #[test]
    fn a_dragged_slider_fades_whole_and_ends_on_the_last_setting() {
        let mut eq = Equalizer::new(&EqDesign::flat(48_000), 2);
        let input = tone(48_000);
        let mut output = Vec::new();
        // A new gain every 16 ms (768 frames), faster than a 20 ms fade.
        for (i, chunk) in input.chunks(768 * 2).enumerate() {
            if i < 30 {
                #[allow(clippy::cast_precision_loss, reason = "thirty steps")]
                eq.set_design(&design(0.3 * i as f32));
            }
            let mut chunk = chunk.to_vec();
            eq.process(&mut chunk);
            output.extend(chunk);
        }
        let step = output
            .iter()
            .step_by(2)
            .zip(output.iter().step_by(2).skip(1))
            .map(|(a, b)| (b - a).abs())
            .fold(0f32, f32::max);
        assert!(step < 0.02, "{step}");
        assert_eq!(
            eq.design,
            design(0.3 * 29.0),
            "the last setting is the one heard"
        );
        assert!(eq.previous.is_none() && eq.waiting.is_none());
        // The same design again is no fade at all.
        eq.set_design(&design(0.3 * 29.0));
        assert!(eq.previous.is_none());
    }

    #[test]
    fn flat_is_bit_exact() {
        let mut eq = Equalizer::new(&EqDesign::flat(48_000), 2);
        let input = tone(1000);
        let mut block = input.clone();
        eq.process(&mut block);
        assert!(eq.is_flat());
        assert_eq!(block, input);
    }

    #[test]
    fn changing_settings_mid_stream_glides_without_a_step() {
        let mut eq = Equalizer::new(&EqDesign::flat(48_000), 2);
        let input = tone(48_000);
        let mut output = Vec::new();
        for (i, chunk) in input.chunks(1024).enumerate() {
            match i {
                5 => eq.set_design(&design(9.0)),
                20 => eq.set_design(&design(-9.0)),
                35 => eq.set_design(&EqDesign::flat(48_000)),
                _ => {}
            }
            let mut chunk = chunk.to_vec();
            eq.process(&mut chunk);
            output.extend(chunk);
        }
        assert!(eq.is_flat(), "back to no processing once faded to flat");
        // An 80 Hz tone of at most 0.4 × 2.8 (+9 dB) moves under 0.015 a sample.
        let step = output
            .iter()
            .step_by(2)
            .zip(output.iter().step_by(2).skip(1))
            .map(|(a, b)| (b - a).abs())
            .fold(0f32, f32::max);
        assert!(step < 0.02, "{step}");
        // And the boost was heard.
        let boosted = output[16 * 1024..20 * 1024]
            .iter()
            .fold(0f32, |m, v| m.max(v.abs()));
        assert!(boosted > 0.4 * 2.0, "{boosted}");
    }
}
