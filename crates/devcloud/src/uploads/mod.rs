//! Listeners' own music: uploads straight to the upload bucket through presigned multipart
//! parts ([`object_store`]), the records behind [`storage::UploadStore`] (devcloud's in
//! SQLite: [`sqlite`], [`store`]), processing into the catalog's
//! forms ([`processing`]), who may see what ([`store::visible_to`]), takedowns, explore and
//! profiles ([`routes`], [`explore`]), and the collector that keeps storage in step with the
//! records ([`collector`]). What a change means to others goes out on the live channel
//! ([`Uploads::announce`]).
//!
//! Published media (`media/<id>/…`, `art/<id>-<n>.jpg`) is a [`media::MediaStore`]'s: devcloud's
//! in `DATA_DIR/published/`, the CDN's second root beside the catalog's media dir; in AWS the
//! media bucket behind CloudFront.

pub mod collector;
#[cfg(any(test, feature = "conformance"))]
pub mod conformance;
pub mod explore;
pub mod formats;
pub mod media;
#[cfg(any(test, feature = "conformance"))]
pub mod media_conformance;
pub mod moderation;
pub mod object_store;
pub mod processing;
pub mod queue;
mod record;
pub mod routes;
mod shared;
pub mod sqlite;
pub mod storage;
pub mod store;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use strato_model::api::{LiveEvent, UploadLimits, UploadStatus, Visibility};

use crate::home::Stores;
use crate::live::LiveHub;
use media::MediaStore;
use object_store::ObjectStore;
use processing::Processor;
use queue::{ProcessingQueue, QueueError};
use storage::UploadStore;

/// How every upload's id begins. The catalog's ids never do, so in a deployment, where the
/// catalog's files and uploads' share the media bucket's `media/` and `art/`, what is an
/// upload's is told by its name.
pub const ID_PREFIX: &str = "up-";

/// Whether `id` is shaped as the service makes an upload's id ([`ID_PREFIX`], then lower-case
/// letters, digits and hyphens): a name safe in keys and folder paths.
#[must_use]
pub fn is_upload_id(id: &str) -> bool {
    id.strip_prefix(ID_PREFIX).is_some_and(|rest| {
        !rest.is_empty()
            && rest.len() <= 64
            && rest
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    })
}

/// The service's limits on uploads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_file_bytes: u64,
    pub max_duration_ms: u64,
    pub quota_bytes: u64,
}

impl Limits {
    /// As `GET /v1/uploads/limits` answers them, with the caller's storage used.
    #[must_use]
    pub fn for_listener(&self, used_bytes: u64) -> UploadLimits {
        UploadLimits {
            max_file_bytes: self.max_file_bytes,
            max_duration_ms: self.max_duration_ms,
            quota_bytes: self.quota_bytes,
            used_bytes,
            formats: formats::accepted_formats(),
        }
    }
}

#[derive(Debug)]
struct Inner {
    processor: Processor,
    limits: Limits,
    queue: Arc<dyn ProcessingQueue>,
    live: Arc<LiveHub>,
}

/// Everything uploads need, shared by the routes, processing and the collector. Cheap to
/// clone.
#[derive(Debug, Clone)]
pub struct Uploads(Arc<Inner>);

impl Uploads {
    /// Uploads over `stores`, with their work folders under `data_dir`; nothing processes
    /// them yet (a deployment's API function, whose jobs another function takes).
    ///
    /// # Errors
    /// When the folders cannot be made.
    pub async fn open(
        stores: &Stores,
        storage: ObjectStore,
        limits: Limits,
        data_dir: &Path,
        live: Arc<LiveHub>,
    ) -> std::io::Result<Self> {
        let processor = Processor::open(
            Arc::clone(&stores.uploads),
            storage,
            Arc::clone(&stores.media),
            limits.max_duration_ms,
            data_dir,
        )
        .await?;
        Ok(Self(Arc::new(Inner {
            processor,
            limits,
            queue: Arc::clone(&stores.processing),
            live,
        })))
    }

    /// [`Uploads::open`], and processing in this process: left mid-way by a previous run (when
    /// the queue forgets its jobs) it starts again, and workers take the queue's jobs.
    ///
    /// # Errors
    /// When the folders cannot be made or the records read.
    pub async fn start(
        stores: &Stores,
        storage: ObjectStore,
        limits: Limits,
        data_dir: &Path,
        live: Arc<LiveHub>,
    ) -> std::io::Result<Self> {
        let uploads = Self::open(stores, storage, limits, data_dir, live).await?;
        if !uploads.queue().keeps_jobs() {
            let unfinished = uploads
                .records()
                .processing_ids()
                .await
                .map_err(std::io::Error::other)?;
            for id in unfinished {
                tracing::info!(%id, "processing again an upload a previous run left");
                uploads.process(&id).await.map_err(std::io::Error::other)?;
            }
        }
        processing::run_workers(&uploads);
        Ok(uploads)
    }

    /// What processing works with.
    #[must_use]
    pub fn processor(&self) -> &Processor {
        &self.0.processor
    }

    /// The upload records.
    #[must_use]
    pub fn records(&self) -> &dyn UploadStore {
        self.0.processor.records()
    }

    #[must_use]
    pub fn storage(&self) -> &ObjectStore {
        self.0.processor.storage()
    }

    #[must_use]
    pub fn limits(&self) -> Limits {
        self.0.limits
    }

    /// Published media and covers.
    #[must_use]
    pub fn media(&self) -> &dyn MediaStore {
        self.0.processor.media()
    }

    /// Where processing and covers do their work ([`Processor::work_dir`]).
    #[must_use]
    pub fn work_dir(&self) -> PathBuf {
        self.0.processor.work_dir()
    }

    /// Where completed uploads wait for processing.
    #[must_use]
    pub fn queue(&self) -> &dyn ProcessingQueue {
        &*self.0.queue
    }

    /// Queues upload `id` for processing.
    ///
    /// # Errors
    /// When the queue cannot take it.
    pub async fn process(&self, id: &str) -> Result<(), QueueError> {
        self.0.queue.enqueue(id).await
    }

    /// Tells the live channel what a committed change to an upload means: its owner's
    /// devices that their uploads changed, and every listener's that a track they could play
    /// is gone (`after` is `None` once deleted).
    pub fn announce(&self, before: &store::UploadRow, after: Option<&store::UploadRow>) {
        self.tell_owner(&before.owner, &before.id);
        if playable_by_others(before) && !after.is_some_and(playable_by_others) {
            self.0.live.publish_all(&LiveEvent::TrackUnavailable {
                track_id: before.id.clone(),
            });
        }
    }

    /// Tells `owner`'s devices that upload `id` changed.
    pub fn tell_owner(&self, owner: &str, id: &str) {
        self.0.live.publish(
            owner,
            LiveEvent::UploadsChanged {
                upload_id: id.to_owned(),
            },
        );
    }
}

/// Whether listeners other than its owner can play the upload.
fn playable_by_others(row: &store::UploadRow) -> bool {
    row.status == store::Status::Live(UploadStatus::Ready)
        && row.visibility == Visibility::Public
        && row.takedown.is_none()
}

/// `DATA_DIR/published`.
#[must_use]
pub fn published_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("published")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_upload_id_is_the_prefix_then_lower_case_letters_digits_and_hyphens() {
        assert!(is_upload_id("up-0f3a9c1e2b4d4c6a8e0f1a2b3c4d5e6f"));
        assert!(is_upload_id("up-scenario-12"));
        for not in [
            "", "up-", "tr-123", "up-../x", "up-/tmp", "up-ABC", "up-a b", "x-up-1",
        ] {
            assert!(!is_upload_id(not), "{not}");
        }
        assert!(!is_upload_id(&format!("up-{}", "a".repeat(65))));
    }
}
