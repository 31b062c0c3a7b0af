//! The account's storage as the settings change it: a new limit (lower, it evicts the
//! stream cache until what is kept fits), the quality downloads fetch, clearing the stream
//! cache; and what a move of the data folder needs to close the library.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use strato_model::api::DownloadQuality;
use strato_model::ipc::{AppError, CacheCleared, Session};
use strato_sync::downloads::clear_cache_offline;

use super::{AccountLibrary, lock};
use crate::error::from_download;

impl AccountLibrary {
    /// The account the library is open for.
    pub(crate) fn session(&self) -> Session {
        self.session.clone()
    }

    /// Whether nothing but this reference holds the library or its database (the tasks of
    /// [`Self::go_offline`] have stopped): dropping it closes the database.
    pub(crate) fn is_sole_user(self: &Arc<Self>) -> bool {
        Arc::strong_count(self) == 1 && self.handle.users() == 1
    }

    /// Takes a new storage limit at once.
    pub(crate) async fn set_quota(&self, bytes: u64) -> Result<(), AppError> {
        self.quota_bytes.store(bytes, Ordering::Relaxed);
        if let Some(downloads) = self.downloads() {
            downloads
                .set_quota(bytes)
                .await
                .map_err(|e| from_download(&e))?;
        }
        self.tell_downloads().await;
        Ok(())
    }

    /// Downloads started from now on fetch the copy at `quality`.
    pub(crate) fn set_download_quality(&self, quality: DownloadQuality) {
        *lock(&self.download_quality) = quality;
        if let Some(downloads) = self.downloads() {
            downloads.set_quality(quality);
        }
    }

    /// Deletes the tracks kept because they were heard (not pinned), and says how much was
    /// freed. Downloads under way and pinned tracks stay.
    pub(crate) async fn clear_cache(&self) -> Result<CacheCleared, AppError> {
        let (tracks, bytes) = match self.downloads() {
            Some(downloads) => downloads.clear_cache().await,
            None => clear_cache_offline(&self.handle, &self.downloads_dir).await,
        }
        .map_err(|e| from_download(&e))?;
        tracing::info!(tracks, bytes, "stream cache cleared");
        self.tell_downloads().await;
        Ok(CacheCleared {
            tracks: u32::try_from(tracks).unwrap_or(u32::MAX),
            bytes,
        })
    }

    /// The window hears the new figures at once, online or not.
    async fn tell_downloads(&self) {
        match self.downloads_status().await {
            Ok(status) => self.events.downloads_status(&status),
            Err(error) => tracing::warn!(%error, "the downloads' status could not be read"),
        }
    }
}
