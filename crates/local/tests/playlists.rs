//! Playlists kept on this computer, on a real index on disk over real files ffmpeg made:
//! created, appended to, reordered, trimmed, renamed and deleted, each in words when refused
//! (a service's track id, a place the playlist lacks, an empty name) with nothing written; a
//! file gone from the index listed as missing by the tags kept of it (the latest the index
//! had), whole again once a scan finds it back; everything still there when the database is
//! opened again; and an index of the previous schema taken up with its folders and tracks.

mod support;

use std::path::PathBuf;

use rusqlite::Connection;
use strato_local::ids::{self, PLAYLIST_ID_PREFIX};
use strato_local::{LATEST_VERSION, LocalErrorKind, LocalIndex, Scanner};
use strato_model::ipc::LocalPlaylistPage;
use support::{TAGGED, copy_media, set_title};

/// A music folder of three tagged files (all of "Formats" by Björk), scanned into an index
/// kept on disk.
struct Library {
    dir: tempfile::TempDir,
    music: PathBuf,
    index: LocalIndex,
}

impl Library {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let album = dir.path().join("Music/Björk/Formats");
        for source in &TAGGED[..3] {
            copy_media(source.name, &album.join(source.name));
        }
        let mut index = LocalIndex::open(dir.path().join("local-files.sqlite3")).unwrap();
        index.add_folder(dir.path().join("Music")).unwrap();
        let mut library = Self {
            music: std::fs::canonicalize(dir.path().join("Music")).unwrap(),
            dir,
            index,
        };
        library.scan();
        library
    }

    fn scan(&mut self) {
        Scanner::new(&mut self.index).scan_all().unwrap();
    }

    fn file(&self, name: &str) -> PathBuf {
        self.music.join("Björk/Formats").join(name)
    }

    /// The track id of `TAGGED[n]`.
    fn id(&self, n: usize) -> String {
        ids::track_id(&self.file(TAGGED[n].name)).unwrap()
    }

    fn database(&self) -> PathBuf {
        self.dir.path().join("local-files.sqlite3")
    }
}

fn titles(page: &LocalPlaylistPage) -> Vec<&str> {
    page.items.iter().map(|i| i.track.title.as_str()).collect()
}

fn positions(page: &LocalPlaylistPage) -> Vec<u32> {
    page.items.iter().map(|i| i.position).collect()
}

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

    // The last to the front, then the front to the end.
    lib.index.move_in_playlist(&id, 3, 0).unwrap();
    let page = lib.index.playlist(&id).unwrap();
    assert_eq!(
        titles(&page),
        ["Jóga MP3", "Jóga MP3", "Hunter FLAC", "Bachelorette ALAC"]
    );
    lib.index.move_in_playlist(&id, 0, 3).unwrap();
    let page = lib.index.playlist(&id).unwrap();
    assert_eq!(
        titles(&page),
        ["Jóga MP3", "Hunter FLAC", "Bachelorette ALAC", "Jóga MP3"]
    );
    assert_eq!(positions(&page), [0, 1, 2, 3]);

    // Two removed at once (given out of order, one twice); the rest close up.
    let trimmed = lib.index.remove_from_playlist(&id, &[2, 0, 2]).unwrap();
    assert_eq!(trimmed.items, 2);
    let page = lib.index.playlist(&id).unwrap();
    assert_eq!(titles(&page), ["Hunter FLAC", "Jóga MP3"]);
    assert_eq!(positions(&page), [0, 1]);

    // A place the playlist lacks is refused in words, nothing removed nor moved.
    let beyond = lib.index.remove_from_playlist(&id, &[0, 2]).unwrap_err();
    assert_eq!(beyond.kind(), LocalErrorKind::Invalid);
    assert!(beyond.message().contains("no item 3"), "{beyond}");
    let beyond = lib.index.move_in_playlist(&id, 0, 5).unwrap_err();
    assert_eq!(beyond.kind(), LocalErrorKind::Invalid);
    assert_eq!(
        titles(&lib.index.playlist(&id).unwrap()),
        ["Hunter FLAC", "Jóga MP3"]
    );

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
        lib.index.move_in_playlist(&id, 0, 0).unwrap_err(),
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
    // A file neither in the index nor on disk.
    let nowhere = ids::track_id(&lib.music.join("nowhere.flac")).unwrap();
    let missing = lib.index.add_to_playlist(&id, &[nowhere]).unwrap_err();
    assert_eq!(missing.kind(), LocalErrorKind::NotFound);
    assert!(missing.message().contains("nowhere.flac"), "{missing}");

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

    // Retagged and rescanned: the playlist shows, and keeps, the new title.
    set_title(&hunter_file, "Hunter Retitled");
    lib.scan();
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

    // Its whole folder removed from the music: every item kept, all missing.
    let music = lib.music.clone();
    lib.index.remove_folder(&music).unwrap();
    let page = lib.index.playlist(&id).unwrap();
    assert_eq!(titles(&page), ["Jóga MP3", "Hunter Retitled"]);
    assert!(page.items.iter().all(|item| item.missing));
}

#[test]
fn playlists_are_there_when_the_index_is_opened_again() {
    let mut lib = Library::new();
    let id = lib
        .index
        .create_playlist("Lasting", &[lib.id(2), lib.id(0)])
        .unwrap()
        .id;
    lib.index.move_in_playlist(&id, 1, 0).unwrap();
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
    let database = lib.database();
    let tracks = lib.index.tracks().unwrap();
    let folders = lib.index.folders().unwrap();
    drop(lib.index);

    // The same index as the previous version wrote it: its schema exactly (checked against
    // the migrations of that version run on an empty database), at its version.
    let previous = LATEST_VERSION - 1;
    {
        let conn = Connection::open(&database).unwrap();
        conn.execute_batch("DROP TABLE playlist_items; DROP TABLE playlists;")
            .unwrap();
        conn.pragma_update(None, "user_version", previous).unwrap();
        let fresh = Connection::open_in_memory().unwrap();
        fresh
            .execute_batch(include_str!("../migrations/0001_local_index.sql"))
            .unwrap();
        fresh
            .execute_batch(include_str!("../migrations/0002_folder_device.sql"))
            .unwrap();
        assert_eq!(schema(&conn), schema(&fresh));
        let version: u32 = conn
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .unwrap();
        assert_eq!(version, previous);
    }

    let mut index = LocalIndex::open(&database).unwrap();
    let version: u32 = Connection::open(&database)
        .unwrap()
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .unwrap();
    assert_eq!(version, LATEST_VERSION);
    assert_eq!(index.folders().unwrap(), folders);
    assert_eq!(index.tracks().unwrap(), tracks);
    let made = index
        .create_playlist("After the update", &[tracks[0].id.clone()])
        .unwrap();
    assert_eq!(made.items, 1);
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
