//! The temp-folder fixture and catalog builders shared by the tests.

use std::path::PathBuf;

use strato_library::Library;
use strato_model::api::{Album, Artist, Track};
use tempfile::TempDir;

/// A library file in a fresh temporary folder, removed after the test.
pub struct Fixture {
    _dir: TempDir,
    pub path: PathBuf,
}

impl Fixture {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("library.sqlite3");
        Self { _dir: dir, path }
    }

    pub fn open(&self) -> Library {
        Library::open(&self.path).expect("open library")
    }

    /// The end of every test: the library's own checks (SQLite integrity, foreign keys, the
    /// full-text indexes against their tables), then, after closing, SQLite's
    /// `integrity_check` on a fresh connection to the file.
    pub fn check(&self, library: Library) {
        assert_eq!(library.integrity_check().unwrap(), Vec::<String>::new());
        drop(library);
        let conn = rusqlite::Connection::open(&self.path).unwrap();
        let verdict: String = conn
            .query_row("PRAGMA integrity_check", [], |row| row.get(0))
            .unwrap();
        assert_eq!(verdict, "ok");
    }

    /// A second, raw connection to the same file (to inspect or sabotage).
    pub fn raw(&self) -> rusqlite::Connection {
        let conn = rusqlite::Connection::open(&self.path).unwrap();
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .unwrap();
        conn
    }
}

pub fn track(id: &str, title: &str, artist: &str, album: &str) -> Track {
    Track {
        id: id.into(),
        title: title.into(),
        artist_id: slug("ar", artist),
        artist_name: artist.into(),
        album_id: slug("al", album),
        album_title: album.into(),
        track_number: 1,
        duration_ms: 240_000,
        cover_path: None,
        replaygain: None,
        owner: None,
    }
}

pub fn album(title: &str, artist: &str, year: u16) -> Album {
    Album {
        id: slug("al", title),
        title: title.into(),
        artist_id: slug("ar", artist),
        artist_name: artist.into(),
        year,
        track_count: 10,
        gapless: false,
        cover_path: None,
    }
}

pub fn artist(name: &str) -> Artist {
    Artist {
        id: slug("ar", name),
        name: name.into(),
    }
}

fn slug(prefix: &str, name: &str) -> String {
    let body: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    format!("{prefix}-{body}")
}

/// The item ids of a playlist, in order.
pub fn item_ids(library: &Library, playlist_id: &str) -> Vec<String> {
    library
        .playlist(playlist_id)
        .unwrap()
        .items
        .into_iter()
        .map(|item| item.item_id)
        .collect()
}

/// The track ids of a playlist, in order.
pub fn track_ids(library: &Library, playlist_id: &str) -> Vec<String> {
    library
        .playlist(playlist_id)
        .unwrap()
        .items
        .into_iter()
        .map(|item| item.track_id)
        .collect()
}
