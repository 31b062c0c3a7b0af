//! A music folder of three tagged files in an index kept on disk: the playlists' tests'
//! library.

use std::path::PathBuf;

use rusqlite::Connection;
use strato_local::{LocalIndex, Scanner, ids};
use strato_model::ipc::{LocalPlaylistPage, PlaylistItemEdit};

use super::{TAGGED, copy_media};

/// A music folder of three tagged files (all of "Formats" by Björk), scanned into an index
/// kept on disk.
pub struct Library {
    pub dir: tempfile::TempDir,
    pub music: PathBuf,
    pub index: LocalIndex,
}

impl Library {
    pub fn new() -> Self {
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

    pub fn scan(&mut self) {
        Scanner::new(&mut self.index).scan_all().unwrap();
    }

    pub fn file(&self, name: &str) -> PathBuf {
        self.music.join("Björk/Formats").join(name)
    }

    /// The track id of `TAGGED[n]`.
    pub fn id(&self, n: usize) -> String {
        ids::track_id(&self.file(TAGGED[n].name)).unwrap()
    }

    pub fn database(&self) -> PathBuf {
        self.dir.path().join("local-files.sqlite3")
    }

    /// The titles the items of `id` keep, read from the database by another connection
    /// (nothing of the index's own reading involved).
    pub fn kept_titles(&self, id: &str) -> Vec<String> {
        let conn = Connection::open(self.database()).unwrap();
        let mut statement = conn
            .prepare("SELECT title FROM playlist_items WHERE playlist_id = ?1 ORDER BY position")
            .unwrap();
        statement
            .query_map([id], |row| row.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }
}

pub fn titles(page: &LocalPlaylistPage) -> Vec<&str> {
    page.items.iter().map(|i| i.track.title.as_str()).collect()
}

pub fn positions(page: &LocalPlaylistPage) -> Vec<u32> {
    page.items.iter().map(|i| i.position).collect()
}

/// The id of the item at `n` of `page`.
pub fn item(page: &LocalPlaylistPage, n: usize) -> String {
    page.items[n].item_id.clone()
}

pub fn remove(item_id: &str) -> PlaylistItemEdit {
    PlaylistItemEdit::Remove {
        item_id: item_id.to_owned(),
    }
}

/// `item_id` right after `after` (`None`: first).
pub fn move_after(item_id: &str, after: Option<&str>) -> PlaylistItemEdit {
    PlaylistItemEdit::Move {
        item_id: item_id.to_owned(),
        after: after.map(str::to_owned),
    }
}
