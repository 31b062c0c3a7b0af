//! Playlist files: an M3U, M3U8 or XSPF read and matched to the service's tracks for the
//! listener to confirm ("12 of 14 matched"), then created as a library playlist (so it
//! syncs like any other); and any playlist written out as M3U8 or XSPF.
//!
//! Reading and writing the formats, and the matching itself, are `strato_formats`'s; this
//! module finds the candidates. A file names tracks by artist, title and length (or by
//! path, for files on this computer), so each entry is looked up as "artist title" in what
//! this computer has seen of the catalog and, when online, in the service's search; the
//! matcher then chooses among everything found. A Strato export names each track by its
//! `strato://track/<id>` link as well, so a playlist sent out and brought back matches
//! exactly, whatever its tags.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt as _;
use strato_formats::playlist_file::{
    self, Candidate, EntryMatch, Format, PlaylistEntry, PlaylistFile, Unmatched,
};
use strato_library::DownloadState;
use strato_model::ipc::{
    AppError, ErrorKind, LibraryPlaylist, PlaylistFileFormat, PlaylistImport, Track,
    UnmatchedEntry, UnmatchedReason,
};
use strato_service::MusicService;

use super::library::summary;
use super::{App, lock};
use crate::error::{from_io, from_library};

/// Each entry's search asks the library for this many tracks, and the service for this many.
const CANDIDATES_PER_ENTRY: usize = 10;
/// Searches sent to the service at once.
const SEARCHES_IN_FLIGHT: usize = 4;
/// The most entries looked up in the service's search: a file of thousands is matched
/// against what the library has seen beyond that, rather than sending thousands of
/// searches in one go.
const SERVICE_SEARCHES: usize = 500;
/// A Strato track's link, as exports write it.
const TRACK_LINK: &str = "strato://track/";

impl App {
    /// Reads a playlist file and matches its entries to the service's tracks. Nothing is
    /// created until [`Self::import_playlist`].
    ///
    /// # Errors
    /// The file cannot be read, or is not a playlist (in words saying why).
    pub async fn read_playlist_file(&self, path: PathBuf) -> Result<PlaylistImport, AppError> {
        let file_name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let folder = path.parent().map(|p| p.to_string_lossy().into_owned());
        let (file, format) = self.blocking(move || read_file(&path)).await?;
        let service = self.online_service().await.ok();
        let by_link = self.linked_tracks(service.as_deref(), &file.entries).await;
        let candidates = self.candidates(service.as_ref(), &file.entries).await;
        let outcomes = playlist_file::match_entries(
            &file.entries,
            &to_candidates(&candidates),
            folder.as_deref(),
        );
        let tracks: HashMap<&str, &Track> = candidates.iter().map(|t| (t.id.as_str(), t)).collect();
        let mut matched = Vec::new();
        let mut unmatched = Vec::new();
        for (index, (entry, found)) in file.entries.iter().zip(&outcomes).enumerate() {
            if let Some(track) = by_link.get(&index) {
                matched.push(track.clone());
                continue;
            }
            match found {
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
        // At hand, so the import that follows caches them with the playlist.
        self.know(&matched);
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
            matched,
            unmatched,
        })
    }

    /// Creates a library playlist of `track_ids` (an import the listener confirmed), which
    /// syncs to the service like any other.
    pub async fn import_playlist(
        &self,
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
        let library = self.require_library()?;
        let created = library
            .handle()
            .call(move |lib| {
                lib.upsert_tracks(&known)?;
                let created = lib.create_playlist(&name, "")?;
                let playlist = if track_ids.is_empty() {
                    created.playlist
                } else {
                    lib.add_tracks(&created.playlist.id, &track_ids, None)?
                        .playlist
                };
                summary(lib, playlist)
            })
            .await
            .map_err(|e| from_library(&e))?;
        library.nudge();
        library.emit_sync_status().await;
        Ok(created)
    }

    /// Writes a playlist to `path`: XSPF when its name ends in `.xspf`, M3U8 otherwise.
    /// Each track is named by its tags and its `strato://` link; a track kept offline, by
    /// its file too (M3U8 lists the file, which other players can open).
    pub async fn export_playlist(&self, id: &str, path: PathBuf) -> Result<(), AppError> {
        let id = id.to_owned();
        let (name, rows) = self
            .read_library(move |lib| {
                let outline = lib.playlist_outline(&id)?;
                let mut rows = Vec::with_capacity(outline.items.len());
                for (_, track_id) in outline.items {
                    let track = lib.track(&track_id)?;
                    let file = lib
                        .download(&track_id)?
                        .filter(|d| d.state == DownloadState::Complete)
                        .and_then(|d| d.path)
                        .map(|p| p.to_string_lossy().into_owned());
                    rows.push((track_id, track, file));
                }
                Ok((outline.info.name, rows))
            })
            .await?;
        let xspf = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("xspf"));
        let file = PlaylistFile {
            name: Some(name),
            entries: rows
                .into_iter()
                .map(|(id, track, file)| export_entry(&id, track.as_ref(), file, xspf))
                .collect(),
        };
        let text = if xspf {
            playlist_file::to_xspf(&file)
        } else {
            playlist_file::to_m3u8(&file)
        };
        self.blocking(move || write_file(&path, text.as_bytes()))
            .await
    }

    /// Entries naming a Strato track by its link, by their index: the track, when it
    /// exists.
    async fn linked_tracks(
        &self,
        service: Option<&dyn MusicService>,
        entries: &[PlaylistEntry],
    ) -> HashMap<usize, Track> {
        let mut found = HashMap::new();
        for (index, entry) in entries.iter().enumerate() {
            let Some(id) = entry
                .location
                .as_deref()
                .and_then(|l| l.strip_prefix(TRACK_LINK))
            else {
                continue;
            };
            match self.track(service, id).await {
                Ok(track) => {
                    found.insert(index, track);
                }
                Err(error) => tracing::debug!(%error, "a linked track is not at hand"),
            }
        }
        found
    }

    /// The tracks the entries may match: what the library and (online) the service find
    /// for each entry's "artist title".
    async fn candidates(
        &self,
        service: Option<&Arc<dyn MusicService>>,
        entries: &[PlaylistEntry],
    ) -> Vec<Track> {
        let queries: Vec<String> = entries
            .iter()
            .filter_map(query)
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let mut found: HashMap<String, Track> = HashMap::new();
        if self.library().is_some() {
            let asked = queries.clone();
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
                Err(error) => tracing::warn!(%error, "could not search the library for an import"),
            }
        }
        if let Some(service) = service {
            let limit = u32::try_from(CANDIDATES_PER_ENTRY).unwrap_or(u32::MAX);
            let answers: Vec<Vec<Track>> =
                futures_util::stream::iter(queries.into_iter().take(SERVICE_SEARCHES))
                    .map(|query| {
                        let service = Arc::clone(service);
                        async move {
                            match service.search(&query, limit).await {
                                Ok(results) => results.tracks,
                                Err(error) => {
                                    tracing::debug!(%error, "an import's search failed");
                                    Vec::new()
                                }
                            }
                        }
                    })
                    .buffer_unordered(SEARCHES_IN_FLIGHT)
                    .collect()
                    .await;
            found.extend(answers.into_iter().flatten().map(|t| (t.id.clone(), t)));
        }
        found.into_values().collect()
    }
}

/// Reads and parses the file, refusing one too large to be a playlist before reading it.
fn read_file(path: &Path) -> Result<(PlaylistFile, Format), AppError> {
    let shown = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let unreadable = |error: std::io::Error| {
        if error.kind() == std::io::ErrorKind::NotFound {
            AppError::new(
                ErrorKind::NotFound,
                format!("“{shown}” is not there any more."),
            )
        } else {
            from_io(&error, "read the playlist file")
        }
    };
    let size = std::fs::metadata(path).map_err(unreadable)?;
    if size.len() > playlist_file::MAX_PLAYLIST_BYTES as u64 {
        return Err(not_a_playlist(
            &shown,
            &playlist_file::PlaylistFileError::TooLarge,
        ));
    }
    let bytes = std::fs::read(path).map_err(unreadable)?;
    playlist_file::parse(&bytes).map_err(|e| not_a_playlist(&shown, &e))
}

fn not_a_playlist(name: &str, error: &playlist_file::PlaylistFileError) -> AppError {
    AppError::new(
        ErrorKind::InvalidInput,
        format!("“{name}” could not be read as a playlist: {error}."),
    )
}

/// Writes the whole file or nothing: a temporary file beside it, renamed over it.
fn write_file(path: &Path, bytes: &[u8]) -> Result<(), AppError> {
    let write = || -> std::io::Result<()> {
        let folder = path.parent().unwrap_or_else(|| Path::new("."));
        let mut part = tempfile::NamedTempFile::new_in(folder)?;
        std::io::Write::write_all(&mut part, bytes)?;
        part.as_file().sync_all()?;
        part.persist(path).map_err(|e| e.error)?;
        Ok(())
    };
    write().map_err(|e| from_io(&e, "save the playlist file"))
}

/// What an entry is looked up by: "artist title", or the title alone.
fn query(entry: &PlaylistEntry) -> Option<String> {
    let title = entry
        .title
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())?;
    Some(match entry.artist.as_deref().map(str::trim) {
        Some(artist) if !artist.is_empty() => format!("{artist} {title}"),
        _ => title.to_owned(),
    })
}

fn to_candidates(tracks: &[Track]) -> Vec<Candidate> {
    tracks
        .iter()
        .map(|t| Candidate {
            id: t.id.clone(),
            artist: Some(t.artist_name.clone()),
            title: t.title.clone(),
            album: Some(t.album_title.clone()),
            duration: Some(Duration::from_millis(u64::from(t.duration_ms))),
            path: None,
        })
        .collect()
}

/// One track as an export writes it. M3U needs a location per entry: the track's file when
/// it is kept offline, else its link; XSPF lists the link (and the file) as locations.
fn export_entry(
    id: &str,
    track: Option<&Track>,
    file: Option<String>,
    xspf: bool,
) -> PlaylistEntry {
    let link = format!("{TRACK_LINK}{id}");
    PlaylistEntry {
        location: Some(if xspf { link } else { file.unwrap_or(link) }),
        artist: track.map(|t| t.artist_name.clone()),
        title: track.map(|t| t.title.clone()),
        album: track.map(|t| t.album_title.clone()),
        duration: track.map(|t| Duration::from_millis(u64::from(t.duration_ms))),
        track_number: track.map(|t| t.track_number),
    }
}

/// "Artist – Title", the title alone, else the file's name or address.
fn label(entry: &PlaylistEntry) -> String {
    match (entry.artist.as_deref(), entry.title.as_deref()) {
        (Some(artist), Some(title)) => format!("{artist} – {title}"),
        (None, Some(title)) => title.to_owned(),
        _ => entry
            .location
            .as_deref()
            .map(|l| l.rsplit(['/', '\\']).next().unwrap_or(l).to_owned())
            .unwrap_or_default(),
    }
}

fn reason(why: &Unmatched) -> UnmatchedReason {
    let ms = |d: &Duration| u32::try_from(d.as_millis()).unwrap_or(u32::MAX);
    match why {
        Unmatched::NothingToLookFor => UnmatchedReason::NothingToLookFor,
        Unmatched::LengthDiffers {
            expected, closest, ..
        } => UnmatchedReason::LengthDiffers {
            expected_ms: ms(expected),
            closest_ms: ms(closest),
        },
        Unmatched::Ambiguous { count, .. } => UnmatchedReason::Ambiguous {
            count: u32::try_from(*count).unwrap_or(u32::MAX),
        },
        Unmatched::NotInLibrary { .. } => UnmatchedReason::NotFound,
    }
}
