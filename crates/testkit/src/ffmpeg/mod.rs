//! Media made by ffmpeg inside a test, and ffmpeg's decode of it: the reference a capture or
//! a decode is compared with.
//!
//! - Files in any codec and container ffmpeg writes ([`make_file`]), from a signal whose
//!   parts and channels differ ([`signal`]), so a sample misplaced cannot go unnoticed.
//! - HLS streams of any rate, channel count and codec, packaged as MPEG-TS, packed audio
//!   or fMP4, alone or joined at discontinuities ([`hls`]).
//! - MP1, which ffmpeg cannot encode, written by [`make_mp1`] for ffmpeg to package and
//!   decode.
//! - ffmpeg's decode of any of them, with the decoder of its choice or one named
//!   ([`ffmpeg_decode`], [`ffmpeg_decode_with`]).
//!
//! Every function panics when ffmpeg fails: the test cannot go on without its media.

mod hls;
mod mp1;

use std::path::{Path, PathBuf};
use std::process::Command;

pub use hls::{
    Packaging, join_with_discontinuities, make_hls, make_hls_as, make_hls_of_file, packed_timestamp,
};
pub use mp1::make_mp1;

/// One part of a stream, or one file: the audio ffmpeg makes and how it encodes it.
#[derive(Debug, Clone, Copy)]
pub struct HlsPart {
    pub name: &'static str,
    pub rate: u32,
    pub channels: u16,
    /// ffmpeg's encoder and bit rate (empty: the encoder's own choice, as for lossless).
    pub codec: &'static str,
    pub bitrate: &'static str,
    /// The lowest partial, in Hz: each part sounds different, so a part played in the wrong
    /// place cannot match.
    pub base_hz: u32,
    pub seconds: f64,
}

pub(crate) fn ffmpeg(args: &[&str]) {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-y"])
        .args(args)
        .output()
        .expect("running ffmpeg");
    assert!(
        out.status.success(),
        "ffmpeg {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The lavfi source of `part`'s signal: a strong partial near 6 kHz (shifted by one sample at
/// 44.1 kHz, it correlates about 0.88 with itself), partials that move, and channels that
/// differ.
#[must_use]
pub fn signal(part: &HlsPart) -> String {
    let f = part.base_hz;
    let left = format!(
        "0.25*sin(2*PI*{f}*t)+0.15*sin(2*PI*{}*t)+0.1*sin(2*PI*{}*t)*(0.6+0.4*sin(2*PI*1.5*t))\
         +0.2*sin(2*PI*{}*t)",
        f * 3 + 17,
        f * 11 + 31,
        6000 + f
    );
    let right = format!(
        "0.25*sin(2*PI*{}*t)+0.15*sin(2*PI*{}*t)*(0.5+0.5*sin(2*PI*0.7*t))+0.2*sin(2*PI*{}*t)",
        f * 2 + 5,
        f * 7 + 13,
        5500 + f
    );
    let exprs = if part.channels == 1 {
        left
    } else {
        format!("{left}|{right}")
    };
    format!(
        "aevalsrc=exprs='{exprs}':s={}:d={}",
        part.rate, part.seconds
    )
}

/// The encoder arguments of `part`: its codec, and its bit rate when it has one.
pub(crate) fn encoder_args(part: &HlsPart) -> Vec<&'static str> {
    let mut args = vec!["-c:a", part.codec];
    if !part.bitrate.is_empty() {
        args.extend(["-b:a", part.bitrate]);
    }
    args
}

/// `part`'s signal encoded by ffmpeg into `dir/name`, the container chosen by the name's
/// extension unless `extra` says (`-f`); `extra` also takes the encoder's own options
/// (`-sample_fmt s24`, `-frame_duration 2.5`). Returns the path.
///
/// # Panics
/// If ffmpeg fails.
#[allow(
    clippy::must_use_candidate,
    reason = "the file made is the point; the path is a convenience"
)]
pub fn make_file(dir: &Path, name: &str, part: &HlsPart, extra: &[&str]) -> PathBuf {
    let path = dir.join(name);
    let source = signal(part);
    let mut args = vec!["-f", "lavfi", "-i", &source];
    args.extend(encoder_args(part));
    args.extend(extra);
    args.push(path.to_str().expect("a UTF-8 path"));
    ffmpeg(&args);
    path
}

/// A 64×64 image of one `colour` (an ffmpeg colour name) at `dir/name`, its format by the
/// name's extension (`.png`, `.jpg`): a cover to upload.
///
/// # Panics
/// If ffmpeg fails.
#[must_use]
pub fn make_image(dir: &Path, name: &str, colour: &str) -> PathBuf {
    let path = dir.join(name);
    let source = format!("color=c={colour}:s=64x64:d=1");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        &source,
        "-frames:v",
        "1",
        path.to_str().expect("a UTF-8 path"),
    ]);
    path
}

/// Stereo 44.1 kHz audio of `seconds`, in a container chosen by `name`'s extension.
///
/// # Panics
/// If ffmpeg fails.
#[allow(
    clippy::must_use_candidate,
    reason = "the files made are the point; the path is a convenience"
)]
pub fn make_audio_file(dir: &Path, name: &str, seconds: f64) -> PathBuf {
    let path = dir.join(name);
    let source = format!("sine=frequency=440:duration={seconds}:sample_rate=44100");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        &source,
        "-ac",
        "2",
        path.to_str().unwrap(),
    ]);
    path
}

/// ffmpeg's decode of `input` (a file or a playlist), interleaved `f32`; at its own rate and
/// channel count unless `rate` and `channels` are given (ffmpeg's resampler and mixer).
///
/// # Panics
/// If ffmpeg cannot decode it.
#[must_use]
pub fn ffmpeg_decode(input: &Path, rate: Option<u32>, channels: Option<u16>) -> Vec<f32> {
    decode(input, None, rate, channels)
}

/// ffmpeg's decode of `input` by the decoder named (`libopus`: the reference Opus decoder,
/// where ffmpeg would otherwise use its own), interleaved `f32` at the input's rate.
///
/// # Panics
/// If ffmpeg cannot decode it.
#[must_use]
pub fn ffmpeg_decode_with(input: &Path, decoder: &str) -> Vec<f32> {
    decode(input, Some(decoder), None, None)
}

fn decode(
    input: &Path,
    decoder: Option<&str>,
    rate: Option<u32>,
    channels: Option<u16>,
) -> Vec<f32> {
    let mut command = Command::new("ffmpeg");
    command.args(["-v", "error"]);
    if let Some(decoder) = decoder {
        command.args(["-c:a", decoder]);
    }
    command.arg("-i").arg(input);
    if let Some(rate) = rate {
        command.args(["-ar", &rate.to_string()]);
    }
    if let Some(channels) = channels {
        command.args(["-ac", &channels.to_string()]);
    }
    let out = command
        .args(["-f", "f32le", "-"])
        .output()
        .expect("running ffmpeg");
    assert!(
        out.status.success(),
        "ffmpeg could not decode {}: {}",
        input.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

/// The rate and channel count of a file, as ffprobe reads them.
///
/// # Panics
/// If ffprobe cannot read them.
#[must_use]
pub fn format_of(path: &Path) -> (u32, u16) {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "a:0", "-show_entries"])
        .args(["stream=sample_rate,channels", "-of", "csv=p=0"])
        .arg(path)
        .output()
        .expect("running ffprobe");
    let text = String::from_utf8_lossy(&out.stdout);
    let (rate, channels) = text
        .trim()
        .split_once(',')
        .unwrap_or_else(|| panic!("ffprobe {}: {text:?}", path.display()));
    (rate.parse().unwrap(), channels.parse().unwrap())
}

/// The presentation timestamp of the first audio packet of `path` as ffprobe reads it, in
/// the container's time base (90 kHz for MPEG-TS), or `None` when it has none.
///
/// # Panics
/// If ffprobe cannot read the file.
#[must_use]
pub fn first_packet_pts(path: &Path) -> Option<i64> {
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-select_streams",
            "a:0",
            "-show_entries",
            "packet=pts",
        ])
        .args(["-read_intervals", "%+#1", "-of", "csv=p=0"])
        .arg(path)
        .output()
        .expect("running ffprobe");
    assert!(out.status.success(), "ffprobe {}", path.display());
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .and_then(|line| line.split(',').next())
        .and_then(|pts| pts.trim().parse().ok())
}

/// Normalised correlation at zero lag over the common length.
#[must_use]
pub fn correlation(a: &[f32], b: &[f32]) -> f64 {
    let (mut ab, mut aa, mut bb) = (0.0_f64, 0.0_f64, 0.0_f64);
    for (&x, &y) in a.iter().zip(b) {
        let (x, y) = (f64::from(x), f64::from(y));
        ab += x * y;
        aa += x * x;
        bb += y * y;
    }
    if aa == 0.0 || bb == 0.0 {
        return 0.0;
    }
    ab / (aa.sqrt() * bb.sqrt())
}
