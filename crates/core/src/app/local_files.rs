//! The "Local files" commands: the listener's music folders on this computer (see
//! [`crate::local_files`], which owns them), their tracks, albums and artists, a search of
//! them; and what the rest of the app asks of them: a local track's tags to play and queue
//! it, an album's cover.
//!
//! Local files need no account and no network: every command here answers signed out and
//! offline alike. Before any folder is added (or without a data folder) the lists are empty
//! and the view says why.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use strato_local::ids::track_path;
use strato_local::{CoverSource, LocalErrorKind, LocalIndex};
use strato_model::ipc::{
    Album, AppError, Artist, ErrorKind, LocalAlbumPage, LocalArtistPage, LocalFilesView,
    OfflineTarget, SearchResults, Track,
};

use super::{App, Cover, CoverAnswer, CoverKeeping};
use crate::error::from_local;
use crate::local_files::Worker;

/// A search's tracks when the caller does not say, and the most it may ask for.
const SEARCH_DEFAULT: u32 = 50;
const SEARCH_MAX: u32 = 500;

impl App {
    /// The music folders, their counts, what a scan is doing and the files that cannot be
    /// played. Never fails: what stops local files is said in the view.
    pub async fn local_files(&self) -> LocalFilesView {
        self.local_files
            .ask(Worker::view)
            .await
            .unwrap_or_else(|error| LocalFilesView {
                unavailable: Some(error),
                ..LocalFilesView::default()
            })
    }

    /// Adds the folder at `path` (a full path): its files are scanned in the background, and
    /// changes in it are followed. Answers the view with the folder in it.
    ///
    /// # Errors
    /// In words: not a full path, no such folder, a file, a folder Strato may not read, one
    /// already added or inside one added, or the index cannot be used (`Storage`).
    pub async fn add_local_folder(&self, path: String) -> Result<LocalFilesView, AppError> {
        self.local_files
            .ask(move |worker| worker.add_folder(&path))
            .await?
    }

    /// Removes the folder at `path` (as the view names it) and its tracks; the files on disk
    /// stay.
    ///
    /// # Errors
    /// `NotFound` when it is not one of the music folders.
    pub async fn remove_local_folder(&self, path: String) -> Result<LocalFilesView, AppError> {
        self.local_files
            .ask(move |worker| worker.remove_folder(&path))
            .await?
    }

    /// Scans every folder again in the background (only files new or changed are read).
    ///
    /// # Errors
    /// When the index cannot be used.
    pub async fn rescan_local_files(&self) -> Result<LocalFilesView, AppError> {
        self.local_files.ask(Worker::rescan).await?
    }

    /// Every local track that plays, in album order.
    ///
    /// # Errors
    /// When the index cannot be read.
    pub async fn local_tracks(&self) -> Result<Vec<Track>, AppError> {
        self.read_local(LocalIndex::tracks).await
    }

    /// The local albums, by album artist then title.
    ///
    /// # Errors
    /// When the index cannot be read.
    pub async fn local_albums(&self) -> Result<Vec<Album>, AppError> {
        self.read_local(LocalIndex::albums).await
    }

    /// The local artists (of tracks and of albums), by name.
    ///
    /// # Errors
    /// When the index cannot be read.
    pub async fn local_artists(&self) -> Result<Vec<Artist>, AppError> {
        self.read_local(LocalIndex::artists).await
    }

    /// A local album and its tracks.
    ///
    /// # Errors
    /// `NotFound` when no playable file is of it (any more).
    pub async fn local_album(&self, id: &str) -> Result<LocalAlbumPage, AppError> {
        let id = id.to_owned();
        let page = self
            .read_local(move |index| {
                let Some(album) = index.album(&id)? else {
                    return Ok(None);
                };
                let tracks = index.album_tracks(&id)?;
                Ok(Some(LocalAlbumPage { album, tracks }))
            })
            .await?;
        page.ok_or_else(|| {
            AppError::new(
                ErrorKind::NotFound,
                "This album is no longer in your music folders.",
            )
        })
    }

    /// A local artist, their albums and their tracks.
    ///
    /// # Errors
    /// `NotFound` when no playable file names them (any more).
    pub async fn local_artist(&self, id: &str) -> Result<LocalArtistPage, AppError> {
        let id = id.to_owned();
        let page = self
            .read_local(move |index| {
                let Some(artist) = index.artists()?.into_iter().find(|a| a.id == id) else {
                    return Ok(None);
                };
                Ok(Some(LocalArtistPage {
                    albums: index.artist_albums(&id)?,
                    tracks: index.artist_tracks(&id)?,
                    artist,
                }))
            })
            .await?;
        page.ok_or_else(|| {
            AppError::new(
                ErrorKind::NotFound,
                "This artist is no longer in your music folders.",
            )
        })
    }

    /// The local tracks matching every word of `query` (title, artist, album; case and
    /// accents aside), best first, at most `limit` (50 when not given, at most 500); with the
    /// albums and artists of those tracks, in the order first met.
    ///
    /// # Errors
    /// When the index cannot be read.
    pub async fn local_search(
        &self,
        query: &str,
        limit: Option<u32>,
    ) -> Result<SearchResults, AppError> {
        let query = query.to_owned();
        let limit = usize::try_from(limit.unwrap_or(SEARCH_DEFAULT).clamp(1, SEARCH_MAX))
            .unwrap_or(usize::MAX);
        let found = self.read_local(move |index| {
            let tracks = index.search(&query, limit)?;
            let mut albums = Vec::new();
            let mut seen = HashSet::new();
            for track in &tracks {
                if seen.insert(track.album_id.as_str())
                    && let Some(album) = index.album(&track.album_id)?
                {
                    albums.push(album);
                }
            }
            let mut artists = Vec::new();
            if !tracks.is_empty() {
                let mut by_id: HashMap<String, Artist> = index
                    .artists()?
                    .into_iter()
                    .map(|artist| (artist.id.clone(), artist))
                    .collect();
                for track in &tracks {
                    if let Some(artist) = by_id.remove(&track.artist_id) {
                        artists.push(artist);
                    }
                }
            }
            Ok(Some(SearchResults {
                tracks,
                albums,
                artists,
            }))
        });
        Ok(found.await?.unwrap_or_else(|| SearchResults {
            tracks: Vec::new(),
            albums: Vec::new(),
            artists: Vec::new(),
        }))
    }

    /// The local track `id` (a `file://` URL) with its tags: from the index, or, for a file
    /// outside the music folders (opened with the app), named by its file.
    ///
    /// # Errors
    /// `NotFound` when the file is not there; `DamagedMedia` (with why) when the index found
    /// it cannot be played.
    pub(super) async fn local_track(&self, id: &str) -> Result<Track, AppError> {
        let id = id.to_owned();
        self.local_files
            .ask(move |worker| {
                if let Some(index) = worker.reading() {
                    match index.track(&id) {
                        Ok(track) => return Ok(track),
                        Err(error) if error.kind() == LocalErrorKind::NotFound => {}
                        Err(error) => return Err(from_local(&error)),
                    }
                }
                file_track(&id)
            })
            .await?
    }

    /// The local tracks of `ids` (each with its place in a caller's list) the index holds;
    /// the others are left out.
    pub(super) async fn local_tracks_at(&self, ids: Vec<(usize, String)>) -> Vec<(usize, Track)> {
        if ids.is_empty() {
            return Vec::new();
        }
        let read = self
            .read_local(move |index| {
                Ok(ids
                    .into_iter()
                    .filter_map(|(at, id)| index.track(&id).ok().map(|track| (at, track)))
                    .collect())
            })
            .await;
        read.unwrap_or_else(|error| {
            tracing::warn!(%error, "local tracks could not be read");
            Vec::new()
        })
    }

    /// The cover of the local album `album_id` (`local-album:…`): the picture in one of its
    /// files, or its folder's cover file. The local files' thread only says where it is; it
    /// is read on a blocking thread of its own, so a big cover on a slow disk holds up no
    /// other request of local files.
    ///
    /// # Errors
    /// `NotFound` when the album has none.
    pub(super) async fn local_cover(&self, album_id: &str) -> Result<Cover, AppError> {
        let source = self.local_cover_source(album_id).await?;
        let cover = self.blocking(move || Ok(source.read())).await?;
        let cover = cover.ok_or_else(no_cover)?;
        Ok((Arc::new(cover.bytes), cover.mime_type))
    }

    /// The local album's cover unless the asker's copy, of validator `known`, is still the
    /// one: a cover changed on disk (retagged, a new cover.jpg, read from another file) has
    /// a new validator (its files' paths, sizes and times), looked at without reading it.
    ///
    /// # Errors
    /// `NotFound` when the album has none.
    pub(super) async fn local_cover_unless(
        &self,
        album_id: &str,
        known: Option<String>,
    ) -> Result<CoverAnswer, AppError> {
        let source = self.local_cover_source(album_id).await?;
        self.blocking(move || {
            let validator = source.validator();
            if let Some(validator) = validator.clone().filter(|now| Some(now) == known.as_ref()) {
                return Ok(CoverAnswer::Unchanged { validator });
            }
            let cover = source.read().ok_or_else(no_cover)?;
            Ok(CoverAnswer::Image {
                cover: (Arc::new(cover.bytes), cover.mime_type),
                keeping: CoverKeeping::Revalidate { validator },
            })
        })
        .await
    }

    /// Where the local album's cover is read from, answered by the local files' thread
    /// without reading it.
    async fn local_cover_source(&self, album_id: &str) -> Result<CoverSource, AppError> {
        let album_id = album_id.to_owned();
        let source = self
            .read_local(move |index| {
                let Some(track) = index.album(&album_id)?.and_then(|a| a.cover_path) else {
                    return Ok(None);
                };
                index.cover_source(&track).map(Some)
            })
            .await?;
        source.ok_or_else(no_cover)
    }

    /// `read` on the index, on the local files' thread; `T::default()` (nothing) when there
    /// is no index yet.
    async fn read_local<T: Default + Send + 'static>(
        &self,
        read: impl FnOnce(&LocalIndex) -> strato_local::Result<T> + Send + 'static,
    ) -> Result<T, AppError> {
        self.local_files
            .ask(move |worker| match worker.reading() {
                Some(index) => read(index).map_err(|e| from_local(&e)),
                None => Ok(T::default()),
            })
            .await?
    }
}

fn no_cover() -> AppError {
    AppError::new(ErrorKind::NotFound, "This album has no cover.")
}

/// Refuses `track_ids` that name files on this computer: the account's playlists are the
/// service's too, and would carry a path it cannot play (nor any other device). They go into
/// a playlist on this computer (see [`super::local_playlists`]).
pub(super) fn refuse_local_files<'a>(
    track_ids: impl IntoIterator<Item = &'a String>,
) -> Result<(), AppError> {
    if track_ids
        .into_iter()
        .any(|id| strato_local::ids::is_local_track_id(id))
    {
        return Err(AppError::new(
            ErrorKind::InvalidInput,
            "Files on this computer cannot go into your account's playlists (its other \
             devices and its server could not play them): put them in a playlist on this \
             computer instead.",
        ));
    }
    Ok(())
}

/// Refuses to download a local track or album: its files are on this computer already.
pub(super) fn refuse_local_download(target: &OfflineTarget) -> Result<(), AppError> {
    match target {
        OfflineTarget::Track(id) | OfflineTarget::Album(id)
            if strato_local::ids::is_local_track_id(id)
                || id.starts_with(strato_local::ids::ALBUM_ID_PREFIX) =>
        {
            Err(AppError::new(
                ErrorKind::InvalidInput,
                "Files on this computer play offline already: there is nothing to download.",
            ))
        }
        _ => Ok(()),
    }
}

/// A file outside the index, as a track named by its file (no tags read: it plays, and the
/// engine finds its length).
fn file_track(id: &str) -> Result<Track, AppError> {
    let path = track_path(id).map_err(|e| from_local(&e))?;
    if !path.is_file() {
        return Err(AppError::new(
            ErrorKind::NotFound,
            format!("The file {} cannot be found.", path.display()),
        ));
    }
    let name = |part: Option<&std::ffi::OsStr>| {
        part.map(|part| part.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    Ok(Track {
        id: id.to_owned(),
        title: name(path.file_stem()),
        artist_id: String::new(),
        artist_name: String::new(),
        album_id: String::new(),
        album_title: name(path.parent().and_then(std::path::Path::file_name)),
        track_number: 0,
        duration_ms: 0,
        cover_path: None,
        replaygain: None,
        owner: None,
    })
}
