//! The signed-in account's offline library: its database, the playlist sync loop and the
//! download manager, and what the UI is told about them.
//!
//! The library opens with the account and works without the network. Sync and downloads
//! run only while an API client is at hand ([`AccountLibrary::go_online`]); everything the
//! UI reads comes from the database, so it answers at once, online or not.

mod catalog_fill;
pub(crate) mod catalog_list;
mod live;
pub(crate) mod queue;
mod reports;
mod server_sync;
mod status;
mod storage;
pub(crate) mod transfers;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use strato_cloud::ApiClient;
use strato_library::{Download, DownloadState, Library, library_file_name};
use strato_model::api::DownloadQuality;
use strato_model::ipc::{AppError, DownloadsStatus, Session, SyncStatus, TransfersStatus};
use strato_sync::downloads::{DownloadConfig, DownloadEvent, DownloadManager};
use strato_sync::uploads::{UploadConfig, UploadManager};
use strato_sync::{
    LibraryHandle, LiveFollower, LiveSchedule, PlaylistSync, SyncEvent, SyncLoop, SyncSchedule,
};
use tokio::runtime::Handle;
use tokio::task::JoinHandle;

use crate::devices::Devices;
use crate::error::{download_kind, from_download, from_io, from_library};
use crate::playback::AppEvents;
use crate::settings::CatalogWalkSettings;
use catalog_list::{CatalogList, CatalogWalker};
use status::SyncProgress;

/// The UI hears about downloads at most this often.
const DOWNLOAD_STATUS_INTERVAL: Duration = Duration::from_millis(250);

/// How often sync asks the service whether the tracks kept offline are still available
/// (besides the first pass online and a sync the listener asks for): one request per 500
/// downloads, so not at every pass.
const AVAILABILITY_INTERVAL: Duration = Duration::from_secs(15 * 60);

/// One account's library and what keeps it in step with the service.
pub(crate) struct AccountLibrary {
    handle: LibraryHandle,
    /// The account it is open for.
    session: Session,
    downloads_dir: PathBuf,
    /// The storage limit; changed live from the settings ([`Self::set_quota`]).
    quota_bytes: AtomicU64,
    /// The copy downloads fetch; changed live ([`Self::set_download_quality`]).
    download_quality: Mutex<DownloadQuality>,
    runtime: Handle,
    events: Arc<dyn AppEvents>,
    progress: Arc<Mutex<SyncProgress>>,
    /// Whether the service answered lately; playback fails fast for tracks not kept
    /// offline while it does not.
    reachable: Arc<AtomicBool>,
    /// The catalog listing kept here, read by the catalog screen.
    catalog: CatalogList,
    catalog_walk: CatalogWalkSettings,
    /// What the transfers panel knows of progress and speed.
    transfers: Arc<Mutex<transfers::TransferMeter>>,
    /// The listener asked to sync: the next pass also checks the offline tracks'
    /// availability.
    check_availability: AtomicBool,
    /// The listener lets playback be reported ([`Self::set_reporting`]); shared with the
    /// task that drops what waits when it is turned off.
    reporting: Arc<AtomicBool>,
    online: Mutex<Option<Online>>,
    /// A Subsonic server's playlist sync, while its client is at hand (`server_sync.rs`).
    server_sync: Mutex<Option<server_sync::ServerSync>>,
}

/// What runs while an API client is at hand.
struct Online {
    api: Arc<ApiClient>,
    sync: SyncLoop,
    /// The live channel: other devices' changes pulled as they happen, and this app among
    /// the listener's devices.
    live: LiveFollower,
    devices: Arc<Devices>,
    downloads: DownloadManager,
    uploads: UploadManager,
    catalog: CatalogWalker,
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for Online {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

impl AccountLibrary {
    /// Opens (creating or upgrading) the library of `session`'s account under `data_dir`.
    pub(crate) fn open(
        data_dir: &Path,
        session: &Session,
        storage: (u64, DownloadQuality),
        catalog_walk: CatalogWalkSettings,
        runtime: Handle,
        events: Arc<dyn AppEvents>,
    ) -> Result<Arc<Self>, AppError> {
        let (service_url, username) = (session.service_url.as_str(), session.username.as_str());
        let file = library_file_name(service_url, username);
        let stem = file.trim_end_matches(".sqlite3");
        std::fs::create_dir_all(data_dir)
            .map_err(|e| from_io(&e, "make a folder for your library"))?;
        let library = Library::open(data_dir.join(&file)).map_err(|e| from_library(&e))?;
        let catalog = CatalogList::open(&library).map_err(|e| from_library(&e))?;
        // The file's name holds the username: the log names the account by its tag.
        tracing::info!(
            service = service_url,
            account = %strato_cloud::redact::account_tag(username),
            "offline library open"
        );
        Ok(Arc::new(Self {
            handle: LibraryHandle::new(library),
            session: session.clone(),
            downloads_dir: data_dir.join("offline").join(stem),
            quota_bytes: AtomicU64::new(storage.0),
            download_quality: Mutex::new(storage.1),
            runtime,
            events,
            progress: Arc::new(Mutex::new(SyncProgress::default())),
            reachable: Arc::new(AtomicBool::new(true)),
            catalog,
            catalog_walk,
            transfers: Arc::default(),
            check_availability: AtomicBool::new(false),
            reporting: Arc::new(AtomicBool::new(false)),
            online: Mutex::new(None),
            server_sync: Mutex::new(None),
        }))
    }

    pub(crate) fn is_for(&self, service_url: &str, username: &str) -> bool {
        self.session.service_url == service_url && self.session.username == username
    }

    pub(crate) fn handle(&self) -> &LibraryHandle {
        &self.handle
    }

    /// Whether the service answered the last sync pass.
    pub(crate) fn reachable(&self) -> bool {
        self.reachable.load(Ordering::Relaxed)
    }

    /// Starts sync and downloads with `api` (again, if the client changed), and the live
    /// channel with this app as one of the listener's `devices`.
    pub(crate) fn go_online(self: &Arc<Self>, api: &Arc<ApiClient>, devices: &Arc<Devices>) {
        let mut online = lock(&self.online);
        if online.as_ref().is_some_and(|o| Arc::ptr_eq(&o.api, api)) {
            return;
        }
        *online = None;
        let _entered = self.runtime.enter();
        let config = DownloadConfig {
            quota_bytes: self.quota_bytes.load(Ordering::Relaxed),
            quality: *lock(&self.download_quality),
            ..DownloadConfig::default()
        };
        let downloads = match DownloadManager::new(
            (**api).clone(),
            self.handle.clone(),
            &self.downloads_dir,
            config,
        ) {
            Ok(downloads) => downloads,
            Err(error) => {
                tracing::warn!(%error, "offline downloads are unavailable");
                return;
            }
        };
        let (sender, receiver) = tokio::sync::mpsc::unbounded_channel();
        let playlist_sync = PlaylistSync::new((**api).clone(), self.handle.clone());
        let sync = SyncLoop::spawn_on(
            &self.runtime,
            playlist_sync.clone(),
            SyncSchedule::default(),
            move |event| drop(sender.send(event)),
        );
        let live = LiveFollower::spawn_on(
            &self.runtime,
            ((**api).clone(), playlist_sync, sync.trigger()),
            LiveSchedule::default(),
            Some(devices.presence_for(&self.session.service_url, &self.session.username)),
            self.live_listener(Arc::clone(devices), devices.generation()),
        );
        let (catalog, catalog_task) = self.catalog.start_walker(
            &self.runtime,
            Arc::clone(api),
            self.handle.clone(),
            Arc::clone(&self.events),
            self.catalog_walk,
        );
        let uploads = UploadManager::new(
            (**api).clone(),
            self.handle.clone(),
            UploadConfig::default(),
        );
        let tasks = vec![
            catalog_task,
            // Listening before the worker starts, so no download completes unheard.
            self.runtime.spawn(crate::loudness::measure_downloads(
                downloads.subscribe(),
                self.handle.clone(),
            )),
            downloads.spawn_worker(),
            uploads.spawn_worker(),
            self.runtime.spawn(transfers::follow(
                uploads.clone(),
                self.handle.clone(),
                Arc::clone(&self.transfers),
                Arc::clone(&self.events),
            )),
            self.runtime.spawn(Arc::clone(self).follow_sync(
                receiver,
                Arc::clone(api),
                downloads.clone(),
            )),
            self.runtime
                .spawn(Arc::clone(self).follow_downloads(downloads.clone())),
        ];
        *online = Some(Online {
            api: Arc::clone(api),
            sync,
            live,
            devices: Arc::clone(devices),
            downloads,
            uploads,
            catalog,
            tasks,
        });
    }

    /// Stops sync and downloads (sign-out, account switch). Edits stay in the log.
    pub(crate) fn go_offline(&self) {
        drop(lock(&self.server_sync).take());
        let online = lock(&self.online).take();
        if let Some(online) = online {
            // The follower stopped first; whatever it still tells is of a forgotten session.
            let devices = Arc::clone(&online.devices);
            drop(online);
            devices.forget();
        }
    }

    /// The listener asked to sync: sync soon, and check that the tracks kept offline are
    /// still available.
    pub(crate) fn sync_now(&self) {
        self.check_availability.store(true, Ordering::Relaxed);
        self.nudge();
    }

    /// An edit was made: sync soon.
    pub(crate) fn nudge(&self) {
        if let Some(online) = lock(&self.online).as_ref() {
            online.sync.nudge();
        }
        if let Some(server) = lock(&self.server_sync).as_ref() {
            server.sync.nudge();
        }
    }

    pub(crate) fn catalog(&self) -> &CatalogList {
        &self.catalog
    }

    /// Walks the catalog listing again soon; `false` when offline (nothing can walk).
    pub(crate) fn refresh_catalog(&self) -> bool {
        lock(&self.online)
            .as_ref()
            .map(|online| online.catalog.refresh())
            .is_some()
    }

    /// The upload manager, while online.
    pub(crate) fn uploads(&self) -> Option<UploadManager> {
        lock(&self.online).as_ref().map(|o| o.uploads.clone())
    }

    /// Tells the transfers panel how uploads stand.
    pub(crate) async fn emit_transfers(&self) {
        transfers::emit(&self.handle, &self.transfers, self.events.as_ref()).await;
    }

    pub(crate) async fn transfers_status(&self) -> Result<TransfersStatus, AppError> {
        let rows = self
            .handle
            .call(|lib| lib.uploads())
            .await
            .map_err(|e| from_library(&e))?;
        Ok(transfers::status(&rows, &lock(&self.transfers)))
    }

    pub(crate) fn downloads(&self) -> Option<DownloadManager> {
        lock(&self.online).as_ref().map(|o| o.downloads.clone())
    }

    /// The file of a verified download of `track_id`, if there is one.
    pub(crate) fn downloaded_file(&self, track_id: &str) -> Option<PathBuf> {
        let download: Option<Download> = self
            .handle
            .blocking(|lib| lib.download(track_id))
            .ok()
            .flatten();
        download
            .filter(|d| d.state == DownloadState::Complete)
            .and_then(|d| d.path)
            .filter(|path| path.is_file())
    }

    /// Where sync stands, with the notices to show.
    pub(crate) async fn sync_status(&self) -> Result<SyncStatus, AppError> {
        let (pending, notices) = self
            .handle
            .call(|lib| {
                Ok::<_, strato_library::Error>((lib.pending_op_count()?, lib.sync_records(true)?))
            })
            .await
            .map_err(|e| from_library(&e))?;
        Ok(lock(&self.progress).status(pending, &notices))
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

    /// Tells the UI about each sync pass, and after a good one: downloads what offline
    /// playlists gained, fetches the tracks playlists name that are not cached, and removes
    /// the downloads of tracks the service no longer has.
    async fn follow_sync(
        self: Arc<Self>,
        mut events: tokio::sync::mpsc::UnboundedReceiver<SyncEvent>,
        api: Arc<ApiClient>,
        downloads: DownloadManager,
    ) {
        let mut availability_asked: Option<std::time::Instant> = None;
        let mut reports_sent: Option<std::time::Instant> = None;
        while let Some(event) = events.recv().await {
            let changed = match &event {
                SyncEvent::Finished(report) => {
                    report.sent + report.resolved + report.refused + report.pulled > 0
                }
                SyncEvent::Failed(_) | SyncEvent::Started => false,
            };
            let back_online = matches!(event, SyncEvent::Finished(_))
                && !self.reachable.swap(true, Ordering::Relaxed);
            if let SyncEvent::Failed(error) = &event {
                self.reachable
                    .store(!error.is_transient(), Ordering::Relaxed);
            }
            lock(&self.progress).apply(&event);
            self.emit_sync_status().await;
            if !matches!(event, SyncEvent::Finished(_)) {
                continue;
            }
            let fetched = self.cache_playlist_tracks(&api).await;
            if changed || fetched {
                self.events.playlists_changed();
            }
            let asked_for = self.check_availability.swap(false, Ordering::Relaxed);
            let ask_service = asked_for
                || availability_asked.is_none_or(|at| at.elapsed() >= AVAILABILITY_INTERVAL);
            if self.remove_unavailable(&downloads, ask_service).await {
                if ask_service {
                    availability_asked = Some(std::time::Instant::now());
                }
            } else if asked_for {
                // Not answered: the listener's question is asked again at the next pass.
                self.check_availability.store(true, Ordering::Relaxed);
            }
            self.download_offline_collections(&downloads).await;
            if back_online {
                self.retry_failed_downloads(&downloads).await;
            }
            self.report_if_due(&api, &mut reports_sent).await;
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

    pub(crate) async fn emit_sync_status(&self) {
        match self.sync_status().await {
            Ok(status) => self.events.sync_status(&status),
            Err(error) => tracing::warn!(%error, "could not read the sync status"),
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
    async fn cache_playlist_tracks(&self, api: &ApiClient) -> bool {
        let report = catalog_fill::fill_playlist_tracks(
            api,
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

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
