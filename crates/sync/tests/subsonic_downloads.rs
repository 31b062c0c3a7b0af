//! The download manager with a Subsonic server as its source (the `SubsonicClient`), against
//! devcloud's `/rest/` over loopback and a real SQLite library: a download broken midway goes
//! on with a range from the bytes on disk and ends as the server's file, checked by the size
//! the server lists (it gives no checksum); a song the server does not have fails as
//! unavailable, and the availability check, a `getSong` per track, removes its record and
//! keeps the rest; the check asks about a bounded number of tracks each time, the longest
//! unasked first, and stops at the first failure (counted in devcloud's access log); the
//! download quality chooses between the original (`download`) and a copy at a bit rate
//! (`stream` with `maxBitRate`).

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::Value;
use strato_library::{DownloadState, Library};
use strato_model::api::DownloadQuality;
use strato_sync::LibraryHandle;
use strato_sync::downloads::{
    DownloadConfig, DownloadErrorKind, DownloadEvent, DownloadManager, RetryPolicy,
};
use strato_testkit::{FaultRule, FaultTarget, media_dir};
use tokio::sync::broadcast;

mod subsonic_support;
use subsonic_support::{ALICE, ALICE_PASSWORD, devcloud, signed_in, songs};

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
        // The original, as the server keeps it.
        quality: DownloadQuality::High,
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

/// The ids of every `getSong` devcloud's access log holds, in order.
fn songs_asked(cloud: &strato_testkit::DevCloud) -> Vec<String> {
    let log = std::fs::read_to_string(cloud.log_path()).unwrap();
    log.lines()
        .filter(|line| line.contains("devcloud::access") && line.contains("/rest/getSong"))
        .filter_map(|line| {
            let query = line.split(" query=").nth(1)?.split_whitespace().next()?;
            let id = query.split('&').find_map(|pair| pair.strip_prefix("id="))?;
            Some(id.to_owned())
        })
        .collect()
}

/// The `getSong`s after the first `before`, once at least `at_least` are logged (a request is
/// logged as its answer ends, a moment after the client has it).
async fn asked_since(
    cloud: &strato_testkit::DevCloud,
    before: usize,
    at_least: usize,
) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let asked = songs_asked(cloud).split_off(before);
        if asked.len() >= at_least || Instant::now() > deadline {
            return asked;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// What one availability check asks about at most (the Subsonic source's bound).
const PER_CHECK: usize = 60;

#[tokio::test]
async fn the_availability_check_asks_about_a_bounded_number_the_longest_unasked_first() {
    let cloud = devcloud().await;
    let client = signed_in(&cloud.subsonic_url(), ALICE, ALICE_PASSWORD).await;
    let temp = tempfile::tempdir().unwrap();
    let library = LibraryHandle::new(Library::open(temp.path().join("lib.sqlite3")).unwrap());
    // No worker: the downloads stay queued, and only the check asks the server anything.
    let manager = DownloadManager::new(
        client.clone(),
        library.clone(),
        temp.path().join("dl"),
        fast_config(),
    )
    .unwrap();
    let kept = songs(&client, 10).await;
    let gone: Vec<String> = (0..140).map(|n| format!("gone-{n:03}")).collect();
    manager.enqueue(&kept, true).await.unwrap();
    manager.enqueue(&gone, true).await.unwrap();
    let everything: HashSet<String> = kept.iter().chain(&gone).cloned().collect();

    let mut asked_before: HashSet<String> = HashSet::new();
    for check in 1..=3 {
        let expected = PER_CHECK;
        let before = songs_asked(&cloud).len();
        let removed = manager.remove_unavailable(true).await.unwrap();
        let asked = asked_since(&cloud, before, expected).await;
        let distinct: HashSet<String> = asked.iter().cloned().collect();
        assert_eq!(
            (asked.len(), distinct.len()),
            (expected, expected),
            "check {check} asks about {expected} tracks, each once: {asked:?}"
        );
        // None asked again while another was never asked: the third check asks about the
        // last 30 never asked, then 30 of those asked longest ago (the marks of tracks
        // gone, which are asked about too, so one that comes back loses its mark).
        let never_asked: HashSet<String> = everything.difference(&asked_before).cloned().collect();
        if never_asked.len() >= expected {
            assert!(
                distinct.is_disjoint(&asked_before),
                "check {check}: {asked:?}"
            );
        } else {
            assert!(
                distinct.is_superset(&never_asked),
                "check {check}: {asked:?}"
            );
        }
        let mut gone_asked: Vec<String> = asked
            .iter()
            // Those still kept: the rest went at an earlier check.
            .filter(|id| id.starts_with("gone-") && !asked_before.contains(*id))
            .cloned()
            .collect();
        gone_asked.sort();
        let mut removed_ids = removed.track_ids.clone();
        removed_ids.sort();
        assert_eq!(
            removed_ids, gone_asked,
            "check {check} removes what it found gone"
        );
        asked_before.extend(distinct);
    }
    assert_eq!(asked_before, everything, "every track asked about");
    let left: HashSet<String> = library
        .blocking(|lib| lib.downloads())
        .unwrap()
        .into_iter()
        .map(|row| row.track_id)
        .collect();
    assert_eq!(left, kept.iter().cloned().collect::<HashSet<_>>());

    // A server that fails: the check stops at once, no more than the few in flight.
    cloud
        .add_fault(&FaultRule {
            error_rate: Some(1.0),
            error_status: Some(503),
            ..FaultRule::new("/rest/getSong*").on(FaultTarget::Api)
        })
        .await;
    let before = songs_asked(&cloud).len();
    manager.remove_unavailable(true).await.unwrap_err();
    let asked = asked_since(&cloud, before, 1).await;
    assert!(
        !asked.is_empty() && asked.len() <= 4,
        "the first failure ends the check: {asked:?}"
    );
    let rows = library.blocking(|lib| lib.downloads()).unwrap();
    assert_eq!(rows.len(), kept.len(), "nothing removed on no answer");
}

/// The `/rest/download` and `/rest/stream` requests devcloud's access log holds, as
/// `(path, query)`, the query without its secrets.
fn file_requests(cloud: &strato_testkit::DevCloud) -> Vec<(String, String)> {
    let log = std::fs::read_to_string(cloud.log_path()).unwrap();
    log.lines()
        .filter(|line| line.contains("devcloud::access"))
        .filter_map(|line| {
            let path = line.split(" path=").nth(1)?.split_whitespace().next()?;
            let query = line.split(" query=").nth(1)?.split_whitespace().next()?;
            (path.starts_with("/rest/download") || path.starts_with("/rest/stream"))
                .then(|| (path.to_owned(), query.to_owned()))
        })
        .collect()
}

#[tokio::test]
async fn the_download_quality_chooses_the_original_or_a_copy_at_a_bit_rate() {
    let cloud = devcloud().await;
    let client = signed_in(&cloud.subsonic_url(), ALICE, ALICE_PASSWORD).await;
    let (song, original, _) = first_song();
    // devcloud's `stream` under 192 kbit/s sends its 96 kbit/s rendition.
    let text = std::fs::read_to_string(media_dir().join("catalog.json")).unwrap();
    let json: Value = serde_json::from_str(&text).unwrap();
    let low = media_dir().join(json["tracks"][0]["mp3"]["low"]["path"].as_str().unwrap());

    for (quality, asked, limit, kept) in [
        (DownloadQuality::Normal, "/rest/stream", Some("160"), &low),
        (DownloadQuality::Low, "/rest/stream", Some("96"), &low),
        (DownloadQuality::High, "/rest/download", None, &original),
    ] {
        let temp = tempfile::tempdir().unwrap();
        let library = LibraryHandle::new(Library::open(temp.path().join("lib.sqlite3")).unwrap());
        let manager = DownloadManager::new(
            client.clone(),
            library.clone(),
            temp.path().join("dl"),
            DownloadConfig {
                quality,
                ..fast_config()
            },
        )
        .unwrap();
        let before = file_requests(&cloud).len();
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
        assert_eq!(row.state, DownloadState::Complete, "{quality:?}: {row:?}");
        assert!(
            std::fs::read(row.path.unwrap()).unwrap() == std::fs::read(kept).unwrap(),
            "{quality:?} keeps {}",
            kept.display()
        );
        let requests = asked_since_of(&cloud, before).await;
        assert_eq!(
            requests.len(),
            1,
            "{quality:?}: one fetch of the file: {requests:?}"
        );
        let (path, query) = &requests[0];
        assert!(path.starts_with(asked), "{quality:?}: {requests:?}");
        let max_bit_rate = query
            .split('&')
            .find_map(|pair| pair.strip_prefix("maxBitRate="));
        assert_eq!(max_bit_rate, limit, "{quality:?}: {requests:?}");
    }
}

/// The file requests after the first `before`, once one is logged (a request is logged as
/// its answer ends, a moment after the client has it).
async fn asked_since_of(cloud: &strato_testkit::DevCloud, before: usize) -> Vec<(String, String)> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let asked = file_requests(cloud).split_off(before);
        if !asked.is_empty() || Instant::now() > deadline {
            return asked;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
