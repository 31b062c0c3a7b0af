//! Queue, history, downloads, cursors, and that closing and reopening keeps all of it.

use std::path::Path;

use strato_library::{DownloadState, ErrorKind, PlayQueue, QueueEntryRow, VerifiedFile};

use crate::support::{Fixture, item_ids, track};

const SHA_A: &str = "2CF24DBA5FB0A30E26E83B2AC5B9E29E1B161E5C1FA7425E73043362938B9824";
const SHA_B: &str = "486ea46224d1bb4fb680f34f7c9ad96a8f24ec88be73ea8e5a6c65260e9cb8a7";

/// A queue of `track_ids` in play order, entries numbered from 1, shuffle and repeat off.
fn queue_of(track_ids: Vec<String>, current_index: Option<usize>, position_ms: u64) -> PlayQueue {
    PlayQueue {
        entries: track_ids
            .into_iter()
            .zip(1..)
            .map(|(track_id, entry_id)| QueueEntryRow {
                entry_id,
                track_id,
                queued: false,
            })
            .collect(),
        current_index,
        position_ms,
        ..PlayQueue::default()
    }
}

#[test]
fn queue_restores_after_reopen() {
    let fixture = Fixture::new();
    let queue = queue_of(
        (0..500).map(|i| format!("t{}", i % 50)).collect(),
        Some(321),
        93_250,
    );
    {
        let mut library = fixture.open();
        assert_eq!(library.restore_queue().unwrap(), None);
        library.save_queue(&queue).unwrap();
        library.save_queue_position(Some(322), 1_500).unwrap();
    }
    let mut library = fixture.open();
    let restored = library.restore_queue().unwrap().unwrap();
    assert_eq!(restored.entries, queue.entries);
    assert_eq!(
        (restored.current_index, restored.position_ms),
        (Some(322), 1_500)
    );
    // A shorter queue replaces it whole; an empty one has no current track.
    library.save_queue(&PlayQueue::default()).unwrap();
    assert_eq!(library.restore_queue().unwrap(), Some(PlayQueue::default()));
    let error = library
        .save_queue(&queue_of(vec!["a".into()], Some(1), 0))
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Invalid);
    fixture.check(library);
}

#[test]
fn downloads_complete_only_when_verified() {
    let fixture = Fixture::new();
    let mut library = fixture.open();
    let queued = library.request_download("t1", false).unwrap();
    assert_eq!(queued.state, DownloadState::Queued);
    // Not started: there is no promise to check against.
    let file = VerifiedFile {
        size: 1_000,
        sha256: SHA_A.into(),
    };
    assert_eq!(
        library.complete_download("t1", &file).unwrap_err().kind(),
        ErrorKind::DownloadMismatch
    );

    let path = Path::new("/music/t1.mp3");
    library
        .start_download("t1", path, 1_000, Some(SHA_A))
        .unwrap();
    library.record_download_progress("t1", 400).unwrap();
    // Resuming the same file with the same promise keeps the progress.
    let resumed = library
        .start_download("t1", path, 1_000, Some(SHA_A))
        .unwrap();
    assert_eq!(
        (resumed.state, resumed.bytes_done),
        (DownloadState::Downloading, 400)
    );

    let wrong = VerifiedFile {
        size: 1_000,
        sha256: SHA_B.into(),
    };
    let error = library.complete_download("t1", &wrong).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::DownloadMismatch);
    let failed = library.download("t1").unwrap().unwrap();
    assert_eq!(failed.state, DownloadState::Failed);
    assert!(failed.last_error.unwrap().contains("SHA-256"));

    let restarted = library
        .start_download("t1", path, 1_000, Some(SHA_A))
        .unwrap();
    assert_eq!(restarted.bytes_done, 400);
    let short = VerifiedFile {
        size: 999,
        sha256: SHA_A.into(),
    };
    assert!(library.complete_download("t1", &short).is_err());
    library
        .start_download("t1", path, 1_000, Some(SHA_A))
        .unwrap();
    let done = library.complete_download("t1", &file).unwrap();
    assert_eq!(done.state, DownloadState::Complete);
    assert_eq!((done.size, done.bytes_done), (Some(1_000), 1_000));
    assert_eq!(
        done.sha256.as_deref(),
        Some(SHA_A.to_ascii_lowercase().as_str())
    );

    // A verified download cannot be failed; an unknown one is not found.
    assert_eq!(
        library.fail_download("t1", "x").unwrap_err().kind(),
        ErrorKind::Invalid
    );
    assert_eq!(
        library
            .record_download_progress("nope", 1)
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );

    // The schema itself refuses a complete row that was not verified.
    let forged = fixture.raw().execute(
        "INSERT INTO downloads (track_id, state, path, bytes_done, requested_at, completed_at) \
         VALUES ('t2', 'complete', '/x', 0, 0, 0)",
        [],
    );
    assert!(forged.is_err());
    assert!(
        library
            .start_download("t1", path, 1, Some("not hex"))
            .is_err()
    );
    fixture.check(library);
}

#[test]
fn a_promise_of_the_size_alone_checks_the_size_and_keeps_the_measured_checksum() {
    let fixture = Fixture::new();
    let mut library = fixture.open();
    library.request_download("s1", true).unwrap();
    let path = Path::new("/music/s1.flac");
    let started = library.start_download("s1", path, 2_000, None).unwrap();
    assert_eq!(
        (started.expected_size, started.expected_sha256),
        (Some(2_000), None)
    );
    library.record_download_progress("s1", 700).unwrap();
    // The same promise again (a resume) keeps the progress.
    let resumed = library.start_download("s1", path, 2_000, None).unwrap();
    assert_eq!(resumed.bytes_done, 700);

    let short = VerifiedFile {
        size: 1_999,
        sha256: SHA_B.into(),
    };
    let error = library.complete_download("s1", &short).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::DownloadMismatch);
    let failed = library.download("s1").unwrap().unwrap();
    assert!(
        failed.last_error.as_deref().unwrap().contains("1999 bytes"),
        "{failed:?}"
    );

    library.start_download("s1", path, 2_000, None).unwrap();
    let measured = VerifiedFile {
        size: 2_000,
        sha256: SHA_B.into(),
    };
    let done = library.complete_download("s1", &measured).unwrap();
    assert_eq!(done.state, DownloadState::Complete);
    assert_eq!(done.sha256.as_deref(), Some(SHA_B));
    assert_eq!(done.path.as_deref(), Some(path));

    // The schema still refuses a complete row whose size is not the one promised.
    let forged = fixture.raw().execute(
        "UPDATE downloads SET size = 1999, bytes_done = 1999 WHERE track_id = 's1'",
        [],
    );
    assert!(forged.is_err());
    fixture.check(library);
}

#[test]
fn eviction_prefers_unplayed_then_least_recently_played_and_skips_pinned() {
    let fixture = Fixture::new();
    let mut library = fixture.open();
    for (track_id, pinned) in [
        ("old", false),
        ("fresh", false),
        ("never", false),
        ("kept", true),
    ] {
        library.request_download(track_id, pinned).unwrap();
        library
            .start_download(
                track_id,
                Path::new(&format!("/m/{track_id}")),
                10,
                Some(SHA_A),
            )
            .unwrap();
        library
            .complete_download(
                track_id,
                &VerifiedFile {
                    size: 10,
                    sha256: SHA_A.into(),
                },
            )
            .unwrap();
    }
    library.request_download("pending", false).unwrap();
    library.record_play("old", 1_000, 60_000).unwrap();
    library.record_play("fresh", 5_000, 60_000).unwrap();
    library.record_play("kept", 100, 60_000).unwrap();
    let order: Vec<String> = library
        .eviction_candidates(10)
        .unwrap()
        .into_iter()
        .map(|d| d.track_id)
        .collect();
    assert_eq!(order, ["never", "old", "fresh"]);
    assert_eq!(
        library.download("old").unwrap().unwrap().last_played_at,
        Some(1_000)
    );
    library.set_download_pinned("fresh", true).unwrap();
    assert_eq!(library.eviction_candidates(10).unwrap().len(), 2);
    library.remove_download("never").unwrap();
    assert_eq!(library.downloads().unwrap().len(), 4);
    fixture.check(library);
}

#[test]
fn reopening_keeps_everything() {
    let fixture = Fixture::new();
    let playlist_id;
    let order;
    {
        let mut library = fixture.open();
        library
            .upsert_tracks(&[track(
                "t1",
                "Roygbiv",
                "Boards of Canada",
                "Music Has the Right",
            )])
            .unwrap();
        playlist_id = library
            .create_playlist("Kept", "across restarts")
            .unwrap()
            .playlist
            .id;
        let ids = library
            .add_tracks(&playlist_id, &["t1", "t2", "t3"], None)
            .unwrap()
            .item_ids;
        library.move_item(&playlist_id, &ids[2], 0).unwrap();
        order = item_ids(&library, &playlist_id);
        library.set_sync_cursor("playlists", "7").unwrap();
        library.record_play("t1", 42, 1_000).unwrap();
        library.request_download("t1", true).unwrap();
        library
            .save_queue(&queue_of(vec!["t1".into()], Some(0), 9))
            .unwrap();
    }
    let library = fixture.open();
    assert_eq!(item_ids(&library, &playlist_id), order);
    assert_eq!(
        library.playlist_info(&playlist_id).unwrap().description,
        "across restarts"
    );
    assert_eq!(library.pending_ops().unwrap().len(), 3);
    assert_eq!(library.search("roygbiv", 5).unwrap().tracks.len(), 1);
    assert_eq!(
        library.sync_cursor("playlists").unwrap().as_deref(),
        Some("7")
    );
    assert_eq!(library.recent_plays(5).unwrap().len(), 1);
    assert!(library.download("t1").unwrap().unwrap().pinned);
    assert_eq!(library.restore_queue().unwrap().unwrap().position_ms, 9);
    fixture.check(library);
}
