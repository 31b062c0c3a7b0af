//! Upgrading databases left by every earlier schema version, keeping their rows.
//!
//! The seeds below are written against the schema AS IT WAS at their version, in raw SQL, and
//! must never be edited to follow later migrations: they stand for files already on
//! listeners' disks.

use rusqlite::Connection;
use strato_library::migrations::{LATEST_VERSION, migrate_to};
use strato_library::{ErrorKind, Library, OpState, PlaylistOp};

use crate::support::{Fixture, item_ids};

/// Rows of every table that exists at version 1.
const SEED_V1: &str = "
    INSERT INTO artists (id, name, cached_at) VALUES ('ar-sr', 'Sigur Rós', 100);
    INSERT INTO albums (id, title, artist_id, artist_name, year, track_count, gapless, cover_path, cached_at)
        VALUES ('al-ab', 'Ágætis byrjun', 'ar-sr', 'Sigur Rós', 1999, 10, 1, 'art/ab.jpg', 100);
    INSERT INTO tracks (id, title, artist_id, artist_name, album_id, album_title, track_number,
            duration_ms, cover_path, rg_track_gain_db, rg_track_peak, rg_album_gain_db, rg_album_peak, cached_at)
        VALUES ('tr-svefn', 'Svefn-g-englar', 'ar-sr', 'Sigur Rós', 'al-ab', 'Ágætis byrjun', 2,
            604000, 'art/ab.jpg', -6.5, 0.98, -7.0, 1.0, 100),
               ('tr-staralfur', 'Starálfur', 'ar-sr', 'Sigur Rós', 'al-ab', 'Ágætis byrjun', 3,
            407000, NULL, NULL, NULL, NULL, NULL, 100);
    INSERT INTO playlists (id, name, description, server_revision, created_at, updated_at, deleted)
        VALUES ('pl-1', 'Iceland', 'cold', 3, 10, 20, 0);
    INSERT INTO playlist_items (playlist_id, item_id, track_id, order_key, added_at)
        VALUES ('pl-1', 'it-1', 'tr-svefn', 'a0', 11),
               ('pl-1', 'it-2', 'tr-staralfur', 'a1', 12),
               ('pl-1', 'it-3', 'tr-uncached', 'a0V', 13);
    INSERT INTO pending_ops (kind, playlist_id, payload, idempotency_key, base_revision, created_at)
        VALUES ('rename', 'pl-1', '{\"kind\":\"rename\",\"name\":\"Ísland\"}', 'idem-1', 3, 30),
               ('move_item', 'pl-1',
                '{\"kind\":\"move_item\",\"item_id\":\"it-2\",\"position\":0,\"anchor\":{\"at\":\"start\"}}',
                'idem-2', 3, 31);
    INSERT INTO sync_cursors (name, value, updated_at) VALUES ('playlists', '42', 40);
";

/// Rows of the tables added by version 3.
const SEED_V3: &str = "
    INSERT INTO downloads (track_id, state, path, expected_size, expected_sha256, size, sha256,
            bytes_done, pinned, requested_at, completed_at, last_played_at)
        VALUES ('tr-svefn', 'complete', '/music/svefn.mp3', 1000,
            'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 1000,
            'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 1000, 1, 50, 60, NULL);
    INSERT INTO play_queue_entries (position, track_id) VALUES (0, 'tr-svefn'), (1, 'tr-staralfur');
    INSERT INTO play_queue_state (id, current_index, position_ms, updated_at) VALUES (1, 1, 61000, 70);
    INSERT INTO play_history (track_id, played_at, ms_played) VALUES ('tr-staralfur', 80, 407000);
";

/// Rows of the table added by version 4.
const SEED_V4: &str = "
    INSERT INTO sync_records (op_seq, kind, playlist_id, playlist_name, message, created_at,
            notify, dismissed)
        VALUES (NULL, 'rename_replaced', 'pl-1', 'Iceland', 'Another device named it “Iceland”.',
            90, 1, 0),
               (7, 'already_removed', 'pl-1', 'Iceland', 'Already removed.', 91, 0, 1);
    -- Records 3 to 50 were made and are gone: their ids are not given again.
    UPDATE sqlite_sequence SET seq = 50 WHERE name = 'sync_records';
";

/// Leaves a database file at `version`, as a Strato of that version would have, with rows.
fn database_at_version(fixture: &Fixture, version: u32) {
    let mut conn = Connection::open(&fixture.path).unwrap();
    migrate_to(&mut conn, version).unwrap();
    if version >= 1 {
        conn.execute_batch(SEED_V1).unwrap();
    }
    if version >= 3 {
        conn.execute_batch(SEED_V3).unwrap();
    }
    if version >= 4 {
        conn.execute_batch(SEED_V4).unwrap();
    }
}

#[test]
fn fresh_database_opens_at_latest_version() {
    let fixture = Fixture::new();
    let library = fixture.open();
    assert_eq!(library.schema_version().unwrap(), LATEST_VERSION);
    assert!(library.playlists().unwrap().is_empty());
    fixture.check(library);
}

#[test]
fn every_earlier_version_upgrades_and_keeps_its_rows() {
    for version in 0..=LATEST_VERSION {
        let fixture = Fixture::new();
        database_at_version(&fixture, version);
        let mut library = fixture.open();
        assert_eq!(
            library.schema_version().unwrap(),
            LATEST_VERSION,
            "from {version}"
        );
        if version >= 1 {
            check_v1_rows(&mut library, version);
        }
        if version >= 3 {
            check_v3_rows(&library);
        }
        if version >= 4 {
            check_v4_rows(&mut library);
        }
        fixture.check(library);
    }
}

fn check_v1_rows(library: &mut Library, version: u32) {
    let track = library
        .track("tr-svefn")
        .unwrap()
        .expect("cached track kept");
    assert_eq!(track.album_title, "Ágætis byrjun");
    assert!((track.replaygain.unwrap().track_gain_db + 6.5).abs() < 1e-6);
    assert_eq!(library.album("al-ab").unwrap().unwrap().year, 1999);
    assert_eq!(library.artist("ar-sr").unwrap().unwrap().name, "Sigur Rós");
    // Tracks cached before the catalog was listed here are not listed until a walk ranks them
    // (version 9); then they read back in the order walked, data and all.
    assert_eq!(library.catalog_len().unwrap(), 0, "from {version}");
    let walked = [
        library.track("tr-staralfur").unwrap().unwrap(),
        library.track("tr-svefn").unwrap().unwrap(),
    ];
    library.rank_catalog_page(0, &walked).unwrap();
    assert_eq!(library.catalog_page(None, 10).unwrap().tracks, walked);
    // Rows cached before the search index existed are searchable after the upgrade.
    let found = library.search("AGÆTIS", 10).unwrap();
    assert_eq!(found.tracks.len(), 2, "from {version}");
    assert_eq!(found.albums.len(), 1, "from {version}");
    assert_eq!(library.search("sigur ros", 10).unwrap().artists.len(), 1);

    let playlist = library.playlist("pl-1").unwrap();
    assert_eq!(playlist.info.server_revision, Some(3));
    assert_eq!(playlist.info.pending_ops, 2);
    assert_eq!(item_ids(library, "pl-1"), ["it-1", "it-3", "it-2"]);
    assert!(
        playlist.items[1].track.is_none(),
        "uncached track has no data"
    );

    let ops = library.pending_ops().unwrap();
    assert_eq!(ops.len(), 2);
    assert_eq!(
        ops[0].op,
        PlaylistOp::Rename {
            name: "Ísland".into()
        }
    );
    assert_eq!(
        (ops[0].base_revision, ops[0].state),
        (Some(3), OpState::Pending)
    );
    assert!(matches!(ops[1].op, PlaylistOp::MoveItem { .. }));
    assert_eq!(
        library.sync_cursor("playlists").unwrap().as_deref(),
        Some("42")
    );

    // The old rows keep working with new edits: keys mix with the seeded ones.
    let added = library.add_tracks("pl-1", &["tr-new"], Some(1)).unwrap();
    assert_eq!(item_ids(library, "pl-1")[1], added.item_ids[0]);
    assert_eq!(library.pending_ops().unwrap().len(), 3);
}

fn check_v4_rows(library: &mut Library) {
    let all = library.all_sync_records().unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].playlist_id.as_deref(), Some("pl-1"));
    assert_eq!(all[0].playlist_name.as_deref(), Some("Iceland"));
    let shown = library.sync_records(true).unwrap();
    assert_eq!(shown.len(), 1, "the dismissed one stays dismissed");
    // Records made after the table was rebuilt are numbered after every id ever given.
    let new = library
        .record_offline_removed(&["tr-svefn".to_owned()])
        .unwrap()
        .unwrap();
    assert_eq!(new, 51);
    let notice = library.sync_records(true).unwrap().pop().unwrap();
    assert_eq!(notice.playlist_id, None);
    assert!(
        notice.message.starts_with("“Svefn-g-englar” was removed"),
        "{}",
        notice.message
    );
}

fn check_v3_rows(library: &Library) {
    let download = library.download("tr-svefn").unwrap().unwrap();
    assert_eq!(download.state, strato_library::DownloadState::Complete);
    assert!(download.pinned);
    let queue = library.restore_queue().unwrap().unwrap();
    assert_eq!(queue.track_ids(), ["tr-svefn", "tr-staralfur"]);
    assert_eq!((queue.current_index, queue.position_ms), (Some(1), 61_000));
    // Entries saved before they had ids of their own are numbered, each its own.
    let ids: Vec<u64> = queue.entries.iter().map(|e| e.entry_id).collect();
    assert!(ids[0] > 0 && ids[1] > 0 && ids[0] != ids[1], "{ids:?}");
    assert_eq!(queue.listed, None);
    assert_eq!(
        library.recent_plays(10).unwrap()[0].track_id,
        "tr-staralfur"
    );
}

#[test]
fn newer_database_is_refused_and_left_untouched() {
    let fixture = Fixture::new();
    drop(fixture.open());
    fixture
        .raw()
        .pragma_update(None, "user_version", LATEST_VERSION + 1)
        .unwrap();
    let error = Library::open(&fixture.path).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::TooNew);
    assert!(
        error
            .to_string()
            .contains("the library database is newer than this version of Strato"),
        "{error}"
    );
    let version: u32 = fixture
        .raw()
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .unwrap();
    assert_eq!(version, LATEST_VERSION + 1);
    // Put it back so the shared check can open it.
    fixture
        .raw()
        .pragma_update(None, "user_version", LATEST_VERSION)
        .unwrap();
    fixture.check(fixture.open());
}

#[test]
fn a_file_that_is_not_a_database_is_an_open_error() {
    let fixture = Fixture::new();
    std::fs::write(
        &fixture.path,
        b"this is not sqlite, just bytes; long enough to have a header",
    )
    .unwrap();
    let error = Library::open(&fixture.path).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Open, "{error:?}");
    assert!(
        error
            .to_string()
            .starts_with("Strato could not open its library database")
    );
}
