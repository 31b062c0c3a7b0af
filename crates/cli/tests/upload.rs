//! `strato upload` as a listener (or a script) runs it, against devcloud and moto's S3, and
//! killed with SIGKILL at random points (seeded, replayable with `STRATO_TEST_SEED`), in the
//! style of `scripts/stress`: run again, it goes on from the parts its journal recorded, and
//! the file ends as one track on the service, its checksum verified there end to end.

// SIGKILL is a Unix notion; the resuming itself is tested everywhere in strato-sync.
#![cfg(unix)]

mod support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng as _};
use strato_testkit::ffmpeg::make_audio_file;
use strato_testkit::test_seed;
use strato_testkit::{DevCloud, Moto};
use support::run;

/// Kills before the command is left to finish.
const KILLS: usize = 4;

fn strato(cloud: &DevCloud, data_dir: &Path) -> Command {
    let ready = cloud.config();
    let mut command = Command::new(env!("CARGO_BIN_EXE_strato-cli"));
    command
        .env("STRATO_SERVICE_URL", cloud.api_url())
        .env("STRATO_USERNAME", ready.demo_username.as_deref().unwrap())
        .env("STRATO_PASSWORD", ready.demo_password.as_deref().unwrap())
        .env("STRATO_DATA_DIR", data_dir)
        .env_remove("STRATO_ALLOW_INSECURE_SERVICE");
    command
}

/// Parts the journal recorded for the one upload of the account's library, if it exists yet.
fn parts_recorded(data_dir: &Path) -> Option<usize> {
    let file = std::fs::read_dir(data_dir)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "sqlite3"))?;
    let library = strato_library::Library::open(file).ok()?;
    let upload = library.uploads().ok()?.into_iter().next()?;
    library.upload_parts(&upload.local_id).ok().map(|p| p.len())
}

/// Whether the journal holds the upload as done: a track on the service, ready.
fn recorded_ready(data_dir: &Path) -> bool {
    let Some(file) = std::fs::read_dir(data_dir).ok().and_then(|entries| {
        entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|e| e == "sqlite3"))
    }) else {
        return false;
    };
    strato_library::Library::open(file)
        .ok()
        .and_then(|library| library.uploads().ok())
        .and_then(|uploads| uploads.into_iter().next())
        .is_some_and(|upload| upload.state == strato_library::UploadState::Ready)
}

async fn uploads_on_service(cloud: &DevCloud) -> Vec<serde_json::Value> {
    let token = cloud.demo_access_token().await;
    let page: serde_json::Value = cloud
        .http()
        .get(format!("{}/v1/uploads", cloud.api_url()))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    page["items"].as_array().cloned().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_killed_at_random_points_finishes_once_when_run_again() {
    let mut rng = StdRng::seed_from_u64(test_seed("upload_killed_at_random_points"));
    let cloud = DevCloud::start(Moto::start()).await;
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    // 150 s of WAV, 26 MB: four parts.
    let file = make_audio_file(dir.path(), "Session Take.wav", 150.0);

    // A run may finish the upload before its kill comes (a random point after the end), or be
    // killed once its journal holds the track as ready but before it exits: then there is
    // nothing left to resume, and a run after it would upload the file again on purpose, a
    // second track (as the end of this test shows).
    let mut finished_early = None;
    for kill in 0..KILLS {
        let mut child = strato(&cloud, &data_dir)
            .args(["upload", "--public"])
            .arg(&file)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // The first run is killed once a part is recorded (so a resume is certain), the
        // others at random points: during sign-in, hashing, announcing, sending, processing.
        let after = Duration::from_millis(rng.gen_range(200..2_500));
        let started = Instant::now();
        loop {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            let due = if kill == 0 {
                parts_recorded(&data_dir).is_some_and(|n| n > 0)
                    || started.elapsed() > Duration::from_secs(60)
            } else {
                started.elapsed() >= after
            };
            if due {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let exited = child.try_wait().unwrap();
        let finished = exited.is_some();
        child.kill().ok();
        child.wait().unwrap();
        let parts = parts_recorded(&data_dir);
        println!(
            "run {kill}: killed after {:?} (finished first: {finished}); parts recorded: {parts:?}",
            started.elapsed()
        );
        if kill == 0 {
            assert!(
                parts.is_some_and(|n| (1..4).contains(&n)),
                "the first run was killed mid-upload: {parts:?}"
            );
        }
        if exited.is_some_and(|status| status.success()) || recorded_ready(&data_dir) {
            finished_early = Some(kill);
            break;
        }
    }
    let track_id = if let Some(early) = finished_early {
        println!("run {early} finished the upload: nothing left to resume");
        let uploads = uploads_on_service(&cloud).await;
        uploads[0]["id"].as_str().unwrap_or_default().to_owned()
    } else {
        let done = run(strato(&cloud, &data_dir)
            .args(["upload", "--public"])
            .arg(&file));
        assert_eq!(done.code, Some(0), "{done:?}");
        done.stdout.split('\t').next().unwrap().to_owned()
    };
    assert!(track_id.starts_with("up-"), "{track_id:?}");

    let uploads = uploads_on_service(&cloud).await;
    assert_eq!(uploads.len(), 1, "one upload for one file: {uploads:#?}");
    assert_eq!(uploads[0]["id"], track_id.as_str());
    assert_eq!(uploads[0]["status"], "ready", "{:#?}", uploads[0]);
    assert_eq!(uploads[0]["visibility"], "public");
    assert_eq!(uploads[0]["track"]["title"], "Session Take");

    // Run again: nothing is sent twice, the track is the same.
    let again = run(strato(&cloud, &data_dir)
        .args(["upload", "--public"])
        .arg(&file));
    assert_eq!(again.code, Some(0), "{again:?}");
    assert_eq!(
        uploads_on_service(&cloud).await.len(),
        2,
        "a finished file uploaded again on purpose is a new track"
    );
}

#[test]
fn files_the_service_does_not_take_are_skipped_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "not music").unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let cloud = runtime.block_on(DevCloud::start(Moto::start()));
    let skipped = run(strato(&cloud, &dir.path().join("data"))
        .arg("upload")
        .arg(&notes));
    assert_eq!(skipped.code, Some(1), "{skipped:?}");
    assert!(
        skipped
            .stderr
            .contains("skipped: notes.txt is not a kind of file Strato uploads."),
        "{skipped:?}"
    );
    assert!(skipped.stderr.contains("nothing to upload"), "{skipped:?}");
}
