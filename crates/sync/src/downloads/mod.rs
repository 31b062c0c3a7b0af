//! Downloads for offline listening.
//!
//! The listener asks for tracks ([`DownloadManager::enqueue`]); the library records the wish
//! (so it survives a restart) and the manager fetches them, a few at a time:
//!
//! - **From any service.** Where the bytes come from is a [`DownloadSource`] (`source/`):
//!   the Strato cloud's signed CDN URLs, or a Subsonic server's `download` of the original
//!   file. Everything below is the same for both.
//! - **Resumable.** Each track is written to `<dir>/<id>.<format>.part` (`.mp3`, `.flac`,
//!   `.opus`: the file's own kind, so the player knows it). After a dropped connection, a 5xx
//!   or a pause, the download goes on with a `Range` request from the bytes already on disk,
//!   which are hashed again first, so a restart loses nothing.
//! - **Verified and atomic.** Size and SHA-256 are measured while writing and compared with
//!   the source's promise (the size alone from a service that gives no checksum); only then
//!   is the file `fsync`ed, renamed to `<dir>/<id>.<format>`, the folder synced, and the
//!   library row marked complete. A crash at any point leaves at worst a part file or an
//!   unrecorded finished file, never a row that calls a partial file complete (the library
//!   refuses that too).
//! - **Retried.** Network failures back off with jitter; a refused signature (the CDN's 403)
//!   gets a fresh grant; a damaged file is fetched again from scratch a bounded number of
//!   times. A 404, a refusal, a full disk and the storage limit stop the track with words.
//! - **Within one storage limit** ([`DownloadConfig::quota_bytes`]). Unpinned complete
//!   downloads are the streaming cache: evicted first, least recently played. Pinned ones
//!   (the listener's "available offline") are never evicted; when they alone leave no room,
//!   the new download fails and says so.
//!
//! The manager is a cheap handle: [`DownloadManager::spawn_worker`] runs it in the
//! background, [`DownloadManager::run_until_idle`] drives it to the end (the CLI and tests).
//! Progress goes out as [`DownloadEvent`]s.

mod availability;
mod error;
mod fetch;
mod quota;
mod source;
mod storage;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use strato_library::{Download, DownloadState};
use strato_model::api::DownloadQuality;
use tokio::sync::{Notify, broadcast, watch};
use tokio::task::JoinSet;

pub use availability::UnavailableRemoved;
pub use error::{DownloadError, DownloadErrorKind, human_bytes};
pub use quota::clear_cache_offline;
pub use source::{
    DownloadSource, FilePromise, GrantedFile, OpenError, SourceBody, SourceGrant, file_extension,
};
pub use storage::{DownloadStorage, FsStorage, PartFile, kept_file};

use crate::LibraryHandle;
use fetch::Outcome;

/// How hard to try before giving up on a track.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Tries of one track after network failures (5xx, dropped connections, timeouts,
    /// refused signatures) before it fails.
    pub max_attempts: u32,
    /// The first wait before a retry; doubled each time, up to `max_delay`, then a random
    /// part (the jitter) is taken off so many clients do not retry in step.
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// Fresh downloads after a file failed verification, before the track fails.
    pub max_damaged_retries: u32,
    /// How long a response may send nothing before it counts as a dropped connection.
    pub stall_timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 6,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            max_damaged_retries: 2,
            stall_timeout: Duration::from_secs(30),
        }
    }
}

/// How the manager works.
#[derive(Debug, Clone)]
pub struct DownloadConfig {
    /// Tracks downloaded at the same time.
    pub concurrency: usize,
    /// The storage limit shared by offline music and the streaming cache, in bytes.
    pub quota_bytes: u64,
    /// Which copy of each track is downloaded.
    pub quality: DownloadQuality,
    pub retry: RetryPolicy,
    /// Where the bytes go; [`FsStorage`] but in tests.
    pub storage: Arc<dyn DownloadStorage>,
}

impl Default for DownloadConfig {
    fn default() -> Self {
        Self {
            concurrency: 3,
            quota_bytes: 10_000_000_000,
            quality: DownloadQuality::Normal,
            retry: RetryPolicy::default(),
            storage: Arc::new(FsStorage),
        }
    }
}

/// What the manager tells the UI.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DownloadEvent {
    /// Bytes of one track on disk so far.
    Progress {
        track_id: String,
        bytes_done: u64,
        total: u64,
    },
    /// The track is on disk, verified, and playable offline.
    Completed { track_id: String },
    /// A retry is coming after a failure (the words say what happened).
    Retrying {
        track_id: String,
        attempt: u32,
        message: String,
    },
    /// The track gave up; `message` is for the listener.
    Failed {
        track_id: String,
        kind: DownloadErrorKind,
        message: String,
    },
    /// Deleted to make room (it was in the streaming cache, not pinned).
    Evicted { track_id: String },
    /// Tracks complete out of all the tracks asked for.
    Totals { done: usize, total: usize },
}

/// A snapshot for the UI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DownloadStatus {
    pub paused: bool,
    /// Tracks being fetched now.
    pub active: Vec<String>,
    /// Complete tracks.
    pub done: usize,
    /// Failed tracks (waiting for the listener or a restart).
    pub failed: usize,
    /// All tracks asked for.
    pub total: usize,
    /// Bytes of complete downloads, pinned or not.
    pub bytes_used: u64,
    /// The part of `bytes_used` that is the streaming cache (unpinned downloads).
    pub bytes_cached: u64,
    pub quota_bytes: u64,
}

/// The download manager: a cheap handle (clone it freely).
#[derive(Debug, Clone)]
pub struct DownloadManager {
    shared: Arc<Shared>,
}

#[derive(Debug)]
pub(crate) struct Shared {
    /// Where the bytes come from: the service's side of every download.
    pub(crate) source: Arc<dyn DownloadSource>,
    pub(crate) library: LibraryHandle,
    pub(crate) dir: PathBuf,
    pub(crate) config: DownloadConfig,
    pub(crate) quota_bytes: AtomicU64,
    /// Changed live ([`DownloadManager::set_quality`]); read as each track starts.
    quality: Mutex<DownloadQuality>,
    pub(crate) events: broadcast::Sender<DownloadEvent>,
    pub(crate) paused: watch::Sender<bool>,
    wake: Notify,
    /// Held only for quick bookkeeping, never across an `.await`.
    pub(crate) run: Mutex<RunState>,
    /// Serialises room-making, so two downloads never both count the same free space. An
    /// async lock: it is held across the library calls that evict.
    pub(crate) quota_gate: tokio::sync::Mutex<()>,
}

#[derive(Debug, Default)]
pub(crate) struct RunState {
    /// Tracks being fetched, with the bytes reserved for each against the quota.
    pub(crate) active: HashMap<String, u64>,
    /// Removed while being fetched: their task stops and deletes its part file.
    pub(crate) cancelled: HashSet<String>,
    /// Failed in this session; not retried until enqueued again (or the next start).
    pub(crate) gave_up: HashSet<String>,
}

impl Shared {
    pub(crate) fn quality(&self) -> DownloadQuality {
        *self.quality.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn run(&self) -> std::sync::MutexGuard<'_, RunState> {
        self.run.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn emit(&self, event: DownloadEvent) {
        // Nobody listening is fine.
        let _ = self.events.send(event);
    }

    /// Whether `track_id`'s task should stop now (paused, or the track was removed).
    pub(crate) fn should_stop(&self, track_id: &str) -> bool {
        *self.paused.borrow() || self.run().cancelled.contains(track_id)
    }

    pub(crate) async fn emit_totals(&self) {
        if let Ok(rows) = self.library.call(|lib| lib.downloads()).await {
            let done = rows
                .iter()
                .filter(|d| d.state == DownloadState::Complete)
                .count();
            self.emit(DownloadEvent::Totals {
                done,
                total: rows.len(),
            });
        }
    }
}

/// Bytes of the complete downloads among `rows` that `which` keeps.
fn complete_bytes(rows: &[Download], which: impl Fn(&Download) -> bool) -> u64 {
    rows.iter()
        .filter(|d| d.state == DownloadState::Complete && which(d))
        .filter_map(|d| d.size)
        .sum()
}

impl DownloadManager {
    /// A manager fetching from `source` (a signed-in `ApiClient` or `SubsonicClient`) into
    /// `dir` (created if missing). Nothing runs until [`Self::spawn_worker`] or
    /// [`Self::run_until_idle`].
    ///
    /// # Errors
    /// If `dir` cannot be created.
    pub fn new(
        source: impl DownloadSource,
        library: LibraryHandle,
        dir: impl Into<PathBuf>,
        config: DownloadConfig,
    ) -> std::io::Result<Self> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir)?;
        let (events, _) = broadcast::channel(1024);
        Ok(Self {
            shared: Arc::new(Shared {
                source: Arc::new(source),
                library,
                dir,
                quota_bytes: AtomicU64::new(config.quota_bytes),
                quality: Mutex::new(config.quality),
                config,
                events,
                paused: watch::Sender::new(false),
                wake: Notify::new(),
                run: Mutex::new(RunState::default()),
                quota_gate: tokio::sync::Mutex::new(()),
            }),
        })
    }

    /// The folder the files go to.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.shared.dir
    }

    /// Events from now on.
    #[must_use]
    pub fn subscribe(&self) -> broadcast::Receiver<DownloadEvent> {
        self.shared.events.subscribe()
    }

    /// Asks for tracks offline: `pinned` for "keep available offline", unpinned for the
    /// streaming cache. Tracks that failed before are tried again.
    ///
    /// # Errors
    /// If the library cannot record the wish.
    pub async fn enqueue(&self, track_ids: &[String], pinned: bool) -> Result<(), DownloadError> {
        let ids = track_ids.to_vec();
        self.shared
            .library
            .call(move |lib| {
                ids.iter()
                    .try_for_each(|id| lib.request_download(id, pinned).map(drop))
            })
            .await
            .map_err(DownloadError::library)?;
        {
            let mut run = self.shared.run();
            for id in track_ids {
                run.gave_up.remove(id);
            }
        }
        self.shared.emit_totals().await;
        self.shared.wake.notify_one();
        Ok(())
    }

    /// Removes a track from offline listening: its task (if any) stops, the file is deleted,
    /// then the library row.
    ///
    /// # Errors
    /// If a file cannot be deleted (the row is then kept, so nothing is forgotten while its
    /// file still takes room) or the library refuses.
    pub async fn remove(&self, track_id: &str) -> Result<(), DownloadError> {
        let running = {
            let mut run = self.shared.run();
            let running = run.active.contains_key(track_id);
            if running {
                run.cancelled.insert(track_id.to_owned());
            }
            running
        };
        let dir = self.shared.dir.clone();
        let id = track_id.to_owned();
        self.shared
            .library
            .call(move |lib| {
                let recorded = lib
                    .download(&id)
                    .map_err(DownloadError::library)?
                    .and_then(|row| row.path);
                // Never started: no file was written.
                if let Some(files) =
                    recorded.and_then(|path| storage::TrackFiles::recorded(&dir, &path))
                {
                    storage::remove_if_present(&files.complete).map_err(DownloadError::write)?;
                    // A running task deletes its own part file as it stops.
                    if !running {
                        storage::remove_if_present(&files.part).map_err(DownloadError::write)?;
                        storage::remove_if_present(&files.validator)
                            .map_err(DownloadError::write)?;
                    }
                }
                match lib.remove_download(&id) {
                    Err(e) if e.kind() != strato_library::ErrorKind::NotFound => {
                        Err(DownloadError::library(e))
                    }
                    _ => Ok(()),
                }
            })
            .await?;
        self.shared.emit_totals().await;
        Ok(())
    }

    /// Stops starting downloads; the running ones stop at their next chunk and keep their
    /// part files for [`Self::resume`].
    pub fn pause(&self) {
        self.shared.paused.send_replace(true);
    }

    /// Starts downloading again, from where each track stopped.
    pub fn resume(&self) {
        self.shared.paused.send_replace(false);
        self.shared.wake.notify_one();
    }

    /// Changes the storage limit. Lowering it evicts unpinned downloads (least recently
    /// played first) until they fit; pinned ones stay even if they alone exceed it.
    ///
    /// # Errors
    /// If evicting fails.
    pub async fn set_quota(&self, bytes: u64) -> Result<(), DownloadError> {
        self.shared.quota_bytes.store(bytes, Ordering::Relaxed);
        quota::enforce(&self.shared).await?;
        self.shared.wake.notify_one();
        Ok(())
    }

    /// Downloads started from now on fetch the copy at `quality`; those under way finish as
    /// they began, and tracks already kept stay as they are.
    pub fn set_quality(&self, quality: DownloadQuality) {
        *self
            .shared
            .quality
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = quality;
    }

    /// Deletes the streaming cache: every complete download the listener did not pin. Pinned
    /// ones and downloads under way stay. Returns how many tracks and bytes were freed.
    ///
    /// # Errors
    /// If the library cannot be read or a file cannot be deleted (what was deleted before
    /// stays deleted, its row with it).
    pub async fn clear_cache(&self) -> Result<(usize, u64), DownloadError> {
        quota::clear_cache(&self.shared).await
    }

    /// A snapshot of where things stand.
    ///
    /// # Errors
    /// If the library cannot be read.
    pub async fn status(&self) -> Result<DownloadStatus, DownloadError> {
        let rows = self
            .shared
            .library
            .call(|lib| lib.downloads())
            .await
            .map_err(DownloadError::library)?;
        let count = |state| rows.iter().filter(|d| d.state == state).count();
        let mut active: Vec<String> = self.shared.run().active.keys().cloned().collect();
        active.sort();
        Ok(DownloadStatus {
            paused: *self.shared.paused.borrow(),
            active,
            done: count(DownloadState::Complete),
            failed: count(DownloadState::Failed),
            total: rows.len(),
            bytes_used: complete_bytes(&rows, |_| true),
            bytes_cached: complete_bytes(&rows, |d| !d.pinned),
            quota_bytes: self.shared.quota_bytes.load(Ordering::Relaxed),
        })
    }

    /// Runs in the background until the returned task is aborted: downloads whatever is
    /// wanted, then waits for [`Self::enqueue`], [`Self::resume`] or [`Self::set_quota`].
    /// Use this or [`Self::run_until_idle`], not both.
    #[must_use]
    pub fn spawn_worker(&self) -> tokio::task::JoinHandle<()> {
        let manager = self.clone();
        tokio::spawn(async move {
            loop {
                if let Err(error) = manager.run_until_idle().await {
                    tracing::warn!(%error, "download pass failed");
                }
                manager.shared.wake.notified().await;
            }
        })
    }

    /// Downloads every wanted track (queued, unfinished from before, or failed in an earlier
    /// session) and returns when none is left to start: all done, failed, or paused.
    /// Stale part files of tracks no longer wanted are deleted first.
    ///
    /// # Errors
    /// If the library cannot be read. A track's own failure is not an error here: it is
    /// recorded on its row and sent as [`DownloadEvent::Failed`].
    pub async fn run_until_idle(&self) -> Result<(), DownloadError> {
        let shared = &self.shared;
        let rows = shared
            .library
            .call(|lib| lib.downloads())
            .await
            .map_err(DownloadError::library)?;
        self.remove_stale_files(&rows).await;
        let mut tasks = JoinSet::new();
        loop {
            if !*shared.paused.borrow() {
                for track_id in self.next_tracks().await? {
                    let shared = Arc::clone(shared);
                    tasks.spawn(async move {
                        // One trace per download: its grant and its file.
                        let trace = strato_cloud::trace::Trace::new();
                        tracing::debug!(trace = trace.root(), track = %track_id, "download");
                        let outcome = trace
                            .scope(Box::pin(fetch::download(&shared, &track_id)))
                            .await;
                        (track_id, outcome)
                    });
                }
            }
            let Some(joined) = tasks.join_next().await else {
                return Ok(());
            };
            let (track_id, outcome) = match joined {
                Ok(done) => done,
                Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                Err(_) => continue,
            };
            self.finish(&track_id, outcome).await;
        }
    }

    /// Claims the next tracks to start, up to the concurrency limit.
    async fn next_tracks(&self) -> Result<Vec<String>, DownloadError> {
        let rows = self
            .shared
            .library
            .call(|lib| lib.downloads())
            .await
            .map_err(DownloadError::library)?;
        let mut run = self.shared.run();
        let mut claimed = Vec::new();
        for row in rows {
            if run.active.len() >= self.shared.config.concurrency.max(1) {
                break;
            }
            if row.state != DownloadState::Complete
                && !run.active.contains_key(&row.track_id)
                && !run.gave_up.contains(&row.track_id)
            {
                run.active.insert(row.track_id.clone(), 0);
                claimed.push(row.track_id);
            }
        }
        Ok(claimed)
    }

    async fn finish(&self, track_id: &str, outcome: Outcome) {
        let shared = &self.shared;
        {
            let mut run = shared.run();
            run.active.remove(track_id);
            run.cancelled.remove(track_id);
            if let Outcome::Failed(_) = &outcome {
                run.gave_up.insert(track_id.to_owned());
            }
        }
        match outcome {
            Outcome::Completed => {
                shared.emit(DownloadEvent::Completed {
                    track_id: track_id.to_owned(),
                });
            }
            Outcome::Failed(error) => {
                tracing::warn!(track_id, error = %error, "download failed");
                let message = error.to_string();
                let id = track_id.to_owned();
                let recorded = message.clone();
                // The row may be gone (removed meanwhile): nothing to record then.
                let _ = shared
                    .library
                    .call(move |lib| lib.fail_download(&id, &recorded))
                    .await;
                shared.emit(DownloadEvent::Failed {
                    track_id: track_id.to_owned(),
                    kind: error.kind(),
                    message,
                });
            }
            Outcome::Stopped => return,
        }
        shared.emit_totals().await;
    }

    /// Deletes files in the folder that no wanted track will use: part files of tracks no
    /// longer asked for or already complete, and finished files without a row.
    async fn remove_stale_files(&self, rows: &[Download]) {
        let mut keep = HashSet::new();
        {
            let run = self.shared.run();
            for row in rows {
                let Some(files) = row
                    .path
                    .as_deref()
                    .and_then(|path| storage::TrackFiles::recorded(&self.shared.dir, path))
                else {
                    continue;
                };
                keep.insert(files.complete);
                if row.state != DownloadState::Complete || run.active.contains_key(&row.track_id) {
                    keep.insert(files.part);
                    keep.insert(files.validator);
                }
            }
        }
        let dir = self.shared.dir.clone();
        let result = tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            for entry in std::fs::read_dir(&dir)? {
                let path = entry?.path();
                // Only the names this module writes (always lowercase), never anything else
                // a listener may have put there.
                let ours = path
                    .extension()
                    .and_then(|ext| ext.to_str())
                    .is_some_and(|ext| {
                        ext == "part"
                            || ext == storage::VALIDATOR_EXTENSION
                            || source::is_kept_file_extension(ext)
                    });
                if ours && !keep.contains(&path) {
                    tracing::info!(path = %path.display(), "removing a stale download file");
                    storage::remove_if_present(&path)?;
                }
            }
            Ok(())
        })
        .await;
        if let Ok(Err(error)) = result {
            tracing::warn!(%error, "could not clean the downloads folder");
        }
    }
}
