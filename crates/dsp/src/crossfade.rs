//! Crossfade: the end of one track and the start of the next heard together, the first
//! fading out as the second fades in, on an equal-power curve (cos and sin of a quarter
//! turn), so two unrelated recordings keep a steady loudness through the overlap where a
//! linear one would dip by 3 dB in the middle.
//!
//! [`Overlap`] mixes two tracks' PCM, already in the stream's format, frame by frame and
//! knows nothing of where it comes from (the player's worker feeds it: `strato-audio`'s
//! `engine::worker::crossfade`). It is robust to a track that ends sooner or later than its length
//! said: a track fading out that ends early leaves the one fading in to go on along its
//! curve alone, and whatever of it remains once the overlap is over has faded to silence
//! and is dropped.
//!
//! Each track's `ReplayGain` factor is applied here, not by the output's gain stage, which
//! holds unity for the overlap's length: the two tracks are mixed at their own levels.

use std::f64::consts::FRAC_PI_2;

/// Two tracks being mixed, the first fading out, the second fading in.
#[derive(Debug, Clone)]
pub struct Overlap {
    channels: usize,
    /// Frames of the overlap, at the stream's rate.
    frames: u64,
    /// Frames mixed so far.
    done: u64,
    outgoing: Side,
    incoming: Side,
}

/// One track's samples waiting to be mixed, and its level.
#[derive(Debug, Clone)]
struct Side {
    samples: Vec<f32>,
    /// Where the unmixed samples begin in `samples`.
    start: usize,
    level: Level,
    ended: bool,
}

/// A track's level in the mix, gliding to a new one when the listener changes it (a step
/// would click).
#[derive(Debug, Clone, Copy)]
struct Level {
    /// The level of the last frame mixed.
    now: f32,
    target: f32,
    step: f32,
    ramp_left: u32,
}

impl Level {
    fn new(level: f32) -> Self {
        Self {
            now: level,
            target: level,
            step: 0.0,
            ramp_left: 0,
        }
    }

    fn glide_to(&mut self, target: f32, frames: u32) {
        self.target = target;
        self.ramp_left = frames;
        if frames == 0 {
            self.now = target;
        } else {
            #[allow(clippy::cast_precision_loss, reason = "a few hundred frames")]
            let step = (target - self.now) / frames as f32;
            self.step = step;
        }
    }

    /// The level of the next frame.
    fn next(&mut self) -> f32 {
        if self.ramp_left > 0 {
            self.ramp_left -= 1;
            self.now = if self.ramp_left == 0 {
                self.target
            } else {
                self.now + self.step
            };
        }
        self.now
    }
}

impl Side {
    fn new(factor: f32) -> Self {
        Self {
            samples: Vec::new(),
            start: 0,
            level: Level::new(factor),
            ended: false,
        }
    }

    fn waiting(&self) -> &[f32] {
        &self.samples[self.start..]
    }

    fn push(&mut self, samples: &[f32]) {
        if self.start > 0 {
            self.samples.drain(..self.start);
            self.start = 0;
        }
        self.samples.extend_from_slice(samples);
    }
}

impl Overlap {
    /// An overlap of `frames` frames of `channels` channels, the outgoing track played at
    /// `outgoing_factor` and the incoming one at `incoming_factor`.
    #[must_use]
    pub fn new(frames: u64, channels: u16, outgoing_factor: f32, incoming_factor: f32) -> Self {
        Self {
            channels: usize::from(channels.max(1)),
            frames: frames.max(1),
            done: 0,
            outgoing: Side::new(outgoing_factor),
            incoming: Side::new(incoming_factor),
        }
    }

    /// Samples of the track fading out, whole frames.
    pub fn push_outgoing(&mut self, samples: &[f32]) {
        if !self.outgoing.ended {
            self.outgoing.push(samples);
        }
    }

    /// Samples of the track fading in, whole frames.
    pub fn push_incoming(&mut self, samples: &[f32]) {
        if !self.incoming.ended {
            self.incoming.push(samples);
        }
    }

    /// The track fading out has no more samples: the rest of the overlap is the incoming
    /// one alone, still along its curve.
    pub fn end_outgoing(&mut self) {
        self.outgoing.ended = true;
    }

    /// The track fading in has no more samples (it was shorter than its length said).
    pub fn end_incoming(&mut self) {
        self.incoming.ended = true;
    }

    /// Whether the mix waits for the track fading out rather than the one fading in.
    #[must_use]
    pub fn wants_outgoing(&self) -> bool {
        !self.outgoing.ended && self.outgoing.waiting().len() <= self.incoming.waiting().len()
    }

    /// Whether the overlap has run its length, or both tracks have run out.
    #[must_use]
    pub fn is_over(&self) -> bool {
        self.done >= self.frames
            || (self.outgoing.ended
                && self.incoming.ended
                && self.outgoing.waiting().is_empty()
                && self.incoming.waiting().is_empty())
    }

    /// Moves each track's level to a new one over `ramp_frames` frames (the listener
    /// changed the `ReplayGain` settings mid-overlap).
    pub fn set_factors(&mut self, outgoing: f32, incoming: f32, ramp_frames: u32) {
        self.outgoing.level.glide_to(outgoing, ramp_frames);
        self.incoming.level.glide_to(incoming, ramp_frames);
    }

    /// The incoming track's level as last mixed, and the one it is gliding to (the same
    /// unless the listener changed it in the last few milliseconds).
    #[must_use]
    pub fn incoming_level(&self) -> (f32, f32) {
        (self.incoming.level.now, self.incoming.level.target)
    }

    /// Mixes every frame both tracks have given (or one, once the other has ended) into
    /// `out`, up to the overlap's end.
    pub fn mix(&mut self, out: &mut Vec<f32>) {
        let ch = self.channels;
        let frames_of = |side: &Side| side.waiting().len() / ch;
        let (given_out, given_in) = (frames_of(&self.outgoing), frames_of(&self.incoming));
        let available = match (self.outgoing.ended, self.incoming.ended) {
            (false, false) => given_out.min(given_in),
            (true, false) => given_in,
            (false, true) => given_out,
            (true, true) => given_out.max(given_in),
        };
        let left = usize::try_from(self.frames - self.done).unwrap_or(usize::MAX);
        let count = available.min(left);
        out.reserve(count * ch);
        let outgoing = &self.outgoing.samples[self.outgoing.start..];
        let incoming = &self.incoming.samples[self.incoming.start..];
        #[allow(clippy::cast_precision_loss, reason = "frame counts far below 2^52")]
        let step = FRAC_PI_2 / self.frames as f64;
        for frame in 0..count {
            #[allow(clippy::cast_precision_loss, reason = "frame counts far below 2^52")]
            let (sin, cos) = ((self.done + frame as u64) as f64 * step).sin_cos();
            #[allow(clippy::cast_possible_truncation, reason = "gains within 0..=1")]
            let (fade_in, fade_out) = (
                sin as f32 * self.incoming.level.next(),
                cos as f32 * self.outgoing.level.next(),
            );
            for channel in 0..ch {
                let at = frame * ch + channel;
                let fading_out = outgoing.get(at).copied().unwrap_or(0.0);
                let fading_in = incoming.get(at).copied().unwrap_or(0.0);
                out.push(fading_out * fade_out + fading_in * fade_in);
            }
        }
        self.done += count as u64;
        for side in [&mut self.outgoing, &mut self.incoming] {
            side.start = (side.start + count * ch).min(side.samples.len());
        }
    }

    /// Once the overlap is over: the incoming track's samples given beyond it, to be
    /// played as they are (the output's gain applies its factor again).
    #[must_use]
    pub fn into_rest(mut self) -> Vec<f32> {
        self.incoming.samples.drain(..self.incoming.start);
        self.incoming.samples
    }
}

#[cfg(test)]
#[allow(
    clippy::cast_precision_loss,
    clippy::float_cmp,
    reason = "test signals of a few thousand frames; both channels are the same samples"
)]
mod tests {
    use super::*;

    fn constant(frames: usize, value: f32) -> Vec<f32> {
        vec![value; frames * 2]
    }

    #[test]
    fn the_overlap_follows_the_equal_power_curve() {
        let mut overlap = Overlap::new(1000, 2, 1.0, 1.0);
        overlap.push_outgoing(&constant(1000, 0.5));
        overlap.push_incoming(&constant(600, 0.25));
        let mut out = Vec::new();
        overlap.mix(&mut out);
        assert_eq!(out.len(), 600 * 2, "no further than both tracks have given");
        overlap.push_incoming(&constant(500, 0.25));
        overlap.mix(&mut out);
        assert_eq!(out.len(), 1000 * 2, "and no further than the overlap");
        assert!(overlap.is_over());
        for (frame, pair) in out.chunks(2).enumerate() {
            let theta = std::f64::consts::FRAC_PI_2 * frame as f64 / 1000.0;
            let want = 0.5 * theta.cos() + 0.25 * theta.sin();
            assert!((f64::from(pair[0]) - want).abs() < 1e-6, "frame {frame}");
            assert_eq!(pair[0], pair[1]);
        }
        assert_eq!(overlap.into_rest(), constant(100, 0.25));
    }

    #[test]
    fn a_track_that_ends_early_leaves_the_other_on_its_curve() {
        let mut overlap = Overlap::new(100, 1, 1.0, 0.5);
        overlap.push_outgoing(&[1.0; 40]);
        overlap.end_outgoing();
        overlap.push_incoming(&[1.0; 150]);
        assert!(!overlap.wants_outgoing());
        let mut out = Vec::new();
        overlap.mix(&mut out);
        assert_eq!(out.len(), 100);
        let at = |frame: usize| (std::f64::consts::FRAC_PI_2 * frame as f64 / 100.0).sin_cos();
        let (sin, cos) = at(39);
        assert!((f64::from(out[39]) - (cos + 0.5 * sin)).abs() < 1e-6);
        let (sin, _) = at(70);
        assert!((f64::from(out[70]) - 0.5 * sin).abs() < 1e-6);
        assert_eq!(overlap.into_rest().len(), 50);
    }

    #[test]
    fn a_new_level_glides_in_rather_than_steps() {
        let mut overlap = Overlap::new(1000, 1, 1.0, 1.0);
        overlap.push_outgoing(&[1.0; 500]);
        overlap.push_incoming(&[0.0; 500]);
        let mut out = Vec::new();
        overlap.mix(&mut out);
        overlap.set_factors(0.5, 1.0, 100);
        overlap.push_outgoing(&[1.0; 500]);
        overlap.push_incoming(&[0.0; 500]);
        overlap.mix(&mut out);
        let steps: Vec<f32> = out.windows(2).map(|w| (w[1] - w[0]).abs()).collect();
        let largest = steps.iter().copied().fold(0.0, f32::max);
        assert!(largest < 0.01, "a step of {largest}");
        let at = |frame: usize| (std::f64::consts::FRAC_PI_2 * frame as f64 / 1000.0).cos();
        assert!(
            (f64::from(out[700]) - 0.5 * at(700)).abs() < 1e-6,
            "then at the new level"
        );
        assert_eq!(overlap.incoming_level(), (1.0, 1.0));
    }

    #[test]
    fn the_power_of_two_uncorrelated_tracks_holds_steady() {
        // cos² + sin² = 1: the sum of the two gains' powers is constant.
        let mut overlap = Overlap::new(48_000, 1, 1.0, 1.0);
        overlap.push_outgoing(&vec![1.0; 48_000]);
        let mut outgoing = Vec::new();
        overlap.push_incoming(&vec![0.0; 48_000]);
        overlap.mix(&mut outgoing);
        let mut overlap = Overlap::new(48_000, 1, 1.0, 1.0);
        overlap.push_outgoing(&vec![0.0; 48_000]);
        overlap.push_incoming(&vec![1.0; 48_000]);
        let mut incoming = Vec::new();
        overlap.mix(&mut incoming);
        for (a, b) in outgoing.iter().zip(&incoming) {
            assert!((a * a + b * b - 1.0).abs() < 1e-5);
        }
    }
}
