//! Processing, as the service's function does it once an upload lands: check the bytes against
//! what was announced, probe, read tags and cover, transcode into the catalog's forms with
//! ffmpeg (the four MP3s and the HLS ladder, the same encodes as `scripts/make-media.sh`),
//! measure the HLS encoder delay and padding and the loudness, and publish.
//!
//! Work happens in a staging folder beside the published tree and is moved into place with
//! one rename per folder, so the CDN never serves half a track.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest as _, Sha256};
use strato_model::api::{FailureKind, ReplayGain, SegmentKind, UploadDetails, UploadFailure};
use tokio::process::Command;
use tokio::sync::Semaphore;

use super::Uploads;
use super::formats;
use super::store::{self, Published, cover_file};
use crate::catalog::{MediaFile, TrackMedia};
use crate::unix_now;

/// Uploads processed at once (each runs several ffmpeg encodes).
pub const CONCURRENCY: usize = 2;
/// The AAC encoder's priming (ffmpeg's native encoder), as the catalog measures it.
const AAC_PRIMING: u32 = 1024;
/// The HLS ladder, kbit/s.
const LADDER: [u32; 3] = [64, 128, 256];
/// ReplayGain 2.0's reference level.
const REFERENCE_LUFS: f64 = -18.0;

/// Runs the processing of uploads, a few at a time.
#[derive(Debug, Clone)]
pub struct Processor {
    permits: Arc<Semaphore>,
}

impl Default for Processor {
    fn default() -> Self {
        Self {
            permits: Arc::new(Semaphore::new(CONCURRENCY)),
        }
    }
}

impl Processor {
    /// Processes upload `id` in the background.
    pub fn start(&self, uploads: Uploads, id: String) {
        let permits = Arc::clone(&self.permits);
        tokio::spawn(async move {
            let Ok(_permit) = permits.acquire_owned().await else {
                return;
            };
            let work = uploads.work_dir().join(&id);
            let announced = id.clone();
            let outcome = process(&uploads, &id, &work).await;
            let _ = tokio::fs::remove_dir_all(&work).await;
            let now = unix_now();
            let written = match outcome {
                Ok(published) => {
                    tracing::info!(%id, "upload ready");
                    uploads
                        .db()
                        .call(move |conn| store::mark_ready(conn, &id, &published, now).map(|_| ()))
                        .await
                }
                Err(failure) => {
                    tracing::info!(%id, kind = ?failure.kind, message = %failure.message, "upload failed");
                    uploads
                        .db()
                        .call(move |conn| store::mark_failed(conn, &id, &failure, now))
                        .await
                }
            };
            match written {
                Ok(Ok(())) => {}
                Ok(Err(error)) => tracing::error!(%error, "recording the outcome of processing"),
                Err(error) => tracing::error!(%error, "recording the outcome of processing"),
            }
            let owner = uploads
                .db()
                .call(move |conn| store::row(conn, &announced))
                .await;
            if let Ok(Ok(Some(row))) = owner {
                uploads.tell_owner(&row.owner, &row.id);
            }
        });
    }
}

fn internal(what: &str, error: impl std::fmt::Display) -> UploadFailure {
    tracing::error!(%error, "processing: {what}");
    UploadFailure {
        kind: FailureKind::Internal,
        message: "The service could not process this file just now. Upload it again later."
            .to_owned(),
    }
}

async fn progress(uploads: &Uploads, id: &str, value: f32) {
    let id = id.to_owned();
    let _ = uploads
        .db()
        .call(move |conn| store::set_progress(conn, &id, value))
        .await;
}

async fn process(uploads: &Uploads, id: &str, work: &Path) -> Result<Published, UploadFailure> {
    let id_owned = id.to_owned();
    let row = uploads
        .db()
        .call(move |conn| store::row(conn, &id_owned))
        .await
        .map_err(|e| internal("reading the upload", e))?
        .map_err(|e| internal("reading the upload", e))?
        .ok_or_else(|| internal("reading the upload", "no such upload"))?;
    tokio::fs::create_dir_all(work)
        .await
        .map_err(|e| internal("making the work folder", e))?;

    // 1. The bytes, as announced.
    let original = work.join("original");
    let size = uploads
        .storage()
        .download(&row.object_key, &original)
        .await
        .map_err(|e| internal("reading the object", e))?;
    let sha256 = sha256_of(&original)
        .await
        .map_err(|e| internal("hashing the object", e))?;
    if size != row.size || sha256 != row.sha256 {
        return Err(UploadFailure {
            kind: FailureKind::ChecksumMismatch,
            message: "The file changed or was damaged on the way. Upload it again.".to_owned(),
        });
    }
    progress(uploads, id, 0.15).await;

    // 2. What it is.
    let probe = formats::probe(&original)
        .await
        .map_err(|e| internal("probing", e))?;
    let Some((probe, audio)) = probe.and_then(|p| p.accepted().map(|a| (p, a))) else {
        return Err(UploadFailure {
            kind: FailureKind::NotAudio,
            message: "This file is not audio we can read.".to_owned(),
        });
    };
    let max_ms = uploads.limits().max_duration_ms;
    if probe.duration_ms > max_ms {
        return Err(UploadFailure {
            kind: FailureKind::TooLong,
            message: format!(
                "This track is {} long; the longest we take is {}.",
                formats::spoken_duration(probe.duration_ms),
                formats::spoken_duration(max_ms)
            ),
        });
    }
    progress(uploads, id, 0.25).await;

    // 3. The catalog's forms, staged.
    let rate = if matches!(audio.sample_rate, 44_100 | 48_000) {
        audio.sample_rate
    } else {
        48_000
    };
    let staging = uploads.staging_dir().join(id);
    let _ = tokio::fs::remove_dir_all(&staging).await;
    let media_dir = staging.join("media").join(id);
    let mp3_dir = media_dir.join("mp3");
    tokio::fs::create_dir_all(&mp3_dir)
        .await
        .map_err(|e| internal("making the staging folder", e))?;
    let has_cover = probe.has_cover && extract_cover(&original, &staging.join("cover.jpg")).await;
    encode_mp3s(&original, &mp3_dir, rate)
        .await
        .map_err(|e| internal("encoding MP3", e))?;
    progress(uploads, id, 0.5).await;
    let hls_dir = media_dir.join("hls");
    for bitrate in LADDER {
        encode_hls(
            &original,
            &hls_dir.join(format!("{bitrate}k")),
            bitrate,
            rate,
        )
        .await
        .map_err(|e| internal("encoding HLS", e))?;
    }
    write_master(&hls_dir)
        .await
        .map_err(|e| internal("writing the master playlist", e))?;
    progress(uploads, id, 0.75).await;

    let (media, duration_ms, replaygain) = describe(id, &original, &media_dir, rate).await?;
    progress(uploads, id, 0.9).await;
    publish(uploads, id, &staging, &media_dir, has_cover).await?;
    Ok(Published {
        tags: probe.tags,
        media,
        duration_ms,
        replaygain,
        has_cover,
    })
}

/// The published media's description, with the gapless trim and the loudness measured on
/// what listeners will decode.
async fn describe(
    id: &str,
    original: &Path,
    media_dir: &Path,
    rate: u32,
) -> Result<(TrackMedia, u32, Option<ReplayGain>), UploadFailure> {
    let (hls_dir, mp3_dir) = (media_dir.join("hls"), media_dir.join("mp3"));
    let source_samples = count_samples(original, rate)
        .await
        .map_err(|e| internal("decoding the original", e))?;
    let hls_samples = count_samples(&hls_dir.join("128k/index.m3u8"), rate)
        .await
        .map_err(|e| internal("decoding the HLS", e))?;
    let padding = hls_samples
        .saturating_sub(source_samples)
        .saturating_sub(u64::from(AAC_PRIMING));
    let replaygain = loudness(&mp3_dir.join("vbr.mp3"))
        .await
        .map_err(|e| internal("measuring loudness", e))?;
    let duration_ms = u32::try_from(source_samples * 1000 / u64::from(rate)).unwrap_or(u32::MAX);
    let file = |name: &'static str| {
        let path = mp3_dir.join(format!("{name}.mp3"));
        let relative = format!("media/{id}/mp3/{name}.mp3");
        async move {
            let size = tokio::fs::metadata(&path).await?.len();
            Ok::<_, std::io::Error>(MediaFile {
                path: relative,
                size,
                sha256: sha256_of(&path).await?,
            })
        }
    };
    let media = TrackMedia {
        hls_master: format!("media/{id}/hls/master.m3u8"),
        hls_dir: format!("media/{id}/hls/"),
        segment_kind: SegmentKind::Ts,
        encoder_delay_samples: AAC_PRIMING,
        padding_samples: u32::try_from(padding).unwrap_or(0),
        sample_rate: rate,
        cbr: file("cbr").await.map_err(|e| internal("hashing", e))?,
        vbr: file("vbr").await.map_err(|e| internal("hashing", e))?,
        low: file("low").await.map_err(|e| internal("hashing", e))?,
        high: file("high").await.map_err(|e| internal("hashing", e))?,
    };
    Ok((media, duration_ms, replaygain))
}

/// One rename for the media folder, one for the cover.
async fn publish(
    uploads: &Uploads,
    id: &str,
    staging: &Path,
    media_dir: &Path,
    has_cover: bool,
) -> Result<(), UploadFailure> {
    let published = uploads.published_dir();
    let target = published.join("media").join(id);
    let _ = tokio::fs::remove_dir_all(&target).await;
    tokio::fs::create_dir_all(published.join("media"))
        .await
        .and(tokio::fs::create_dir_all(published.join("art")).await)
        .map_err(|e| internal("making the published folders", e))?;
    tokio::fs::rename(media_dir, &target)
        .await
        .map_err(|e| internal("publishing the media", e))?;
    if has_cover {
        tokio::fs::rename(staging.join("cover.jpg"), published.join(cover_file(id, 1)))
            .await
            .map_err(|e| internal("publishing the cover", e))?;
    }
    let _ = tokio::fs::remove_dir_all(staging).await;
    Ok(())
}

/// Lower-case hex SHA-256 of a file, read on a blocking thread.
pub async fn sha256_of(path: &Path) -> std::io::Result<String> {
    let path = path.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut file = std::fs::File::open(path)?;
        let mut hasher = Sha256::new();
        std::io::copy(&mut file, &mut hasher)?;
        Ok(hex::encode(hasher.finalize()))
    })
    .await
    .map_err(std::io::Error::other)?
}

/// Runs ffmpeg (or ffprobe) quietly; its stdout, or its stderr as the error.
pub(super) async fn run(
    program: &str,
    args: &[&std::ffi::OsStr],
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

fn os<'a>(items: &'a [&'a str]) -> Vec<&'a std::ffi::OsStr> {
    items.iter().map(std::ffi::OsStr::new).collect()
}

const FFMPEG_QUIET: [&str; 5] = ["-nostdin", "-hide_banner", "-v", "error", "-y"];
const BITEXACT: [&str; 4] = ["-fflags", "+bitexact", "-flags:a", "+bitexact"];

async fn extract_cover(original: &Path, target: &Path) -> bool {
    let (input, output) = (original.as_os_str(), target.as_os_str());
    let mut args = os(&FFMPEG_QUIET);
    args.extend([std::ffi::OsStr::new("-i"), input]);
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

async fn encode_mp3s(original: &Path, dir: &Path, rate: u32) -> Result<(), String> {
    let rate = rate.to_string();
    let mut args = os(&FFMPEG_QUIET);
    args.extend([std::ffi::OsStr::new("-i"), original.as_os_str()]);
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
        args.push(std::ffi::OsStr::new(&rate));
        args.extend(os(&["-c:a", "libmp3lame"]));
        args.extend(os(quality));
        args.extend(os(&["-write_xing", "1", "-id3v2_version", "4"]));
        args.extend(os(&BITEXACT));
        args.push(path.as_os_str());
    }
    run("ffmpeg", &args, None).await.map(|_| ())
}

async fn encode_hls(original: &Path, dir: &Path, bitrate: u32, rate: u32) -> Result<(), String> {
    tokio::fs::create_dir_all(dir)
        .await
        .map_err(|e| format!("making {}: {e}", dir.display()))?;
    let (bitrate, rate) = (format!("{bitrate}k"), rate.to_string());
    let mut args = os(&FFMPEG_QUIET);
    args.extend([std::ffi::OsStr::new("-i"), original.as_os_str()]);
    args.extend(os(&[
        "-map",
        "0:a:0",
        "-map_metadata",
        "-1",
        "-c:a",
        "aac",
        "-b:a",
    ]));
    args.push(std::ffi::OsStr::new(&bitrate));
    args.push(std::ffi::OsStr::new("-ar"));
    args.push(std::ffi::OsStr::new(&rate));
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
async fn write_master(hls_dir: &Path) -> std::io::Result<()> {
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
async fn count_samples(input: &Path, rate: u32) -> Result<u64, String> {
    let rate = rate.to_string();
    let mut args = os(&FFMPEG_QUIET);
    args.extend([std::ffi::OsStr::new("-i"), input.as_os_str()]);
    args.extend(os(&["-map", "0:a:0", "-ac", "1", "-ar"]));
    args.push(std::ffi::OsStr::new(&rate));
    args.extend(os(&["-f", "s16le", "-"]));
    run("ffmpeg", &args, None)
        .await
        .map(|pcm| pcm.len() as u64 / 2)
}

/// EBU R128 integrated loudness and true peak (ffmpeg's `ebur128`) as ReplayGain 2.0; an
/// upload is its own album. `None` for silence.
async fn loudness(input: &Path) -> Result<Option<ReplayGain>, String> {
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

/// Details from the file's tags, for what the listener left out.
#[must_use]
pub fn details_from_tags<S: std::hash::BuildHasher>(
    tags: &std::collections::HashMap<String, String, S>,
) -> UploadDetails {
    let get = |key: &str| {
        tags.get(key)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    UploadDetails {
        title: get("title"),
        artist: get("artist").or_else(|| get("album_artist")),
        album: get("album"),
        track_number: get("track")
            .and_then(|t| t.split('/').next().and_then(|n| n.trim().parse().ok()))
            .filter(|&n: &u32| n > 0),
    }
}

/// A cover sent by its owner, made a JPEG of at most 600 pixels wide at `target` (through
/// `work`, then a rename).
pub async fn write_cover(image: &[u8], work: &Path, target: &Path) -> Result<(), String> {
    let input = work.with_extension("in");
    let output = work.with_extension("jpg");
    tokio::fs::write(&input, image)
        .await
        .map_err(|e| format!("writing the cover: {e}"))?;
    let result = async {
        if !extract_cover(&input, &output).await {
            return Err("the image could not be read".to_owned());
        }
        tokio::fs::rename(&output, target)
            .await
            .map_err(|e| format!("publishing the cover: {e}"))
    }
    .await;
    let _ = tokio::fs::remove_file(&input).await;
    let _ = tokio::fs::remove_file(&output).await;
    result
}
