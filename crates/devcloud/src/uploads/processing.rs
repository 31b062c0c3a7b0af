//! Processing, as the service's function does it once an upload lands: check the bytes against
//! what was announced, probe, read tags and cover, transcode into the catalog's forms with
//! ffmpeg (the four MP3s and the HLS ladder, the same encodes as `scripts/make-media.sh`),
//! measure the HLS encoder delay and padding and the loudness, and publish. The encodes and
//! measurements run side by side, each as soon as what it reads exists (`transcode`); the
//! ffmpeg command lines are in `ffmpeg`.
//!
//! Work happens in a staging folder; the media store publishes it (devcloud's with a rename,
//! a deployment's object by object), and only then is the upload marked ready, so no
//! listener is sent to a file not yet there. Who runs a job, and what is recorded when, is
//! `job`'s ([`Processor`], [`process_job`]).

mod ffmpeg;
mod job;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest as _, Sha256};
use strato_model::api::{FailureKind, ReplayGain, SegmentKind, UploadDetails, UploadFailure};
use tokio::task::JoinSet;

pub(super) use self::ffmpeg::run;
use self::ffmpeg::{count_samples, encode_hls, encode_mp3s, extract_cover, loudness, write_master};
pub use self::job::{Attempt, CONCURRENCY, Outcome, Processor, give_up, process_job, run_workers};
use super::formats;
use super::media::MediaStore;
use super::store::{MAX_DETAIL_CHARS, Published, UploadRow};
use crate::catalog::{MediaFile, TrackMedia};

/// The AAC encoder's priming (ffmpeg's native encoder), as the catalog measures it.
const AAC_PRIMING: u32 = 1024;
/// The HLS ladder, kbit/s.
const LADDER: [u32; 3] = [64, 128, 256];
/// The variant decoded to measure the HLS padding (every variant has the same).
const MEASURED_VARIANT: u32 = 128;
/// `Upload.progress` once the bytes are checked, once the file is probed, once everything is
/// encoded and measured, and once described; publishing makes it ready (1).
const CHECKED: f64 = 0.15;
const PROBED: f64 = 0.25;
const TRANSCODED: f64 = 0.9;
const DESCRIBED: f64 = 0.95;

fn internal(what: &str, error: impl std::fmt::Display) -> UploadFailure {
    tracing::error!(%error, "processing: {what}");
    UploadFailure {
        kind: FailureKind::Internal,
        message: "The service could not process this file just now. Upload it again later."
            .to_owned(),
    }
}

async fn progress(processor: &Processor, id: &str, value: f64) {
    #[allow(clippy::cast_possible_truncation)] // a fraction
    let value = value as f32;
    let _ = processor.records().set_progress(id, value).await;
}

/// Processes the upload `row` records, working in `work`: what it published, or why not.
async fn process(
    processor: &Processor,
    row: &UploadRow,
    work: &Path,
) -> Result<Published, UploadFailure> {
    let id = row.id.as_str();
    tokio::fs::create_dir_all(work)
        .await
        .map_err(|e| internal("making the work folder", e))?;

    // 1. The bytes, as announced.
    let original = work.join("original");
    let size = processor
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
    progress(processor, id, CHECKED).await;

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
    let max_ms = processor.max_duration_ms();
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
    progress(processor, id, PROBED).await;

    // 3. The catalog's forms, staged: the encodes and measurements run side by side.
    let rate = if matches!(audio.sample_rate, 44_100 | 48_000) {
        audio.sample_rate
    } else {
        48_000
    };
    let staging = processor.staging_dir().join(id);
    let _ = tokio::fs::remove_dir_all(&staging).await;
    let media_dir = staging.join("media").join(id);
    tokio::fs::create_dir_all(media_dir.join("mp3"))
        .await
        .map_err(|e| internal("making the staging folder", e))?;
    let staged = Staged {
        original,
        cover: probe.has_cover.then(|| staging.join("cover.jpg")),
        media_dir: media_dir.clone(),
        rate,
    };
    let measured = transcode(processor, id, staged).await?;

    let media = describe(id, &media_dir, rate, &measured).await?;
    progress(processor, id, DESCRIBED).await;
    publish(processor, id, &staging, &media_dir, measured.has_cover).await?;
    Ok(Published {
        tags: probe.tags,
        media,
        duration_ms: measured.duration_ms(rate),
        replaygain: measured.replaygain,
        has_cover: measured.has_cover,
    })
}

/// What the transcoding works from and into.
struct Staged {
    original: PathBuf,
    /// Where the embedded cover goes, if the probe saw one.
    cover: Option<PathBuf>,
    media_dir: PathBuf,
    rate: u32,
}

/// One piece of the transcoding, finished, with what it found.
enum Done {
    Cover(bool),
    Mp3s,
    Hls(u32),
    SourceSamples(u64),
    HlsSamples(u64),
    Loudness(Option<ReplayGain>),
}

impl Done {
    /// Its rough share of the work (CPU seconds for a 4-minute track), for the progress.
    fn weight(&self) -> u32 {
        match self {
            Self::Cover(_) | Self::SourceSamples(_) | Self::HlsSamples(_) => 1,
            Self::Loudness(_) => 3,
            Self::Hls(_) => 8,
            Self::Mp3s => 16,
        }
    }
}

/// The sum of [`Done::weight`] over every piece [`transcode`] runs.
fn total_weight(with_cover: bool) -> u32 {
    let once = [
        Done::Mp3s,
        Done::SourceSamples(0),
        Done::HlsSamples(0),
        Done::Loudness(None),
    ];
    let variants = u32::try_from(LADDER.len()).unwrap_or(u32::MAX);
    once.iter().map(Done::weight).sum::<u32>()
        + variants * Done::Hls(0).weight()
        + u32::from(with_cover) * Done::Cover(true).weight()
}

/// What the measurements found.
#[derive(Debug, Default)]
struct Measured {
    has_cover: bool,
    source_samples: u64,
    hls_samples: u64,
    replaygain: Option<ReplayGain>,
}

impl Measured {
    fn duration_ms(&self, rate: u32) -> u32 {
        u32::try_from(self.source_samples * 1000 / u64::from(rate)).unwrap_or(u32::MAX)
    }
}

/// Runs the encodes (the MP3s in one ffmpeg, each HLS variant in its own) and the
/// measurements at once, each measurement as soon as what it reads is written: ffmpeg's
/// encoders are single-threaded, so one after the other they left all but one core idle.
/// The progress rises as pieces finish, by their share of the work, from here only: the loop
/// is the one writer, so it never goes back. On the first failure the rest are dropped, and
/// with them their ffmpeg processes (`kill_on_drop`).
async fn transcode(
    processor: &Processor,
    id: &str,
    staged: Staged,
) -> Result<Measured, UploadFailure> {
    let total = f64::from(total_weight(staged.cover.is_some()));
    let staged = Arc::new(staged);
    let hls_dir = staged.media_dir.join("hls");
    let mut jobs: JoinSet<Result<Done, UploadFailure>> = JoinSet::new();
    if let Some(cover) = staged.cover.clone() {
        let s = Arc::clone(&staged);
        jobs.spawn(async move { Ok(Done::Cover(extract_cover(&s.original, &cover).await)) });
    }
    let s = Arc::clone(&staged);
    jobs.spawn(async move {
        encode_mp3s(&s.original, &s.media_dir.join("mp3"), s.rate)
            .await
            .map(|()| Done::Mp3s)
            .map_err(|e| internal("encoding MP3", e))
    });
    for bitrate in LADDER {
        let (s, dir) = (Arc::clone(&staged), hls_dir.join(format!("{bitrate}k")));
        jobs.spawn(async move {
            encode_hls(&s.original, &dir, bitrate, s.rate)
                .await
                .map(|()| Done::Hls(bitrate))
                .map_err(|e| internal("encoding HLS", e))
        });
    }
    let s = Arc::clone(&staged);
    jobs.spawn(async move {
        count_samples(&s.original, s.rate)
            .await
            .map(Done::SourceSamples)
            .map_err(|e| internal("decoding the original", e))
    });

    let (mut measured, mut done) = (Measured::default(), 0u32);
    while let Some(joined) = jobs.join_next().await {
        let finished = joined.map_err(|e| internal("running a transcoding task", e))??;
        done += finished.weight();
        match finished {
            Done::Cover(has_cover) => measured.has_cover = has_cover,
            Done::Mp3s => {
                let vbr = staged.media_dir.join("mp3/vbr.mp3");
                jobs.spawn(async move {
                    loudness(&vbr)
                        .await
                        .map(Done::Loudness)
                        .map_err(|e| internal("measuring loudness", e))
                });
            }
            Done::Hls(MEASURED_VARIANT) => {
                let playlist = hls_dir.join(format!("{MEASURED_VARIANT}k/index.m3u8"));
                let rate = staged.rate;
                jobs.spawn(async move {
                    count_samples(&playlist, rate)
                        .await
                        .map(Done::HlsSamples)
                        .map_err(|e| internal("decoding the HLS", e))
                });
            }
            Done::Hls(_) => {}
            Done::SourceSamples(samples) => measured.source_samples = samples,
            Done::HlsSamples(samples) => measured.hls_samples = samples,
            Done::Loudness(replaygain) => measured.replaygain = replaygain,
        }
        let share = f64::from(done) / total;
        progress(processor, id, PROBED + (TRANSCODED - PROBED) * share).await;
    }
    write_master(&hls_dir)
        .await
        .map_err(|e| internal("writing the master playlist", e))?;
    Ok(measured)
}

/// The published media's description, with the gapless trim measured on what listeners
/// will decode: the HLS decodes to the source's samples, plus the AAC priming ahead and the
/// padding behind.
async fn describe(
    id: &str,
    media_dir: &Path,
    rate: u32,
    measured: &Measured,
) -> Result<TrackMedia, UploadFailure> {
    let mp3_dir = media_dir.join("mp3");
    let padding = measured
        .hls_samples
        .saturating_sub(measured.source_samples)
        .saturating_sub(u64::from(AAC_PRIMING));
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
    let (cbr, vbr, low, high) =
        tokio::try_join!(file("cbr"), file("vbr"), file("low"), file("high"))
            .map_err(|e| internal("hashing", e))?;
    Ok(TrackMedia {
        hls_master: format!("media/{id}/hls/master.m3u8"),
        hls_dir: format!("media/{id}/hls/"),
        segment_kind: SegmentKind::Ts,
        encoder_delay_samples: AAC_PRIMING,
        padding_samples: u32::try_from(padding).unwrap_or(0),
        sample_rate: rate,
        cbr,
        vbr,
        low,
        high,
    })
}

/// Hands the staged media and cover to the media store, and clears the staging folder.
async fn publish(
    processor: &Processor,
    id: &str,
    staging: &Path,
    media_dir: &Path,
    has_cover: bool,
) -> Result<(), UploadFailure> {
    let cover = has_cover.then(|| staging.join("cover.jpg"));
    processor
        .media()
        .publish(id, media_dir, cover.as_deref())
        .await
        .map_err(|e| internal("publishing", e))?;
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

/// Details from the file's tags, for what the listener left out: each cut to
/// [`MAX_DETAIL_CHARS`], as an owner's edit is held to it (a tag may be any size, and a record
/// too big to store would leave the upload processing).
#[must_use]
pub fn details_from_tags<S: std::hash::BuildHasher>(
    tags: &std::collections::HashMap<String, String, S>,
) -> UploadDetails {
    let get = |key: &str| {
        tags.get(key)
            .map(|v| v.trim().chars().take(MAX_DETAIL_CHARS).collect::<String>())
            .map(|v| v.trim_end().to_owned())
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

/// A cover sent by its owner, made a JPEG of at most 600 pixels wide and published as
/// cover `version` of upload `id` (made beside `work`): `false` when the image cannot be
/// read.
///
/// # Errors
/// When the work files cannot be written or the media store refuses the cover.
pub async fn publish_cover(
    media: &dyn MediaStore,
    id: &str,
    version: u32,
    image: &[u8],
    work: &Path,
) -> Result<bool, String> {
    let input = work.with_extension("in");
    let output = work.with_extension("jpg");
    let result = async {
        tokio::fs::write(&input, image)
            .await
            .map_err(|e| format!("writing the cover: {e}"))?;
        if !extract_cover(&input, &output).await {
            return Ok(false);
        }
        media
            .put_cover(id, version, &output)
            .await
            .map(|()| true)
            .map_err(|e| e.to_string())
    }
    .await;
    let _ = tokio::fs::remove_file(&input).await;
    let _ = tokio::fs::remove_file(&output).await;
    result
}
