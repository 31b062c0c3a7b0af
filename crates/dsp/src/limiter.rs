//! A look-ahead true-peak limiter: the output's last stage, keeping what an equaliser boost
//! or loudness normalisation pushes over full scale from clipping, in the samples and
//! between them (a DAC's reconstruction overshoots sample peaks; ITU-R BS.1770 measures
//! the "true peak" 4× oversampled, and so does this).
//!
//! Per frame: the true peak around it (the samples and three points interpolated between
//! each pair by a windowed sinc), the gain that peak needs, the smallest such gain over the
//! next [`LOOKAHEAD_SECONDS`] (a sliding minimum), a slow release back to unity, and a
//! moving average as long as the look-ahead. The average of minima over a window that
//! covers it can never exceed the gain a frame needs, so no peak passes, and the gain moves
//! smoothly enough not to distort. The audio is delayed by the look-ahead (about 2 ms).
//!
//! While nothing can exceed full scale (no boost anywhere in the chain) the limiter is
//! bypassed and the samples pass untouched and undelayed; it keeps listening all the same,
//! so engaging it mid-stream cross-fades to a delay line that is already full.

use std::collections::VecDeque;

/// The level no peak passes, in dB true peak: EBU R 128's maximum for distribution, which
/// leaves room for a lossy encoder or a DAC's own filter downstream.
pub const LIMITER_CEILING_DBTP: f32 = -1.0;
/// How far ahead the limiter looks, so it turns down before a peak rather than at it.
const LOOKAHEAD_SECONDS: f64 = 0.0015;
/// How long the gain takes to come back (to 1 - 1/e of the way) after a peak.
const RELEASE_SECONDS: f64 = 0.1;
/// How long engaging or bypassing the limiter takes.
const SWITCH_SECONDS: f64 = 0.005;
/// The interpolation filter's length, in samples; the peak between two samples is known
/// half of it later.
const TAPS: usize = 8;
const HALF: usize = TAPS / 2;
/// The three points interpolated between two samples (4× oversampling).
const PHASES: [f64; 3] = [0.25, 0.5, 0.75];

/// The limiter of one stream (a rate and a channel count).
#[derive(Debug, Clone)]
pub struct Limiter {
    channels: usize,
    ceiling: f32,
    window: usize,
    /// Frames between a sample coming in and going out when engaged.
    delay: usize,
    kernels: [[f32; TAPS]; 3],
    /// The last `TAPS` samples of each channel, stored twice so that any window of them is
    /// one slice: channel `c`'s are `history[c * 2 * TAPS..][pos..pos + TAPS]`.
    history: Vec<f32>,
    history_pos: usize,
    /// The peak of the interval before the one measured last.
    previous_interval: f32,
    /// The sliding minimum of the needed gain: (frame number, gain), increasing gains.
    minima: VecDeque<(u64, f32)>,
    frame: u64,
    /// In f64: in f32 the release's last steps round away, and the gain would stay at
    /// 0.99986 after a single peak, touching every sample after it.
    released: f64,
    release_step: f64,
    averaged: Vec<f32>,
    averaged_pos: usize,
    averaged_sum: f64,
    /// The delay line, `delay` frames.
    line: Vec<f32>,
    line_pos: usize,
    engaged: bool,
    /// Whether peaks over the ceiling are turned down; when not, an engaged limiter only
    /// delays (so it can start limiting mid-stream without a change of delay).
    limiting: bool,
    switch_frames: usize,
    switch_left: usize,
    /// The smallest gain applied since [`Self::take_reduction`] last asked.
    reduction: f32,
}

impl Limiter {
    /// A limiter for a stream at `rate` Hz with `channels` channels, bypassed.
    #[must_use]
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "frame counts of a few milliseconds"
    )]
    pub fn new(rate: u32, channels: u16) -> Self {
        let rate = f64::from(rate.max(1));
        let channels = usize::from(channels.max(1));
        let lookahead = ((rate * LOOKAHEAD_SECONDS).round() as usize).max(1);
        let window = lookahead + 1;
        let delay = lookahead + HALF;
        let release_step = 1.0 - (-1.0 / (rate * RELEASE_SECONDS)).exp();
        let mut limiter = Self {
            channels,
            ceiling: 10f32.powf(LIMITER_CEILING_DBTP / 20.0),
            window,
            delay,
            kernels: interpolation_kernels(),
            history: vec![0.0; channels * 2 * TAPS],
            history_pos: 0,
            previous_interval: 0.0,
            minima: VecDeque::with_capacity(window + 1),
            frame: 0,
            released: 1.0,
            release_step,
            averaged: vec![1.0; window],
            averaged_pos: 0,
            averaged_sum: 0.0,
            line: vec![0.0; delay * channels],
            line_pos: 0,
            engaged: false,
            limiting: true,
            switch_frames: ((rate * SWITCH_SECONDS).round() as usize).max(1),
            switch_left: 0,
            reduction: 1.0,
        };
        limiter.reset();
        limiter
    }

    /// Frames between a sample coming in and going out while engaged.
    #[must_use]
    pub fn delay_frames(&self) -> usize {
        self.delay
    }

    #[must_use]
    pub fn is_engaged(&self) -> bool {
        self.engaged
    }

    /// Whether the samples pass untouched: bypassed, and not switching.
    #[must_use]
    pub fn is_bypassed(&self) -> bool {
        !self.engaged && self.switch_left == 0
    }

    /// Engages or bypasses the limiter, cross-fading over a few milliseconds mid-stream.
    pub fn set_engaged(&mut self, engaged: bool) {
        if engaged != self.engaged {
            self.engaged = engaged;
            self.switch_left = self.switch_frames;
        }
    }

    /// Turns peaks over the ceiling down (the default), or only delays: the player limits
    /// a crossfade's overlap alone, keeping one delay for the whole stream.
    pub fn set_limiting(&mut self, limiting: bool) {
        self.limiting = limiting;
    }

    /// The smallest gain applied since the last call (1.0: none), for diagnostics.
    pub fn take_reduction(&mut self) -> f32 {
        std::mem::replace(&mut self.reduction, 1.0)
    }

    /// Forgets the stream so far (a seek, a new stream): empty delay line, unity gain.
    pub fn reset(&mut self) {
        self.history.fill(0.0);
        self.history_pos = 0;
        self.previous_interval = 0.0;
        self.minima.clear();
        self.frame = 0;
        self.released = 1.0;
        self.averaged.fill(1.0);
        self.averaged_pos = 0;
        #[allow(clippy::cast_precision_loss, reason = "a few hundred frames")]
        let sum = self.window as f64;
        self.averaged_sum = sum;
        self.line.fill(0.0);
        self.line_pos = 0;
        self.switch_left = 0;
    }

    /// Limits an interleaved block in place.
    pub fn process(&mut self, block: &mut [f32]) {
        let channels = self.channels;
        for frame in block.chunks_exact_mut(channels) {
            self.process_frame(frame);
        }
    }

    /// The last [`Self::delay_frames`] frames still in the delay line, at the end of a
    /// stream; nothing when bypassed. The limiter starts afresh after.
    #[must_use]
    pub fn drain(&mut self) -> Vec<f32> {
        let mut tail = Vec::new();
        if self.engaged {
            tail = vec![0.0; self.delay * self.channels];
            self.process(&mut tail);
        }
        self.reset();
        tail
    }

    fn process_frame(&mut self, frame: &mut [f32]) {
        let interval = self.push_history(frame);
        let peak = interval.max(self.previous_interval);
        self.previous_interval = interval;
        let needed = if self.limiting && peak > self.ceiling {
            self.ceiling / peak
        } else {
            1.0
        };
        let gain = self.smoothed_gain(needed);
        // Out of the delay line comes the frame `delay` frames old, which the gain was
        // computed for; in goes this one.
        let channels = self.channels;
        let weight = self.switch_weight();
        let slot = &mut self.line[self.line_pos * channels..][..channels];
        for (sample, delayed) in frame.iter_mut().zip(slot.iter_mut()) {
            let limited = *delayed * gain;
            let direct = *sample;
            *delayed = direct;
            // Bypassed, the sample itself (bit for bit, signed zeros too).
            if weight >= 1.0 {
                *sample = limited;
            } else if weight > 0.0 {
                *sample = direct + (limited - direct) * weight;
            }
        }
        self.line_pos = (self.line_pos + 1) % self.delay;
        if weight > 0.0 {
            self.reduction = self.reduction.min(gain);
        }
    }

    /// How much of the limited signal is heard: 1 engaged, 0 bypassed, between while
    /// switching.
    fn switch_weight(&mut self) -> f32 {
        if self.switch_left == 0 {
            return if self.engaged { 1.0 } else { 0.0 };
        }
        self.switch_left -= 1;
        #[allow(clippy::cast_precision_loss, reason = "a few hundred frames")]
        let done = 1.0 - self.switch_left as f32 / self.switch_frames as f32;
        if self.engaged { done } else { 1.0 - done }
    }

    /// Takes a frame into the history and returns the true peak of the interval between
    /// the samples `HALF` and `HALF - 1` frames old (over every channel).
    fn push_history(&mut self, frame: &[f32]) -> f32 {
        let pos = self.history_pos;
        let mut peak = 0f32;
        for (channel, &sample) in frame.iter().enumerate() {
            let ring = &mut self.history[channel * 2 * TAPS..][..2 * TAPS];
            ring[pos] = sample;
            ring[pos + TAPS] = sample;
            // Oldest first: the window ends with the sample just taken.
            let window = &ring[pos + 1..pos + 1 + TAPS];
            peak = peak.max(window[HALF - 1].abs()).max(window[HALF].abs());
            for kernel in &self.kernels {
                let value: f32 = window.iter().zip(kernel).map(|(x, k)| x * k).sum();
                peak = peak.max(value.abs());
            }
        }
        self.history_pos = (pos + 1) % TAPS;
        peak
    }

    /// The gain for the frame leaving the delay line, given the gain the newest one needs.
    fn smoothed_gain(&mut self, needed: f32) -> f32 {
        let frame = self.frame;
        self.frame += 1;
        while self.minima.back().is_some_and(|&(_, g)| g >= needed) {
            self.minima.pop_back();
        }
        self.minima.push_back((frame, needed));
        let window = self.window as u64;
        while self
            .minima
            .front()
            .is_some_and(|&(at, _)| at + window <= frame)
        {
            self.minima.pop_front();
        }
        let minimum = self.minima.front().map_or(1.0, |&(_, g)| g);
        let released = self.released + (1.0 - self.released) * self.release_step;
        self.released = f64::from(minimum).min(released);
        // Within f32's rounding of unity it is unity: a quiet passage passes bit for bit.
        #[allow(clippy::cast_possible_truncation, reason = "a gain within 0..=1")]
        let stored = self.released as f32;
        let slot = &mut self.averaged[self.averaged_pos];
        self.averaged_sum += f64::from(stored) - f64::from(*slot);
        *slot = stored;
        self.averaged_pos = (self.averaged_pos + 1) % self.window;
        if self.averaged_pos == 0 {
            // Re-summed once a window, so rounding never accumulates over hours.
            self.averaged_sum = self.averaged.iter().copied().map(f64::from).sum();
        }
        #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
        let gain = (self.averaged_sum / self.window as f64) as f32;
        gain.min(1.0)
    }
}

/// Windowed-sinc kernels interpolating at [`PHASES`] between the two middle samples of a
/// window of [`TAPS`], each normalised to unity gain at DC.
fn interpolation_kernels() -> [[f32; TAPS]; 3] {
    let mut kernels = [[0f32; TAPS]; 3];
    for (kernel, phase) in kernels.iter_mut().zip(PHASES) {
        #[allow(clippy::cast_precision_loss, reason = "eight taps")]
        let taps: Vec<f64> = (0..TAPS)
            .map(|k| {
                // The distance from tap k to the point, in samples.
                let d = (HALF - 1) as f64 + phase - k as f64;
                let sinc = if d == 0.0 {
                    1.0
                } else {
                    (std::f64::consts::PI * d).sin() / (std::f64::consts::PI * d)
                };
                let hann = 0.5 * (1.0 + (std::f64::consts::PI * d / HALF as f64).cos());
                sinc * hann
            })
            .collect();
        let sum: f64 = taps.iter().sum();
        for (out, tap) in kernel.iter_mut().zip(taps) {
            #[allow(
                clippy::cast_possible_truncation,
                reason = "f32 is the processing precision"
            )]
            let tap = (tap / sum) as f32;
            *out = tap;
        }
    }
    kernels
}

#[cfg(test)]
mod tests;
