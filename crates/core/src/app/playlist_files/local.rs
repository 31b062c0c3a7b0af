//! Playlist files and the files on this computer: an entry naming a file in the music
//! folders (a full path, a path from the playlist's folder, a `file://` URL) matches that
//! file exactly, before any tag is compared; a playlist on this computer written out names
//! each file by its full path (M3U8) or its `file://` URL (XSPF), with its tags.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use strato_formats::playlist_file::{LocationKind, PlaylistEntry, location_kind};
use strato_model::ipc::Track;

use super::App;
use crate::error::from_local;

impl App {
    /// The entries naming a file the index holds and plays, by their index in `entries`:
    /// its track. `folder` is the playlist file's, for relative paths. Empty without an
    /// index, or when it cannot be read (the entries are then matched by their tags).
    pub(super) async fn local_matches(
        &self,
        entries: &[PlaylistEntry],
        folder: Option<PathBuf>,
    ) -> HashMap<usize, Track> {
        let paths: Vec<(usize, PathBuf)> = entries
            .iter()
            .enumerate()
            .filter_map(|(index, entry)| {
                let location = entry.location.as_deref()?;
                Some((index, entry_path(location, folder.as_deref())?))
            })
            .collect();
        if paths.is_empty() {
            return HashMap::new();
        }
        let found = self
            .local_files
            .ask(move |worker| {
                let Some(index) = worker.reading() else {
                    return Ok(HashMap::new());
                };
                let mut found = HashMap::new();
                for (at, path) in paths {
                    if let Some(track) = index.track_at(&path).map_err(|e| from_local(&e))? {
                        found.insert(at, track);
                    }
                }
                Ok(found)
            })
            .await
            .and_then(|found| found);
        found.unwrap_or_else(|error| {
            tracing::warn!(%error, "an import's files were not looked for on this computer");
            HashMap::new()
        })
    }
}

/// The file an entry's location names, as a full path: `None` for an address that is not a
/// file's (a stream), or a relative path without the playlist's folder.
fn entry_path(location: &str, folder: Option<&Path>) -> Option<PathBuf> {
    match location_kind(location) {
        // The readers turn `file://` URLs into paths; one they could not is tried as is.
        LocationKind::Url => strato_local::ids::track_path(location).ok(),
        LocationKind::Absolute => Some(PathBuf::from(location)),
        LocationKind::Relative => {
            // A playlist made on Windows separates its folders with `\`.
            #[cfg(not(windows))]
            let location = location.replace('\\', "/");
            Some(folder?.join(location))
        }
    }
}

/// One file of a playlist on this computer as an export writes it: its full path (an M3U8
/// line; XSPF makes it a `file://` URL) and its tags, which other players show and match by.
pub(super) fn local_export_entry(track: &Track) -> PlaylistEntry {
    let location = strato_local::ids::track_path(&track.id)
        .map_or_else(|_| track.id.clone(), |path| path.display().to_string());
    let known = |text: &str| (!text.is_empty()).then(|| text.to_owned());
    PlaylistEntry {
        location: Some(location),
        artist: known(&track.artist_name),
        title: known(&track.title),
        album: known(&track.album_title),
        duration: (track.duration_ms > 0)
            .then(|| Duration::from_millis(u64::from(track.duration_ms))),
        track_number: (track.track_number > 0).then_some(track.track_number),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn an_entry_names_a_file_by_full_path_relative_path_or_url() {
        let folder = Path::new("/home/me/Lists");
        assert_eq!(
            entry_path("/music/a.flac", Some(folder)),
            Some(PathBuf::from("/music/a.flac"))
        );
        assert_eq!(
            entry_path("../Music/a.flac", Some(folder)),
            Some(PathBuf::from("/home/me/Lists/../Music/a.flac"))
        );
        assert_eq!(
            entry_path("Album\\01.flac", Some(folder)),
            Some(PathBuf::from("/home/me/Lists/Album/01.flac"))
        );
        assert_eq!(entry_path("a.flac", None), None);
        assert_eq!(entry_path("http://radio.example/live", Some(folder)), None);
    }
}
