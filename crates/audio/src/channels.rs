//! Channel-count conversion, for a track whose channel count changes mid-stream (an HLS
//! discontinuity from stereo to mono): the output keeps the count it started with, and the
//! new part is mixed to it.
//!
//! The decoders here give one or two channels, so the cases that matter are mono to stereo
//! (each output channel carries the mono signal, at its level, as ffmpeg and players do) and
//! stereo to mono (the average of the two). Other counts map channel by channel, repeating
//! the input's channels when the output has more.

/// Appends `input` (interleaved, `from` channels) converted to `to` channels to `output`.
/// A trailing partial frame is dropped.
pub fn remix_into(input: &[f32], from: u16, to: u16, output: &mut Vec<f32>) {
    let (from, to) = (usize::from(from), usize::from(to));
    if from == 0 || to == 0 {
        return;
    }
    if from == to {
        output.extend_from_slice(&input[..input.len() - input.len() % from]);
        return;
    }
    output.reserve(input.len() / from * to);
    #[allow(clippy::cast_precision_loss, reason = "a channel count")]
    let scale = 1.0 / from as f32;
    for frame in input.chunks_exact(from) {
        if to == 1 {
            output.push(frame.iter().sum::<f32>() * scale);
        } else {
            output.extend((0..to).map(|channel| frame[channel % from]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn remix(input: &[f32], from: u16, to: u16) -> Vec<f32> {
        let mut out = Vec::new();
        remix_into(input, from, to, &mut out);
        out
    }

    #[test]
    fn mono_to_stereo_copies_and_stereo_to_mono_averages() {
        assert_eq!(remix(&[0.5, -0.25], 1, 2), [0.5, 0.5, -0.25, -0.25]);
        assert_eq!(remix(&[0.5, 0.25, -1.0, 0.0], 2, 1), [0.375, -0.5]);
    }

    #[test]
    fn same_count_passes_whole_frames_through() {
        assert_eq!(remix(&[1.0, 2.0, 3.0], 2, 2), [1.0, 2.0]);
        assert!(remix(&[1.0], 0, 2).is_empty());
    }
}
