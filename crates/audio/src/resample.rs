//! Sample-rate conversion for when a track's rate differs from the device's (44.1 kHz CD
//! masters on a 48 kHz output, or the reverse).
//!
//! The engine converts here, with rubato's FFT resampler (band-limited, so no aliasing and
//! no droop in the treble), and hands the device PCM at its native rate so nothing downstream
//! converts again with a cheaper filter.
//!
//! The filter is streaming: blocks of any size go in, output comes out as soon as it is
//! computed, and [`Resampler::flush`] at the end emits the tail. The filter's delay is trimmed
//! at the start, so the output lines up with the input sample for sample and its total length
//! is exactly `round(input_frames × to / from)` ([`output_len`]).
//!
//! Gapless: for consecutive tracks at the same source rate, keep feeding the same resampler
//! and flush only when the stream ends; flushing between them would pad each track's end to
//! a whole output frame and restart the filter from silence.

use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Fft, FixedSync, Indexing, Resampler as _, WindowFunction};

/// Input frames per rubato call, about: also the FFT block size, since one block per call
/// gives the longest filter (cutoff nearest Nyquist, about 20.9 kHz at 44.1 kHz) for a delay
/// of ~12 ms, which is trimmed anyway and costs nothing but a little latency after a seek.
/// [`Resampler::new`] rounds it to a size that keeps the delay a whole number of frames.
const CHUNK_FRAMES: usize = 1024;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ResampleError {
    /// The rates or channel count are zero, or too far apart for rubato.
    #[error("cannot resample {channels} channels from {from} Hz to {to} Hz: {source}")]
    Unsupported {
        from: u32,
        to: u32,
        channels: u16,
        #[source]
        source: rubato::ResamplerConstructionError,
    },
    #[error("cannot resample audio that has no channels")]
    NoChannels,
    /// rubato refused a buffer: a bug in this module, reported rather than panicking.
    #[error("resampling failed: {0}")]
    Process(#[from] rubato::ResampleError),
}

/// The number of output frames `input_frames` become when converted from `from` Hz to `to` Hz:
/// `round(input_frames × to / from)`, halves rounding up.
#[must_use]
pub fn output_len(input_frames: u64, from: u32, to: u32) -> u64 {
    if from == 0 {
        return 0;
    }
    let exact = u128::from(input_frames) * u128::from(to);
    let rounded = (exact * 2 + u128::from(from)) / (u128::from(from) * 2);
    u64::try_from(rounded).unwrap_or(u64::MAX)
}

fn gcd(mut a: u32, mut b: u32) -> u32 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// A streaming converter of interleaved `f32` PCM from one rate to another.
pub struct Resampler {
    inner: Fft<f32>,
    from: u32,
    to: u32,
    channels: usize,
    /// Interleaved input not yet handed to rubato: less than one chunk between calls.
    pending: Vec<f32>,
    /// Where rubato writes one call's output.
    scratch: Vec<f32>,
    /// Output frames of filter delay still to drop at the start of the stream.
    trim_left: usize,
    /// Whole input frames taken since the stream began.
    frames_in: u64,
    /// Output frames emitted since the stream began.
    frames_out: u64,
}

impl std::fmt::Debug for Resampler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resampler")
            .field("from", &self.from)
            .field("to", &self.to)
            .field("channels", &self.channels)
            .field("frames_in", &self.frames_in)
            .field("frames_out", &self.frames_out)
            .finish_non_exhaustive()
    }
}

impl Resampler {
    /// A converter from `from` Hz to `to` Hz for `channels` interleaved channels.
    pub fn new(from: u32, to: u32, channels: u16) -> Result<Self, ResampleError> {
        if channels == 0 {
            return Err(ResampleError::NoChannels);
        }
        let unsupported = |source| ResampleError::Unsupported {
            from,
            to,
            channels,
            source,
        };
        if from == 0 || to == 0 {
            return Err(unsupported(
                rubato::ResamplerConstructionError::InvalidSampleRate {
                    input: from as usize,
                    output: to as usize,
                },
            ));
        }
        // rubato's FFT blocks are whole multiples of the smallest block that maps to whole
        // frames on both sides (147 in, 160 out for 44.1 -> 48 kHz). Its delay is half a block
        // on each side; an even number of smallest blocks makes both halves whole frames, so
        // trimming it leaves the output aligned to the input exactly, not half a frame off.
        let min_block = (from / gcd(from, to)) as usize;
        let chunk = CHUNK_FRAMES.div_ceil(min_block).next_multiple_of(2) * min_block;
        let inner = Fft::new_custom(
            from as usize,
            to as usize,
            chunk,
            1,
            usize::from(channels),
            WindowFunction::BlackmanHarris2,
            FixedSync::Input,
        )
        .map_err(unsupported)?;
        let channels = usize::from(channels);
        let scratch = vec![0.0; inner.output_frames_max() * channels];
        let trim_left = inner.output_delay();
        Ok(Self {
            inner,
            from,
            to,
            channels,
            pending: Vec::with_capacity(CHUNK_FRAMES * channels * 2),
            scratch,
            trim_left,
            frames_in: 0,
            frames_out: 0,
        })
    }

    #[must_use]
    pub fn input_rate(&self) -> u32 {
        self.from
    }

    #[must_use]
    pub fn output_rate(&self) -> u32 {
        self.to
    }

    #[must_use]
    pub fn channels(&self) -> u16 {
        u16::try_from(self.channels).unwrap_or(u16::MAX)
    }

    /// The filter's delay in output frames: how far output lags input inside the filter.
    /// It is trimmed from the start of the output, so callers only need it to know how much
    /// input is held back until [`Resampler::flush`].
    #[must_use]
    pub fn filter_delay(&self) -> usize {
        self.inner.output_delay()
    }

    /// Output frames owed for input already taken: they come out with later input or on
    /// flush. The position heard lags the position decoded by this much (at the output rate).
    #[must_use]
    pub fn latency_frames(&self) -> u64 {
        output_len(self.frames_in, self.from, self.to).saturating_sub(self.frames_out)
    }

    /// Converts `input` (interleaved, any number of samples; a trailing partial frame waits
    /// for the rest of its frame) and appends what is ready to `output`.
    pub fn process(&mut self, input: &[f32], output: &mut Vec<f32>) -> Result<(), ResampleError> {
        let before = self.pending.len() / self.channels;
        self.pending.extend_from_slice(input);
        self.frames_in += (self.pending.len() / self.channels - before) as u64;

        let chunk = self.inner.input_frames_next() * self.channels;
        let pending = std::mem::take(&mut self.pending);
        let mut taken = 0;
        let mut result = Ok(());
        while pending.len() - taken >= chunk {
            result = self.run(&pending[taken..taken + chunk], None, output);
            if result.is_err() {
                break;
            }
            taken += chunk;
        }
        self.pending = pending;
        self.pending.drain(..taken);
        result
    }

    /// Ends the stream: emits the rest, so that the total output since the stream began is
    /// exactly [`output_len`] of the input, and resets for the next stream.
    pub fn flush(&mut self, output: &mut Vec<f32>) -> Result<(), ResampleError> {
        let target = output_len(self.frames_in, self.from, self.to);
        let start_len = output.len();
        let result = self.drain_into(target, output);
        if result.is_ok() {
            // Whole chunks overshoot the target; the excess is filter ringing into silence.
            let excess = self.frames_out.saturating_sub(target);
            let excess = usize::try_from(excess).unwrap_or(usize::MAX) * self.channels;
            output.truncate(output.len() - excess.min(output.len() - start_len));
        }
        self.reset();
        result
    }

    /// Forgets the stream in progress (for a seek): the next input starts a new stream.
    pub fn reset(&mut self) {
        self.inner.reset();
        self.pending.clear();
        self.trim_left = self.inner.output_delay();
        self.frames_in = 0;
        self.frames_out = 0;
    }

    fn drain_into(&mut self, target: u64, output: &mut Vec<f32>) -> Result<(), ResampleError> {
        let frames = self.pending.len() / self.channels;
        if frames > 0 {
            let pending = std::mem::take(&mut self.pending);
            let result = self.run(
                &pending[..frames * self.channels],
                Some(&Indexing::new().partial_len(frames)),
                output,
            );
            self.pending = pending;
            result?;
        }
        // Push silence through until the delayed tail is all out.
        let silence = Indexing::new().partial_len(0);
        while self.frames_out < target {
            self.run(&[], Some(&silence), output)?;
        }
        Ok(())
    }

    /// One rubato call on `input` (whole frames), appending the output past the delay.
    fn run(
        &mut self,
        input: &[f32],
        indexing: Option<&Indexing>,
        output: &mut Vec<f32>,
    ) -> Result<(), ResampleError> {
        let channels = self.channels;
        let frames_in = input.len() / channels;
        let input = InterleavedSlice::new(input, channels, frames_in).map_err(|_| {
            rubato::ResampleError::InsufficientInputBufferSize {
                expected: frames_in,
                actual: 0,
            }
        })?;
        let frames_max = self.scratch.len() / channels;
        let mut out =
            InterleavedSlice::new_mut(&mut self.scratch, channels, frames_max).map_err(|_| {
                rubato::ResampleError::InsufficientOutputBufferSize {
                    expected: frames_max,
                    actual: 0,
                }
            })?;
        let (_, produced) = self.inner.process_into_buffer(&input, &mut out, indexing)?;
        let skip = self.trim_left.min(produced);
        self.trim_left -= skip;
        output.extend_from_slice(&self.scratch[skip * channels..produced * channels]);
        self.frames_out += (produced - skip) as u64;
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::cast_precision_loss, reason = "test signals are short")]
mod tests {
    use super::*;

    fn sine(freq: f64, rate: u32, frames: usize, channels: usize) -> Vec<f32> {
        let mut out = Vec::with_capacity(frames * channels);
        for i in 0..frames {
            #[allow(clippy::cast_possible_truncation)]
            let v = (std::f64::consts::TAU * freq * i as f64 / f64::from(rate)).sin() as f32 * 0.5;
            for _ in 0..channels {
                out.push(v);
            }
        }
        out
    }

    fn convert(from: u32, to: u32, input: &[f32], channels: u16, block: usize) -> Vec<f32> {
        let mut r = Resampler::new(from, to, channels).unwrap();
        let mut out = Vec::new();
        for piece in input.chunks(block.max(1)) {
            r.process(piece, &mut out).unwrap();
        }
        r.flush(&mut out).unwrap();
        out
    }

    #[test]
    fn output_len_rounds() {
        assert_eq!(output_len(44_100, 44_100, 48_000), 48_000);
        assert_eq!(output_len(1, 44_100, 48_000), 1);
        assert_eq!(output_len(0, 44_100, 48_000), 0);
        // 147 -> 160 exactly; 1 frame of 48k -> 0.91875 -> 1.
        assert_eq!(output_len(147, 44_100, 48_000), 160);
        assert_eq!(output_len(1, 48_000, 44_100), 1);
        assert_eq!(output_len(10, 48_000, 44_100), 9); // 9.1875
    }

    #[test]
    fn total_length_is_exact() {
        for (from, to) in [(44_100, 48_000), (48_000, 44_100), (22_050, 48_000)] {
            for frames in [0usize, 1, 5, 1000, 1024, 4321, 44_100] {
                let input = sine(440.0, from, frames, 2);
                let out = convert(from, to, &input, 2, 777);
                assert_eq!(
                    (out.len() / 2) as u64,
                    output_len(frames as u64, from, to),
                    "{frames} frames {from} -> {to}"
                );
            }
        }
    }

    /// The output must be the same sine, sampled at the new rate, from the same start: this
    /// checks frequency, phase and that exactly the filter delay was trimmed.
    fn assert_same_sine(from: u32, to: u32) {
        let freq = 1000.0;
        let input = sine(freq, from, from as usize, 2);
        let out = convert(from, to, &input, 2, 1000);
        let ideal = sine(freq, to, to as usize, 2);
        assert_eq!(out.len(), ideal.len());
        // Away from the ends, where the sine starts and stops abruptly and the filter rings.
        let edge = 2 * 2000;
        let worst = out[edge..out.len() - edge]
            .iter()
            .zip(&ideal[edge..ideal.len() - edge])
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        assert!(worst < 1e-3, "{from} -> {to}: off by up to {worst}");
        // And the same number of cycles: count upward zero crossings of the left channel.
        let crossings = |s: &[f32]| {
            s.chunks_exact(2)
                .map(|f| f[0])
                .collect::<Vec<_>>()
                .windows(2)
                .filter(|w| w[0] < 0.0 && w[1] >= 0.0)
                .count()
        };
        assert_eq!(crossings(&out[edge..]), crossings(&ideal[edge..]));
    }

    #[test]
    fn up_44k1_to_48k_keeps_the_sine() {
        assert_same_sine(44_100, 48_000);
    }

    #[test]
    fn down_48k_to_44k1_keeps_the_sine() {
        assert_same_sine(48_000, 44_100);
    }

    #[test]
    fn block_size_does_not_matter() {
        let input = sine(3000.0, 44_100, 30_000, 2);
        let whole = convert(44_100, 48_000, &input, 2, input.len());
        // Odd block sizes, including ones that split frames in half.
        let mut r = Resampler::new(44_100, 48_000, 2).unwrap();
        let mut pieces = Vec::new();
        let mut at = 0;
        for size in [1usize, 3, 1001, 2047, 5, 4096, 333].iter().cycle() {
            if at >= input.len() {
                break;
            }
            let end = (at + size).min(input.len());
            r.process(&input[at..end], &mut pieces).unwrap();
            at = end;
        }
        r.flush(&mut pieces).unwrap();
        assert_eq!(whole, pieces);
    }

    #[test]
    fn channels_stay_apart_and_flush_resets() {
        let mut input = sine(500.0, 48_000, 9000, 2);
        for right in input.iter_mut().skip(1).step_by(2) {
            *right = 0.0;
        }
        let mut r = Resampler::new(48_000, 44_100, 2).unwrap();
        let mut first = Vec::new();
        r.process(&input, &mut first).unwrap();
        assert!(r.latency_frames() > 0);
        r.flush(&mut first).unwrap();
        assert_eq!(r.latency_frames(), 0);
        assert!(first.iter().skip(1).step_by(2).all(|s| s.abs() < 1e-6));
        assert!(first.iter().step_by(2).any(|s| s.abs() > 0.4));
        // After a flush the same input gives the same output: nothing carried over.
        let mut second = Vec::new();
        r.process(&input, &mut second).unwrap();
        r.flush(&mut second).unwrap();
        assert_eq!(first, second);
    }

    #[test]
    fn rejects_nonsense() {
        assert!(Resampler::new(0, 48_000, 2).is_err());
        assert!(Resampler::new(44_100, 48_000, 0).is_err());
    }

    /// `cargo test -p strato-audio --lib -- --ignored --nocapture resample_speed`
    #[test]
    #[ignore = "a measurement, not a check"]
    fn resample_speed() {
        let seconds = 30;
        let input = sine(1000.0, 44_100, 44_100 * seconds, 2);
        let started = std::time::Instant::now();
        let out = convert(44_100, 48_000, &input, 2, 4096);
        let took = started.elapsed().as_secs_f64();
        assert_eq!(out.len(), 48_000 * seconds * 2);
        #[allow(clippy::cast_precision_loss)]
        let speed = seconds as f64 / took;
        println!("44.1k -> 48k stereo: {speed:.0}x real time ({took:.3} s for {seconds} s)");
    }
}
