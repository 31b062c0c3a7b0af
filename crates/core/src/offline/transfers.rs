//! The account's uploads on this computer: files queued (online or not) go into the library's
//! upload journal, the upload manager sends them while an API client is at hand, and the
//! transfers panel hears how they go, at most four times a second, with a speed measured
//! over the last few seconds.

use std::collections::{HashMap, VecDeque};
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use strato_library::{LocalUpload, UploadState};
use strato_model::api::{UploadDetails, Visibility};
use strato_model::ipc::{AppError, ErrorKind, Transfer, TransferState, TransfersStatus};
use strato_sync::LibraryHandle;
use strato_sync::uploads::{UploadError, UploadEvent, UploadManager};

use crate::error::{from_cloud, from_library};
use crate::playback::AppEvents;

/// The panel hears about transfers at most this often.
const STATUS_INTERVAL: Duration = Duration::from_millis(250);
/// Speed is measured over this much of the recent past.
const SPEED_WINDOW: Duration = Duration::from_secs(3);

/// Bytes sent lately, per transfer, for its progress and speed.
#[derive(Debug, Default)]
pub(crate) struct TransferMeter {
    samples: HashMap<String, VecDeque<(Instant, u64)>>,
    /// The last failure, for the panel.
    error: Option<AppError>,
}

impl TransferMeter {
    fn record(&mut self, local_id: &str, bytes_sent: u64, at: Instant) {
        let samples = self.samples.entry(local_id.to_owned()).or_default();
        samples.push_back((at, bytes_sent));
        while samples
            .front()
            .is_some_and(|(t, _)| at.duration_since(*t) > SPEED_WINDOW)
        {
            samples.pop_front();
        }
    }

    fn sent(&self, local_id: &str) -> Option<u64> {
        self.samples.get(local_id)?.back().map(|(_, b)| *b)
    }

    /// Bytes per second over the window, while sending.
    fn speed(&self, local_id: &str, now: Instant) -> u64 {
        let Some(samples) = self.samples.get(local_id) else {
            return 0;
        };
        let (Some((first_at, first)), Some((_, last))) = (samples.front(), samples.back()) else {
            return 0;
        };
        let span = now.duration_since(*first_at).as_secs_f64();
        if span < 0.2 {
            return 0;
        }
        #[allow(
            clippy::cast_precision_loss,
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss
        )]
        let speed = (last.saturating_sub(*first) as f64 / span) as u64;
        speed
    }
}

/// Queues files for upload: hashed and recorded, sent once the account is online. A file
/// already on its way, unchanged, is not queued twice: its transfer goes on (a paused one
/// resumes), so an upload interrupted by a killed app or command finishes, once.
pub(crate) async fn queue(
    library: &LibraryHandle,
    files: Vec<(std::path::PathBuf, UploadDetails, Visibility)>,
) -> Result<Vec<LocalUpload>, AppError> {
    let existing = library
        .call(|lib| lib.uploads())
        .await
        .map_err(|e| from_library(&e))?;
    let mut queued = Vec::with_capacity(files.len());
    for (path, details, visibility) in files {
        let unchanged = std::fs::metadata(&path).ok().and_then(|metadata| {
            let modified = strato_sync::uploads::modified_secs(&metadata);
            existing.iter().find(|u| {
                u.path == path
                    && u.size == metadata.len()
                    && u.modified_at == modified
                    && (u.state.is_pending() || u.state == UploadState::Paused)
            })
        });
        if let Some(upload) = unchanged {
            if upload.state == UploadState::Paused {
                let id = upload.local_id.clone();
                library
                    .call(move |lib| lib.set_upload_state(&id, UploadState::Queued, None))
                    .await
                    .map_err(|e| from_library(&e))?;
            }
            queued.push(upload.clone());
            continue;
        }
        let upload = strato_sync::uploads::queue_file(library, &path, details, visibility)
            .await
            .map_err(|e| from_upload(&e))?;
        queued.push(upload);
    }
    Ok(queued)
}

pub(crate) fn from_upload(error: &UploadError) -> AppError {
    match error {
        UploadError::File(message) => AppError::new(ErrorKind::NotFound, message.clone()),
        UploadError::Library(library) => from_library(library),
        UploadError::Cloud(cloud) => from_cloud(cloud),
    }
}

fn transfer_state(state: UploadState) -> TransferState {
    match state {
        UploadState::Queued => TransferState::Queued,
        UploadState::Uploading => TransferState::Uploading,
        UploadState::Paused => TransferState::Paused,
        UploadState::Processing => TransferState::Processing,
        UploadState::Ready => TransferState::Ready,
        UploadState::Failed => TransferState::Failed,
    }
}

/// The panel's view of the journal, with what the meter knows of progress and speed.
pub(crate) fn status(rows: &[LocalUpload], meter: &TransferMeter) -> TransfersStatus {
    let now = Instant::now();
    let transfers: Vec<Transfer> = rows
        .iter()
        .map(|row| {
            let done = matches!(row.state, UploadState::Processing | UploadState::Ready);
            let bytes_sent = if done {
                row.size
            } else {
                meter.sent(&row.local_id).unwrap_or(0).min(row.size)
            };
            Transfer {
                id: row.local_id.clone(),
                file_name: row.file_name.clone(),
                size: row.size,
                bytes_sent,
                bytes_per_sec: if row.state == UploadState::Uploading {
                    meter.speed(&row.local_id, now)
                } else {
                    0
                },
                state: transfer_state(row.state),
                message: row.last_error.clone(),
                visibility: row.visibility,
                details: row.details.clone(),
                track_id: row.session.as_ref().map(|s| s.upload_id.clone()),
            }
        })
        .collect();
    TransfersStatus {
        bytes_sent: transfers.iter().map(|t| t.bytes_sent).sum(),
        bytes_total: transfers.iter().map(|t| t.size).sum(),
        transfers,
        error: meter.error.clone(),
    }
}

/// Reads the journal and tells the panel.
pub(crate) async fn emit(
    library: &LibraryHandle,
    meter: &Mutex<TransferMeter>,
    events: &dyn AppEvents,
) {
    match library.call(|lib| lib.uploads()).await {
        Ok(rows) => {
            let view = status(&rows, &meter.lock().unwrap_or_else(PoisonError::into_inner));
            events.transfers_status(&view);
        }
        Err(error) => tracing::warn!(%error, "could not read the uploads"),
    }
}

/// Follows the manager's events into the meter and the panel, four times a second at most.
pub(crate) async fn follow(
    manager: UploadManager,
    library: LibraryHandle,
    meter: Arc<Mutex<TransferMeter>>,
    events: Arc<dyn AppEvents>,
) {
    use tokio::sync::broadcast::error::{RecvError, TryRecvError};
    let mut receiver = manager.subscribe();
    loop {
        let mut batch = Vec::new();
        match receiver.recv().await {
            Ok(event) => batch.push(event),
            Err(RecvError::Lagged(_)) => {}
            Err(RecvError::Closed) => return,
        }
        tokio::time::sleep(STATUS_INTERVAL).await;
        loop {
            match receiver.try_recv() {
                Ok(event) => batch.push(event),
                Err(TryRecvError::Lagged(_)) => {}
                Err(TryRecvError::Empty | TryRecvError::Closed) => break,
            }
        }
        let mut became_tracks = false;
        {
            let mut meter = meter.lock().unwrap_or_else(PoisonError::into_inner);
            let now = Instant::now();
            for event in batch {
                match event {
                    UploadEvent::Progress {
                        local_id,
                        bytes_sent,
                        ..
                    } => meter.record(&local_id, bytes_sent, now),
                    UploadEvent::State {
                        state: UploadState::Failed,
                        message,
                        ..
                    } => {
                        meter.error = message.map(|m| AppError::new(ErrorKind::Server, m));
                    }
                    UploadEvent::Ready { .. } => became_tracks = true,
                    _ => {}
                }
            }
        }
        if became_tracks {
            events.playlists_changed();
        }
        emit(&library, &meter, events.as_ref()).await;
    }
}

/// Whether `path` is a file of a kind the service takes, by its name.
#[must_use]
pub(crate) fn is_audio_file(path: &Path) -> bool {
    const EXTENSIONS: [&str; 11] = [
        "mp3", "flac", "wav", "aif", "aiff", "m4a", "aac", "mp4", "ogg", "oga", "opus",
    ];
    path.extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .is_some_and(|e| EXTENSIONS.contains(&e.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speed_is_measured_over_the_recent_window() {
        let mut meter = TransferMeter::default();
        let start = Instant::now();
        meter.record("a", 0, start);
        meter.record("a", 1_000_000, start + Duration::from_secs(1));
        meter.record("a", 2_000_000, start + Duration::from_secs(2));
        let speed = meter.speed("a", start + Duration::from_secs(2));
        assert_eq!(speed, 1_000_000);
        // Samples older than the window fall away.
        meter.record("a", 2_500_000, start + Duration::from_secs(6));
        assert_eq!(meter.sent("a"), Some(2_500_000));
        assert_eq!(meter.speed("b", start), 0);
    }

    #[test]
    fn audio_files_are_known_by_their_names() {
        assert!(is_audio_file(Path::new("/m/a.FLAC")));
        assert!(!is_audio_file(Path::new("/m/cover.jpg")));
    }
}
