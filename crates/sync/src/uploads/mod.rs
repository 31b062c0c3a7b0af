//! Uploads of the listener's own files, straight to object storage.
//!
//! The listener picks files ([`UploadManager::enqueue`]); each is hashed, recorded in the
//! library, and sent by the worker, one file at a time and a few parts of it at once:
//!
//! - **Announced once.** The service is asked for an upload with the library's own id as
//!   the `Idempotency-Key`, so a retry after a lost answer finds the same upload.
//! - **Resumable.** A part counts as sent only when storage answered with its `ETag`, which
//!   is recorded in the library before anything else happens. After a lost network, a
//!   sleep, a pause or a killed app, the upload goes on with the parts not recorded, with
//!   fresh URLs (old ones expire). A file changed since it was chosen is not resumed.
//! - **Reconciled.** When the service refuses to complete (a part storage holds differently,
//!   or not at all), what storage holds is the truth: parts recorded here that storage lacks
//!   are sent again. When storage no longer holds the upload, it starts over.
//! - **Retried, or waiting for the network.** Network failures and 5xx back off with
//!   jitter; while offline an upload waits and starts when the network returns. A refusal in
//!   words (too large, no room left, not a kind of file the service takes) fails it at once.
//! - **Followed to the end.** After the last part the service processes the file; the
//!   manager polls until it is ready (a track) or failed (with the service's words).
//!
//! [`UploadManager::spawn_worker`] runs it in the background; [`UploadManager::run_until_idle`]
//! drives it to the end (the CLI and tests). Progress goes out as [`UploadEvent`]s.

mod send;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use sha2::{Digest as _, Sha256};
use strato_cloud::{ApiClient, CloudErrorKind};
use strato_library::{LocalUpload, NewUpload, UploadState};
use strato_model::api::{UploadDetails, Visibility};
use tokio::sync::{Notify, broadcast};

use crate::LibraryHandle;
use crate::downloads::RetryPolicy;

/// How the manager works.
#[derive(Debug, Clone)]
pub struct UploadConfig {
    /// Parts of one file sent at the same time.
    pub part_concurrency: usize,
    pub retry: RetryPolicy,
    /// How often processing is asked about.
    pub poll_interval: Duration,
}

impl Default for UploadConfig {
    fn default() -> Self {
        Self {
            part_concurrency: 3,
            retry: RetryPolicy::default(),
            poll_interval: Duration::from_secs(1),
        }
    }
}

/// What the manager tells the UI.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum UploadEvent {
    /// Bytes of a file object storage has (or is taking now).
    Progress {
        local_id: String,
        bytes_sent: u64,
        total: u64,
    },
    /// An upload moved on; `message` says why when it failed or waits.
    State {
        local_id: String,
        state: UploadState,
        message: Option<String>,
    },
    /// Processing made it a track (the upload's id is the track's).
    Ready { local_id: String, track_id: String },
}

/// Why an upload could not be queued or changed.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// The file could not be read; the message names it.
    #[error("{0}")]
    File(String),
    #[error(transparent)]
    Library(#[from] strato_library::Error),
    #[error(transparent)]
    Cloud(#[from] strato_cloud::CloudError),
}

/// The upload manager: a cheap handle.
#[derive(Debug, Clone)]
pub struct UploadManager {
    shared: Arc<Shared>,
}

#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) api: ApiClient,
    pub(crate) library: LibraryHandle,
    pub(crate) config: UploadConfig,
    pub(crate) events: broadcast::Sender<UploadEvent>,
    wake: Notify,
    /// Held only for quick bookkeeping, never across an `.await`.
    stops: Mutex<HashSet<String>>,
}

impl Shared {
    pub(crate) fn emit(&self, event: UploadEvent) {
        let _ = self.events.send(event);
    }

    /// Whether the listener paused or cancelled `local_id` since it started.
    pub(crate) fn should_stop(&self, local_id: &str) -> bool {
        self.stops
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(local_id)
    }

    pub(crate) async fn set_state(
        &self,
        local_id: &str,
        state: UploadState,
        message: Option<String>,
    ) -> Result<(), strato_library::Error> {
        let (id, text) = (local_id.to_owned(), message.clone());
        self.library
            .call(move |lib| lib.set_upload_state(&id, state, text.as_deref()))
            .await?;
        self.emit(UploadEvent::State {
            local_id: local_id.to_owned(),
            state,
            message,
        });
        Ok(())
    }
}

/// Size, modification time and SHA-256 of a file, read on a blocking thread.
pub(crate) async fn fingerprint(path: &Path) -> Result<(u64, i64, String), UploadError> {
    let path = path.to_owned();
    tokio::task::spawn_blocking(move || {
        let unreadable = |e: std::io::Error| {
            UploadError::File(format!("Strato could not read {}: {e}", path.display()))
        };
        let metadata = std::fs::metadata(&path).map_err(unreadable)?;
        if !metadata.is_file() {
            return Err(UploadError::File(format!(
                "{} is not a file",
                path.display()
            )));
        }
        let mut file = std::fs::File::open(&path).map_err(unreadable)?;
        let mut hasher = Sha256::new();
        std::io::copy(&mut file, &mut hasher).map_err(unreadable)?;
        Ok((
            metadata.len(),
            modified_secs(&metadata),
            hex::encode(hasher.finalize()),
        ))
    })
    .await
    .map_err(|e| UploadError::File(e.to_string()))?
}

/// A file's modification time in Unix seconds (0 where the OS does not say).
#[must_use]
pub fn modified_secs(metadata: &std::fs::Metadata) -> i64 {
    metadata
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Queues a file without a manager (offline, say): hashed and recorded; a manager sends it
/// when one runs.
///
/// # Errors
/// If the file cannot be read or the library refuses.
pub async fn queue_file(
    library: &LibraryHandle,
    path: &Path,
    details: UploadDetails,
    visibility: Visibility,
) -> Result<LocalUpload, UploadError> {
    let (size, modified_at, sha256) = fingerprint(path).await?;
    let new = NewUpload {
        path: PathBuf::from(path),
        size,
        modified_at,
        sha256,
        details,
        visibility,
    };
    Ok(library.call(move |lib| lib.add_upload(&new)).await?)
}

impl UploadManager {
    #[must_use]
    pub fn new(api: ApiClient, library: LibraryHandle, config: UploadConfig) -> Self {
        let (events, _) = broadcast::channel(1024);
        Self {
            shared: Arc::new(Shared {
                api,
                library,
                config,
                events,
                wake: Notify::new(),
                stops: Mutex::new(HashSet::new()),
            }),
        }
    }

    /// Events from now on.
    #[must_use]
    pub fn subscribe(&self) -> broadcast::Receiver<UploadEvent> {
        self.shared.events.subscribe()
    }

    /// Queues a file ([`queue_file`]) and wakes the worker.
    ///
    /// # Errors
    /// If the file cannot be read or the library refuses.
    pub async fn enqueue(
        &self,
        path: &Path,
        details: UploadDetails,
        visibility: Visibility,
    ) -> Result<LocalUpload, UploadError> {
        let queued = queue_file(&self.shared.library, path, details, visibility).await?;
        self.shared.emit(UploadEvent::State {
            local_id: queued.local_id.clone(),
            state: UploadState::Queued,
            message: None,
        });
        self.shared.wake.notify_one();
        Ok(queued)
    }

    /// Every upload the library holds, oldest first.
    ///
    /// # Errors
    /// If the library cannot be read.
    pub async fn uploads(&self) -> Result<Vec<LocalUpload>, UploadError> {
        Ok(self.shared.library.call(|lib| lib.uploads()).await?)
    }

    /// Pauses an upload: parts in flight finish, no new ones start.
    ///
    /// # Errors
    /// If the library refuses.
    pub async fn pause(&self, local_id: &str) -> Result<(), UploadError> {
        self.stop(local_id);
        self.shared
            .set_state(local_id, UploadState::Paused, None)
            .await?;
        Ok(())
    }

    /// Resumes a paused upload, or retries a failed one, from the parts recorded.
    ///
    /// # Errors
    /// If the library refuses.
    pub async fn resume(&self, local_id: &str) -> Result<(), UploadError> {
        self.shared
            .stops
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(local_id);
        self.shared
            .set_state(local_id, UploadState::Queued, None)
            .await?;
        self.shared.wake.notify_one();
        Ok(())
    }

    /// Cancels an upload: it stops, the service forgets it (storage is its collector's), and
    /// so does the library.
    ///
    /// # Errors
    /// If the service cannot be told (the record is then kept, to try again) or the library
    /// refuses.
    pub async fn cancel(&self, local_id: &str) -> Result<(), UploadError> {
        self.stop(local_id);
        let id = local_id.to_owned();
        let upload = self.shared.library.call(move |lib| lib.upload(&id)).await?;
        if let Some(session) = upload.and_then(|u| u.session) {
            self.shared.api.delete_upload(&session.upload_id).await?;
        }
        let id = local_id.to_owned();
        self.shared
            .library
            .call(move |lib| lib.remove_upload(&id))
            .await?;
        Ok(())
    }

    fn stop(&self, local_id: &str) {
        self.shared
            .stops
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(local_id.to_owned());
    }

    /// Runs the worker in the background until the returned handle is aborted.
    #[must_use]
    pub fn spawn_worker(&self) -> tokio::task::JoinHandle<()> {
        let manager = self.clone();
        tokio::spawn(async move {
            loop {
                let worked = manager.step().await;
                if !worked {
                    tokio::select! {
                        () = manager.shared.wake.notified() => {}
                        () = tokio::time::sleep(manager.shared.config.poll_interval) => {}
                    }
                }
            }
        })
    }

    /// Works until no upload is queued, being sent or processing (failed and paused ones
    /// wait for the listener).
    pub async fn run_until_idle(&self) {
        loop {
            let worked = self.step().await;
            let pending = self
                .uploads()
                .await
                .is_ok_and(|rows| rows.iter().any(|u| u.state.is_pending()));
            if !pending {
                return;
            }
            if !worked {
                tokio::time::sleep(self.shared.config.poll_interval).await;
            }
        }
    }

    /// One round: the next file's sending, or a look at those processing. Whether anything
    /// was sent (a worker with nothing to send waits for a wake-up or the poll interval).
    async fn step(&self) -> bool {
        let rows = match self.uploads().await {
            Ok(rows) => rows,
            Err(error) => {
                tracing::warn!(%error, "reading uploads");
                return false;
            }
        };
        for upload in rows.iter().filter(|u| u.state == UploadState::Processing) {
            send::follow_processing(&self.shared, upload).await;
        }
        let next = rows.into_iter().find(|u| {
            matches!(u.state, UploadState::Queued | UploadState::Uploading)
                && !self.shared.should_stop(&u.local_id)
        });
        let Some(upload) = next else {
            return false;
        };
        // One trace per upload: its announcement, parts, completion and processing checks.
        let trace = strato_cloud::trace::Trace::new();
        tracing::debug!(trace = trace.root(), upload = %upload.local_id, "upload");
        match trace
            .scope(Box::pin(send::send(&self.shared, &upload)))
            .await
        {
            Ok(()) => true,
            Err(error) if error.kind() == Some(CloudErrorKind::Offline) => {
                let message = "Waiting for the network.".to_owned();
                let _ = self
                    .shared
                    .set_state(&upload.local_id, UploadState::Queued, Some(message))
                    .await;
                false
            }
            Err(error) => {
                tracing::info!(%error, local_id = %upload.local_id, "upload failed");
                let _ = self
                    .shared
                    .set_state(
                        &upload.local_id,
                        UploadState::Failed,
                        Some(error.to_string()),
                    )
                    .await;
                true
            }
        }
    }
}

impl UploadError {
    fn kind(&self) -> Option<CloudErrorKind> {
        match self {
            Self::Cloud(error) => Some(error.kind()),
            _ => None,
        }
    }
}
