//! The track's part file and finished file: picked up after an earlier try, started over,
//! thrown away when they are not the file promised, and published once verified, with the
//! row recording each.

use sha2::{Digest as _, Sha256};
use strato_library::{ErrorKind as LibraryErrorKind, VerifiedFile};

use super::{Job, Outcome};
use crate::downloads::source::FilePromise;
use crate::downloads::storage::{hash_existing, publish, read_validator, remove_if_present};
use crate::downloads::{DownloadError, DownloadEvent};

impl Job<'_> {
    /// A finished file already under the final name (the app stopped between the rename
    /// and the row): completes the row if the file is the promised one, else deletes it.
    pub(super) async fn adopt_finished_file(
        &mut self,
        promise: &FilePromise,
    ) -> Result<Option<Outcome>, DownloadError> {
        let Some((len, hasher)) = self
            .blocking(move |files| hash_existing(&files.complete))
            .await
            .map_err(DownloadError::write)?
        else {
            return Ok(None);
        };
        let sha256 = hex::encode(hasher.finalize());
        if len == promise.size && promise.sha256.as_ref().is_none_or(|p| *p == sha256) {
            return self.record_complete(len, sha256).await.map(Some);
        }
        self.blocking(move |files| remove_if_present(&files.complete))
            .await
            .map_err(DownloadError::write)?;
        Ok(None)
    }

    /// Picks up the part file left by an earlier try, with its validator: its bytes are
    /// hashed again, so the final check covers them too.
    pub(super) async fn load_part(&mut self, size: u64) -> Result<(), DownloadError> {
        match self
            .blocking(move |files| {
                let part = hash_existing(&files.part)?;
                Ok(part.map(|part| (part, read_validator(&files.validator))))
            })
            .await
            .map_err(DownloadError::write)?
        {
            Some(((len, hasher), validator)) if len <= size => {
                self.done = len;
                self.hasher = hasher;
                // Unreadable is as good as none: the part then starts over.
                self.validator = validator.ok().flatten();
                if len > 0 {
                    tracing::info!(track_id = self.track_id, bytes = len, "resuming download");
                }
                self.save_progress().await;
                Ok(())
            }
            Some(_) => self.reset_part().await,
            None => Ok(()),
        }
    }

    pub(super) async fn reset_part(&mut self) -> Result<(), DownloadError> {
        self.done = 0;
        self.hasher = Sha256::new();
        self.validator = None;
        self.blocking(move |files| {
            remove_if_present(&files.part)?;
            remove_if_present(&files.validator)
        })
        .await
        .map_err(DownloadError::write)
    }

    /// A file that is not what was promised: thrown away, and fetched again from scratch a
    /// bounded number of times.
    pub(super) async fn discard_damaged(
        &mut self,
        detail: &str,
        damaged: &mut u32,
    ) -> Result<(), DownloadError> {
        tracing::warn!(
            track_id = self.track_id,
            detail,
            "downloaded file failed verification"
        );
        self.reset_part().await?;
        *damaged += 1;
        let error = DownloadError::damaged(detail);
        let (id, words) = (
            self.track_id.to_owned(),
            format!("verification failed: {detail}"),
        );
        let _ = self
            .shared
            .library
            .call(move |lib| lib.fail_download(&id, &words))
            .await;
        if *damaged > self.shared.config.retry.max_damaged_retries {
            return Err(error);
        }
        self.shared.emit(DownloadEvent::Retrying {
            track_id: self.track_id.to_owned(),
            attempt: *damaged,
            message: error.to_string(),
        });
        let id = self.track_id.to_owned();
        // Back to "downloading" (from the failure just recorded), from byte 0.
        let grant_promise = self
            .shared
            .library
            .call(move |lib| lib.download(&id))
            .await
            .map_err(DownloadError::library)?
            .and_then(|row| Some((row.expected_size?, row.expected_sha256)));
        let Some((size, sha256)) = grant_promise else {
            return Err(error);
        };
        let (id, path) = (self.track_id.to_owned(), self.files.complete.clone());
        self.shared
            .library
            .call(move |lib| lib.start_download(&id, &path, size, sha256.as_deref()))
            .await
            .map_err(DownloadError::library)?;
        Ok(())
    }

    /// The verified part file becomes the track's file, then its row is marked complete.
    pub(super) async fn complete(
        &mut self,
        size: u64,
        sha256: String,
    ) -> Result<Outcome, DownloadError> {
        if self.shared.should_stop(self.track_id) {
            return self.stop().await;
        }
        self.blocking(publish).await.map_err(DownloadError::write)?;
        self.record_complete(size, sha256).await
    }

    async fn record_complete(&self, size: u64, sha256: String) -> Result<Outcome, DownloadError> {
        let id = self.track_id.to_owned();
        let recorded = self
            .shared
            .library
            .call(move |lib| lib.complete_download(&id, &VerifiedFile { size, sha256 }))
            .await;
        match recorded {
            Ok(_) => {
                tracing::info!(track_id = self.track_id, size, "download complete");
                Ok(Outcome::Completed)
            }
            Err(e) => {
                // No complete row, so no file under the final name either.
                let _ = self
                    .blocking(move |files| remove_if_present(&files.complete))
                    .await;
                if e.kind() == LibraryErrorKind::NotFound {
                    Ok(Outcome::Stopped)
                } else {
                    Err(DownloadError::library(e))
                }
            }
        }
    }
}
