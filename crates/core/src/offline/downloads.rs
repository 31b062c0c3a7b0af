//! The account's download manager, whichever service it is on: started with the service's
//! client as its [`DownloadSource`] (the Strato cloud's `ApiClient`, a Subsonic server's
//! `SubsonicClient`), and everything above the source shared: the worker, the loudness of
//! what completes, the window's downloads status, and what a sync pass that went through
//! leads to (the playlists' missing tracks filled in, downloads of tracks the service no
//! longer has removed, what offline albums and playlists gained queued, failed downloads
//! tried again once the service is back).

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use strato_library::{Download, DownloadState};
use strato_model::ipc::{AppError, DownloadsStatus};
use strato_service::MusicService;
use strato_sync::downloads::{
    DownloadConfig, DownloadEvent, DownloadManager, DownloadSource, kept_file,
};
use tokio::task::JoinHandle;

use super::{AccountLibrary, catalog_fill, lock, status};
use crate::error::{download_kind, from_download, from_library};

/// The UI hears about downloads at most this often.
const DOWNLOAD_STATUS_INTERVAL: Duration = Duration::from_millis(250);

/// How often sync asks the service whether the tracks kept offline are still available
/// (besides the first pass online and a sync the listener asks for): the cloud answers 500
/// tracks a request, a Subsonic server one (so it is asked about a bounded number each
/// time, the longest unasked first), so not at every pass.
const AVAILABILITY_INTERVAL: Duration = Duration::from_secs(15 * 60);

/// What a sync pass that went through did.
#[derive(Debug, Clone, Copy)]
pub(super) struct GoodPass {
    /// It sent, took in or resolved edits: the playlists changed.
    pub(super) changed: bool,
    /// The service had not answered the pass before.
    pub(super) back_online: bool,
}

/// What the passes' follow-up keeps from one pass to the next.
#[derive(Debug, Default)]
pub(super) struct FollowUp {
    /// When the service was last asked which tracks it no longer has.
    availability_asked: Option<Instant>,
}

impl AccountLibrary {
    /// Starts the download manager fetching from `source`, with its worker, the measuring
    /// of what completes and the window's downloads status. `None` (logged) when the
    /// downloads folder cannot be made.
    pub(super) fn start_downloads(
        self: &Arc<Self>,
        source: impl DownloadSource,
    ) -> Option<(DownloadManager, Vec<JoinHandle<()>>)> {
        let _entered = self.runtime.enter();
        let config = DownloadConfig {
            quota_bytes: self.quota_bytes.load(Ordering::Relaxed),
            quality: *lock(&self.download_quality),
            ..DownloadConfig::default()
        };
        let downloads =
            match DownloadManager::new(source, self.handle.clone(), &self.downloads_dir, config) {
                Ok(downloads) => downloads,
                Err(error) => {
                    tracing::warn!(%error, "offline downloads are unavailable");
                    return None;
                }
            };
        let tasks = vec![
            // Listening before the worker starts, so no download completes unheard.
            self.runtime.spawn(crate::loudness::measure_downloads(
                downloads.subscribe(),
                self.handle.clone(),
                self.downloads_dir.clone(),
            )),
            downloads.spawn_worker(),
            self.runtime
                .spawn(Arc::clone(self).follow_downloads(downloads.clone())),
        ];
        Some((downloads, tasks))
    }

    /// The download manager, while the service's client is at hand.
    pub(crate) fn downloads(&self) -> Option<DownloadManager> {
        let cloud = lock(&self.online).as_ref().map(|o| o.downloads.clone());
        cloud.or_else(|| {
            lock(&self.server_sync)
                .as_ref()
                .and_then(|server| server.downloads.clone())
        })
    }

    /// The file of a verified download of `track_id`, if there is one: in the downloads
    /// folder as it is now (the row's path is where it was written, and the data folder may
    /// have moved since).
    pub(crate) fn downloaded_file(&self, track_id: &str) -> Option<PathBuf> {
        let download: Option<Download> = self
            .handle
            .blocking(|lib| lib.download(track_id))
            .ok()
            .flatten();
        download
            .filter(|d| d.state == DownloadState::Complete)
            .and_then(|d| d.path)
            .and_then(|recorded| kept_file(&self.downloads_dir, &recorded))
            .filter(|path| path.is_file())
    }

    pub(crate) async fn downloads_status(&self) -> Result<DownloadsStatus, AppError> {
        let Some(downloads) = self.downloads() else {
            let rows = self
                .handle
                .call(|lib| lib.downloads())
                .await
                .map_err(|e| from_library(&e))?;
            return Ok(status::downloads_offline(
                &rows,
                self.quota_bytes.load(Ordering::Relaxed),
            ));
        };
        let status = downloads.status().await.map_err(|e| from_download(&e))?;
        Ok(status::downloads(
            &status,
            lock(&self.progress).download_error.clone(),
        ))
    }

    /// What a sync pass that went through leads to, whichever the service: the tracks
    /// playlists name that are not cached fetched through `service`, the downloads of tracks
    /// it no longer has removed, what offline collections gained queued, and, back online,
    /// the downloads that failed meanwhile tried again.
    pub(super) async fn after_good_pass(
        &self,
        service: &dyn MusicService,
        downloads: &DownloadManager,
        pass: GoodPass,
        follow_up: &mut FollowUp,
    ) {
        let fetched = self.cache_playlist_tracks(service).await;
        if pass.changed || fetched {
            self.events.playlists_changed();
        }
        let asked_for = self.check_availability.swap(false, Ordering::Relaxed);
        let ask_service = asked_for
            || follow_up
                .availability_asked
                .is_none_or(|at| at.elapsed() >= AVAILABILITY_INTERVAL);
        if self.remove_unavailable(downloads, ask_service).await {
            if ask_service {
                follow_up.availability_asked = Some(Instant::now());
            }
        } else if asked_for {
            // Not answered: the listener's question is asked again at the next pass.
            self.check_availability.store(true, Ordering::Relaxed);
        }
        self.download_offline_collections(downloads).await;
        if pass.back_online {
            self.retry_failed_downloads(downloads).await;
        }
    }

    /// Removes the downloads of tracks the service no longer has; the listener is told by a
    /// sync notice. Whether it all went through.
    async fn remove_unavailable(&self, downloads: &DownloadManager, ask_service: bool) -> bool {
        match downloads.remove_unavailable(ask_service).await {
            Ok(removed) => {
                if !removed.track_ids.is_empty() {
                    self.events.playlists_changed();
                }
                if removed.notice.is_some() {
                    self.emit_sync_status().await;
                }
                true
            }
            Err(error) => {
                tracing::warn!(%error, "could not check the offline tracks");
                // Some may have gone before the failure, with their notice: shown all the same.
                self.events.playlists_changed();
                self.emit_sync_status().await;
                false
            }
        }
    }

    /// Downloads that gave up while the service could not be reached try again once it can.
    async fn retry_failed_downloads(&self, downloads: &DownloadManager) {
        let failed: Vec<String> = match self.handle.call(|lib| lib.downloads()).await {
            Ok(rows) => rows
                .into_iter()
                .filter(|d| d.state == DownloadState::Failed)
                .map(|d| d.track_id)
                .collect(),
            Err(error) => {
                tracing::warn!(%error, "could not read the downloads");
                return;
            }
        };
        if failed.is_empty() {
            return;
        }
        // `false` keeps each one's pinning as it is.
        if let Err(error) = downloads.enqueue(&failed, false).await {
            tracing::warn!(%error, "could not retry the failed downloads");
        }
    }

    /// Queues downloads for tracks that offline playlists and albums gained.
    pub(crate) async fn download_offline_collections(&self, downloads: &DownloadManager) {
        let missing = self.handle.call(|lib| lib.offline_tracks_missing()).await;
        match missing {
            Ok(missing) if !missing.is_empty() => {
                if let Err(error) = downloads.enqueue(&missing, true).await {
                    tracing::warn!(%error, "could not queue offline downloads");
                }
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "could not read the offline collections"),
        }
    }

    /// Fetches catalog data for tracks that playlists name and the cache lacks. Returns
    /// whether any arrived.
    async fn cache_playlist_tracks(&self, service: &dyn MusicService) -> bool {
        let report = catalog_fill::fill_playlist_tracks(
            service,
            &self.handle,
            catalog_fill::FillPlan::default(),
            || self.events.playlists_changed(),
        )
        .await;
        if report != catalog_fill::FillReport::default() {
            tracing::debug!(?report, "filled in the playlists' tracks");
        }
        report.stored > 0
    }

    /// Tells the UI about downloads, at most four times a second: the events of each
    /// quarter second fold into one status.
    async fn follow_downloads(self: Arc<Self>, downloads: DownloadManager) {
        use tokio::sync::broadcast::error::{RecvError, TryRecvError};
        let mut events = downloads.subscribe();
        loop {
            let mut batch = Vec::new();
            match events.recv().await {
                Ok(event) => batch.push(event),
                Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return,
            }
            tokio::time::sleep(DOWNLOAD_STATUS_INTERVAL).await;
            loop {
                match events.try_recv() {
                    Ok(event) => batch.push(event),
                    Err(TryRecvError::Lagged(_)) => {}
                    Err(TryRecvError::Empty | TryRecvError::Closed) => break,
                }
            }
            let mut finished = false;
            for event in batch {
                match event {
                    DownloadEvent::Failed { kind, message, .. } => {
                        lock(&self.progress).download_error =
                            Some(AppError::new(download_kind(kind), message));
                        finished = true;
                    }
                    DownloadEvent::Completed { .. } | DownloadEvent::Evicted { .. } => {
                        finished = true;
                    }
                    _ => {}
                }
            }
            if finished {
                self.events.playlists_changed();
            }
            match self.downloads_status().await {
                Ok(status) => self.events.downloads_status(&status),
                Err(error) => tracing::warn!(%error, "could not read the downloads status"),
            }
        }
    }
}
