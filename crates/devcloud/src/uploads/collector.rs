//! The collector: removes from storage what no live upload names (the originals and open
//! multipart uploads of deleted uploads, their published media and covers, covers that were
//! replaced), and nothing else.
//!
//! Storage is listed *before* the records are read. An upload is recorded before its objects
//! exist (the record, then the multipart upload; processing, then the published media; the
//! cover's version, then its file), so anything the listing saw that was live then is live in
//! the records read after it.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};

use super::Uploads;
use super::media::MediaStore;
use super::object_store::ObjectStore;
use super::storage::UploadStore;
use crate::api::AppState;
use crate::problem::ApiError;

/// What one pass removed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Collected {
    /// Object keys deleted from the upload bucket.
    pub objects: Vec<String>,
    /// Multipart uploads aborted (their keys).
    pub multipart_uploads: Vec<String>,
    /// Published files and folders removed, relative to the published root.
    pub published: Vec<String>,
}

/// Runs one pass.
///
/// # Errors
/// When storage or the records cannot be read, or storage refuses a removal.
pub async fn collect(uploads: &Uploads) -> Result<Collected, String> {
    collect_from(uploads.records(), uploads.storage(), uploads.media()).await
}

/// Runs one pass over these records and storage (a deployment's collector function, which
/// has no use for the rest of [`Uploads`]).
///
/// # Errors
/// As [`collect`].
pub async fn collect_from(
    records: &dyn UploadStore,
    storage: &ObjectStore,
    media: &dyn MediaStore,
) -> Result<Collected, String> {
    let objects = storage
        .list_keys("uploads/")
        .await
        .map_err(|e| e.to_string())?;
    let multiparts = storage.list_multipart().await.map_err(|e| e.to_string())?;
    let published = media.inventory().await.map_err(|e| e.to_string())?;
    let live = records.live_set().await.map_err(|e| e.to_string())?;

    let mut collected = Collected::default();
    for (key, multipart) in multiparts {
        if !live.object_keys.contains(&key) {
            storage
                .abort(&key, &multipart)
                .await
                .map_err(|e| e.to_string())?;
            collected.multipart_uploads.push(key);
        }
    }
    for key in objects {
        if !live.object_keys.contains(&key) {
            storage.delete(&key).await.map_err(|e| e.to_string())?;
            collected.objects.push(key);
        }
    }
    for id in published.media_ids {
        if !live.media_ids.contains(&id) {
            media.remove_media(&id).await.map_err(|e| e.to_string())?;
            collected.published.push(format!("media/{id}"));
        }
    }
    for name in published.covers {
        if !live.covers.contains(&name) {
            media.remove_cover(&name).await.map_err(|e| e.to_string())?;
            collected.published.push(name);
        }
    }
    if collected != Collected::default() {
        tracing::info!(
            objects = collected.objects.len(),
            multipart_uploads = collected.multipart_uploads.len(),
            published = collected.published.len(),
            "collector removed what deleted uploads left"
        );
    }
    Ok(collected)
}

/// Collects every `interval`, for as long as devcloud runs.
pub fn run_every(uploads: Uploads, interval: std::time::Duration) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(interval);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        ticks.tick().await;
        loop {
            ticks.tick().await;
            if let Err(error) = collect(&uploads).await {
                tracing::warn!(%error, "collector pass failed; trying again next time");
            }
        }
    });
}

/// `POST /admin/collect` (loopback peers only): one pass now, answering what it removed.
pub async fn collect_now(State(state): State<AppState>) -> Result<Json<Collected>, ApiError> {
    collect(&state.uploads)
        .await
        .map(Json)
        .map_err(|e| ApiError::internal(&e))
}
