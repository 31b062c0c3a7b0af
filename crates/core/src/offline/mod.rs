//! The signed-in account's offline library: its database, the playlist sync loop and the
//! download manager, and what the UI is told about them.
//!
//! The library opens with the account and works without the network. Sync and downloads
//! run only while the service's client is at hand ([`AccountLibrary::go_online`] for the
//! Strato cloud, [`AccountLibrary::go_online_subsonic`] for a Subsonic server; the download
//! manager is the same for both, `downloads.rs`); everything the UI reads comes from the
//! database, so it answers at once, online or not.

mod catalog_fill;
pub(crate) mod catalog_list;
mod downloads;
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

use strato_cloud::ApiClient;
use strato_library::{Library, library_file_name};
use strato_model::api::DownloadQuality;
use strato_model::ipc::{AppError, Session, SyncStatus, TransfersStatus};
use strato_sync::downloads::DownloadManager;
use strato_sync::uploads::{UploadConfig, UploadManager};
use strato_sync::{
    LibraryHandle, LiveFollower, LiveSchedule, PlaylistSync, SyncEvent, SyncLoop, SyncSchedule,
};
use tokio::runtime::Handle;
use tokio::task::JoinHandle;

use crate::devices::Devices;
use crate::error::{from_io, from_library};
use crate::playback::AppEvents;
use crate::settings::CatalogWalkSettings;
use catalog_list::{CatalogList, CatalogWalker};
use status::SyncProgress;

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
        let Some((downloads, download_tasks)) = self.start_downloads((**api).clone()) else {
            return;
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
        let mut tasks = download_tasks;
        tasks.extend([
            catalog_task,
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
        ]);
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

    /// Tells the UI about each sync pass, and after a good one: what every service's pass
    /// leads to ([`Self::after_good_pass`]), then the playback reports due.
    async fn follow_sync(
        self: Arc<Self>,
        mut events: tokio::sync::mpsc::UnboundedReceiver<SyncEvent>,
        api: Arc<ApiClient>,
        downloads: DownloadManager,
    ) {
        let mut follow_up = downloads::FollowUp::default();
        let mut reports_sent: Option<std::time::Instant> = None;
        while let Some(event) = events.recv().await {
            let Some(pass) = self.take_in(&event).await else {
                continue;
            };
            self.after_good_pass(&*api, &downloads, pass, &mut follow_up)
                .await;
            self.report_if_due(&api, &mut reports_sent).await;
        }
    }

    /// Takes in a sync loop's event, whichever service's: whether the service answers, the
    /// sync indicator (the window is told). `Some` for a pass that went through, saying what
    /// it did.
    async fn take_in(&self, event: &SyncEvent) -> Option<downloads::GoodPass> {
        let pass = match event {
            SyncEvent::Finished(report) => Some(downloads::GoodPass {
                changed: report.sent + report.resolved + report.refused + report.pulled > 0,
                back_online: !self.reachable.swap(true, Ordering::Relaxed),
            }),
            SyncEvent::Failed(error) => {
                self.reachable
                    .store(!error.is_transient(), Ordering::Relaxed);
                None
            }
            SyncEvent::Started => None,
        };
        lock(&self.progress).apply(event);
        self.emit_sync_status().await;
        pass
    }

    pub(crate) async fn emit_sync_status(&self) {
        match self.sync_status().await {
            Ok(status) => self.events.sync_status(&status),
            Err(error) => tracing::warn!(%error, "could not read the sync status"),
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
