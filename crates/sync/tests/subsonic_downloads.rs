//! The download manager with a Subsonic server as its source (the `SubsonicClient`), against
//! devcloud's `/rest/` over loopback and a real SQLite library: a download broken midway goes
//! on with a range from the bytes on disk and ends as the server's file, checked by the size
//! the server lists (it gives no checksum); a song the server does not have fails as
//! unavailable, and the availability check, a `getSong` per track, removes its record and
//! keeps the rest.

use std::path::PathBuf;
use std::time::Duration;

use serde_json::Value;
use strato_library::{DownloadState, Library};
use strato_sync::LibraryHandle;
use strato_sync::downloads::{
    DownloadConfig, DownloadErrorKind, DownloadEvent, DownloadManager, RetryPolicy,
};
use strato_testkit::{FaultRule, FaultTarget, media_dir};
use tokio::sync::broadcast;

mod subsonic_support;
use subsonic_support::{ALICE, ALICE_PASSWORD, devcloud, signed_in};

/// The first catalog track's id and the file `/rest/download` sends for it (devcloud's
/// original: the 192 kbit/s MP3), with its size.
fn first_song() -> (String, PathBuf, u64) {
    let text = std::fs::read_to_string(media_dir().join("catalog.json")).unwrap();
    let json: Value = serde_json::from_str(&text).unwrap();
    let track = &json["tracks"][0];
    let cbr = &track["mp3"]["cbr"];
    (
        track["id"].as_str().unwrap().to_owned(),
        media_dir().join(cbr["path"].as_str().unwrap()),
        cbr["size"].as_u64().unwrap(),
    )
}

fn fast_config() -> DownloadConfig {
    DownloadConfig {
        retry: RetryPolicy {
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(50),
            stall_timeout: Duration::from_secs(10),
            ..RetryPolicy::default()
        },
        ..DownloadConfig::default()
    }
}

fn drain(events: &mut broadcast::Receiver<DownloadEvent>) -> Vec<DownloadEvent> {
    std::iter::from_fn(|| events.try_recv().ok()).collect()
}

#[tokio::test]
async fn a_subsonic_download_broken_midway_resumes_and_is_the_servers_file() {
    let cloud = devcloud().await;
    let client = signed_in(&cloud.subsonic_url(), ALICE, ALICE_PASSWORD).await;
    let (song, original, size) = first_song();
    cloud
        .add_fault(&FaultRule {
            drop_after_bytes: Some(size / 3),
            times: Some(1),
            ..FaultRule::new("/rest/download*").on(FaultTarget::Api)
        })
        .await;
    let temp = tempfile::tempdir().unwrap();
    let library = LibraryHandle::new(Library::open(temp.path().join("lib.sqlite3")).unwrap());
    let manager = DownloadManager::new(
        client,
        library.clone(),
        temp.path().join("dl"),
        fast_config(),
    )
    .unwrap();
    let mut events = manager.subscribe();
    manager
        .enqueue(std::slice::from_ref(&song), true)
        .await
        .unwrap();
    manager.run_until_idle().await.unwrap();

    let id = song.clone();
    let row = library
        .blocking(move |lib| lib.download(&id))
        .unwrap()
        .unwrap();
    assert_eq!(row.state, DownloadState::Complete, "{row:?}");
    // Promised by its size alone; the checksum is the one measured.
    assert_eq!(
        (row.expected_size, row.expected_sha256.as_deref()),
        (Some(size), None)
    );
    assert_eq!(row.size, Some(size));
    let path = row.path.unwrap();
    assert_eq!(path, temp.path().join("dl").join(format!("{song}.mp3")));
    assert!(
        std::fs::read(&path).unwrap() == std::fs::read(&original).unwrap(),
        "the kept file is the server's"
    );
    let events = drain(&mut events);
    assert!(
        events
            .iter()
            .any(|e| matches!(e, DownloadEvent::Retrying { .. })),
        "{events:?}"
    );
    // The second request asked for the rest only.
    let log = std::fs::read_to_string(cloud.log_path()).unwrap();
    let statuses: Vec<&str> = log
        .lines()
        .filter(|line| line.contains("devcloud::access") && line.contains("/rest/download"))
        .filter_map(|line| line.split("status=").nth(1)?.split_whitespace().next())
        .collect();
    assert_eq!(statuses.last(), Some(&"206"), "{statuses:?}");
}

#[tokio::test]
async fn a_song_the_server_lacks_fails_as_unavailable_and_the_check_removes_its_record() {
    let cloud = devcloud().await;
    let client = signed_in(&cloud.subsonic_url(), ALICE, ALICE_PASSWORD).await;
    let (song, _, _) = first_song();
    let temp = tempfile::tempdir().unwrap();
    let library = LibraryHandle::new(Library::open(temp.path().join("lib.sqlite3")).unwrap());
    let manager = DownloadManager::new(
        client,
        library.clone(),
        temp.path().join("dl"),
        fast_config(),
    )
    .unwrap();
    let mut events = manager.subscribe();
    let wanted = vec![song.clone(), "no-such-song".to_owned()];
    manager.enqueue(&wanted, true).await.unwrap();
    manager.run_until_idle().await.unwrap();
    let failed: Vec<(String, DownloadErrorKind, String)> = drain(&mut events)
        .into_iter()
        .filter_map(|event| match event {
            DownloadEvent::Failed {
                track_id,
                kind,
                message,
            } => Some((track_id, kind, message)),
            _ => None,
        })
        .collect();
    assert_eq!(failed.len(), 1, "{failed:?}");
    let (track_id, kind, message) = &failed[0];
    assert_eq!(
        (track_id.as_str(), *kind),
        ("no-such-song", DownloadErrorKind::Unavailable)
    );
    assert!(message.contains("no longer available"), "{message}");

    let removed = manager.remove_unavailable(true).await.unwrap();
    assert_eq!(removed.track_ids, ["no-such-song"]);
    let rows = library.blocking(|lib| lib.downloads()).unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(
        (rows[0].track_id.as_str(), rows[0].state),
        (song.as_str(), DownloadState::Complete)
    );
}
