//! Playlist files: an M3U, M3U8 or XSPF read and matched to the service's tracks and to the
//! files on this computer for the listener to confirm ("12 of 14 matched"), then created: the
//! service's tracks as a library playlist (so it syncs like any other), the files on this
//! computer as a playlist on this computer (see [`local`]), both when it names both; and any
//! playlist, of either kind, written out as M3U8 or XSPF.
//!
//! Reading and writing the formats, and the matching itself, are `strato_formats`'s; this
//! module finds the candidates. A file names tracks by artist, title and length (or only by
//! a file's name), so each entry is looked up as "artist title" in what this computer has
//! seen of the catalog and, when online, in the service's search; the matcher then chooses
//! among everything found. A Strato export names each track by its `strato://track/<id>`
//! link as well, so a playlist sent out and brought back matches exactly, whatever its tags.
//! An entry naming a file in the music folders by its path matches that file, exactly too.
//!
//! A long file is bounded: at most [`SERVICE_REQUESTS`] requests go to the service (for the
//! file's first entries, so the same file matches the same way), the library is searched a
//! few hundred entries per trip to its thread, and the first request the service cannot
//! answer sends the rest to the library alone.

mod entries;
mod local;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use futures_util::StreamExt as _;
use strato_formats::playlist_file::{self, EntryMatch, Format, PlaylistEntry, PlaylistFile};
use strato_local::ids::{is_local_playlist_id, is_local_track_id};
use strato_model::ipc::{
    AppError, ErrorKind, ImportedPlaylists, LibraryPlaylist, PlaylistFileFormat, PlaylistImport,
    Track, UnmatchedEntry,
};
use strato_service::MusicService;

use self::entries::{
    TRACK_LINK, export_entry, label, query, read_file, reason, to_candidates, write_file,
};
use self::local::local_export_entry;
use super::library::summary;
use super::{App, lock};
use crate::error::from_library;
use crate::offline::AccountLibrary;

/// Each entry's search asks the library for this many tracks, and the service for this many.
const CANDIDATES_PER_ENTRY: usize = 10;
/// Requests (searches, linked tracks) sent to the service at once.
const REQUESTS_IN_FLIGHT: usize = 4;
/// The most requests an import sends the service: a file of thousands is matched against
/// what the library has seen beyond that, rather than sending thousands in one go.
const SERVICE_REQUESTS: usize = 500;
/// Library searches per trip to its thread: a long file does not hold the library (and
/// everything waiting on it) for the whole of its matching.
const LIBRARY_SEARCHES_PER_CALL: usize = 200;

impl App {
    /// Reads a playlist file and matches its entries to the files on this computer (by
    /// path, exactly) and to the service's tracks. Nothing is created until
    /// [`Self::import_playlist`]. Signed out, only files on this computer match.
    ///
    /// # Errors
    /// The file cannot be read, or is not a playlist (in words saying why).
    pub async fn read_playlist_file(&self, path: PathBuf) -> Result<PlaylistImport, AppError> {
        let file_name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let folder_path = path.parent().map(Path::to_path_buf);
        let folder = path.parent().map(|p| p.to_string_lossy().into_owned());
        let (file, format) = self.blocking(move || read_file(&path)).await?;
        // A file on this computer named by its path is that file: exact, before any link or
        // tag is looked at.
        let on_disk = self.local_matches(&file.entries, folder_path).await;
        let service = self.online_service().await.ok();
        // Cleared by the first request the service cannot answer: the rest come from the
        // library, instead of each waiting out the network.
        let reachable = AtomicBool::new(service.is_some());
        let mut exact = self
            .linked_tracks(service.as_ref(), &reachable, &file.entries)
            .await;
        // Linked tracks may each have cost a request; the files on this computer cost none.
        let budget = SERVICE_REQUESTS.saturating_sub(exact.len());
        exact.extend(on_disk);
        let unlinked: Vec<&PlaylistEntry> = file
            .entries
            .iter()
            .enumerate()
            .filter(|(index, _)| !exact.contains_key(index))
            .map(|(_, entry)| entry)
            .collect();
        let candidates = self
            .candidates(service.as_ref(), &reachable, &unlinked, budget)
            .await;
        let (entries, listed) = (file.entries.clone(), to_candidates(&candidates));
        // The matching is CPU work over the whole file: off the runtime's workers.
        let outcomes = self
            .blocking(move || {
                Ok(playlist_file::match_entries(
                    &entries,
                    &listed,
                    folder.as_deref(),
                ))
            })
            .await?;
        let found = found_in_order(&file, &outcomes, &exact, &candidates);
        // At hand, so the import that follows caches them with the playlist (the service's:
        // the files on this computer are the index's).
        let service_tracks: Vec<Track> = found
            .matched
            .iter()
            .filter(|track| !is_local_track_id(&track.id))
            .cloned()
            .collect();
        self.know(&service_tracks);
        Ok(PlaylistImport {
            name: file
                .name
                .filter(|n| !n.trim().is_empty())
                .unwrap_or(file_name),
            format: match format {
                Format::M3u => PlaylistFileFormat::M3u,
                Format::Xspf => PlaylistFileFormat::Xspf,
            },
            entries: u32::try_from(file.entries.len()).unwrap_or(u32::MAX),
            ..found
        })
    }

    /// Creates the playlists of `track_ids` (an import the listener confirmed), named
    /// `name`: the service's tracks as a library playlist, which syncs like any other; the
    /// files on this computer as a playlist on this computer; both when the file named both,
    /// so nothing it named is lost. Signed out, files on this computer need no account.
    ///
    /// # Errors
    /// `NotSignedIn` when it names the service's tracks and no library is open (nothing is
    /// created then); either playlist refused (more than a playlist holds, the disk), the
    /// words saying which when it names both. When the library's fails, the playlist on
    /// this computer just made is taken back, so trying again makes no second one (if even
    /// that fails, the words say it was kept, by name).
    pub async fn import_playlist(
        &self,
        name: &str,
        track_ids: Vec<String>,
    ) -> Result<ImportedPlaylists, AppError> {
        let (local_ids, service_ids): (Vec<String>, Vec<String>) =
            track_ids.into_iter().partition(|id| is_local_track_id(id));
        // Nothing matched: an empty playlist of the account's, else of this computer's.
        let library = if service_ids.is_empty() && !local_ids.is_empty() {
            None
        } else if service_ids.is_empty() {
            self.library()
        } else {
            Some(self.library().ok_or_else(|| {
                AppError::new(
                    ErrorKind::NotSignedIn,
                    "Sign in to bring this playlist's tracks of your service into your library.",
                )
            })?)
        };
        let local = if local_ids.is_empty() && library.is_some() {
            None
        } else {
            let both = library.is_some();
            let made = self.create_local_playlist(name, local_ids).await;
            Some(made.map_err(|error| {
                if both {
                    AppError::new(
                        error.kind,
                        format!(
                            "The playlist on this computer could not be made, so none was \
                             made: {}",
                            error.message
                        ),
                    )
                } else {
                    error
                }
            })?)
        };
        let Some(library) = library else {
            return Ok(ImportedPlaylists {
                library: None,
                local,
            });
        };
        match self.import_into_library(&library, name, service_ids).await {
            Ok(created) => Ok(ImportedPlaylists {
                library: Some(created),
                local,
            }),
            Err(error) => {
                let Some(made) = &local else {
                    return Err(error);
                };
                // Both or neither: a retry must not make a second playlist on this computer.
                let message = match self.delete_local_playlist(&made.id).await {
                    Ok(()) => format!(
                        "The playlist in your library could not be made, so the one on this \
                         computer was not kept either: {}",
                        error.message
                    ),
                    Err(undo) => {
                        tracing::warn!(%undo, "an import's playlist on this computer was kept");
                        format!(
                            "The playlist in your library could not be made: {} The playlist \
                             on this computer, \u{201c}{}\u{201d}, was kept.",
                            error.message, made.name
                        )
                    }
                };
                Err(AppError::new(error.kind, message))
            }
        }
    }

    /// A library playlist of `track_ids`, created with its tracks in one transaction, so a
    /// refusal (more than a playlist holds) or a crash leaves no empty playlist.
    async fn import_into_library(
        &self,
        library: &AccountLibrary,
        name: &str,
        track_ids: Vec<String>,
    ) -> Result<LibraryPlaylist, AppError> {
        let known: Vec<Track> = {
            let tracks = lock(&self.tracks);
            track_ids
                .iter()
                .filter_map(|id| tracks.get(id).cloned())
                .collect()
        };
        let name = name.to_owned();
        let created = library
            .handle()
            .call(move |lib| {
                lib.upsert_tracks(&known)?;
                let created = lib.create_playlist_with(&name, "", &track_ids)?;
                summary(lib, created.playlist)
            })
            .await
            .map_err(|e| from_library(&e))?;
        library.nudge();
        library.emit_sync_status().await;
        Ok(created)
    }

    /// Writes a playlist to `path`: XSPF when its name ends in `.xspf`, M3U8 otherwise (a
    /// name without an extension gets `.m3u8`). Each track is named by its tags, which other
    /// players match, and by its `strato://` link, which brings it back exactly (not by a
    /// downloaded file's path: those live in Strato's own folder and go with its cache). A
    /// playlist on this computer (`local-playlist:…`) names each file by its full path
    /// instead, which any player on this computer plays. Answers the file written.
    pub async fn export_playlist(&self, id: &str, path: PathBuf) -> Result<PathBuf, AppError> {
        let (name, entries) = if is_local_playlist_id(id) {
            let (name, tracks) = self.local_playlist_tracks(id).await?;
            (name, tracks.iter().map(local_export_entry).collect())
        } else {
            let id = id.to_owned();
            let (name, rows) = self
                .read_library(move |lib| {
                    let outline = lib.playlist_outline(&id)?;
                    let mut rows = Vec::with_capacity(outline.items.len());
                    for (_, track_id) in outline.items {
                        let track = lib.track(&track_id)?;
                        rows.push((track_id, track));
                    }
                    Ok((outline.info.name, rows))
                })
                .await?;
            let entries = rows
                .iter()
                .map(|(id, track)| export_entry(id, track.as_ref()))
                .collect();
            (name, entries)
        };
        let mut path = path;
        if path.extension().is_none() {
            path.set_extension("m3u8");
        }
        let xspf = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("xspf"));
        let file = PlaylistFile {
            name: Some(name),
            entries,
        };
        let text = if xspf {
            playlist_file::to_xspf(&file)
        } else {
            playlist_file::to_m3u8(&file)
        };
        let written = path.clone();
        self.blocking(move || write_file(&path, text.as_bytes()))
            .await?;
        Ok(written)
    }

    /// Entries naming a Strato track by its link, by their index: the track, when it
    /// exists (from memory or the library, else the service, a few at a time).
    async fn linked_tracks(
        &self,
        service: Option<&Arc<dyn MusicService>>,
        reachable: &AtomicBool,
        entries: &[PlaylistEntry],
    ) -> HashMap<usize, Track> {
        // Collected first: an iterator borrowing `entries` held across the awaits below
        // makes the future `Send` for one lifetime only, and Tauri needs every lifetime.
        let links: Vec<(usize, String)> = entries
            .iter()
            .enumerate()
            .filter_map(|(index, entry)| {
                let id = entry.location.as_deref()?.strip_prefix(TRACK_LINK)?;
                Some((index, id.to_owned()))
            })
            .collect();
        futures_util::stream::iter(links)
            .map(|(index, id)| async move {
                let asked = service
                    .filter(|_| reachable.load(Ordering::Relaxed))
                    .map(AsRef::as_ref);
                match self.track(asked, &id).await {
                    Ok(track) => Some((index, track)),
                    Err(error) => {
                        if matches!(error.kind, ErrorKind::Network | ErrorKind::Server) {
                            reachable.store(false, Ordering::Relaxed);
                        }
                        tracing::debug!(%error, "a linked track is not at hand");
                        None
                    }
                }
            })
            .buffer_unordered(REQUESTS_IN_FLIGHT)
            .filter_map(|found| async move { found })
            .collect()
            .await
    }

    /// The tracks the entries may match: what the library and (online) the service find
    /// for each entry's "artist title". At most `budget` searches go to the service, for
    /// the file's first entries.
    async fn candidates(
        &self,
        service: Option<&Arc<dyn MusicService>>,
        reachable: &AtomicBool,
        entries: &[&PlaylistEntry],
        budget: usize,
    ) -> Vec<Track> {
        // In the file's order, each once.
        let mut seen = HashSet::new();
        let queries: Vec<String> = entries
            .iter()
            .filter_map(|entry| query(entry))
            .filter(|q| seen.insert(q.clone()))
            .collect();
        let mut found: HashMap<String, Track> = HashMap::new();
        if self.library().is_some() {
            for chunk in queries.chunks(LIBRARY_SEARCHES_PER_CALL) {
                let asked = chunk.to_vec();
                let seen = self
                    .read_library(move |lib| {
                        let mut seen = Vec::new();
                        for query in &asked {
                            seen.extend(lib.search(query, CANDIDATES_PER_ENTRY)?.tracks);
                        }
                        Ok(seen)
                    })
                    .await;
                match seen {
                    Ok(tracks) => found.extend(tracks.into_iter().map(|t| (t.id.clone(), t))),
                    Err(error) => {
                        tracing::warn!(%error, "could not search the library for an import");
                        break;
                    }
                }
            }
        }
        if let Some(service) = service {
            let limit = u32::try_from(CANDIDATES_PER_ENTRY).unwrap_or(u32::MAX);
            let answers: Vec<Vec<Track>> =
                futures_util::stream::iter(queries.into_iter().take(budget))
                    .map(|query| async move {
                        if !reachable.load(Ordering::Relaxed) {
                            return Vec::new();
                        }
                        match service.search(&query, limit).await {
                            Ok(results) => results.tracks,
                            Err(error) => {
                                if error.is_unreachable() {
                                    reachable.store(false, Ordering::Relaxed);
                                }
                                tracing::debug!(%error, "an import's search failed");
                                Vec::new()
                            }
                        }
                    })
                    .buffer_unordered(REQUESTS_IN_FLIGHT)
                    .collect()
                    .await;
            found.extend(answers.into_iter().flatten().map(|t| (t.id.clone(), t)));
        }
        found.into_values().collect()
    }
}

/// The tracks matched in the file's order (an exact match, by a link or a file on this
/// computer, else the matcher's choice) and the entries nothing matched; `name`, `format`
/// and `entries` left for the caller.
fn found_in_order(
    file: &PlaylistFile,
    outcomes: &[EntryMatch],
    exact: &HashMap<usize, Track>,
    candidates: &[Track],
) -> PlaylistImport {
    let tracks: HashMap<&str, &Track> = candidates.iter().map(|t| (t.id.as_str(), t)).collect();
    let mut matched = Vec::new();
    let mut unmatched = Vec::new();
    for (index, (entry, outcome)) in file.entries.iter().zip(outcomes).enumerate() {
        if let Some(track) = exact.get(&index) {
            matched.push(track.clone());
            continue;
        }
        match outcome {
            EntryMatch::Matched { candidate, .. } => {
                if let Some(track) = tracks.get(candidate.as_str()) {
                    matched.push((*track).clone());
                }
            }
            EntryMatch::Unmatched { why, .. } => unmatched.push(UnmatchedEntry {
                position: u32::try_from(index + 1).unwrap_or(u32::MAX),
                label: label(entry),
                reason: reason(why),
            }),
        }
    }
    PlaylistImport {
        name: String::new(),
        format: PlaylistFileFormat::M3u,
        entries: 0,
        local_matched: u32::try_from(
            matched
                .iter()
                .filter(|track| is_local_track_id(&track.id))
                .count(),
        )
        .unwrap_or(u32::MAX),
        matched,
        unmatched,
    }
}
