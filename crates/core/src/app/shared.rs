//! What listeners share (`docs/api.md`, "Explore and profiles"): the newest public uploads,
//! a listener's page, their public playlists opened read-only, and sharing one's own.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use futures_util::{StreamExt as _, stream};
use strato_cloud::ApiClient;
use strato_library::DownloadState;
use strato_model::api::{ListenerProfile, Page, PlaylistSummary, Track};
use strato_model::ipc::{
    AppError, ErrorKind, LibraryPlaylist, OfflineState, PlaylistItem, SHARED_PLAYLIST_TRACKS,
    SharedPlaylist,
};

use super::App;
use super::library::{offline_state, summary};
use crate::error::from_library;

/// A page of what others share.
const PAGE: u32 = 50;
/// Tracks asked of the service at once while a shared playlist opens.
const TRACKS_IN_FLIGHT: usize = 8;

impl App {
    /// What listeners share, newest first.
    pub async fn explore_uploads(&self, cursor: Option<String>) -> Result<Page<Track>, AppError> {
        let api = self.api()?;
        let page = api
            .explore_uploads(cursor.as_deref(), PAGE)
            .await
            .map_err(|e| self.cloud_error(&api, &e))?;
        self.remember(page.items.clone()).await;
        Ok(page)
    }

    /// A listener's page: their public tracks and playlists.
    pub async fn listener_profile(&self, id: String) -> Result<ListenerProfile, AppError> {
        let api = self.api()?;
        let profile = api
            .listener_profile(&id)
            .await
            .map_err(|e| self.cloud_error(&api, &e))?;
        self.remember(profile.tracks.clone()).await;
        Ok(profile)
    }

    /// A public playlist (another listener's, from their page), read-only: its items, marked
    /// as the service marks them (a deleted or private track is no longer available) and as
    /// this computer keeps them offline, with the data of its first tracks. Tracks the
    /// library has not seen are asked of the service, a few at a time, and kept at hand, so
    /// the list shows them and playing from a row needs no second trip.
    pub async fn shared_playlist(&self, id: String) -> Result<SharedPlaylist, AppError> {
        let api = self.api()?;
        let playlist = api
            .playlist(&id)
            .await
            .map_err(|e| self.cloud_error(&api, &e))?;
        let mut first = Vec::new();
        let mut seen = HashSet::new();
        for item in playlist.items.iter().filter(|item| item.available) {
            if first.len() == SHARED_PLAYLIST_TRACKS {
                break;
            }
            if seen.insert(item.track_id.as_str()) {
                first.push(item.track_id.clone());
            }
        }
        let tracks = self.tracks_at_hand(&api, first).await;
        let downloads: HashMap<String, DownloadState> = match self.library() {
            Some(library) => library
                .handle()
                .call(|lib| lib.downloads())
                .await
                .map_err(|e| from_library(&e))?
                .into_iter()
                .map(|d| (d.track_id, d.state))
                .collect(),
            None => HashMap::new(),
        };
        let items = playlist
            .items
            .iter()
            .map(|item| PlaylistItem {
                item_id: item.item_id.clone(),
                track_id: item.track_id.clone(),
                offline: downloads
                    .get(&item.track_id)
                    .map_or(OfflineState::None, |state| offline_state(*state)),
                available: item.available,
            })
            .collect();
        let summary = PlaylistSummary {
            item_count: u32::try_from(playlist.items.len()).unwrap_or(u32::MAX),
            id: playlist.id,
            name: playlist.name,
            description: playlist.description,
            revision: playlist.revision,
            updated_at: playlist.updated_at,
            public: playlist.public,
        };
        Ok(SharedPlaylist {
            playlist: summary,
            items,
            tracks,
        })
    }

    /// The tracks of a shared playlist's rows as the list scrolls to them: from memory, the
    /// library, or the service (a few at a time). Those the service does not answer for are
    /// left out: their rows say so.
    pub async fn shared_tracks(&self, ids: Vec<String>) -> Result<Vec<Track>, AppError> {
        let api = self.api()?;
        Ok(self.tracks_at_hand(&api, ids).await)
    }

    /// Tracks by id, in order, kept at hand (see `App::track`).
    async fn tracks_at_hand(&self, api: &Arc<ApiClient>, ids: Vec<String>) -> Vec<Track> {
        stream::iter(ids)
            .map(|track_id| async move {
                let track = self.track(Some(api.as_ref()), &track_id).await;
                if let Err(error) = &track {
                    tracing::debug!(%error, %track_id, "a shared playlist's track is not at hand");
                }
                track.ok()
            })
            .buffered(TRACKS_IN_FLIGHT)
            .filter_map(|track| async move { track })
            .collect()
            .await
    }

    /// Shows one of the listener's playlists on their page for everyone, or stops. Asked of
    /// the service at once (sharing needs the network by nature), at any revision, so edits
    /// waiting to sync are not in its way; of its answer only the flag is kept (see
    /// `Library::record_playlist_public`).
    pub async fn set_playlist_public(
        &self,
        id: String,
        public: bool,
    ) -> Result<LibraryPlaylist, AppError> {
        let library = self.require_library()?;
        let handle = library.handle().clone();
        let info = handle
            .call(move |lib| lib.playlist_info(&id))
            .await
            .map_err(|e| from_library(&e))?;
        if info.server_revision.is_none() {
            library.nudge();
            return Err(AppError::new(
                ErrorKind::InvalidInput,
                "This playlist has not reached the service yet. Share it once it has synced.",
            ));
        }
        let api = self.online_api().await?;
        let snapshot = api
            .set_playlist_public(&info.id, public)
            .await
            .map_err(|e| self.cloud_error(&api, &e))?;
        let playlist = handle
            .call(move |lib| {
                let info = lib.record_playlist_public(&snapshot.id, snapshot.public)?;
                summary(lib, info)
            })
            .await
            .map_err(|e| from_library(&e))?;
        // The write moved the playlist's revision: the next pull takes it in.
        library.nudge();
        self.events.playlists_changed();
        Ok(playlist)
    }
}
