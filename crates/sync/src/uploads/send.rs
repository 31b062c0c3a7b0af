//! Sending one file: announce, send the parts storage lacks, complete, reconcile; and
//! following processing to its end.

use std::collections::HashSet;
use std::io::{Read as _, Seek as _, SeekFrom};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use rand::Rng as _;
use strato_cloud::{CloudError, CloudErrorKind};
use strato_library::{LocalUpload, UploadSessionInfo, UploadState};
use strato_model::api::{NewUpload, PartUrl, UploadStatus, UploadedPart};
use tokio::task::JoinSet;

use super::{Shared, UploadError, UploadEvent, modified_secs};

/// Sends `upload` until storage holds every part and the service has it processing.
pub(super) async fn send(shared: &Arc<Shared>, upload: &LocalUpload) -> Result<(), UploadError> {
    check_unchanged(upload).await?;
    shared
        .set_state(&upload.local_id, UploadState::Uploading, None)
        .await?;
    let mut session = match &upload.session {
        Some(session) => session.clone(),
        None => announce(shared, upload, &upload.local_id).await?,
    };
    loop {
        if shared.should_stop(&upload.local_id) {
            return Ok(());
        }
        match send_missing_parts(shared, upload, &session).await {
            Ok(()) => {}
            Err(error) if storage_lost(&error) => {
                session = start_over(shared, upload).await?;
                continue;
            }
            Err(error) => return Err(error),
        }
        if shared.should_stop(&upload.local_id) {
            return Ok(());
        }
        let parts = recorded(shared, &upload.local_id).await?;
        if parts.len() < session.part_count as usize {
            continue;
        }
        match shared.api.complete_upload(&session.upload_id, &parts).await {
            Ok(_) => break,
            // A second answer: the first complete went through before a crash or a lost reply.
            Err(error) if error.kind() == CloudErrorKind::Conflict => {
                if storage_lost(&UploadError::Cloud(error)) {
                    session = start_over(shared, upload).await?;
                    continue;
                }
                break;
            }
            // A part storage holds differently, or not at all: storage is the truth.
            Err(error) if error.kind() == CloudErrorKind::InvalidInput => {
                tracing::info!(%error, "reconciling the parts recorded with storage");
                reconcile(shared, upload, &session.upload_id).await?;
            }
            Err(error) => return Err(error.into()),
        }
    }
    shared
        .set_state(&upload.local_id, UploadState::Processing, None)
        .await?;
    Ok(())
}

/// The 409 the service answers when storage no longer holds the upload ("start it again").
fn storage_lost(error: &UploadError) -> bool {
    matches!(error, UploadError::Cloud(e)
        if e.kind() == CloudErrorKind::Conflict && e.to_string().contains("start it again"))
}

/// A file that changed since it was hashed would not match what was announced.
async fn check_unchanged(upload: &LocalUpload) -> Result<(), UploadError> {
    let metadata = tokio::fs::metadata(&upload.path).await.map_err(|e| {
        UploadError::File(format!(
            "Strato could not read {}: {e}",
            upload.path.display()
        ))
    })?;
    if metadata.len() != upload.size || modified_secs(&metadata) != upload.modified_at {
        return Err(UploadError::File(format!(
            "{} changed since you chose it. Add it again to upload it as it is now.",
            upload.file_name
        )));
    }
    Ok(())
}

/// Asks the service for an upload, keyed so that a retry finds the same one, and records
/// its session.
async fn announce(
    shared: &Arc<Shared>,
    upload: &LocalUpload,
    key: &str,
) -> Result<UploadSessionInfo, UploadError> {
    let new = NewUpload {
        file_name: upload.file_name.clone(),
        size: upload.size,
        content_type: content_type(&upload.path).to_owned(),
        sha256: upload.sha256.clone(),
        details: upload.details.clone(),
        visibility: upload.visibility,
    };
    let answer = with_retries(shared, || shared.api.create_upload(&new, key)).await?;
    let session = UploadSessionInfo {
        upload_id: answer.upload.id,
        part_size: answer.part_size,
        part_count: answer.part_count,
    };
    let (id, recorded) = (upload.local_id.clone(), session.clone());
    shared
        .library
        .call(move |lib| lib.set_upload_session(&id, &recorded))
        .await?;
    Ok(session)
}

/// Storage lost the upload: forget it here and announce again, with a new key (the old one
/// names the lost upload).
async fn start_over(
    shared: &Arc<Shared>,
    upload: &LocalUpload,
) -> Result<UploadSessionInfo, UploadError> {
    let id = upload.local_id.clone();
    shared
        .library
        .call(move |lib| lib.reset_upload_session(&id))
        .await?;
    let key = format!(
        "{}-{:08x}",
        upload.local_id,
        rand::thread_rng().r#gen::<u32>()
    );
    announce(shared, upload, &key).await
}

async fn recorded(shared: &Arc<Shared>, local_id: &str) -> Result<Vec<UploadedPart>, UploadError> {
    let id = local_id.to_owned();
    Ok(shared
        .library
        .call(move |lib| lib.upload_parts(&id))
        .await?)
}

/// Drops the parts recorded here that storage does not hold as recorded.
async fn reconcile(
    shared: &Arc<Shared>,
    upload: &LocalUpload,
    upload_id: &str,
) -> Result<(), UploadError> {
    let held = with_retries(shared, || shared.api.uploaded_parts(upload_id)).await?;
    let held: HashSet<(u32, String)> = held
        .into_iter()
        .map(|p| (p.part_number, p.etag.trim_matches('"').to_owned()))
        .collect();
    let stale: Vec<u32> = recorded(shared, &upload.local_id)
        .await?
        .into_iter()
        .filter(|p| !held.contains(&(p.part_number, p.etag.trim_matches('"').to_owned())))
        .map(|p| p.part_number)
        .collect();
    let id = upload.local_id.clone();
    shared
        .library
        .call(move |lib| lib.forget_upload_parts(&id, &stale))
        .await?;
    Ok(())
}

/// Sends every part not recorded, `part_concurrency` at a time, recording each as storage
/// acknowledges it. Returns early (Ok) when paused or cancelled, or when URLs expired (the
/// caller asks again).
async fn send_missing_parts(
    shared: &Arc<Shared>,
    upload: &LocalUpload,
    session: &UploadSessionInfo,
) -> Result<(), UploadError> {
    let done = recorded(shared, &upload.local_id).await?;
    let have: HashSet<u32> = done.iter().map(|p| p.part_number).collect();
    let missing: Vec<u32> = (1..=session.part_count)
        .filter(|n| !have.contains(n))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let fresh = with_retries(shared, || {
        shared.api.upload_part_urls(&session.upload_id, &missing)
    })
    .await?;
    let sent = Arc::new(AtomicU64::new(done.iter().map(|p| p.size).sum()));
    shared.emit(UploadEvent::Progress {
        local_id: upload.local_id.clone(),
        bytes_sent: sent.load(Ordering::Relaxed),
        total: upload.size,
    });
    let mut queue = fresh.parts.into_iter();
    let mut running = JoinSet::new();
    let mut first_error = None;
    loop {
        while running.len() < shared.config.part_concurrency.max(1)
            && first_error.is_none()
            && !shared.should_stop(&upload.local_id)
        {
            let Some(part) = queue.next() else { break };
            running.spawn(send_part(
                Arc::clone(shared),
                upload.clone(),
                session.part_size,
                part,
                Arc::clone(&sent),
            ));
        }
        let Some(joined) = running.join_next().await else {
            break;
        };
        match joined {
            Ok(Ok(())) => {}
            Ok(Err(error)) => {
                first_error.get_or_insert(error);
            }
            Err(join) => {
                first_error.get_or_insert(UploadError::File(join.to_string()));
            }
        }
    }
    first_error.map_or(Ok(()), Err)
}

/// One part: read, sent (retried), recorded.
async fn send_part(
    shared: Arc<Shared>,
    upload: LocalUpload,
    part_size: u64,
    part: PartUrl,
    sent: Arc<AtomicU64>,
) -> Result<(), UploadError> {
    let bytes = read_part(&upload.path, part.part_number, part_size, upload.size).await?;
    let size = bytes.len() as u64;
    let mut attempt = 0;
    let acknowledged = loop {
        attempt += 1;
        match shared.api.put_part(&part, bytes.clone()).await {
            Ok(acknowledged) => break acknowledged,
            // The URL expired: the caller asks for fresh ones on its next round.
            Err(error) if error.kind() == CloudErrorKind::Forbidden => return Err(error.into()),
            Err(error) if error.is_transient() && attempt < shared.config.retry.max_attempts => {
                tokio::time::sleep(backoff(&shared, attempt)).await;
            }
            Err(error) => return Err(error.into()),
        }
    };
    let id = upload.local_id.clone();
    shared
        .library
        .call(move |lib| lib.record_upload_part(&id, &acknowledged))
        .await?;
    let total = sent.fetch_add(size, Ordering::Relaxed) + size;
    shared.emit(UploadEvent::Progress {
        local_id: upload.local_id.clone(),
        bytes_sent: total,
        total: upload.size,
    });
    Ok(())
}

/// Bytes `(n-1)·part_size ..` of the file, read on a blocking thread.
async fn read_part(
    path: &Path,
    number: u32,
    part_size: u64,
    file_size: u64,
) -> Result<bytes::Bytes, UploadError> {
    let path = path.to_owned();
    tokio::task::spawn_blocking(move || {
        let start = u64::from(number - 1) * part_size;
        let length = part_size.min(file_size.saturating_sub(start));
        let mut file = std::fs::File::open(&path)?;
        file.seek(SeekFrom::Start(start))?;
        let mut buffer = vec![0; usize::try_from(length).unwrap_or(0)];
        file.read_exact(&mut buffer)?;
        Ok::<_, std::io::Error>(bytes::Bytes::from(buffer))
    })
    .await
    .map_err(|e| UploadError::File(e.to_string()))?
    .map_err(|e| UploadError::File(format!("Strato could not read the file: {e}")))
}

fn backoff(shared: &Shared, attempt: u32) -> std::time::Duration {
    let retry = &shared.config.retry;
    let ceiling = retry
        .base_delay
        .saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1)))
        .min(retry.max_delay);
    rand::thread_rng().gen_range(ceiling / 2..=ceiling)
}

/// Retries a service call on network failures and 5xx, with backoff.
async fn with_retries<T, F, Fut>(shared: &Shared, call: F) -> Result<T, UploadError>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<T, CloudError>>,
{
    let mut attempt = 0;
    loop {
        attempt += 1;
        match call().await {
            Ok(value) => return Ok(value),
            Err(error) if error.is_transient() && attempt < shared.config.retry.max_attempts => {
                tokio::time::sleep(backoff(shared, attempt)).await;
            }
            Err(error) => return Err(error.into()),
        }
    }
}

/// Asks how processing goes; records the outcome.
pub(super) async fn follow_processing(shared: &Arc<Shared>, upload: &LocalUpload) {
    let Some(session) = &upload.session else {
        return;
    };
    let status = match shared.api.uploaded(&session.upload_id).await {
        Ok(status) => status,
        Err(error) if error.kind() == CloudErrorKind::NotFound => {
            let message = "The service no longer has this upload.".to_owned();
            let _ = shared
                .set_state(&upload.local_id, UploadState::Failed, Some(message))
                .await;
            return;
        }
        Err(error) => {
            tracing::debug!(%error, "asking about processing");
            return;
        }
    };
    match status.status {
        UploadStatus::Ready => {
            if shared
                .set_state(&upload.local_id, UploadState::Ready, None)
                .await
                .is_ok()
            {
                shared.emit(UploadEvent::Ready {
                    local_id: upload.local_id.clone(),
                    track_id: status.id,
                });
            }
        }
        UploadStatus::Failed => {
            let message = status.failure.map_or_else(
                || "The service could not process the file.".to_owned(),
                |f| f.message,
            );
            let _ = shared
                .set_state(&upload.local_id, UploadState::Failed, Some(message))
                .await;
        }
        UploadStatus::Uploading | UploadStatus::Processing => {}
    }
}

/// The MIME type the file's name suggests (the service probes the bytes itself).
fn content_type(path: &Path) -> &'static str {
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "mp3" => "audio/mpeg",
        "flac" => "audio/flac",
        "wav" => "audio/wav",
        "aif" | "aiff" => "audio/aiff",
        "m4a" | "mp4" => "audio/mp4",
        "aac" => "audio/aac",
        "ogg" | "oga" => "audio/ogg",
        "opus" => "audio/opus",
        _ => "application/octet-stream",
    }
}
