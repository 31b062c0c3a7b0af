//! The ffmpeg runs of processing: each encode and each measurement is one process, so that
//! `super::transcode` can run them side by side (ffmpeg 5's encoders use one thread each).

use std::ffi::OsStr;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use strato_model::api::ReplayGain;
use tokio::process::Command;

use super::LADDER;
use crate::uploads::formats;

/// ReplayGain 2.0's reference level.
const REFERENCE_LUFS: f64 = -18.0;

/// Runs ffmpeg (or ffprobe) quietly; its stdout, or its stderr as the error.
pub(in crate::uploads) async fn run(
    program: &str,
    args: &[&OsStr],
    cwd: Option<&Path>,
) -> Result<Vec<u8>, String> {
    let mut command = Command::new(program);
    command
        .args(args)
        .kill_on_drop(true)
        .stdin(std::process::Stdio::null());
    if let Some(cwd) = cwd {
        command.current_dir(cwd);
    }
    let output = command
        .output()
        .await
        .map_err(|e| format!("running {program}: {e}"))?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        Err(format!(
            "{program} failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

fn os<'a>(items: &'a [&'a str]) -> Vec<&'a OsStr> {
    items.iter().map(OsStr::new).collect()
}

const FFMPEG_QUIET: [&str; 5] = ["-nostdin", "-hide_banner", "-v", "error", "-y"];
const BITEXACT: [&str; 4] = ["-fflags", "+bitexact", "-flags:a", "+bitexact"];

pub(super) async fn extract_cover(original: &Path, target: &Path) -> bool {
    let (input, output) = (original.as_os_str(), target.as_os_str());
    let mut args = os(&FFMPEG_QUIET);
    args.extend([OsStr::new("-i"), input]);
    args.extend(os(&[
        "-map",
        "0:v:0",
        "-frames:v",
        "1",
        "-vf",
        "scale='min(600,iw)':-2,format=yuvj420p",
        "-q:v",
        "3",
    ]));
    args.push(output);
    match run("ffmpeg", &args, None).await {
        Ok(_) => true,
        Err(error) => {
            // A cover that will not decode is no reason to refuse the music.
            tracing::info!(%error, "the embedded cover could not be read");
            false
        }
    }
}

pub(super) async fn encode_mp3s(original: &Path, dir: &Path, rate: u32) -> Result<(), String> {
    let rate = rate.to_string();
    let mut args = os(&FFMPEG_QUIET);
    args.extend([OsStr::new("-i"), original.as_os_str()]);
    let outputs = [
        ("cbr", ["-b:a", "192k"]),
        ("vbr", ["-q:a", "2"]),
        ("low", ["-b:a", "96k"]),
        ("high", ["-b:a", "320k"]),
    ];
    let paths: Vec<PathBuf> = outputs
        .iter()
        .map(|(name, _)| dir.join(format!("{name}.mp3")))
        .collect();
    for ((_, quality), path) in outputs.iter().zip(&paths) {
        args.extend(os(&["-map", "0:a:0", "-map_metadata", "-1", "-ar"]));
        args.push(OsStr::new(&rate));
        args.extend(os(&["-c:a", "libmp3lame"]));
        args.extend(os(quality));
        args.extend(os(&["-write_xing", "1", "-id3v2_version", "4"]));
        args.extend(os(&BITEXACT));
        args.push(path.as_os_str());
    }
    run("ffmpeg", &args, None).await.map(|_| ())
}

pub(super) async fn encode_hls(
    original: &Path,
    dir: &Path,
    bitrate: u32,
    rate: u32,
) -> Result<(), String> {
    tokio::fs::create_dir_all(dir)
        .await
        .map_err(|e| format!("making {}: {e}", dir.display()))?;
    let (bitrate, rate) = (format!("{bitrate}k"), rate.to_string());
    let mut args = os(&FFMPEG_QUIET);
    args.extend([OsStr::new("-i"), original.as_os_str()]);
    args.extend(os(&[
        "-map",
        "0:a:0",
        "-map_metadata",
        "-1",
        "-c:a",
        "aac",
        "-b:a",
    ]));
    args.push(OsStr::new(&bitrate));
    args.push(OsStr::new("-ar"));
    args.push(OsStr::new(&rate));
    args.extend(os(&BITEXACT));
    args.extend(os(&[
        "-f",
        "hls",
        "-hls_time",
        "4",
        "-hls_playlist_type",
        "vod",
        "-hls_list_size",
        "0",
        "-hls_segment_filename",
        "seg%03d.ts",
        "index.m3u8",
    ]));
    run("ffmpeg", &args, Some(dir)).await.map(|_| ())
}

/// The master playlist, with each variant's peak and average bandwidth from its segments.
pub(super) async fn write_master(hls_dir: &Path) -> std::io::Result<()> {
    let mut master = String::from("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-INDEPENDENT-SEGMENTS\n");
    for bitrate in LADDER {
        let variant = hls_dir.join(format!("{bitrate}k"));
        let playlist = tokio::fs::read_to_string(variant.join("index.m3u8")).await?;
        let (mut peak, mut bits, mut seconds) = (0f64, 0f64, 0f64);
        let mut duration = None;
        for line in playlist.lines() {
            if let Some(rest) = line.strip_prefix("#EXTINF:") {
                duration = rest.split(',').next().and_then(|d| d.parse::<f64>().ok());
            } else if !line.starts_with('#') && !line.is_empty() {
                #[allow(clippy::cast_precision_loss)] // segment sizes are far below 2^52
                let size = tokio::fs::metadata(variant.join(line)).await?.len() as f64 * 8.0;
                let d = duration.take().unwrap_or(4.0).max(0.001);
                peak = peak.max(size / d);
                bits += size;
                seconds += d;
            }
        }
        let average = bits / seconds.max(0.001);
        let _ = write!(
            master,
            "#EXT-X-STREAM-INF:BANDWIDTH={:.0},AVERAGE-BANDWIDTH={average:.0},CODECS=\"mp4a.40.2\"\n{bitrate}k/index.m3u8\n",
            peak.ceil()
        );
    }
    tokio::fs::write(hls_dir.join("master.m3u8"), master).await
}

/// Samples per channel ffmpeg decodes from `input` at `rate` (mono, 16-bit).
pub(super) async fn count_samples(input: &Path, rate: u32) -> Result<u64, String> {
    let rate = rate.to_string();
    let mut args = os(&FFMPEG_QUIET);
    args.extend([OsStr::new("-i"), input.as_os_str()]);
    args.extend(os(&["-map", "0:a:0", "-ac", "1", "-ar"]));
    args.push(OsStr::new(&rate));
    args.extend(os(&["-f", "s16le", "-"]));
    // Counted as it streams: three hours of PCM would be a gigabyte held for a length.
    let mut child = Command::new("ffmpeg")
        .args(&args)
        .kill_on_drop(true)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("running ffmpeg: {e}"))?;
    let (Some(mut pcm), Some(mut errors)) = (child.stdout.take(), child.stderr.take()) else {
        return Err("ffmpeg's output could not be read".into());
    };
    let mut said = Vec::new();
    let mut nowhere = tokio::io::sink();
    let (counted, _) = tokio::join!(
        tokio::io::copy(&mut pcm, &mut nowhere),
        tokio::io::AsyncReadExt::read_to_end(&mut errors, &mut said),
    );
    let bytes = counted.map_err(|e| format!("reading ffmpeg's output: {e}"))?;
    let status = child
        .wait()
        .await
        .map_err(|e| format!("running ffmpeg: {e}"))?;
    if !status.success() {
        return Err(format!(
            "ffmpeg failed ({status}): {}",
            String::from_utf8_lossy(&said).trim()
        ));
    }
    Ok(bytes / 2)
}

/// EBU R128 integrated loudness and true peak (ffmpeg's `ebur128`) as ReplayGain 2.0; an
/// upload is its own album. `None` for silence.
pub(super) async fn loudness(input: &Path) -> Result<Option<ReplayGain>, String> {
    let output = Command::new("ffmpeg")
        .args(["-nostdin", "-hide_banner", "-nostats", "-i"])
        .arg(input)
        .args([
            "-map",
            "0:a:0",
            "-af",
            "ebur128=peak=true:framelog=verbose",
            "-f",
            "null",
            "-",
        ])
        .kill_on_drop(true)
        .output()
        .await
        .map_err(|e| format!("running ffmpeg: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "ffmpeg ebur128 failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    Ok(
        formats::parse_ebur128(&String::from_utf8_lossy(&output.stderr)).map(
            |(integrated, true_peak_db)| {
                #[allow(clippy::cast_possible_truncation)] // decibels and linear peaks fit an f32
                let gain = (REFERENCE_LUFS - integrated) as f32;
                #[allow(clippy::cast_possible_truncation)]
                let peak = 10f64.powf(true_peak_db / 20.0) as f32;
                ReplayGain {
                    track_gain_db: gain,
                    track_peak: peak,
                    album_gain_db: gain,
                    album_peak: peak,
                }
            },
        ),
    )
}
