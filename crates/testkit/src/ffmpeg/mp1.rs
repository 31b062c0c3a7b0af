//! MPEG-1 Audio Layer I (MP1), which ffmpeg decodes but cannot encode (5.1 has no MP1
//! encoder). A test needing MP1 gets it from [`make_mp1`]: a real Layer I bitstream
//! (ISO/IEC 11172-3 section 2.4.1), written here frame by frame from subband samples chosen
//! directly (tones in a few of the 32 subbands, different per channel), with no analysis
//! filter bank: any valid frame decodes, and both decoders must agree on what it holds.
//! ffmpeg then packages it (HLS in MPEG-TS) and decodes it as the reference, like every
//! other format.

use std::path::{Path, PathBuf};

/// 48 kHz: a Layer I frame of 384 kb/s is then exactly 96 slots (384 bytes), no padding.
const RATE: u32 = 48_000;
const BITRATE_INDEX: u32 = 12; // 384 kb/s in Layer I's table
const FRAME_BYTES: usize = 384;
const SUBBANDS: usize = 32;
/// Samples per subband in a frame (384 samples per channel).
const BLOCKS: usize = 12;
/// Bits per sample in the subbands that carry sound (allocation 11 + 1), enough for a
/// frame of two channels with a few bands each to fit 384 bytes.
const BITS: u32 = 12;

/// The subbands that carry sound in each channel: (subband, cycles per 12-sample block,
/// amplitude). The amplitudes add up to well under full scale: a decoder that gives 16-bit
/// samples (ffmpeg's default for MP1) would clip what a float one does not.
const LEFT: [(usize, f64, f64); 3] = [(1, 0.11, 0.3), (3, 0.23, 0.18), (7, 0.05, 0.12)];
const RIGHT: [(usize, f64, f64); 3] = [(2, 0.07, 0.27), (5, 0.19, 0.15), (11, 0.31, 0.09)];

struct Bits {
    bytes: Vec<u8>,
    acc: u64,
    filled: u32,
}

impl Bits {
    fn put(&mut self, value: u32, bits: u32) {
        self.acc = (self.acc << bits) | u64::from(value & ((1 << bits) - 1));
        self.filled += bits;
        while self.filled >= 8 {
            self.filled -= 8;
            self.bytes
                .push(u8::try_from((self.acc >> self.filled) & 0xff).unwrap());
        }
    }
}

/// The smallest scale factor index (a larger index is a smaller factor, 2 * 2^(-i/3)) whose
/// factor still holds `amplitude`.
fn scale_index(amplitude: f64) -> u32 {
    (0..63)
        .rev()
        .find(|&i| 2.0 * (-f64::from(i) / 3.0).exp2() >= amplitude)
        .unwrap_or(0)
}

/// The code of `value` (within the scale factor `scale`) in `bits` bits: the inverse of the
/// decoder's requantisation (2^n / (2^n - 1)) * (f + 2^(1-n)), f the code read as a signed
/// fraction with its top bit inverted. The all-ones code is forbidden (it could look like a
/// sync word).
fn quantise(value: f64, scale: f64, bits: u32) -> u32 {
    let levels = f64::from(1u32 << bits);
    let half = f64::from(1u32 << (bits - 1));
    let fraction = (value / scale) * (levels - 1.0) / levels - 2.0 / levels;
    #[allow(
        clippy::cast_possible_truncation,
        reason = "clamped to the code's range first"
    )]
    let signed = (fraction * half).round().clamp(-half, half - 2.0) as i32;
    let mask = (1u32 << bits) - 1;
    (signed.cast_unsigned() & mask) ^ (1 << (bits - 1))
}

/// Writes `seconds` of stereo MP1 at 48 kHz, 384 kb/s, to `dir/name`. Returns its path.
///
/// # Panics
/// If the file cannot be written.
#[allow(
    clippy::must_use_candidate,
    reason = "the file made is the point; the path is a convenience"
)]
pub fn make_mp1(dir: &Path, name: &str, seconds: f64) -> PathBuf {
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a few seconds of frames"
    )]
    let frames = (seconds * f64::from(RATE) / 384.0).ceil() as usize;
    let channels = [&LEFT[..], &RIGHT[..]];
    let mut bits = Bits {
        bytes: Vec::with_capacity(frames * FRAME_BYTES),
        acc: 0,
        filled: 0,
    };
    for frame in 0..frames {
        let start = bits.bytes.len();
        // Header: sync, MPEG-1, layer I, no CRC, 384 kb/s, 48 kHz, no padding, stereo.
        bits.put(0xfff, 12);
        bits.put(1, 1);
        bits.put(0b11, 2);
        bits.put(1, 1);
        bits.put(BITRATE_INDEX, 4);
        bits.put(0b01, 2);
        bits.put(0, 2);
        bits.put(0b00, 2);
        bits.put(0, 2);
        bits.put(0, 4);
        let carried = |channel: usize, subband: usize| {
            channels[channel].iter().find(|(sb, _, _)| *sb == subband)
        };
        for subband in 0..SUBBANDS {
            for channel in 0..2 {
                bits.put(
                    if carried(channel, subband).is_some() {
                        BITS - 1
                    } else {
                        0
                    },
                    4,
                );
            }
        }
        for subband in 0..SUBBANDS {
            for channel in 0..2 {
                if let Some((_, _, amplitude)) = carried(channel, subband) {
                    bits.put(scale_index(*amplitude), 6);
                }
            }
        }
        for block in 0..BLOCKS {
            for subband in 0..SUBBANDS {
                for channel in 0..2 {
                    let Some((_, cycles, amplitude)) = carried(channel, subband) else {
                        continue;
                    };
                    let index = scale_index(*amplitude);
                    let scale = 2.0 * (-f64::from(index) / 3.0).exp2();
                    let n = f64::from(u32::try_from(frame * BLOCKS + block).unwrap());
                    let value = amplitude * (std::f64::consts::TAU * cycles * n).sin();
                    bits.put(quantise(value, scale, BITS), BITS);
                }
            }
        }
        // The rest of the frame is ancillary data: zeros, from the next whole byte.
        if bits.filled > 0 {
            bits.put(0, 8 - bits.filled);
        }
        while bits.bytes.len() < start + FRAME_BYTES {
            bits.put(0, 8);
        }
        assert_eq!(bits.bytes.len(), start + FRAME_BYTES, "a frame overran");
    }
    let path = dir.join(name);
    std::fs::write(&path, &bits.bytes).unwrap();
    path
}
