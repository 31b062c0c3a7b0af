//! The library's playlists: the list and one playlist's view, creating, renaming,
//! describing and deleting them, and the edits of their items (add, remove, move), each
//! applied locally at once and synced after; with the shapes the window reads them in.

use std::collections::HashMap;

use strato_library::{
    CollectionKind, DownloadState, EditOutcome, Library, PlaylistInfo, PlaylistOutline,
};
use strato_model::api::Track;
use strato_model::ipc::{
    AppError, LibraryPlaylist, OfflineState, PLAYLIST_FIRST_TRACKS, PlaylistChange,
    PlaylistChanges, PlaylistEntry, PlaylistItem, PlaylistView,
};

use super::offline_state;
use crate::app::{App, lock};
use crate::error::from_library;

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
        crate::app::local_files::refuse_local_files(&track_ids)?;
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
pub(in crate::app) fn summary(
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
pub(in crate::app) fn entry(
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
