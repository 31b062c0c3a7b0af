//! The ids local tracks, albums and artists go by.
//!
//! A track's id is its file's `file://` URL: the audio engine already plays `file://` ids
//! from disk, so a local track needs nothing else to be queued and played, and the id says
//! where the file is. Albums and artists have no file of their own: their ids are derived
//! from their names (`local-album:` and `local-artist:` and the first 16 hex digits of a
//! SHA-256), so they stay the same across rescans, runs and computers, and a local playlist
//! or a link that names one still finds it. A playlist kept on this computer has a random
//! id, `local-playlist:` and a UUID v4 (see [`crate::LocalIndex::create_playlist`]).

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{LocalError, LocalErrorKind, Result};

/// What a local album id starts with.
pub const ALBUM_ID_PREFIX: &str = "local-album:";
/// What a local artist id starts with.
pub const ARTIST_ID_PREFIX: &str = "local-artist:";
/// What the id of a playlist kept on this computer starts with (then a UUID v4).
pub const PLAYLIST_ID_PREFIX: &str = "local-playlist:";

/// The id of the track in the file at `path` (absolute): its `file://` URL.
pub fn track_id(path: &Path) -> Result<String> {
    url::Url::from_file_path(path)
        .map(String::from)
        .map_err(|()| {
            LocalError::new(
                LocalErrorKind::Invalid,
                format!("{} is not a full path to a file.", path.display()),
            )
        })
}

/// The file a track id names.
pub fn track_path(id: &str) -> Result<PathBuf> {
    let not_local = || {
        LocalError::new(
            LocalErrorKind::Invalid,
            format!("{id} is not the id of a local file."),
        )
    };
    let url = url::Url::parse(id).map_err(|_| not_local())?;
    if url.scheme() != "file" {
        return Err(not_local());
    }
    url.to_file_path().map_err(|()| not_local())
}

/// Whether `id` is a local track's (a `file://` URL).
#[must_use]
pub fn is_local_track_id(id: &str) -> bool {
    id.get(..7)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("file://"))
}

/// Whether `id` is a playlist's kept on this computer (`local-playlist:…`).
#[must_use]
pub fn is_local_playlist_id(id: &str) -> bool {
    id.starts_with(PLAYLIST_ID_PREFIX)
}

/// The id of the artist named `name` (an empty name is the unknown artist's).
#[must_use]
pub fn artist_id(name: &str) -> String {
    format!("{ARTIST_ID_PREFIX}{}", short_hash(&[name]))
}

/// The id of the album `title` by `album_artist`: two albums of one title by different
/// artists ("Greatest Hits") are two albums.
#[must_use]
pub fn album_id(album_artist: &str, title: &str) -> String {
    format!("{ALBUM_ID_PREFIX}{}", short_hash(&[album_artist, title]))
}

fn short_hash(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        // A separator no tag holds, so ("ab", "c") and ("a", "bc") differ.
        hasher.update([0x1f]);
    }
    hex::encode(&hasher.finalize()[..8])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_track_id_is_its_file_url_and_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Ünïcode & spaces #1.flac");
        let id = track_id(&path).unwrap();
        assert!(id.starts_with("file://"), "{id}");
        assert!(is_local_track_id(&id));
        assert_eq!(track_path(&id).unwrap(), path);
    }

    #[test]
    fn other_ids_are_not_local_files() {
        let error = track_path("https://example.org/a.mp3").unwrap_err();
        assert_eq!(error.kind(), LocalErrorKind::Invalid);
        assert!(track_path("tr_123").is_err());
        assert!(!is_local_track_id("tr_123"));
        assert!(track_id(Path::new("relative/a.mp3")).is_err());
    }

    #[test]
    fn album_and_artist_ids_are_stable_and_distinct() {
        assert_eq!(album_id("A", "B"), album_id("A", "B"));
        assert_ne!(
            album_id("A", "Greatest Hits"),
            album_id("B", "Greatest Hits")
        );
        assert_ne!(album_id("ab", "c"), album_id("a", "bc"));
        assert_eq!(artist_id("Björk").len(), ARTIST_ID_PREFIX.len() + 16);
        assert!(album_id("A", "B").starts_with(ALBUM_ID_PREFIX));
    }
}
