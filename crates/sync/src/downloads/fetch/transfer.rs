//! One request's bytes into the part file: a GET from where the part stops, written, hashed
//! and counted as they arrive.
//!
//! A part file's bytes are of one version of the file: the one its validator, kept beside it,
//! names. A resume asks for the rest of that version (`If-Range`); a server whose file
//! changed sends it whole, and the part starts over. A part of a file the service promises
//! no checksum for, with no validator (a server that sends none, or a part written before
//! validators were kept), cannot be told from another version's beginning: it starts over
//! too, as nothing at the end would notice the splice.

use sha2::Digest as _;
use strato_service::{ServiceError, ServiceErrorKind};

use super::{Job, Step, blocking};
use crate::downloads::error::is_transient;
use crate::downloads::source::{OpenError, SourceGrant};
use crate::downloads::storage::{PartFile, write_validator};
use crate::downloads::{DownloadError, DownloadErrorKind, DownloadEvent};

/// Progress is saved to the library this often (bytes), not at every chunk: the part file
/// on disk, not the row, is what a resume trusts.
const SAVE_PROGRESS_EVERY: u64 = 256 * 1024;

impl Job<'_> {
    /// Keeps the validator of the version whose bytes are about to be written from byte 0,
    /// before any of them is: a part's bytes are never of another version than its
    /// validator names.
    async fn keep_validator(&mut self, validator: Option<String>) -> Result<(), DownloadError> {
        let kept = validator.clone();
        self.blocking(move |files| write_validator(&files.validator, kept.as_deref()))
            .await
            .map_err(DownloadError::write)?;
        self.validator = validator;
        Ok(())
    }

    /// One GET from `self.done` to the end, written and hashed as it arrives.
    pub(super) async fn transfer(&mut self, grant: &SourceGrant) -> Result<(), Step> {
        let size = grant.promise.size;
        if self.done > 0 && self.validator.is_none() && grant.promise.sha256.is_none() {
            tracing::info!(
                track_id = self.track_id,
                "no way to ask for the rest of the same file: downloading it from the start"
            );
            self.reset_part().await.map_err(Step::Fatal)?;
        }
        let mut response = grant
            .file
            .open(self.done, self.validator.as_deref())
            .await
            .map_err(|error| match error {
                OpenError::Expired(error) => Step::Expired(error),
                OpenError::Failed(error) => classify(error),
            })?;
        if let Some(sent) = response.total_len().filter(|sent| *sent != size) {
            return Err(Step::Damaged(format!(
                "the server sent a file of {sent} bytes, not the {size} it listed"
            )));
        }
        if response.offset() != self.done {
            // The server ignored the Range, or its file changed since the part's bytes: it
            // sent the file from its start.
            self.reset_part().await.map_err(Step::Fatal)?;
        }
        if self.done == 0 {
            self.keep_validator(response.validator())
                .await
                .map_err(Step::Fatal)?;
        }
        let storage = std::sync::Arc::clone(&self.shared.config.storage);
        let path = self.files.part.clone();
        let offset = self.done;
        let mut writer = blocking(move || storage.open_part(&path, offset))
            .await
            .map_err(|e| Step::Fatal(DownloadError::write(e)))?;
        let stall = self.shared.config.retry.stall_timeout;
        let mut unsaved = 0;
        loop {
            if self.shared.should_stop(self.track_id) {
                sync(writer).await?;
                return Err(Step::Stop);
            }
            let chunk = match tokio::time::timeout(stall, response.chunk()).await {
                Err(_) => {
                    return Err(Step::Transient(DownloadError::new(
                        DownloadErrorKind::Network,
                        "The music server stopped sending the track.",
                    )));
                }
                Ok(Err(error)) => return Err(classify(error)),
                Ok(Ok(None)) => break,
                Ok(Ok(Some(chunk))) => chunk,
            };
            let len = chunk.len() as u64;
            if self.done + len > size {
                return Err(Step::Damaged(format!(
                    "more than the promised {size} bytes"
                )));
            }
            writer = blocking(move || writer.write_all(&chunk).map(|()| (writer, chunk)))
                .await
                .map(|(writer, chunk)| {
                    self.hasher.update(&chunk);
                    writer
                })
                .map_err(|e| Step::Fatal(DownloadError::write(e)))?;
            self.done += len;
            unsaved += len;
            self.shared.emit(DownloadEvent::Progress {
                track_id: self.track_id.to_owned(),
                bytes_done: self.done,
                total: size,
            });
            if unsaved >= SAVE_PROGRESS_EVERY {
                unsaved = 0;
                self.save_progress().await;
            }
        }
        sync(writer).await?;
        if self.done < size {
            return Err(Step::Transient(DownloadError::new(
                DownloadErrorKind::Network,
                "The connection broke during the download.",
            )));
        }
        Ok(())
    }
}

async fn sync(writer: Box<dyn PartFile>) -> Result<(), Step> {
    blocking(move || {
        let mut writer = writer;
        writer.sync()
    })
    .await
    .map_err(|e| Step::Fatal(DownloadError::write(e)))
}

/// A service's failure while fetching, by its kind: worth another try, or the end.
fn classify(error: ServiceError) -> Step {
    match error.kind() {
        ServiceErrorKind::NotFound => Step::Fatal(DownloadError::unavailable(error)),
        _ if is_transient(&error) => Step::Transient(DownloadError::transient(error)),
        _ => Step::Fatal(DownloadError::from_service(error)),
    }
}
