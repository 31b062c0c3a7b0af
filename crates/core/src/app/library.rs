//! The offline library's commands: playlists (edited locally at once, synced after),
//! sync state, and what is kept for offline listening.

use std::collections::HashMap;
use std::sync::Arc;

use strato_library::{
    CollectionKind, DownloadState, EditOutcome, Library, PlaylistInfo, PlaylistOutline,
};
use strato_model::api::Track;
use strato_model::ipc::{
    AppError, DownloadsStatus, ErrorKind, LibraryPlaylist, OfflineState, OfflineTarget,
    PLAYLIST_FIRST_TRACKS, PlaylistChange, PlaylistChanges, PlaylistEntry, PlaylistItem,
    PlaylistView, SearchResults, SyncStatus,
};

use super::{App, lock};
use crate::error::{self, from_download, from_library};
use crate::offline::AccountLibrary;

/// Results of each kind a search returns, at most.
const SEARCH_LIMIT: usize = 25;

impl App {
    /// The listener's playlists, from the library (instant, and the same offline).
    pub async fn playlists(&self) -> Result<Vec<LibraryPlaylist>, AppError> {
        self.read_library(|lib| {
            lib.playlists()?
                .into_iter()
                .map(|info| summary(lib, info))
                .collect()
        })
        .await
    }

    /// One playlist with its tracks and whether each plays offline.
    pub async fn playlist(&self, id: &str) -> Result<PlaylistView, AppError> {
        let id = id.to_owned();
        self.read_library(move |lib| {
            let outline = lib.playlist_outline(&id)?;
            view(lib, outline)
        })
        .await
    }

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

    pub async fn create_playlist(
        &self,
        name: &str,
        description: &str,
    ) -> Result<LibraryPlaylist, AppError> {
        let (name, description) = (name.to_owned(), description.to_owned());
        self.edit_library(move |lib| {
            let outcome = lib.create_playlist(&name, &description)?;
            summary(lib, outcome.playlist)
        })
        .await
    }

    pub async fn rename_playlist(&self, id: &str, name: &str) -> Result<LibraryPlaylist, AppError> {
        let (id, name) = (id.to_owned(), name.to_owned());
        self.edit_then_summary(move |lib| lib.rename_playlist(&id, &name))
            .await
    }

    pub async fn describe_playlist(
        &self,
        id: &str,
        description: &str,
    ) -> Result<LibraryPlaylist, AppError> {
        let (id, description) = (id.to_owned(), description.to_owned());
        self.edit_then_summary(move |lib| lib.describe_playlist(&id, &description))
            .await
    }

    pub async fn delete_playlist(&self, id: &str) -> Result<(), AppError> {
        let id = id.to_owned();
        self.edit_library(move |lib| lib.delete_playlist(&id))
            .await
            .map(drop)
    }

    /// Adds tracks at `position` (`None` appends); answers the items added, with their ids
    /// and where they are. Tracks of an offline playlist download.
    pub async fn add_to_playlist(
        &self,
        id: &str,
        track_ids: Vec<String>,
        position: Option<u32>,
    ) -> Result<PlaylistChanges, AppError> {
        super::local_files::refuse_local_files(&track_ids)?;
        let known: Vec<_> = {
            let tracks = lock(&self.tracks);
            track_ids
                .iter()
                .filter_map(|t| tracks.get(t).cloned())
                .collect()
        };
        let edit_id = id.to_owned();
        let changes = self
            .edit_library(move |lib| {
                // Cache what the listener saw, so the playlist reads well offline.
                lib.upsert_tracks(&known)?;
                let outcome = lib.add_tracks(&edit_id, &track_ids, position)?;
                let items = outcome
                    .item_ids
                    .iter()
                    .zip(&track_ids)
                    .map(|(item_id, track_id)| entry(lib, item_id, track_id))
                    .collect::<strato_library::Result<Vec<_>>>()?;
                let change = PlaylistChange::Added {
                    position: outcome.index.unwrap_or(0),
                    items,
                };
                changes(lib, outcome.playlist, change)
            })
            .await?;
        if let Some((library, downloads)) = self
            .library()
            .and_then(|library| library.downloads().map(|downloads| (library, downloads)))
        {
            library.download_offline_collections(&downloads).await;
        }
        Ok(changes)
    }

    /// Removes one item; answers its id.
    pub async fn remove_from_playlist(
        &self,
        id: &str,
        item_id: &str,
    ) -> Result<PlaylistChanges, AppError> {
        let (edit_id, item_id) = (id.to_owned(), item_id.to_owned());
        self.edit_library(move |lib| {
            let outcome = lib.remove_item(&edit_id, &item_id)?;
            let change = PlaylistChange::Removed {
                item_ids: vec![item_id],
            };
            changes(lib, outcome.playlist, change)
        })
        .await
    }

    /// Moves an item to `position`, its index once moved; answers the move.
    pub async fn move_in_playlist(
        &self,
        id: &str,
        item_id: &str,
        position: u32,
    ) -> Result<PlaylistChanges, AppError> {
        let (edit_id, item_id) = (id.to_owned(), item_id.to_owned());
        self.edit_library(move |lib| {
            let outcome = lib.move_item(&edit_id, &item_id, position)?;
            let change = PlaylistChange::Moved {
                item_ids: outcome.item_ids.clone(),
                position: outcome.index.unwrap_or(position),
            };
            changes(lib, outcome.playlist, change)
        })
        .await
    }

    /// Replaces the queue with the playlist's tracks and plays from `start`.
    pub async fn play_playlist(&self, id: &str, start: usize) -> Result<(), AppError> {
        let id = id.to_owned();
        let tracks = self
            .read_library(move |lib| {
                Ok(lib
                    .playlist(&id)?
                    .items
                    .into_iter()
                    .map(|item| item.track_id)
                    .collect::<Vec<_>>())
            })
            .await?;
        self.play_queue(tracks, start).await
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

    /// Applies an edit locally (one transaction with its log entry) and asks for a sync
    /// soon. The command's answer tells the window what changed: no `playlists-changed`
    /// event, which would have it read back a playlist that may hold 10,000 items.
    async fn edit_library<T: Send + 'static>(
        &self,
        edit: impl FnOnce(&mut Library) -> strato_library::Result<T> + Send + 'static,
    ) -> Result<T, AppError> {
        let library = self.require_library()?;
        let outcome = library
            .handle()
            .call(edit)
            .await
            .map_err(|e| from_library(&e))?;
        library.nudge();
        library.emit_sync_status().await;
        Ok(outcome)
    }

    async fn edit_then_summary(
        &self,
        edit: impl FnOnce(&mut Library) -> strato_library::Result<EditOutcome> + Send + 'static,
    ) -> Result<LibraryPlaylist, AppError> {
        self.edit_library(move |lib| {
            let outcome = edit(lib)?;
            summary(lib, outcome.playlist)
        })
        .await
    }
}

/// A playlist's details as the window shows them: with its length, and whether it is kept
/// for offline listening.
pub(super) fn summary(
    lib: &Library,
    info: PlaylistInfo,
) -> strato_library::Result<LibraryPlaylist> {
    Ok(LibraryPlaylist {
        offline: lib.is_offline_collection(CollectionKind::Playlist, &info.id)?,
        duration_ms: lib.playlist_duration_ms(&info.id)?,
        id: info.id,
        name: info.name,
        description: info.description,
        item_count: info.item_count,
        unsynced_edits: info.pending_ops,
        public: info.public,
    })
}

/// An edit's answer: the playlist's details now and what changed in its list.
fn changes(
    lib: &Library,
    playlist: PlaylistInfo,
    change: PlaylistChange,
) -> strato_library::Result<PlaylistChanges> {
    Ok(PlaylistChanges {
        playlist: summary(lib, playlist)?,
        changes: vec![change],
    })
}

/// One item as the window shows it: its track's data and whether it plays offline.
pub(super) fn entry(
    lib: &Library,
    item_id: &str,
    track_id: &str,
) -> strato_library::Result<PlaylistEntry> {
    Ok(PlaylistEntry {
        item_id: item_id.to_owned(),
        track_id: track_id.to_owned(),
        track: lib.track(track_id)?,
        offline: lib
            .download(track_id)?
            .map_or(OfflineState::None, |d| offline_state(d.state)),
    })
}

pub(super) fn offline_state(state: DownloadState) -> OfflineState {
    match state {
        DownloadState::Queued => OfflineState::Queued,
        DownloadState::Downloading => OfflineState::Downloading,
        DownloadState::Complete => OfflineState::Available,
        DownloadState::Failed => OfflineState::Failed,
    }
}

fn view(lib: &Library, outline: PlaylistOutline) -> strato_library::Result<PlaylistView> {
    let downloads: HashMap<String, DownloadState> = lib
        .downloads()?
        .into_iter()
        .map(|d| (d.track_id, d.state))
        .collect();
    let mut tracks: Vec<Track> = Vec::with_capacity(PLAYLIST_FIRST_TRACKS);
    for (_, track_id) in outline.items.iter().take(PLAYLIST_FIRST_TRACKS) {
        if tracks.iter().any(|seen| &seen.id == track_id) {
            continue;
        }
        if let Some(track) = lib.track(track_id)? {
            tracks.push(track);
        }
    }
    let unavailable = lib.unavailable_tracks()?;
    let items = outline
        .items
        .into_iter()
        .map(|(item_id, track_id)| PlaylistItem {
            offline: downloads
                .get(&track_id)
                .map_or(OfflineState::None, |&state| offline_state(state)),
            available: !unavailable.contains(&track_id),
            item_id,
            track_id,
        })
        .collect();
    Ok(PlaylistView {
        playlist: summary(lib, outline.info)?,
        items,
        tracks,
    })
}
