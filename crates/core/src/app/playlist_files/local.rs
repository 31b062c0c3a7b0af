//! Playlist files and the files on this computer: an entry naming a file in the music
//! folders (a full path, a path from the playlist's folder, a `file://` URL) matches that
//! file exactly, before any tag is compared; a playlist on this computer written out names
//! each file by its full path (M3U8) or its `file://` URL (XSPF), with its tags.
//!
//! Matching by path is `strato_local::locate`'s steps, split so the local files' worker
//! only ever looks at its index: the looks at the disk (`..` after links, the real paths of
//! the folders an entry goes through) run on the runtime's threads for blocking work, each
//! folder looked at once; only the entries the path as written missed are looked at at all;
//! and the worker is asked [`LOCAL_LOOKUPS_PER_CALL`] entries a trip, so a long file does
//! not hold it (and the scan, the pages and the playlists waiting on it) for its whole.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use strato_formats::playlist_file::{LocationKind, PlaylistEntry, location_kind};
use strato_local::PathResolver;
use strato_model::ipc::{AppError, Track};

use super::App;
use crate::error::from_local;

/// Entries looked up in the index per trip to the local files' worker (as the library's
/// searches are, see `LIBRARY_SEARCHES_PER_CALL`).
const LOCAL_LOOKUPS_PER_CALL: usize = 200;

/// An entry's index in the file and the path it names.
type Named = (usize, PathBuf);

impl App {
    /// The entries naming a file the index holds and plays, by their index in `entries`:
    /// its track. `folder` is the playlist file's, for relative paths. Empty without an
    /// index, or when it cannot be read (the entries are then matched by their tags).
    pub(super) async fn local_matches(
        &self,
        entries: &[PlaylistEntry],
        folder: Option<PathBuf>,
    ) -> HashMap<usize, Track> {
        let paths: Vec<Named> = entries
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
        self.match_local_paths(paths).await.unwrap_or_else(|error| {
            tracing::warn!(%error, "an import's files were not looked for on this computer");
            HashMap::new()
        })
    }

    /// The steps of `strato_local::locate` over `paths`: each as written, then the misses'
    /// other spellings.
    async fn match_local_paths(
        &self,
        paths: Vec<Named>,
    ) -> Result<HashMap<usize, Track>, AppError> {
        // `..` as the system takes it: a look at the disk per `..`, on a blocking thread.
        let (written, mut resolver) = self
            .blocking(move || {
                let mut resolver = PathResolver::default();
                let written: Vec<Named> = paths
                    .into_iter()
                    .filter_map(|(at, path)| Some((at, resolver.written(&path)?)))
                    .collect();
                Ok((written, resolver))
            })
            .await?;
        let mut found = HashMap::new();
        let mut missed: Vec<Named> = Vec::new();
        let mut music: Vec<PathBuf> = Vec::new();
        for chunk in written.chunks(LOCAL_LOOKUPS_PER_CALL) {
            let asked = chunk.to_vec();
            let with_folders = music.is_empty();
            let answer = self
                .local_files
                .ask(move |worker| {
                    let Some(index) = worker.reading() else {
                        return Ok(None);
                    };
                    let folders = if with_folders {
                        let folders = index.folders().map_err(|e| from_local(&e))?;
                        folders.into_iter().map(|f| f.path).collect()
                    } else {
                        Vec::new()
                    };
                    let mut looked = Vec::with_capacity(asked.len());
                    for (at, path) in asked {
                        let track = index.playable_at(&path).map_err(|e| from_local(&e))?;
                        looked.push((at, path, track));
                    }
                    Ok(Some((looked, folders)))
                })
                .await??;
            // No index: no file of this computer to match.
            let Some((looked, folders)) = answer else {
                return Ok(found);
            };
            music.extend(folders);
            for (at, path, track) in looked {
                match track {
                    Some(track) => {
                        found.insert(at, track);
                    }
                    None => missed.push((at, path)),
                }
            }
        }
        if missed.is_empty() || music.is_empty() {
            return Ok(found);
        }
        // The other spellings: the real path of each folder the misses go through, each
        // asked of the disk once, on a blocking thread.
        let spelled: Vec<(usize, PathBuf, Vec<PathBuf>)> = self
            .blocking(move || {
                Ok(missed
                    .into_iter()
                    .map(|(at, written)| {
                        let spellings = resolver.spellings(&written, &music);
                        (at, written, spellings)
                    })
                    .collect())
            })
            .await?;
        for chunk in spelled.chunks(LOCAL_LOOKUPS_PER_CALL) {
            let asked = chunk.to_vec();
            let answer = self
                .local_files
                .ask(move |worker| {
                    let Some(index) = worker.reading() else {
                        return Ok(Vec::new());
                    };
                    let mut hits = Vec::new();
                    for (at, written, spellings) in asked {
                        let track = index
                            .playable_among(&written, &spellings)
                            .map_err(|e| from_local(&e))?;
                        hits.extend(track.map(|track| (at, track)));
                    }
                    Ok(hits)
                })
                .await??;
            found.extend(answer);
        }
        Ok(found)
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

    #[test]
    fn an_entry_naming_no_file_names_none() {
        assert_eq!(entry_path("a.flac", None), None);
        let folder = std::env::temp_dir();
        assert_eq!(entry_path("http://radio.example/live", Some(&folder)), None);
    }

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
        // A playlist made on Windows separates its folders with `\`.
        assert_eq!(
            entry_path("Album\\01.flac", Some(folder)),
            Some(PathBuf::from("/home/me/Lists/Album/01.flac"))
        );
        assert_eq!(
            entry_path("file:///music/a%20b.flac", Some(folder)),
            Some(PathBuf::from("/music/a b.flac"))
        );
    }

    #[cfg(windows)]
    #[test]
    fn an_entry_names_a_file_by_full_path_relative_path_or_url() {
        let folder = Path::new(r"C:\Users\me\Lists");
        assert_eq!(
            entry_path(r"D:\Music\a.flac", Some(folder)),
            Some(PathBuf::from(r"D:\Music\a.flac"))
        );
        assert_eq!(
            entry_path(r"..\Music\a.flac", Some(folder)),
            Some(PathBuf::from(r"C:\Users\me\Lists\..\Music\a.flac"))
        );
        // A playlist made elsewhere separates its folders with `/`, which Windows takes too.
        assert_eq!(
            entry_path("Album/01.flac", Some(folder)),
            Some(folder.join("Album/01.flac"))
        );
        assert_eq!(
            entry_path("file:///C:/Music/a%20b.flac", Some(folder)),
            Some(PathBuf::from(r"C:\Music\a b.flac"))
        );
    }
}
