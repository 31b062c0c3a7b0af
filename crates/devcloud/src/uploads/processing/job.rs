//! One processing job and who runs it. A [`Processor`] holds exactly what processing reads
//! and writes: the upload records, the upload bucket, the media store, the longest track the
//! service takes, and its work folders. So a deployment's processing function, which has no
//! queue of its own and no live channel, builds one from its own parts; devcloud's builds it
//! inside [`Uploads`].
//!
//! [`process_job`] runs one upload and says whether its outcome is recorded. A failure the
//! service caused (a read, an encode, a publication) is recorded only on a job's last try:
//! while the queue will hand the job out again, it is left for that try ([`Attempt`]).
//! devcloud's workers ([`run_workers`]) take jobs from its queue, whose every try is the last,
//! and tell the owner's devices.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use strato_model::api::{FailureKind, UploadFailure, UploadStatus};

use super::super::Uploads;
use super::super::media::MediaStore;
use super::super::object_store::ObjectStore;
use super::super::storage::UploadStore;
use super::super::store::{Published, Status, UploadRow};
use crate::unix_now;

/// Uploads processed at once in devcloud (each runs several ffmpeg encodes).
pub const CONCURRENCY: usize = 2;

#[derive(Debug)]
struct Parts {
    records: Arc<dyn UploadStore>,
    storage: ObjectStore,
    media: Arc<dyn MediaStore>,
    max_duration_ms: u64,
    data_dir: PathBuf,
}

/// What processing works with; see the module's documentation. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Processor(Arc<Parts>);

impl Processor {
    /// Processing over these parts, with its work folders under `data_dir`.
    ///
    /// # Errors
    /// When the folders cannot be made.
    pub async fn open(
        records: Arc<dyn UploadStore>,
        storage: ObjectStore,
        media: Arc<dyn MediaStore>,
        max_duration_ms: u64,
        data_dir: &Path,
    ) -> std::io::Result<Self> {
        let processor = Self(Arc::new(Parts {
            records,
            storage,
            media,
            max_duration_ms,
            data_dir: data_dir.to_owned(),
        }));
        for dir in [processor.staging_dir(), processor.work_dir()] {
            tokio::fs::create_dir_all(dir).await?;
        }
        Ok(processor)
    }

    /// The upload records.
    #[must_use]
    pub fn records(&self) -> &dyn UploadStore {
        &*self.0.records
    }

    /// The upload bucket, where originals arrive.
    #[must_use]
    pub fn storage(&self) -> &ObjectStore {
        &self.0.storage
    }

    /// Published media and covers.
    #[must_use]
    pub fn media(&self) -> &dyn MediaStore {
        &*self.0.media
    }

    /// The longest track the service takes.
    #[must_use]
    pub fn max_duration_ms(&self) -> u64 {
        self.0.max_duration_ms
    }

    /// Where processing stages what it makes before publishing it (on the file system of
    /// devcloud's published folder, which publishes with a rename).
    #[must_use]
    pub fn staging_dir(&self) -> PathBuf {
        self.0.data_dir.join("staging")
    }

    /// Where processing keeps the original while it works.
    #[must_use]
    pub fn work_dir(&self) -> PathBuf {
        self.0.data_dir.join("work")
    }

    /// Removes what a run for upload `id` left in the work folders: every run ends with it,
    /// and a run cut short (a deadline, a crash) leaves them for the next to clear.
    pub async fn clear(&self, id: &str) {
        let _ = tokio::fs::remove_dir_all(self.work_dir().join(id)).await;
        let _ = tokio::fs::remove_dir_all(self.staging_dir().join(id)).await;
    }
}

/// Whether a job will come again if this try records nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// The queue hands the job out again if it is not done (SQS before its last receive).
    NotLast,
    /// Nothing comes after: whatever happens is recorded.
    Last,
}

/// How a job ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The outcome is recorded, ready or failed: `owner`'s devices may be told.
    Recorded { owner: String, ready: bool },
    /// Nothing to do: the upload is gone or no longer processing (a job delivered again).
    Skipped,
    /// Nothing recorded: the job should come again.
    Again,
}

/// Processes upload `id` if it is still waiting for it, and records the outcome (see the
/// module's documentation for when a failure is left for another try).
pub async fn process_job(processor: &Processor, id: &str, attempt: Attempt) -> Outcome {
    let row = match waiting(processor, id).await {
        Ok(Some(row)) => row,
        Ok(None) => return Outcome::Skipped,
        Err(()) => return Outcome::Again,
    };
    // What an earlier try cut short left.
    processor.clear(id).await;
    let work = processor.work_dir().join(id);
    let outcome = super::process(processor, &row, &work).await;
    processor.clear(id).await;
    match outcome {
        Err(failure) if failure.kind == FailureKind::Internal && attempt == Attempt::NotLast => {
            tracing::info!(%id, "processing failed; the job will come again");
            Outcome::Again
        }
        outcome => record(processor, &row, outcome).await,
    }
}

/// Records upload `id` failed with `failure` if it is still processing: a job's last try
/// when the try itself could not finish (a run stopped at its deadline). Recorded first,
/// then the work folders cleared, as clearing gigabytes takes time the deadline may lack.
pub async fn give_up(processor: &Processor, id: &str, failure: UploadFailure) -> Outcome {
    let outcome = match waiting(processor, id).await {
        Ok(Some(row)) => record(processor, &row, Err(failure)).await,
        Ok(None) => Outcome::Skipped,
        Err(()) => Outcome::Again,
    };
    processor.clear(id).await;
    outcome
}

/// Upload `id`'s record if it is waiting for processing; `Err` when it cannot be read.
async fn waiting(processor: &Processor, id: &str) -> Result<Option<UploadRow>, ()> {
    match processor.records().row(id).await {
        Ok(Some(row)) if row.status == Status::Live(UploadStatus::Processing) => Ok(Some(row)),
        Ok(_) => Ok(None),
        Err(error) => {
            tracing::error!(%error, %id, "reading an upload to process");
            Err(())
        }
    }
}

async fn record(
    processor: &Processor,
    row: &UploadRow,
    outcome: Result<Published, UploadFailure>,
) -> Outcome {
    let (id, now) = (&row.id, unix_now());
    let ready = outcome.is_ok();
    let written = match outcome {
        Ok(published) => processor.records().mark_ready(id, &published, now).await,
        Err(failure) => {
            tracing::info!(%id, kind = ?failure.kind, message = %failure.message, "upload failed");
            processor
                .records()
                .mark_failed(id, &failure, now)
                .await
                .map(|()| true)
        }
    };
    match written {
        Ok(true) => {
            if ready {
                tracing::info!(%id, "upload ready");
            }
            Outcome::Recorded {
                owner: row.owner.clone(),
                ready,
            }
        }
        // Deleted while it was processed: nothing to record (the collector takes what the
        // run published).
        Ok(false) => Outcome::Skipped,
        Err(error) => {
            tracing::error!(%error, %id, "recording the outcome of processing");
            Outcome::Again
        }
    }
}

/// Starts devcloud's workers: [`CONCURRENCY`] of them, each taking the queue's next job,
/// processing it, telling the owner's devices and marking the job done, until the queue
/// closes. A job whose outcome could not be recorded is left to come again from a queue
/// that keeps jobs (SQS, after its visibility timeout); from one that does not, it is done
/// all the same, and devcloud queues the uploads left processing again when it next starts.
pub fn run_workers(uploads: &Uploads) {
    for _ in 0..CONCURRENCY {
        let uploads = uploads.clone();
        tokio::spawn(async move {
            loop {
                let job = match uploads.queue().next().await {
                    Ok(Some(job)) => job,
                    Ok(None) => return,
                    Err(error) => {
                        tracing::warn!(%error, "waiting for the processing queue");
                        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                        continue;
                    }
                };
                let id = &job.upload_id;
                let outcome = process_job(uploads.processor(), id, Attempt::Last).await;
                if let Outcome::Recorded { owner, .. } = &outcome {
                    uploads.tell_owner(owner, id);
                }
                if outcome == Outcome::Again && uploads.queue().keeps_jobs() {
                    continue;
                }
                if let Err(error) = uploads.queue().done(&job).await {
                    tracing::warn!(%error, %id, "the job will come again");
                }
            }
        });
    }
}
