//! The catalog screen's commands: its list, a page at a time, and refreshing it.
//!
//! With an account library, pages come from the library (keyset by the catalog rank, in
//! milliseconds at any depth, offline too) and a walk of the service's listing keeps them
//! current in the background (`crate::offline::catalog_list`). Without one (the command
//! line, tools), pages are asked of the service, as its cursors say.

use strato_model::ipc::{AppError, CatalogPage, CatalogStatus, ErrorKind, Track};
use strato_service::MusicService;

use super::{App, lock};
use crate::error::from_library;
use crate::offline::AccountLibrary;
use crate::offline::catalog_list::{cursor_after, rank_of_cursor};

/// The most tracks one page read returns (a window re-reading what changed asks for many).
const MAX_PAGE: u32 = 1_000;
/// A page when the caller does not say: about a screen and a half of rows.
const DEFAULT_PAGE: u32 = 100;
/// A page asked of the service, without a library.
const SERVICE_PAGE: u32 = 50;

impl App {
    /// One page of the catalog, in the service's order; `cursor` is the previous page's
    /// `next_cursor`.
    pub async fn catalog_tracks(&self, cursor: Option<String>) -> Result<CatalogPage, AppError> {
        self.catalog_page(cursor, None).await
    }

    /// Up to `limit` tracks of the catalog (100 when not given, at most 1,000) after
    /// `cursor`. From the library when there is one: at once, offline too. A first page
    /// asked for while a first walk is filling an empty list waits for the walk's first page.
    pub async fn catalog_page(
        &self,
        cursor: Option<String>,
        limit: Option<u32>,
    ) -> Result<CatalogPage, AppError> {
        let limit = limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE);
        let Some(library) = self.library() else {
            return self.catalog_page_from_service(cursor).await;
        };
        let after = match cursor.as_deref() {
            None => None,
            Some(cursor) => Some(rank_of_cursor(cursor).ok_or_else(|| {
                AppError::new(
                    ErrorKind::InvalidInput,
                    "This place in the catalog is no longer valid; the list reads again from \
                     the top.",
                )
            })?),
        };
        if after.is_none() {
            library.catalog().first_filled().await;
        }
        let rows = library
            .handle()
            .call(move |lib| lib.catalog_page(after, limit as usize))
            .await
            .map_err(|e| from_library(&e))?;
        self.know(&rows.tracks);
        Ok(CatalogPage {
            items: rows.tracks,
            next_cursor: rows.next_after.map(cursor_after),
            status: self.catalog_status(&library),
        })
    }

    /// Walks the service's catalog listing again now, in the background; the window hears
    /// of each page (`catalog-changed`). Offline, says so in words.
    pub async fn refresh_catalog(&self) -> Result<(), AppError> {
        self.online_api().await?;
        let Some(library) = self.library() else {
            // Without a library every page comes from the service: nothing is kept to refresh.
            return Ok(());
        };
        if library.refresh_catalog() {
            Ok(())
        } else {
            Err(offline_words(library.catalog().state().total))
        }
    }

    /// Keeps the tracks shown at hand: playing the list from a row queues them, and each
    /// lookup in the library would be a trip to its thread.
    pub(super) fn know(&self, tracks: &[Track]) {
        let mut known = lock(&self.tracks);
        for track in tracks {
            known.insert(track.id.clone(), track.clone());
        }
    }

    /// Keeps `tracks`, which the service has just offered as playable, at hand and in the
    /// library's cache, so that they are found offline (search, playlists) as the service
    /// last described them, and a track once gone and now back is no longer marked gone:
    /// uploads the listener saw in "Your uploads", in Explore or on a listener's page, and
    /// tracks looked up to play. Best effort: a track not cached is asked for again.
    pub(super) async fn remember(&self, tracks: Vec<Track>) {
        if tracks.is_empty() {
            return;
        }
        self.know(&tracks);
        let Some(library) = self.library() else {
            return;
        };
        let cached = library
            .handle()
            .call(move |lib| {
                lib.upsert_catalog(&tracks, &[], &[])?;
                let ids: Vec<String> = tracks.into_iter().map(|t| t.id).collect();
                lib.record_availability(&ids, &[])
            })
            .await;
        if let Err(error) = cached {
            tracing::warn!(%error, "could not cache tracks");
        }
    }

    /// The list's status for the window: being offline is the first thing to say.
    fn catalog_status(&self, library: &AccountLibrary) -> CatalogStatus {
        let state = library.catalog().state();
        let offline = lock(&self.offline_session).is_some() || !library.reachable();
        state.status(offline.then(|| offline_words(state.total)))
    }

    /// A page asked of the service, as before the library kept the list.
    async fn catalog_page_from_service(
        &self,
        cursor: Option<String>,
    ) -> Result<CatalogPage, AppError> {
        let api = self.online_api().await?;
        let page = api
            .tracks(cursor.as_deref(), SERVICE_PAGE)
            .await
            .map_err(|e| self.cloud_error(&api, &e))?;
        self.know(&page.items);
        Ok(CatalogPage {
            items: page.items,
            next_cursor: page.next_cursor,
            status: CatalogStatus {
                total: None,
                refreshing: false,
                walked: 0,
                listed_at: None,
                problem: None,
            },
        })
    }
}

/// What the catalog says offline: what it shows, or why it shows nothing.
fn offline_words(listed: u64) -> AppError {
    let words = if listed == 0 {
        "The catalog needs the network: Strato has not listed it on this computer yet."
    } else {
        "You are offline: this is the catalog as Strato last listed it."
    };
    AppError::new(ErrorKind::Network, words)
}

impl App {
    /// A track's catalog data: a file's from the local files (never asked of the service),
    /// else from memory, the library's cache, or (with `service`) the service.
    pub(super) async fn track(
        &self,
        service: Option<&dyn MusicService>,
        track_id: &str,
    ) -> Result<Track, AppError> {
        if strato_local::ids::is_local_track_id(track_id) {
            return self.local_track(track_id).await;
        }
        if let Some(track) = lock(&self.tracks).get(track_id) {
            return Ok(track.clone());
        }
        if let Some(library) = self.library() {
            let id = track_id.to_owned();
            if let Ok(Some(track)) = library.handle().call(move |lib| lib.track(&id)).await {
                lock(&self.tracks).insert(track.id.clone(), track.clone());
                return Ok(track);
            }
        }
        let Some(service) = service else {
            return Err(AppError::new(
                ErrorKind::Network,
                "This track cannot be played offline: Strato has not seen it yet.",
            ));
        };
        let track = service
            .track(track_id)
            .await
            .map_err(|e| self.service_error(service, &e))?;
        self.remember(vec![track.clone()]).await;
        Ok(track)
    }
}
