//! The offline library's commands, apart from its playlists: the tracks it has seen and
//! its search, sync state, and what is kept for offline listening; with the access to the
//! account's library the other commands share.

mod playlists;

use std::sync::Arc;

use strato_library::{CollectionKind, DownloadState, Library};
use strato_model::api::Track;
use strato_model::ipc::{
    AppError, DownloadsStatus, ErrorKind, OfflineState, OfflineTarget, SearchResults, SyncStatus,
};

pub(super) use self::playlists::{entry, summary};
use super::{App, lock};
use crate::error::{self, from_download, from_library};
use crate::offline::AccountLibrary;

/// Results of each kind a search returns, at most.
const SEARCH_LIMIT: usize = 25;

impl App {
    /// The data of the tracks named, those the app has seen (in memory, else in the
    /// library), in the order asked: what a long list shows as it scrolls to its rows.
    pub async fn tracks(&self, ids: Vec<String>) -> Result<Vec<Track>, AppError> {
        let mut found = Vec::with_capacity(ids.len());
        let mut missing = Vec::new();
        {
            let known = lock(&self.tracks);
            for (index, id) in ids.iter().enumerate() {
                match known.get(id) {
                    Some(track) => found.push((index, track.clone())),
                    None => missing.push((index, id.clone())),
                }
            }
        }
        let (local, missing): (Vec<_>, Vec<_>) = missing
            .into_iter()
            .partition(|(_, id)| strato_local::ids::is_local_track_id(id));
        found.extend(self.local_tracks_at(local).await);
        if !missing.is_empty() && self.library().is_some() {
            let read = self
                .read_library(move |lib| {
                    let mut read = Vec::with_capacity(missing.len());
                    for (index, id) in missing {
                        if let Some(track) = lib.track(&id)? {
                            read.push((index, track));
                        }
                    }
                    Ok(read)
                })
                .await?;
            found.extend(read);
        }
        found.sort_by_key(|(index, _)| *index);
        Ok(found.into_iter().map(|(_, track)| track).collect())
    }

    /// Whether each track named plays offline, in the order asked: what a list that does not
    /// carry it (the catalog, search, an album) asks before offering "Remove download".
    pub async fn offline_states(&self, ids: Vec<String>) -> Result<Vec<OfflineState>, AppError> {
        self.read_library(move |lib| {
            ids.iter()
                .map(|id| {
                    Ok(lib
                        .download(id)?
                        .map_or(OfflineState::None, |d| offline_state(d.state)))
                })
                .collect()
        })
        .await
    }

    /// Searches what this computer has seen of the catalog (titles, artists, albums): no
    /// network, answers as the listener types, and works offline.
    pub async fn search_library(&self, query: &str) -> Result<SearchResults, AppError> {
        let query = query.to_owned();
        self.read_library(move |lib| lib.search(&query, SEARCH_LIMIT))
            .await
    }

    /// Searches the whole catalog on the service; what it finds is cached, so a later
    /// offline search finds it too. Without the service, the library's results.
    pub async fn search_catalog(&self, query: &str) -> Result<SearchResults, AppError> {
        if query.trim().is_empty() {
            return Ok(SearchResults {
                tracks: Vec::new(),
                albums: Vec::new(),
                artists: Vec::new(),
            });
        }
        let service = match self.online_service().await {
            Ok(service) => service,
            Err(error) if error.kind == ErrorKind::Network => {
                return self.search_library(query).await;
            }
            Err(error) => return Err(error),
        };
        let limit = u32::try_from(SEARCH_LIMIT).unwrap_or(u32::MAX);
        let found = match service.search(query, limit).await {
            Ok(found) => found,
            Err(error) if error.kind() == strato_service::ServiceErrorKind::Offline => {
                return self.search_library(query).await;
            }
            Err(error) => return Err(self.service_error(service.as_ref(), &error)),
        };
        {
            let mut known = lock(&self.tracks);
            for track in &found.tracks {
                known.insert(track.id.clone(), track.clone());
            }
        }
        if let Some(library) = self.library() {
            let cached = found.clone();
            let stored = library
                .handle()
                .call(move |lib| {
                    lib.upsert_catalog(&cached.tracks, &cached.albums, &cached.artists)
                })
                .await;
            if let Err(error) = stored {
                tracing::warn!(%error, "could not cache search results");
            }
        }
        Ok(found)
    }

    pub async fn sync_status(&self) -> Result<SyncStatus, AppError> {
        self.require_library()?.sync_status().await
    }

    /// Syncs now rather than at the next round (after an offline start: tries to reconnect
    /// first).
    pub async fn sync_now(&self) -> Result<(), AppError> {
        let library = self.require_library()?;
        if lock(&self.offline_session).is_some() {
            self.online_connection().await?;
        }
        library.sync_now();
        Ok(())
    }

    /// The listener has read a sync notice.
    pub async fn dismiss_sync_notice(&self, id: i64) -> Result<(), AppError> {
        let library = self.require_library()?;
        library
            .handle()
            .call(move |lib| lib.dismiss_sync_record(id))
            .await
            .map_err(|e| from_library(&e))?;
        library.emit_sync_status().await;
        Ok(())
    }

    /// Keeps a track, an album or a playlist for offline listening, or stops keeping it
    /// (its files are deleted unless something else kept offline still needs them).
    pub async fn set_offline(&self, target: OfflineTarget, offline: bool) -> Result<(), AppError> {
        let library = self.require_library()?;
        super::local_files::refuse_local_download(&target)?;
        // A service without downloads would leave the request waiting for ever.
        if self
            .session()
            .is_some_and(|session| !session.features.downloads)
        {
            return Err(error::not_offered());
        }
        let handle = library.handle().clone();
        let tracks = self.offline_target_tracks(&target, offline).await?;
        let collection = match &target {
            OfflineTarget::Track(_) => None,
            OfflineTarget::Album(id) => Some((CollectionKind::Album, id.clone())),
            OfflineTarget::Playlist(id) => Some((CollectionKind::Playlist, id.clone())),
        };
        if let Some((kind, id)) = collection {
            handle
                .call(move |lib| lib.set_offline_collection(kind, &id, offline))
                .await
                .map_err(|e| from_library(&e))?;
        }
        let downloads = library.downloads();
        if offline {
            match &downloads {
                Some(downloads) => downloads
                    .enqueue(&tracks, true)
                    .await
                    .map_err(|e| from_download(&e))?,
                // Offline now: recorded, fetched once the service answers.
                None => handle
                    .call(move |lib| {
                        tracks
                            .iter()
                            .try_for_each(|t| lib.request_download(t, true).map(drop))
                    })
                    .await
                    .map_err(|e| from_library(&e))?,
            }
        } else {
            let still_wanted = handle
                .call(|lib| lib.offline_collection_tracks())
                .await
                .map_err(|e| from_library(&e))?;
            for track in tracks.iter().filter(|t| !still_wanted.contains(*t)) {
                if let Some(downloads) = &downloads {
                    downloads
                        .remove(track)
                        .await
                        .map_err(|e| from_download(&e))?;
                } else {
                    // Offline now: no longer pinned, so it is the first to go for room.
                    let track = track.clone();
                    handle
                        .call(move |lib| lib.set_download_pinned(&track, false))
                        .await
                        .map_err(|e| from_library(&e))?;
                }
            }
        }
        self.events.playlists_changed();
        Ok(())
    }

    /// The tracks `target` stands for, with their data cached first while the service
    /// answers (through the service trait, whichever the account's): what is kept offline is
    /// shown offline, a track met outside the catalog cache (a listener's upload from
    /// Explore, say) included.
    async fn offline_target_tracks(
        &self,
        target: &OfflineTarget,
        offline: bool,
    ) -> Result<Vec<String>, AppError> {
        let handle = self.require_library()?.handle().clone();
        match target {
            OfflineTarget::Track(id) => {
                let cached = {
                    let id = id.clone();
                    handle.call(move |lib| lib.track(&id)).await
                };
                if offline
                    && matches!(cached, Ok(None))
                    && let Ok(service) = self.online_service().await
                {
                    let track = service
                        .track(id)
                        .await
                        .map_err(|e| self.service_error(service.as_ref(), &e))?;
                    handle
                        .call(move |lib| lib.upsert_tracks(&[track]))
                        .await
                        .map_err(|e| from_library(&e))?;
                }
                Ok(vec![id.clone()])
            }
            OfflineTarget::Album(id) => {
                // Only to keep it: to stop keeping it, the tracks this computer knows are the
                // ones downloaded, and the network may be gone.
                if offline && let Ok(service) = self.online_service().await {
                    let album = service
                        .album(id)
                        .await
                        .map_err(|e| self.service_error(service.as_ref(), &e))?;
                    let tracks = album.tracks.clone();
                    handle
                        .call(move |lib| lib.upsert_catalog(&tracks, &[album.album], &[]))
                        .await
                        .map_err(|e| from_library(&e))?;
                }
                let album = id.clone();
                Ok(handle
                    .call(move |lib| lib.album_tracks(&album))
                    .await
                    .map_err(|e| from_library(&e))?
                    .into_iter()
                    .map(|t| t.id)
                    .collect())
            }
            OfflineTarget::Playlist(id) => {
                let id = id.clone();
                Ok(handle
                    .call(move |lib| lib.playlist(&id))
                    .await
                    .map_err(|e| from_library(&e))?
                    .items
                    .into_iter()
                    .map(|item| item.track_id)
                    .collect())
            }
        }
    }

    pub async fn downloads_status(&self) -> Result<DownloadsStatus, AppError> {
        self.require_library()?.downloads_status().await
    }

    pub fn pause_downloads(&self) -> Result<(), AppError> {
        if let Some(downloads) = self.require_library()?.downloads() {
            downloads.pause();
        }
        Ok(())
    }

    pub fn resume_downloads(&self) -> Result<(), AppError> {
        if let Some(downloads) = self.require_library()?.downloads() {
            downloads.resume();
        }
        Ok(())
    }

    pub(super) fn library(&self) -> Option<Arc<AccountLibrary>> {
        lock(&self.library).clone()
    }

    pub(super) fn require_library(&self) -> Result<Arc<AccountLibrary>, AppError> {
        self.library()
            .ok_or_else(|| AppError::new(ErrorKind::NotSignedIn, "Sign in to see your library."))
    }

    pub(super) async fn read_library<T: Send + 'static>(
        &self,
        read: impl FnOnce(&mut Library) -> strato_library::Result<T> + Send + 'static,
    ) -> Result<T, AppError> {
        self.require_library()?
            .handle()
            .call(read)
            .await
            .map_err(|e| from_library(&e))
    }
}

pub(super) fn offline_state(state: DownloadState) -> OfflineState {
    match state {
        DownloadState::Queued => OfflineState::Queued,
        DownloadState::Downloading => OfflineState::Downloading,
        DownloadState::Complete => OfflineState::Available,
        DownloadState::Failed => OfflineState::Failed,
    }
}
