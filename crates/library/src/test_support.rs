//! Helpers for the unit tests.

use strato_model::api::Track;

/// A track with the given names; ids derive from them.
pub(crate) fn track(id: &str, title: &str, artist: &str, album: &str) -> Track {
    Track {
        id: id.into(),
        title: title.into(),
        artist_id: format!("ar-{artist}"),
        artist_name: artist.into(),
        album_id: format!("al-{album}"),
        album_title: album.into(),
        track_number: 1,
        duration_ms: 200_000,
        cover_path: None,
        replaygain: None,
        owner: None,
    }
}

/// The end of every unit test that touched a database: SQLite's integrity check, the
/// foreign keys and the full-text indexes all clean.
pub(crate) fn assert_healthy(library: &crate::Library) {
    assert_eq!(library.integrity_check().unwrap(), Vec::<String>::new());
}
