//! The upload manager against devcloud and moto's S3 over loopback, with a real SQLite
//! library on disk: files sent in parts, followed to the end, paused and resumed from the
//! parts recorded, reconciled with what storage holds, refused in words.

use std::path::Path;
use std::time::Duration;

use strato_library::{Library, UploadState};
use strato_model::api::{Page, Upload, UploadDetails, UploadStatus, UploadedPart, Visibility};
use strato_sync::LibraryHandle;
use strato_sync::downloads::RetryPolicy;
use strato_sync::uploads::{UploadConfig, UploadEvent, UploadManager};
use strato_testkit::ffmpeg::make_audio_file;
use strato_testkit::{DevCloud, Moto, Relay};

mod support;
use support::{api_at, demo_api as api};

fn fast_config() -> UploadConfig {
    UploadConfig {
        retry: RetryPolicy {
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(50),
            ..RetryPolicy::default()
        },
        poll_interval: Duration::from_millis(100),
        ..UploadConfig::default()
    }
}

fn library(dir: &Path) -> LibraryHandle {
    LibraryHandle::new(Library::open(dir.join("library.sqlite3")).unwrap())
}

fn details(title: &str) -> UploadDetails {
    UploadDetails {
        title: Some(title.to_owned()),
        artist: Some("Sync Tests".to_owned()),
        ..UploadDetails::default()
    }
}

async fn server_uploads(api: &strato_cloud::ApiClient) -> Vec<Upload> {
    let page: Page<Upload> = api.uploads(None, 100).await.unwrap();
    page.items
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_are_sent_in_parts_and_followed_until_they_are_tracks() {
    let cloud = DevCloud::start(Moto::start()).await;
    let dir = tempfile::tempdir().unwrap();
    let api = api(&cloud).await;
    let manager = UploadManager::new(api.clone(), library(dir.path()), fast_config());
    let mut events = manager.subscribe();
    let long = make_audio_file(dir.path(), "long.wav", 125.0); // 22 MB: three parts
    let short = make_audio_file(dir.path(), "short.flac", 4.0);
    let first = manager
        .enqueue(&long, details("Long Take"), Visibility::Public)
        .await
        .unwrap();
    let second = manager
        .enqueue(&short, UploadDetails::default(), Visibility::Private)
        .await
        .unwrap();
    manager.run_until_idle().await;

    let rows = manager.uploads().await.unwrap();
    let states: Vec<UploadState> = rows.iter().map(|u| u.state).collect();
    assert_eq!(states, [UploadState::Ready, UploadState::Ready], "{rows:?}");
    let session = rows[0].session.clone().unwrap();
    assert_eq!(session.part_count, 3);
    let on_server = server_uploads(&api).await;
    assert_eq!(on_server.len(), 2, "one upload per file");
    let long_track = on_server
        .iter()
        .find(|u| u.id == session.upload_id)
        .and_then(|u| u.track.clone())
        .unwrap();
    assert_eq!(long_track.title, "Long Take");
    assert_eq!(long_track.artist_name, "Sync Tests");

    let mut progress = Vec::new();
    let mut ready = Vec::new();
    while let Ok(event) = events.try_recv() {
        match event {
            UploadEvent::Progress {
                local_id,
                bytes_sent,
                total,
            } if local_id == first.local_id => progress.push((bytes_sent, total)),
            UploadEvent::Ready { local_id, .. } => ready.push(local_id),
            _ => {}
        }
    }
    assert_eq!(
        progress.last(),
        Some(&(first.size, first.size)),
        "{progress:?}"
    );
    assert!(
        progress.windows(2).all(|w| w[0].0 <= w[1].0),
        "{progress:?}"
    );
    ready.sort();
    let mut expected = [first.local_id, second.local_id];
    expected.sort();
    assert_eq!(ready, expected, "each announced as ready once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paused_upload_resumes_from_its_parts_and_storage_is_the_truth() {
    let cloud = DevCloud::start(Moto::start()).await;
    let dir = tempfile::tempdir().unwrap();
    let api = api(&cloud).await;
    let handle = library(dir.path());
    let config = UploadConfig {
        part_concurrency: 1,
        ..fast_config()
    };
    let manager = UploadManager::new(api.clone(), handle.clone(), config);
    let mut events = manager.subscribe();
    let file = make_audio_file(dir.path(), "take.wav", 125.0);
    let queued = manager
        .enqueue(&file, details("Paused Take"), Visibility::Private)
        .await
        .unwrap();
    let worker = manager.spawn_worker();
    // Paused after the first part storage acknowledged.
    loop {
        if let Ok(UploadEvent::Progress { bytes_sent, .. }) = events.recv().await
            && bytes_sent > 0
        {
            manager.pause(&queued.local_id).await.unwrap();
            break;
        }
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    worker.abort();
    let id = queued.local_id.clone();
    let paused = handle
        .call(move |lib| lib.upload(&id))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(paused.state, UploadState::Paused);
    let id = queued.local_id.clone();
    let recorded = handle.call(move |lib| lib.upload_parts(&id)).await.unwrap();
    assert!(!recorded.is_empty() && recorded.len() < 3, "{recorded:?}");

    // A part recorded here that storage holds differently (a crash between the PUT of a
    // rewritten part and its record, say): completing is refused, and the part is sent again.
    let missing = (1..=3)
        .find(|n| recorded.iter().all(|p| p.part_number != *n))
        .unwrap();
    let (id, wrong) = (
        queued.local_id.clone(),
        UploadedPart {
            part_number: missing,
            etag: "\"0123456789abcdef0123456789abcdef\"".into(),
            size: 8 << 20,
        },
    );
    handle
        .call(move |lib| lib.record_upload_part(&id, &wrong))
        .await
        .unwrap();

    // A new manager, as after a restart, resumes.
    let manager = UploadManager::new(api.clone(), handle.clone(), fast_config());
    manager.resume(&queued.local_id).await.unwrap();
    manager.run_until_idle().await;
    let id = queued.local_id.clone();
    let done = handle
        .call(move |lib| lib.upload(&id))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(done.state, UploadState::Ready, "{:?}", done.last_error);
    let on_server = server_uploads(&api).await;
    assert_eq!(on_server.len(), 1, "resumed, not uploaded again");
    assert_eq!(on_server[0].status, UploadStatus::Ready);
    assert_eq!(on_server[0].id, done.session.unwrap().upload_id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_fail_an_upload_in_words() {
    let cloud = DevCloud::builder(Moto::start())
        .arg("upload-max-bytes", 2_000_000)
        .start()
        .await;
    let dir = tempfile::tempdir().unwrap();
    let api = api(&cloud).await;
    let manager = UploadManager::new(api.clone(), library(dir.path()), fast_config());
    let big = make_audio_file(dir.path(), "big.wav", 15.0); // 2.6 MB
    let changed = make_audio_file(dir.path(), "changed.flac", 3.0);
    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "not music").unwrap();
    for path in [&big, &changed, &notes] {
        manager
            .enqueue(path, UploadDetails::default(), Visibility::Private)
            .await
            .unwrap();
    }
    // Changed after it was chosen (a second later, so its time differs too).
    tokio::time::sleep(Duration::from_millis(1100)).await;
    std::fs::write(&changed, b"edited").unwrap();
    manager.run_until_idle().await;
    let messages: Vec<(UploadState, String)> = manager
        .uploads()
        .await
        .unwrap()
        .into_iter()
        .map(|u| (u.state, u.last_error.unwrap_or_default()))
        .collect();
    assert_eq!(
        messages,
        [
            (
                UploadState::Failed,
                "This file is 3 MB; the largest we take is 2 MB.".to_owned()
            ),
            (
                UploadState::Failed,
                "changed.flac changed since you chose it. Add it again to upload it as it is \
                 now."
                    .to_owned()
            ),
            (
                UploadState::Failed,
                "notes.txt is not a kind of file we take: MP3, FLAC, WAV, AIFF, AAC, ALAC, OGG \
                 Vorbis, Opus"
                    .to_owned()
            ),
        ]
    );
    assert!(server_uploads(&api).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_uploaded_track_is_edited_shared_found_and_deleted_through_the_client() {
    let cloud = DevCloud::start(Moto::start()).await;
    let dir = tempfile::tempdir().unwrap();
    let api = api(&cloud).await;
    let manager = UploadManager::new(api.clone(), library(dir.path()), fast_config());
    let file = make_audio_file(dir.path(), "shared.mp3", 4.0);
    manager
        .enqueue(&file, details("Shared Take"), Visibility::Private)
        .await
        .unwrap();
    manager.run_until_idle().await;
    let id = server_uploads(&api).await[0].id.clone();

    let cover = dir.path().join("cover.png");
    let made = std::process::Command::new("ffmpeg")
        .args([
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "color=c=green:s=64x64:d=1",
        ])
        .args(["-frames:v", "1"])
        .arg(&cover)
        .status()
        .unwrap();
    assert!(made.success());
    let covered = api
        .set_upload_cover(&id, std::fs::read(&cover).unwrap())
        .await
        .unwrap();
    let cover_path = covered.track.unwrap().cover_path.unwrap();
    assert!(cover_path.ends_with("-1.jpg"), "{cover_path}");
    let refused = api.set_upload_cover(&id, b"not an image".to_vec()).await;
    assert_eq!(
        refused.unwrap_err().kind(),
        strato_cloud::CloudErrorKind::InvalidInput
    );

    let patch = strato_model::api::UploadPatch {
        title: Some("Shared Take (edit)".into()),
        visibility: Some(Visibility::Public),
        ..strato_model::api::UploadPatch::default()
    };
    let edited = api.update_upload(&id, &patch).await.unwrap();
    assert_eq!(edited.visibility, Visibility::Public);
    let shared = api.explore_uploads(None, 10).await.unwrap();
    assert_eq!(shared.items[0].title, "Shared Take (edit)");
    let owner = shared.items[0].owner.clone().unwrap();
    let profile = api.listener_profile(&owner.id).await.unwrap();
    assert_eq!(profile.listener.name, owner.name);
    assert_eq!(profile.tracks.len(), 1);

    api.delete_upload(&id).await.unwrap();
    api.delete_upload(&id).await.unwrap(); // already gone: not an error
    assert!(
        api.explore_uploads(None, 10)
            .await
            .unwrap()
            .items
            .is_empty()
    );
    assert_eq!(
        api.track(&id).await.unwrap_err().kind(),
        strato_cloud::CloudErrorKind::NotFound
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_queued_while_the_service_cannot_be_reached_starts_when_it_can() {
    let cloud = DevCloud::start(Moto::start()).await;
    let dir = tempfile::tempdir().unwrap();
    // The app reaches the service through a network that can go away.
    let network = Relay::to(cloud.api_url()).await;
    let api = api_at(&cloud, &network.url).await;
    let manager = UploadManager::new(api.clone(), library(dir.path()), fast_config());
    let worker = manager.spawn_worker();
    network.cut(true);
    let file = make_audio_file(dir.path(), "queued.flac", 3.0);
    manager
        .enqueue(&file, details("Queued Offline"), Visibility::Private)
        .await
        .unwrap();
    let state = async || {
        let row = manager.uploads().await.unwrap().into_iter().next().unwrap();
        (row.state, row.last_error)
    };
    let waiting = (
        UploadState::Queued,
        Some("Waiting for the network.".to_owned()),
    );
    let mut waited = Duration::ZERO;
    while state().await != waiting {
        assert!(waited < Duration::from_secs(30), "{:?}", state().await);
        tokio::time::sleep(Duration::from_millis(100)).await;
        waited += Duration::from_millis(100);
    }

    // The network returns: it goes, once, by itself.
    network.cut(false);
    let mut waited = Duration::ZERO;
    while state().await.0 != UploadState::Ready {
        assert!(waited < Duration::from_secs(60), "{:?}", state().await);
        tokio::time::sleep(Duration::from_millis(200)).await;
        waited += Duration::from_millis(200);
    }
    worker.abort();
    let on_server = server_uploads(&api).await;
    assert_eq!(on_server.len(), 1, "sent once");
    assert_eq!(
        on_server[0].details.title.as_deref(),
        Some("Queued Offline")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn storage_lost_mid_upload_the_rest_goes_when_it_returns_once_and_whole() {
    let moto = Moto::start();
    // The app and the service reach storage through a network that can go away.
    let storage = Relay::to(moto.url()).await;
    let cloud = DevCloud::builder(moto)
        .arg("s3-endpoint", &storage.url)
        .start()
        .await;
    let dir = tempfile::tempdir().unwrap();
    let api = api(&cloud).await;
    let handle = library(dir.path());
    let config = UploadConfig {
        part_concurrency: 1,
        ..fast_config()
    };
    let manager = UploadManager::new(api.clone(), handle.clone(), config);
    let mut events = manager.subscribe();
    let file = make_audio_file(dir.path(), "long-take.wav", 125.0);
    let queued = manager
        .enqueue(&file, details("Long Take"), Visibility::Private)
        .await
        .unwrap();
    let worker = manager.spawn_worker();
    // Cut once storage acknowledged the first part.
    let first_part = async {
        loop {
            match events.recv().await {
                Ok(UploadEvent::Progress { bytes_sent, .. }) if bytes_sent > 0 => break,
                Err(tokio::sync::broadcast::error::RecvError::Closed) => {
                    panic!("the manager stopped before a part was sent")
                }
                _ => {}
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(60), first_part)
        .await
        .expect("a part sent within a minute");
    storage.cut(true);
    let row = async || {
        let id = queued.local_id.clone();
        handle
            .call(move |lib| lib.upload(&id))
            .await
            .unwrap()
            .unwrap()
    };
    let mut waited = Duration::ZERO;
    while row().await.last_error.as_deref() != Some("Waiting for the network.") {
        assert!(waited < Duration::from_secs(60), "{:?}", row().await);
        tokio::time::sleep(Duration::from_millis(100)).await;
        waited += Duration::from_millis(100);
    }
    let id = queued.local_id.clone();
    let sent_before = handle.call(move |lib| lib.upload_parts(&id)).await.unwrap();
    assert!(!sent_before.is_empty(), "the first part stays recorded");

    storage.cut(false);
    let mut waited = Duration::ZERO;
    while row().await.state != UploadState::Ready {
        let now = row().await;
        assert!(
            waited < Duration::from_secs(120) && now.state != UploadState::Failed,
            "{now:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
        waited += Duration::from_millis(200);
    }
    worker.abort();
    // One upload on the service, processed: its size and SHA-256 were checked there.
    let on_server = server_uploads(&api).await;
    assert_eq!(on_server.len(), 1, "resumed, not started again");
    assert_eq!(on_server[0].status, UploadStatus::Ready);
    assert_eq!(on_server[0].size, std::fs::metadata(&file).unwrap().len());
}
