//! Where upload records live: the [`UploadStore`] seam. devcloud keeps them in SQLite
//! ([`SqliteUploads`](super::sqlite::SqliteUploads)); another home of the contract keeps them
//! in its own database. The routes, processing, moderation, explore and the collector ask
//! only this trait.
//!
//! Each method is one step a route or a worker takes; whatever must not be split (the quota
//! check and the new record, the status moves that race a delete) is one method, so every
//! store makes it atomic in its own way. Who may see a track is the store's to decide, by the
//! rule of [`store::visible_to`](super::store::visible_to): ready, not taken down, and public
//! or the viewer's own. Cursors are the store's own (opaque to routes): a cursor it did not
//! issue is [`UploadStoreError::BadCursor`].

use std::collections::HashSet;

use async_trait::async_trait;
use strato_model::api::{Page, UploadFailure, UploadPatch};

pub use super::store::{LiveSet, NewRow, PatchError, Published};
use super::store::{Status, UploadRow};
use crate::problem::ApiError;

/// Why an upload store could not answer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UploadStoreError {
    /// A page cursor this store did not issue: the caller's mistake, a 400.
    #[error("cursor is not one this service issued")]
    BadCursor,
    /// The database failed or could not be reached: a 500, and a bug or an outage.
    #[error("storage: {0}")]
    Storage(Box<dyn std::error::Error + Send + Sync>),
}

impl From<rusqlite::Error> for UploadStoreError {
    fn from(error: rusqlite::Error) -> Self {
        Self::Storage(Box::new(error))
    }
}

impl From<crate::db::DbError> for UploadStoreError {
    fn from(error: crate::db::DbError) -> Self {
        Self::Storage(Box::new(error))
    }
}

impl From<UploadStoreError> for ApiError {
    fn from(error: UploadStoreError) -> Self {
        match error {
            UploadStoreError::BadCursor => Self::bad_request(error.to_string()),
            UploadStoreError::Storage(error) => Self::internal(&error),
        }
    }
}

/// What a store answers: a value, or why it could not.
pub type Answer<T> = Result<T, UploadStoreError>;

/// The upload records; see the module's documentation.
#[async_trait]
pub trait UploadStore: std::fmt::Debug + Send + Sync {
    /// Records a new upload (`uploading`, its owner's name remembered) if the owner's
    /// storage has room for it; else `Err(used)`, the bytes they hold. The check and the
    /// record are one: two creates at once cannot both pass a quota only one fits.
    async fn create(&self, new: &NewRow, quota_bytes: u64, now: i64) -> Answer<Result<(), u64>>;

    /// Names the multipart upload opened for an upload still `uploading`.
    async fn set_multipart(&self, id: &str, multipart_id: &str) -> Answer<()>;

    /// Bytes the owner's storage holds: every upload not deleted, unfinished ones included.
    async fn used_bytes(&self, owner: &str) -> Answer<u64>;

    /// Any upload, deleted ones included.
    async fn row(&self, id: &str) -> Answer<Option<UploadRow>>;

    /// The upload an earlier request of `owner` with this `Idempotency-Key` made.
    async fn by_key(&self, owner: &str, key: &str) -> Answer<Option<UploadRow>>;

    /// The owner's upload, not deleted.
    async fn owned(&self, owner: &str, id: &str) -> Answer<Option<UploadRow>> {
        Ok(self
            .row(id)
            .await?
            .filter(|row| row.owner == owner && row.status != Status::Deleted))
    }

    /// A ready track `viewer` may see.
    async fn visible(&self, viewer: &str, id: &str) -> Answer<Option<UploadRow>>;

    /// Which of `ids` `viewer` may see, as [`visible`](Self::visible) decides.
    async fn visible_ids(&self, viewer: &str, ids: &[String]) -> Answer<HashSet<String>>;

    /// The owner's uploads not deleted, newest first (by creation, then id).
    async fn list_owned(
        &self,
        owner: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Answer<Page<UploadRow>>;

    /// Public, ready tracks not taken down, of everyone or of one owner, newest first (by
    /// publication, then id).
    async fn list_public(
        &self,
        owner: Option<&str>,
        cursor: Option<&str>,
        limit: usize,
    ) -> Answer<Page<UploadRow>>;

    /// Every track `viewer` may see, or those of one album or artist id, by album, track
    /// number, publication and id.
    async fn list_visible(
        &self,
        viewer: &str,
        album_id: Option<&str>,
        artist_id: Option<&str>,
    ) -> Answer<Vec<UploadRow>>;

    /// `uploading` → `processing` (the parts are complete). False if it was not uploading.
    async fn start_processing(&self, id: &str, now: i64) -> Answer<bool>;

    /// Uploads left `processing` (a worker stopped mid-way), to process again.
    async fn processing_ids(&self) -> Answer<Vec<String>>;

    /// Processing's progress, while the upload is `processing`.
    async fn set_progress(&self, id: &str, progress: f32) -> Answer<()>;

    /// `processing` → `ready` with what processing found and made; details the listener left
    /// out come from the file's tags. False if it was no longer processing (deleted).
    async fn mark_ready(&self, id: &str, published: &Published, now: i64) -> Answer<bool>;

    /// `processing` → `failed`, with why.
    async fn mark_failed(&self, id: &str, failure: &UploadFailure, now: i64) -> Answer<()>;

    /// An owner's edit of `current`. An empty string clears a detail.
    async fn patch(
        &self,
        current: &UploadRow,
        patch: &UploadPatch,
        now: i64,
    ) -> Answer<Result<(), PatchError>>;

    /// A new cover version (the previous file becomes the collector's).
    async fn next_cover_version(&self, id: &str, now: i64) -> Answer<u32>;

    /// Back to the cover before `version`, if `version` is still the current one.
    async fn undo_cover_version(&self, id: &str, version: u32) -> Answer<()>;

    /// Deleted for listeners at once; storage is the collector's.
    async fn delete(&self, id: &str, now: i64) -> Answer<()>;

    /// Takes a track down (`Some(reason)`) or restores it (`None`).
    async fn set_takedown(&self, id: &str, reason: Option<&str>, now: i64) -> Answer<()>;

    /// What storage may keep: the objects, media folders and covers of uploads not deleted.
    async fn live_set(&self) -> Answer<LiveSet>;
}
