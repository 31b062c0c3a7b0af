//! Loudness normalisation of tracks without `ReplayGain` (issue 19), end to end: real devcloud
//! and moto serving the demo media with its `ReplayGain` taken out of the catalog, the app's
//! player, a capturing sink. A track played in full is measured and kept in the library, and
//! played again it comes out at the listener's target, as the same meter (and ffmpeg, for the
//! measurement itself) hears it. A download is measured too, and an album whose tracks are
//! all measured gets an album loudness.

// Signal arithmetic on sample counts: the values are far inside f64's exact range.
#![allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]

mod engine_support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use engine_support::{
    CaptureSink, Captured, CatalogTrack, albums, app_with, catalog, high_quality,
};
use strato_audio::{ReplayGainMode, ReplayGainSettings};
use strato_core::{AppSettings, AudioOutput};
use strato_dsp::LoudnessMeter;
use strato_library::{Library, TrackLoudness};
use strato_model::ipc::OfflineTarget;
use strato_testkit::{DevCloud, Moto, media_dir};

/// The bound: the meter against ffmpeg, and the level heard against the target.
const MAX_LU_ERROR: f64 = 0.5;
/// The target the listener chose.
const TARGET_LUFS: f32 = -14.0;

/// The demo media, copied with every `ReplayGain` taken out of its catalog.
fn media_without_replay_gain() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(media_dir(), dir.path());
    let path = dir.path().join("catalog.json");
    let mut catalog: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    for list in ["tracks", "albums"] {
        for entry in catalog[list].as_array_mut().unwrap() {
            entry.as_object_mut().unwrap().remove("replaygain");
        }
    }
    std::fs::write(&path, serde_json::to_vec_pretty(&catalog).unwrap()).unwrap();
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Settings that normalise to [`TARGET_LUFS`], track by track, with the library in `data`.
fn normalising(api_url: &str, captured: &Arc<Mutex<Captured>>, data: &Path) -> AppSettings {
    let mut settings = AppSettings::new(
        api_url,
        AudioOutput::Custom(CaptureSink::factory(captured, false)),
    );
    settings.hls = high_quality();
    settings.data_dir = Some(data.to_owned());
    settings.replay_gain = ReplayGainSettings {
        mode: ReplayGainMode::Track,
        target_lufs: TARGET_LUFS,
        ..ReplayGainSettings::default()
    };
    settings
}

fn library_file(data: &Path) -> PathBuf {
    std::fs::read_dir(data)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .find(|path| path.extension().is_some_and(|e| e == "sqlite3"))
        .expect("the account's library file")
}

/// Waits until the library (read through a connection of its own) says `check`.
async fn library_until<T>(data: &Path, what: &str, check: impl Fn(&Library) -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(found) = check(&Library::open(library_file(data)).unwrap()) {
            return found;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// ffmpeg's integrated loudness of a file (its `ebur128` filter's Summary).
fn ffmpeg_lufs(file: &Path) -> f64 {
    let out = Command::new("ffmpeg")
        .args(["-nostats", "-hide_banner", "-i"])
        .arg(file)
        .args(["-af", "ebur128", "-f", "null", "-"])
        .output()
        .expect("ffmpeg runs");
    let text = String::from_utf8_lossy(&out.stderr);
    let summary = &text[text.rfind("Summary:").expect("a Summary")..];
    summary
        .lines()
        .find_map(|l| l.trim().strip_prefix("I:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .expect("an integrated loudness")
}

/// The integrated loudness of what the sink received in its stream `index`.
fn heard_lufs(captured: &Arc<Mutex<Captured>>, index: usize) -> f64 {
    let captured = captured.lock().unwrap();
    let (format, samples) = &captured.streams[index];
    let mut meter = LoudnessMeter::new(format.sample_rate, format.channels).unwrap();
    meter
        .add(samples, format.sample_rate, format.channels)
        .unwrap();
    f64::from(meter.loudness().expect("sound").integrated_lufs)
}

fn the_track(id: &str) -> CatalogTrack {
    catalog(media_dir())
        .into_iter()
        .find(|t| t.id == id)
        .unwrap()
}

#[tokio::test]
async fn a_track_played_whole_is_measured_kept_and_normalised_the_next_time() {
    let media = media_without_replay_gain();
    let cloud = DevCloud::builder(Moto::start())
        .media_dir(media.path())
        .start()
        .await;
    let data = tempfile::tempdir().unwrap();
    let captured = Arc::new(Mutex::new(Captured::default()));
    let (app, events) = app_with(
        normalising(cloud.api_url(), &captured, data.path()),
        cloud.api_url(),
    )
    .await;
    // A loud one (its tags, now gone, said -7.5 dB to -18 LUFS): about -10.5 LUFS.
    let track = the_track("tr-drift-ice");
    let source_lufs = ffmpeg_lufs(&track.reference);

    // First play: nothing known, so it plays as it is, and is measured on the way.
    app.play_queue(vec![track.id.clone()], 0).await.unwrap();
    let ended = events.wait_ended(Duration::from_secs(60)).await;
    assert!(ended.error.is_none(), "{:?}", ended.error);
    let first = heard_lufs(&captured, 0);
    assert!(
        (first - source_lufs).abs() < MAX_LU_ERROR,
        "unmeasured, it plays as mastered: {first:.2} LUFS, the source {source_lufs:.2}"
    );
    let kept: TrackLoudness = library_until(data.path(), "the measurement to be kept", |lib| {
        lib.track_loudness(&track.id).unwrap()
    })
    .await;
    let error = f64::from(kept.integrated_lufs) - source_lufs;
    eprintln!(
        "{}: measured while playing {:.2} LUFS (ffmpeg on the source: {source_lufs:.2}, \
         {error:+.2} LU), true peak {:.2} dBTP, {:.1} s",
        track.id,
        kept.integrated_lufs,
        20.0 * kept.true_peak.log10(),
        kept.seconds
    );
    assert!(error.abs() < MAX_LU_ERROR, "{error:+.2} LU");
    let expected_seconds = track.total_samples as f32 / track.sample_rate as f32;
    assert!((kept.seconds - expected_seconds).abs() < 0.1, "{kept:?}");

    // Second play: it carries its loudness, and comes out at the target.
    // (Queued, the status says Loading at once: the first play's end is behind it.)
    app.play_queue(vec![track.id.clone()], 0).await.unwrap();
    let ended = events.wait_ended(Duration::from_secs(60)).await;
    assert!(ended.error.is_none(), "{:?}", ended.error);
    let streams = captured.lock().unwrap().streams.len();
    let second = heard_lufs(&captured, streams - 1);
    eprintln!(
        "{}: heard at {first:.2} LUFS unmeasured, then {second:.2} LUFS (target {TARGET_LUFS})",
        track.id
    );
    assert!(
        (second - f64::from(TARGET_LUFS)).abs() < MAX_LU_ERROR,
        "normalised: {second:.2} LUFS, the target {TARGET_LUFS}"
    );
}

#[tokio::test]
async fn a_download_is_measured_and_a_whole_album_gets_an_album_loudness() {
    let media = media_without_replay_gain();
    let cloud = DevCloud::builder(Moto::start())
        .media_dir(media.path())
        .start()
        .await;
    let data = tempfile::tempdir().unwrap();
    let captured = Arc::new(Mutex::new(Captured::default()));
    let (app, _events) = app_with(
        normalising(cloud.api_url(), &captured, data.path()),
        cloud.api_url(),
    )
    .await;
    let album = albums(&["al-lanterns-over-water"]);
    app.set_offline(OfflineTarget::Album("al-lanterns-over-water".into()), true)
        .await
        .unwrap();
    let ids: Vec<String> = album.iter().map(|t| t.id.clone()).collect();
    let known = library_until(data.path(), "every download to be measured", |lib| {
        let known = lib.known_loudness(&ids).unwrap();
        (known.len() == ids.len()).then_some(known)
    })
    .await;
    // Nothing was played: these came from the downloads.
    assert!(captured.lock().unwrap().streams.is_empty());
    for track in &album {
        let source = ffmpeg_lufs(&track.reference);
        let measured = known[&track.id].track;
        let error = f64::from(measured.integrated_lufs) - source;
        eprintln!(
            "{}: measured from its download {:.2} LUFS (ffmpeg on the source {source:.2}, {error:+.2} LU)",
            track.id, measured.integrated_lufs
        );
        assert!(error.abs() < MAX_LU_ERROR, "{}: {error:+.2} LU", track.id);
    }
    // The album's loudness: the tracks' energy mean by duration, their highest peak.
    let whole = known[&ids[0]]
        .album
        .expect("the album, every track measured");
    let tracks: Vec<TrackLoudness> = ids.iter().map(|id| known[id].track).collect();
    let seconds: f64 = tracks.iter().map(|t| f64::from(t.seconds)).sum();
    let energy: f64 = tracks
        .iter()
        .map(|t| f64::from(t.seconds) * 10_f64.powf(f64::from(t.integrated_lufs) / 10.0))
        .sum();
    let expected = 10.0 * (energy / seconds).log10();
    assert!((f64::from(whole.integrated_lufs) - expected).abs() < 0.01);
    let loudest = tracks.iter().map(|t| t.true_peak).fold(0.0, f32::max);
    assert!((whole.true_peak - loudest).abs() < f32::EPSILON);
    // Against ffmpeg measuring the album as one programme.
    let list = data.path().join("album.txt");
    let names: Vec<String> = album
        .iter()
        .map(|t| format!("file '{}'", t.reference.display()))
        .collect();
    std::fs::write(&list, names.join("\n")).unwrap();
    let joined = data.path().join("album.flac");
    let made = Command::new("ffmpeg")
        .args([
            "-hide_banner",
            "-loglevel",
            "error",
            "-f",
            "concat",
            "-safe",
            "0",
            "-i",
        ])
        .arg(&list)
        .arg(&joined)
        .status()
        .unwrap();
    assert!(made.success());
    let programme = ffmpeg_lufs(&joined);
    eprintln!(
        "the album: {:.2} LUFS from its tracks, {programme:.2} LUFS measured as one by ffmpeg",
        whole.integrated_lufs
    );
    assert!((f64::from(whole.integrated_lufs) - programme).abs() < MAX_LU_ERROR);
}
