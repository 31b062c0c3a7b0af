//! Playlists kept on this computer, on a real index on disk over real files ffmpeg made:
//! created, appended to, reordered, trimmed, renamed and deleted, each in words when refused
//! (a service's track id, an item the playlist no longer holds, an empty name) with nothing
//! written (edits have their own test, `playlist_edits.rs`); a file gone from the index listed
//! by the tags kept of it (the latest the index had, kept in step by the index's triggers),
//! missing unless it is a file on disk, whole again once a scan finds it back; a file that is
//! nowhere kept by its name; everything still there when the database is opened again; and
//! an index of the schema before the last migration taken up with its folders and tracks.

mod support;

use std::path::{Path, PathBuf};

use rusqlite::Connection;
use strato_local::ids::{self, PLAYLIST_ID_PREFIX};
use strato_local::{LATEST_VERSION, LocalErrorKind, LocalIndex};
use strato_model::ipc::LocalPlaylistPage;
use support::library::{Library, item, move_after, positions, remove, titles};
use support::{TAGGED, copy_media, set_title};

#[test]
fn a_playlist_is_made_reordered_trimmed_renamed_and_deleted() {
    let mut lib = Library::new();
    let (joga, hunter, bachelorette) = (lib.id(0), lib.id(1), lib.id(2));
    assert!(lib.index.playlists().unwrap().is_empty());

    let created = lib
        .index
        .create_playlist("  Road trip ", &[joga.clone(), hunter.clone()])
        .unwrap();
    assert!(created.id.starts_with(PLAYLIST_ID_PREFIX), "{}", created.id);
    assert!(ids::is_local_playlist_id(&created.id));
    assert_eq!(created.name, "Road trip");
    assert_eq!((created.items, created.missing), (2, 0));
    // Two files of about a second each.
    assert!(
        (1_900..=2_200).contains(&created.duration_ms),
        "{}",
        created.duration_ms
    );
    let id = created.id.clone();

    // Appended in order, a duplicate welcome.
    let added = lib
        .index
        .add_to_playlist(&id, &[bachelorette.clone(), joga.clone()])
        .unwrap();
    assert_eq!(added.items, 4);
    assert!(added.updated_at_ms >= created.updated_at_ms);
    let page = lib.index.playlist(&id).unwrap();
    assert_eq!(
        titles(&page),
        ["Jóga MP3", "Hunter FLAC", "Bachelorette ALAC", "Jóga MP3"]
    );
    assert_eq!(positions(&page), [0, 1, 2, 3]);
    assert_eq!(page.items[1].track.id, hunter);
    assert_eq!(page.items[1].track, lib.index.track(&hunter).unwrap());
    assert!(page.items.iter().all(|item| !item.missing));

    // The last to the front, then the front to the end, by the items' ids.
    let last = item(&page, 3);
    lib.index
        .edit_playlist(&id, &[move_after(&last, None)], None)
        .unwrap();
    let page = lib.index.playlist(&id).unwrap();
    assert_eq!(
        titles(&page),
        ["Jóga MP3", "Jóga MP3", "Hunter FLAC", "Bachelorette ALAC"]
    );
    assert_eq!(item(&page, 0), last, "the item's id goes with it");
    let to_end = move_after(&last, Some(&item(&page, 3)));
    lib.index.edit_playlist(&id, &[to_end], None).unwrap();
    let page = lib.index.playlist(&id).unwrap();
    assert_eq!(
        titles(&page),
        ["Jóga MP3", "Hunter FLAC", "Bachelorette ALAC", "Jóga MP3"]
    );
    assert_eq!(positions(&page), [0, 1, 2, 3]);

    // Two removed at once (given out of order); the rest close up.
    let trimmed = lib
        .index
        .edit_playlist(
            &id,
            &[remove(&item(&page, 2)), remove(&item(&page, 0))],
            None,
        )
        .unwrap();
    assert_eq!(
        (trimmed.playlist.items, trimmed.added_item_ids.len()),
        (2, 0)
    );
    let kept = lib.index.playlist(&id).unwrap();
    assert_eq!(titles(&kept), ["Hunter FLAC", "Jóga MP3"]);
    assert_eq!(positions(&kept), [0, 1]);

    let renamed = lib.index.rename_playlist(&id, " Drive home ").unwrap();
    assert_eq!((renamed.name.as_str(), renamed.items), ("Drive home", 2));
    let empty = lib.index.rename_playlist(&id, "   ").unwrap_err();
    assert_eq!(empty.kind(), LocalErrorKind::Invalid);
    assert!(empty.message().contains("needs a name"), "{empty}");

    // Listed by name; an empty one is fine.
    lib.index.create_playlist("another", &[]).unwrap();
    let names: Vec<String> = lib
        .index
        .playlists()
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names, ["another", "Drive home"]);

    lib.index.delete_playlist(&id).unwrap();
    for gone in [
        lib.index.playlist(&id).unwrap_err(),
        lib.index.delete_playlist(&id).unwrap_err(),
        lib.index.add_to_playlist(&id, &[joga]).unwrap_err(),
        lib.index.edit_playlist(&id, &[], None).unwrap_err(),
    ] {
        assert_eq!(gone.kind(), LocalErrorKind::NotFound);
        assert!(gone.message().contains("no longer"), "{gone}");
    }
    let rows: i64 = Connection::open(lib.database())
        .unwrap()
        .query_row(
            "SELECT count(*) FROM playlist_items WHERE playlist_id = ?1",
            [&id],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(rows, 0, "its items went with it");
    // The files stay in the index.
    assert_eq!(lib.index.tracks().unwrap().len(), 3);
}

#[test]
fn a_service_track_is_refused_with_nothing_written() {
    let mut lib = Library::new();
    let joga = lib.id(0);
    let id = lib
        .index
        .create_playlist("Mine", std::slice::from_ref(&joga))
        .unwrap()
        .id;
    let before = lib.index.playlist_summary(&id).unwrap();

    for refused in [
        lib.index
            .add_to_playlist(&id, &[lib.id(1), "tr_123".to_owned()])
            .unwrap_err(),
        lib.index
            .create_playlist("Mixed", &[joga.clone(), "https://example.org/a.mp3".into()])
            .unwrap_err(),
    ] {
        assert_eq!(refused.kind(), LocalErrorKind::Invalid);
        assert_eq!(
            refused.message(),
            "A playlist on this computer holds files on this computer only."
        );
    }
    assert_eq!(lib.index.playlist_summary(&id).unwrap(), before);
    let names: Vec<String> = lib
        .index
        .playlists()
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names, ["Mine"], "no playlist made by the refused call");
}

#[test]
fn a_file_gone_from_the_index_is_kept_by_its_tags_and_comes_back() {
    let mut lib = Library::new();
    let (joga, hunter) = (lib.id(0), lib.id(1));
    let id = lib
        .index
        .create_playlist("Kept", &[joga.clone(), hunter.clone()])
        .unwrap()
        .id;
    let hunter_file = lib.file(TAGGED[1].name);
    let hunter_track = lib.index.track(&hunter).unwrap();

    // Retagged and rescanned: the playlist keeps the new title as the scan writes it (no
    // reading of the playlist needed), and shows it.
    set_title(&hunter_file, "Hunter Retitled");
    lib.scan();
    assert_eq!(lib.kept_titles(&id), ["Jóga MP3", "Hunter Retitled"]);
    let page = lib.index.playlist(&id).unwrap();
    assert_eq!(titles(&page), ["Jóga MP3", "Hunter Retitled"]);

    // Moved out of the music folder: gone from the index, still in the playlist.
    let aside = lib.dir.path().join("aside.flac");
    std::fs::rename(&hunter_file, &aside).unwrap();
    lib.scan();
    assert!(!lib.index.contains_file(&hunter_file).unwrap());
    let page = lib.index.playlist(&id).unwrap();
    assert_eq!(titles(&page), ["Jóga MP3", "Hunter Retitled"]);
    let kept = &page.items[1];
    assert!(kept.missing);
    assert!(!page.items[0].missing);
    assert_eq!(kept.track.id, hunter);
    assert_eq!(kept.track.artist_name, "Björk");
    assert_eq!(kept.track.album_title, "Formats");
    assert_eq!(kept.track.album_id, hunter_track.album_id);
    assert_eq!(kept.track.duration_ms, hunter_track.duration_ms);
    let summary = lib.index.playlist_summary(&id).unwrap();
    assert_eq!((summary.items, summary.missing), (2, 1));
    assert!(summary.duration_ms > u64::from(hunter_track.duration_ms));

    // Back where it was: whole again.
    std::fs::rename(&aside, &hunter_file).unwrap();
    lib.scan();
    let page = lib.index.playlist(&id).unwrap();
    assert!(page.items.iter().all(|item| !item.missing));
    assert_eq!(
        page.items[1].track,
        lib.index.track(&hunter).unwrap(),
        "as the index has it again"
    );
    assert_eq!(lib.index.playlist_summary(&id).unwrap().missing, 0);

    // Its whole folder removed from the music: every item kept, by what the index had of
    // its file as the file's row went (what the items kept is made stale by hand first).
    Connection::open(lib.database())
        .unwrap()
        .execute("UPDATE playlist_items SET title = 'stale'", [])
        .unwrap();
    let music = lib.music.clone();
    lib.index.remove_folder(&music).unwrap();
    assert_eq!(lib.kept_titles(&id), ["Jóga MP3", "Hunter Retitled"]);
    let page = lib.index.playlist(&id).unwrap();
    assert_eq!(titles(&page), ["Jóga MP3", "Hunter Retitled"]);
    // Not played from the music folders any more, but there on disk: they play from where
    // they are, as any file opened with Strato does.
    assert!(page.items.iter().all(|item| !item.missing));
    std::fs::remove_dir_all(&music).unwrap();
    let page = lib.index.playlist(&id).unwrap();
    assert!(page.items.iter().all(|item| item.missing));
    assert_eq!(lib.index.playlist_summary(&id).unwrap().missing, 2);
}

#[test]
fn a_file_outside_the_music_plays_and_one_nowhere_is_kept_by_its_name() {
    let mut lib = Library::new();
    let outside = copy_media(
        TAGGED[3].name,
        &lib.dir.path().join("Downloads/Alarm Call.ogg"),
    );
    let outside = std::fs::canonicalize(outside).unwrap();
    // Not there yet; later a file of the music folder.
    let later = lib.music.join("Later/Late Song.flac");
    let (outside_id, later_id) = (
        ids::track_id(&outside).unwrap(),
        ids::track_id(&later).unwrap(),
    );

    let made = lib
        .index
        .create_playlist("Anywhere", &[lib.id(0), outside_id.clone()])
        .unwrap();
    let id = made.id.clone();
    assert_eq!((made.items, made.missing), (2, 0));
    // A file that is nowhere is kept, never refused: nothing asked for is lost.
    let added = lib
        .index
        .add_to_playlist(&id, std::slice::from_ref(&later_id))
        .unwrap();
    assert_eq!((added.items, added.missing), (3, 1));
    assert_eq!(lib.index.playlists().unwrap()[0].missing, 1);
    let page = lib.index.playlist(&id).unwrap();
    assert_eq!(missing(&page), [false, false, true]);
    // By their files' names and folders.
    assert_eq!(titles(&page), ["Jóga MP3", "Alarm Call", "Late Song"]);
    assert_eq!(page.items[1].track.id, outside_id);
    assert_eq!(page.items[2].track.id, later_id);
    assert_eq!(page.items[2].track.album_title, "Later");

    // The file outside goes: missing, in the page and the summary alike.
    std::fs::remove_file(&outside).unwrap();
    assert_eq!(
        missing(&lib.index.playlist(&id).unwrap()),
        [false, true, true]
    );
    assert_eq!(lib.index.playlist_summary(&id).unwrap().missing, 2);

    // The one that was nowhere arrives in the music folder: found by the scan, with its
    // tags, and kept with them.
    copy_media(TAGGED[1].name, &later);
    lib.scan();
    let page = lib.index.playlist(&id).unwrap();
    assert_eq!(missing(&page), [false, true, false]);
    assert_eq!(page.items[2].track, lib.index.track(&later_id).unwrap());
    assert_eq!(lib.kept_titles(&id)[2], "Hunter FLAC");
    assert_eq!(lib.index.playlist_summary(&id).unwrap().missing, 1);
}

fn missing(page: &LocalPlaylistPage) -> Vec<bool> {
    page.items.iter().map(|i| i.missing).collect()
}

#[test]
fn playlists_are_there_when_the_index_is_opened_again() {
    let mut lib = Library::new();
    let id = lib
        .index
        .create_playlist("Lasting", &[lib.id(2), lib.id(0)])
        .unwrap()
        .id;
    let page = lib.index.playlist(&id).unwrap();
    lib.index
        .edit_playlist(&id, &[move_after(&item(&page, 1), None)], None)
        .unwrap();
    let before = lib.index.playlist(&id).unwrap();
    let database = lib.database();
    drop(lib.index);

    let index = LocalIndex::open(&database).unwrap();
    assert_eq!(index.playlist(&id).unwrap(), before);
    assert_eq!(titles(&before), ["Jóga MP3", "Bachelorette ALAC"]);
    assert_eq!(index.playlists().unwrap().len(), 1);
}

#[test]
fn an_index_of_the_previous_schema_keeps_its_folders_and_tracks() {
    let lib = Library::new();
    let latest = lib.database();
    let tracks = lib.index.tracks().unwrap();
    let folders = lib.index.folders().unwrap();
    drop(lib.index);

    // The same index as the version before the last migration wrote it: every migration
    // but the last run on a new database, at that version, and the rows of the index
    // scanned above copied in.
    let migrations = migration_files();
    assert_eq!(migrations.len(), LATEST_VERSION as usize);
    let previous_version = LATEST_VERSION - 1;
    let previous = lib.dir.path().join("previous.sqlite3");
    {
        let conn = Connection::open(&previous).unwrap();
        for sql in &migrations[..migrations.len() - 1] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", previous_version)
            .unwrap();
        copy_rows(&conn, &latest);
        let copied: i64 = conn
            .query_row("SELECT count(*) FROM files", [], |row| row.get(0))
            .unwrap();
        assert_eq!(copied, 3);
    }

    let mut index = LocalIndex::open(&previous).unwrap();
    let version: u32 = Connection::open(&previous)
        .unwrap()
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .unwrap();
    assert_eq!(version, LATEST_VERSION);
    assert_eq!(index.folders().unwrap(), folders);
    assert_eq!(index.tracks().unwrap(), tracks);
    assert_eq!(index.search("hunter", 5).unwrap().len(), 1);
    // Its schema is now the latest's, exactly.
    let fresh = lib.dir.path().join("fresh.sqlite3");
    drop(LocalIndex::open(&fresh).unwrap());
    assert_eq!(
        schema(&Connection::open(&previous).unwrap()),
        schema(&Connection::open(&fresh).unwrap())
    );
    let made = index
        .create_playlist("After the update", &[tracks[0].id.clone()])
        .unwrap();
    assert_eq!(made.items, 1);
}

/// The SQL of every migration, in order (the files of `migrations/`, by name).
fn migration_files() -> Vec<String> {
    // This crate's folder where the test runs (cargo says), not where it was built.
    let dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from)
        .join("migrations");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|path| std::fs::read_to_string(path).unwrap())
        .collect()
}

/// Copies into `conn`'s tables the rows of the same tables in the database at `from`, by
/// the columns `conn`'s have (a later migration may have added some). The search index's
/// own tables are left out: `conn`'s triggers fill it as the files go in.
fn copy_rows(conn: &Connection, from: &Path) {
    conn.execute("ATTACH ?1 AS latest", [from.to_str().unwrap()])
        .unwrap();
    let tables: Vec<String> = conn
        .prepare(
            "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' \
             AND name NOT LIKE 'sqlite_%'",
        )
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    for table in tables {
        let columns: Vec<String> = conn
            .prepare("SELECT name FROM pragma_table_info(?1, 'main')")
            .unwrap()
            .query_map([&table], |row| row.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let columns = columns.join(", ");
        conn.execute_batch(&format!(
            "INSERT INTO main.{table} ({columns}) SELECT {columns} FROM latest.{table}"
        ))
        .unwrap();
    }
    conn.execute_batch("DETACH latest").unwrap();
}

/// Every table, index and trigger's SQL, by name.
fn schema(conn: &Connection) -> Vec<(String, String)> {
    let mut statement = conn
        .prepare("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name")
        .unwrap();
    statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}
