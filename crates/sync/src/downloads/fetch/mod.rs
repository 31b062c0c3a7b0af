//! One track's download, from grant to verified file and complete row, whatever the source:
//! the job that asks for access, retries and renews it, and records its start and end. One
//! request's bytes into the part file are [`transfer`]'s; the part and the finished file
//! (picked up, checked against the promise, thrown away, published) are [`part`]'s.

mod part;
mod transfer;

use std::time::Duration;

use sha2::{Digest as _, Sha256};
use strato_library::{Download, ErrorKind as LibraryErrorKind};
use strato_model::api::DownloadQuality;
use strato_service::ServiceError;

use super::error::is_transient;
use super::source::{FilePromise, SourceGrant};
use super::storage::{TrackFiles, remove_if_present};
use super::{DownloadError, DownloadEvent, Shared, quota};

/// The format the files are named by until a grant says the track's own (the cloud's MP3).
const FIRST_FORMAT: &str = "mp3";

/// How a track's task ended.
#[derive(Debug)]
pub(crate) enum Outcome {
    Completed,
    /// Paused or removed: nothing to report.
    Stopped,
    Failed(DownloadError),
}

/// Downloads `track_id` (already claimed by the caller).
pub(crate) async fn download(shared: &Shared, track_id: &str) -> Outcome {
    let mut job = Job {
        shared,
        track_id,
        quality: shared.quality(),
        files: TrackFiles::new(&shared.dir, track_id, FIRST_FORMAT),
        attempts: 0,
        done: 0,
        hasher: Sha256::new(),
        validator: None,
    };
    match job.run().await {
        Ok(outcome) => outcome,
        Err(error) => Outcome::Failed(error),
    }
}

/// Why one request stopped before the file was whole.
enum Step {
    /// Paused or removed.
    Stop,
    /// Worth another try after a pause: the network, a 5xx, a stall.
    Transient(DownloadError),
    /// The grant's access ran out (the CDN refused its signature): a fresh grant is needed.
    Expired(ServiceError),
    /// Not the file promised (more bytes, or another length): the file is not what the grant
    /// describes.
    Damaged(String),
    Fatal(DownloadError),
}

struct Job<'a> {
    shared: &'a Shared,
    track_id: &'a str,
    /// The copy asked for, as chosen when the track's download started: its grants all
    /// name the same file, so a part file goes on where it stopped.
    quality: DownloadQuality,
    /// The track's file and part file, named by the grant's format once it is known.
    files: TrackFiles,
    /// Failed tries in a row (reset by any progress).
    attempts: u32,
    /// Bytes in the part file, all hashed into `hasher`.
    done: u64,
    hasher: Sha256,
    /// What identifies the version of the file the part's bytes are of (kept beside it).
    validator: Option<String>,
}

impl Job<'_> {
    async fn run(&mut self) -> Result<Outcome, DownloadError> {
        let id = self.track_id.to_owned();
        let Some(row) = self
            .shared
            .library
            .call(move |lib| lib.download(&id))
            .await
            .map_err(DownloadError::library)?
        else {
            return Ok(Outcome::Stopped);
        };
        let mut grant = self.grant().await?;
        self.take_files(&row, &grant.promise).await?;
        quota::reserve(self.shared, self.track_id, grant.promise.size).await?;
        if !self.start(&grant.promise).await? {
            return Ok(Outcome::Stopped);
        }
        if let Some(outcome) = self.adopt_finished_file(&grant.promise).await? {
            return Ok(outcome);
        }
        self.load_part(grant.promise.size).await?;
        let mut damaged = 0;
        loop {
            if self.shared.should_stop(self.track_id) {
                return self.stop().await;
            }
            if self.done < grant.promise.size {
                let before = self.done;
                let step = self.transfer(&grant).await;
                self.save_progress().await;
                if self.done > before {
                    self.attempts = 0;
                }
                match step {
                    Ok(()) => {}
                    Err(Step::Stop) => return self.stop().await,
                    Err(Step::Transient(error)) => self.back_off(error).await?,
                    Err(Step::Expired(error)) => {
                        // Once per refusal; counted, so a CDN that refuses every fresh grant
                        // ends the track instead of looping.
                        self.count_attempt(DownloadError::forbidden(error))?;
                        match self.renew(&grant.promise).await? {
                            Some(fresh) => grant = fresh,
                            None => return Ok(Outcome::Stopped),
                        }
                    }
                    Err(Step::Damaged(detail)) => {
                        self.discard_damaged(&detail, &mut damaged).await?;
                    }
                    Err(Step::Fatal(error)) => return Err(error),
                }
                continue;
            }
            let sha256 = hex::encode(self.hasher.clone().finalize());
            if grant
                .promise
                .sha256
                .as_ref()
                .is_some_and(|promised| *promised != sha256)
            {
                self.discard_damaged("its SHA-256 differs", &mut damaged)
                    .await?;
                continue;
            }
            return self.complete(grant.promise.size, sha256).await;
        }
    }

    /// Access to the file from the source, retrying network failures.
    async fn grant(&mut self) -> Result<SourceGrant, DownloadError> {
        loop {
            let asked = self.shared.source.grant(self.track_id, self.quality);
            match asked.await {
                Ok(mut grant) => {
                    if let Some(sha256) = grant.promise.sha256.as_mut() {
                        sha256.make_ascii_lowercase();
                    }
                    return Ok(grant);
                }
                Err(error) if is_transient(&error) => {
                    self.back_off(DownloadError::transient(error)).await?;
                }
                Err(error) => return Err(DownloadError::from_service(error)),
            }
        }
    }

    /// Names the track's files by the grant's format. What an earlier start recorded under
    /// another promise (the service has another file now, or another format) is of no use:
    /// its part file goes.
    async fn take_files(
        &mut self,
        row: &Download,
        promise: &FilePromise,
    ) -> Result<(), DownloadError> {
        self.files = TrackFiles::new(&self.shared.dir, self.track_id, &promise.format);
        let earlier = row
            .path
            .as_deref()
            .and_then(|path| TrackFiles::recorded(&self.shared.dir, path));
        let same_promise = row.expected_size == Some(promise.size)
            && row.expected_sha256 == promise.sha256
            && earlier.as_ref() == Some(&self.files);
        if same_promise || row.expected_size.is_none() {
            return Ok(());
        }
        let stale = earlier.filter(|files| *files != self.files);
        self.blocking(move |files| {
            if let Some(stale) = stale {
                remove_if_present(&stale.part)?;
                remove_if_present(&stale.validator)?;
                remove_if_present(&stale.complete)?;
            }
            remove_if_present(&files.part)?;
            remove_if_present(&files.validator)
        })
        .await
        .map_err(DownloadError::write)
    }

    /// A fresh grant after the old one's access ran out. If its promise changed, the part
    /// file is of another file and starts over. `None`: the track was removed meanwhile.
    async fn renew(&mut self, old: &FilePromise) -> Result<Option<SourceGrant>, DownloadError> {
        let fresh = self.grant().await?;
        if fresh.promise.size != old.size || fresh.promise.sha256 != old.sha256 {
            self.reset_part().await?;
            quota::reserve(self.shared, self.track_id, fresh.promise.size).await?;
            if !self.start(&fresh.promise).await? {
                return Ok(None);
            }
        }
        tracing::info!(track_id = self.track_id, "download grant renewed");
        Ok(Some(fresh))
    }

    /// Records the start with the grant's promise; `false` if the row is gone (removed).
    async fn start(&self, promise: &FilePromise) -> Result<bool, DownloadError> {
        let id = self.track_id.to_owned();
        let path = self.files.complete.clone();
        let (size, sha256) = (promise.size, promise.sha256.clone());
        match self
            .shared
            .library
            .call(move |lib| lib.start_download(&id, &path, size, sha256.as_deref()))
            .await
        {
            Ok(_) => Ok(true),
            Err(e) if e.kind() == LibraryErrorKind::NotFound => Ok(false),
            Err(e) => Err(DownloadError::library(e)),
        }
    }

    /// Paused: the part file stays for resuming. Removed: it goes.
    async fn stop(&self) -> Result<Outcome, DownloadError> {
        let removed = self.shared.run().cancelled.contains(self.track_id);
        if removed {
            self.blocking(move |files| {
                remove_if_present(&files.part)?;
                remove_if_present(&files.validator)?;
                remove_if_present(&files.complete)
            })
            .await
            .map_err(DownloadError::write)?;
        }
        Ok(Outcome::Stopped)
    }

    fn count_attempt(&mut self, error: DownloadError) -> Result<(), DownloadError> {
        self.attempts += 1;
        if self.attempts >= self.shared.config.retry.max_attempts {
            return Err(error);
        }
        self.shared.emit(DownloadEvent::Retrying {
            track_id: self.track_id.to_owned(),
            attempt: self.attempts,
            message: error.to_string(),
        });
        Ok(())
    }

    /// Waits before the next try (exponential, with jitter), or gives up.
    async fn back_off(&mut self, error: DownloadError) -> Result<(), DownloadError> {
        tracing::info!(track_id = self.track_id, %error, "download interrupted; retrying");
        self.count_attempt(error)?;
        tokio::time::sleep(backoff_delay(&self.shared.config.retry, self.attempts)).await;
        Ok(())
    }

    async fn save_progress(&self) {
        let (id, done) = (self.track_id.to_owned(), self.done);
        // Only for the UI and a rough resume point: a failure here changes nothing.
        let _ = self
            .shared
            .library
            .call(move |lib| lib.record_download_progress(&id, done))
            .await;
    }

    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&TrackFiles) -> std::io::Result<T> + Send + 'static,
    ) -> std::io::Result<T> {
        let files = self.files.clone();
        blocking(move || f(&files)).await
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> std::io::Result<T> + Send + 'static,
) -> std::io::Result<T> {
    match tokio::task::spawn_blocking(f).await {
        Ok(result) => result,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

/// `base * 2^(attempt-1)`, at most `max`, less a random part of up to half.
fn backoff_delay(policy: &super::RetryPolicy, attempt: u32) -> Duration {
    use rand::Rng as _;
    let exp = policy
        .base_delay
        .saturating_mul(1 << attempt.saturating_sub(1).min(16))
        .min(policy.max_delay);
    exp.mul_f64(rand::thread_rng().gen_range(0.5..=1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let policy = super::super::RetryPolicy {
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
            ..Default::default()
        };
        let first = backoff_delay(&policy, 1);
        assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
        let third = backoff_delay(&policy, 3);
        assert!(third >= Duration::from_millis(200) && third <= Duration::from_millis(400));
        assert!(backoff_delay(&policy, 30) <= Duration::from_secs(1));
    }
}
