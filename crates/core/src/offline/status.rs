//! What the UI is told about sync and downloads.

use strato_library::{Download, DownloadState, SyncRecord};
use strato_model::ipc::{
    AppError, DownloadsStatus, LiveUpdates, SyncNotice, SyncState, SyncStatus,
};
use strato_sync::downloads::DownloadStatus;
use strato_sync::{LiveState, SyncEvent};

/// The sync loop's latest news, kept between passes.
#[derive(Debug, Default)]
pub(crate) struct SyncProgress {
    state: Option<SyncState>,
    last_synced_at: Option<i64>,
    error: Option<AppError>,
    /// The last download failure, with its kind.
    pub(crate) download_error: Option<AppError>,
    /// How other devices' changes arrive; `None` before the live channel was first tried.
    live: Option<LiveUpdates>,
}

impl SyncProgress {
    pub(crate) fn apply(&mut self, event: &SyncEvent) {
        match event {
            SyncEvent::Started => self.state = Some(SyncState::Syncing),
            SyncEvent::Finished(_) => {
                self.state = Some(SyncState::Idle);
                self.error = None;
                self.last_synced_at = Some(crate::unix_now());
            }
            SyncEvent::Failed(error) => {
                self.state = Some(if error.is_transient() {
                    SyncState::Offline
                } else {
                    SyncState::Error
                });
                self.error = Some(crate::error::from_sync(error));
            }
        }
    }

    /// The live channel's news; whether it changed what the indicator shows.
    pub(crate) fn apply_live(&mut self, state: &LiveState) -> bool {
        let live = match state {
            LiveState::Connecting => LiveUpdates::Connecting,
            LiveState::Live => LiveUpdates::Live,
            LiveState::Polling(_) => LiveUpdates::Polling,
        };
        self.live.replace(live) != Some(live)
    }

    pub(crate) fn status(&self, pending: u64, records: &[SyncRecord]) -> SyncStatus {
        SyncStatus {
            // Before the first pass (no API client yet): offline.
            state: self.state.unwrap_or(SyncState::Offline),
            unsynced_edits: u32::try_from(pending).unwrap_or(u32::MAX),
            last_synced_at: self.last_synced_at,
            error: self.error.clone(),
            notices: records
                .iter()
                .map(|record| SyncNotice {
                    id: record.id,
                    message: record.message.clone(),
                    created_at: record.created_at,
                })
                .collect(),
            live: self.live.unwrap_or(LiveUpdates::Connecting),
        }
    }
}

pub(crate) fn downloads(status: &DownloadStatus, error: Option<AppError>) -> DownloadsStatus {
    DownloadsStatus {
        paused: status.paused,
        active: count(status.active.len()),
        done: count(status.done),
        failed: count(status.failed),
        total: count(status.total),
        bytes_used: status.bytes_used,
        bytes_cached: status.bytes_cached,
        quota_bytes: status.quota_bytes,
        error,
    }
}

/// The status from the records alone, while the download manager is not running.
pub(crate) fn downloads_offline(rows: &[Download], quota_bytes: u64) -> DownloadsStatus {
    let complete = rows.iter().filter(|d| d.state == DownloadState::Complete);
    DownloadsStatus {
        paused: false,
        active: 0,
        done: count(complete.clone().count()),
        failed: count(
            rows.iter()
                .filter(|d| d.state == DownloadState::Failed)
                .count(),
        ),
        total: count(rows.len()),
        bytes_used: complete.clone().filter_map(|d| d.size).sum(),
        bytes_cached: complete.filter(|d| !d.pinned).filter_map(|d| d.size).sum(),
        quota_bytes,
        error: None,
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
