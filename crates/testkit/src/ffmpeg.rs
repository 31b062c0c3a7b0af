//! Media made by ffmpeg inside a test (HLS in MPEG-TS of any rate, channel count and
//! codec), and ffmpeg's decode of it: the reference a capture is compared with.
//!
//! Every function panics when ffmpeg fails: the test cannot go on without its media.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// One part of a stream: how ffmpeg makes it.
#[derive(Debug, Clone, Copy)]
pub struct HlsPart {
    pub name: &'static str,
    pub rate: u32,
    pub channels: u16,
    /// ffmpeg's encoder and bit rate.
    pub codec: &'static str,
    pub bitrate: &'static str,
    /// The lowest partial, in Hz: each part sounds different, so a part played in the wrong
    /// place cannot match.
    pub base_hz: u32,
    pub seconds: f64,
}

fn ffmpeg(args: &[&str]) {
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

/// Encodes `part` as an HLS VOD media playlist of MPEG-TS segments in `dir/<name>/`, from a
/// signal with a strong partial near 6 kHz (shifted by one sample at 44.1 kHz, it correlates
/// about 0.88 with itself) and channels that differ. Returns the playlist.
///
/// # Panics
/// If ffmpeg fails.
#[allow(
    clippy::must_use_candidate,
    reason = "the files made are the point; the path is a convenience"
)]
pub fn make_hls(dir: &Path, part: &HlsPart) -> PathBuf {
    let folder = dir.join(part.name);
    std::fs::create_dir_all(&folder).unwrap();
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
    let source = format!(
        "aevalsrc=exprs='{exprs}':s={}:d={}",
        part.rate, part.seconds
    );
    let playlist = folder.join("index.m3u8");
    let segments = folder.join("seg%03d.ts");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        &source,
        "-c:a",
        part.codec,
        "-b:a",
        part.bitrate,
        "-f",
        "hls",
        "-hls_time",
        "1",
        "-hls_playlist_type",
        "vod",
        "-hls_segment_filename",
        segments.to_str().unwrap(),
        playlist.to_str().unwrap(),
    ]);
    playlist
}

/// Writes `playlist` with `parts` one after the other, each after an EXT-X-DISCONTINUITY
/// but the first, from the parts' own playlists made by [`make_hls`] in `dir` (segment URIs
/// relative to `dir`). Returns its path.
///
/// # Panics
/// If a part's playlist cannot be read or the new one written.
#[allow(
    clippy::must_use_candidate,
    reason = "the files made are the point; the path is a convenience"
)]
pub fn join_with_discontinuities(dir: &Path, parts: &[HlsPart], name: &str) -> PathBuf {
    let mut text = String::from(
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-PLAYLIST-TYPE:VOD\n",
    );
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            text.push_str("#EXT-X-DISCONTINUITY\n");
        }
        let own = std::fs::read_to_string(dir.join(part.name).join("index.m3u8")).unwrap();
        let mut lines = own.lines();
        while let Some(line) = lines.next() {
            if line.starts_with("#EXTINF") {
                let uri = lines.next().unwrap();
                let _ = writeln!(text, "{line}\n{}/{uri}", part.name);
            }
        }
    }
    text.push_str("#EXT-X-ENDLIST\n");
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
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
    let mut command = Command::new("ffmpeg");
    command.args(["-v", "error", "-i"]).arg(input);
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
