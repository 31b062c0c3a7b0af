//! The local files' worker: the one thread that holds the index's connection and the
//! watcher, starts and stops scans, and tells the window what changed (see the module's doc
//! in [`super`] for why it is a thread of its own and how the others reach it).

use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use strato_local::{FolderWatcher, LocalError, LocalIndex, ScanReport, Scanner, StopFlag};
use strato_model::ipc::{AppError, ErrorKind, LocalFilesView};
use tokio::sync::mpsc;

use super::view::{FolderStates, Look, view_of};
use super::{Message, Nudger, Shared};
use crate::error::from_local;
use crate::playback::AppEvents;

/// While a scan runs, the window hears of its progress at most this often (its end, at once).
const PROGRESS_INTERVAL: Duration = Duration::from_millis(250);

/// The worker's state: the index and everything around it.
pub(crate) struct Worker {
    /// Where the index is kept: `<data folder>/local-files.sqlite3`. `None`: this run keeps
    /// no files, or the data folder is being moved.
    database: Option<PathBuf>,
    /// The worker's connection; `None` until the first folder is added, or when the index
    /// cannot be used.
    index: Option<LocalIndex>,
    /// Why local files cannot be used now.
    unavailable: Option<AppError>,
    watcher: Option<FolderWatcher>,
    watch_problem: Option<AppError>,
    scan: Option<RunningScan>,
    /// Scan again once the scan under way ends: something changed after it began.
    scan_again: bool,
    scan_problem: Option<AppError>,
    /// See [`LocalFilesView::revision`].
    revision: u32,
    /// When the window was last told of a scan's progress.
    told_at: Option<Instant>,
    /// The folders' states as the last view looked at them.
    folder_states: FolderStates,
    events: Arc<dyn AppEvents>,
    nudger: Nudger,
}

/// A scan on its own thread.
struct RunningScan {
    stop: StopFlag,
    state: Arc<Mutex<ScanState>>,
    thread: JoinHandle<()>,
    /// `read + removed` when the worker last looked: more means the tracks changed.
    changes_seen: u64,
}

/// What the scan's thread leaves for the worker.
#[derive(Default)]
struct ScanState {
    report: ScanReport,
    /// Its end: what it did, or why it stopped short.
    outcome: Option<Result<ScanReport, AppError>>,
}

/// The worker's loop: each message, then whatever the nudges say, until told to stop.
pub(super) fn run(mut worker: Worker, mut requests: mpsc::Receiver<Message>) {
    worker.open_existing();
    let shared = Arc::clone(&worker.nudger.shared);
    while let Some(message) = requests.blocking_recv() {
        match message {
            Message::Call(work) => {
                // A bug in one request must not end local files for the rest of the run:
                // its asker hears it as an error (its reply is dropped).
                if std::panic::catch_unwind(AssertUnwindSafe(|| work(&mut worker))).is_err() {
                    tracing::error!("a request about local files panicked");
                }
            }
            Message::Nudge => {}
            Message::Stop => break,
        }
        if shared.stopping.load(Ordering::SeqCst) {
            break;
        }
        worker.follow(&shared);
    }
    worker.shut_down();
}

impl Worker {
    pub(super) fn new(
        database: Option<PathBuf>,
        events: Arc<dyn AppEvents>,
        nudger: Nudger,
    ) -> Self {
        let unavailable = database.is_none().then(no_data_folder);
        Self {
            database,
            index: None,
            unavailable,
            watcher: None,
            watch_problem: None,
            scan: None,
            scan_again: false,
            scan_problem: None,
            revision: 0,
            told_at: None,
            folder_states: FolderStates::default(),
            events,
            nudger,
        }
    }

    /// The index to read, when there is one: `None` before any folder is added, without a
    /// data folder, or when the index cannot be used (the view says why).
    pub(crate) fn reading(&self) -> Option<&LocalIndex> {
        self.index.as_ref()
    }

    /// Why the index cannot be used now (the data folder being moved, an index that could
    /// not be opened, no data folder), as the answer to a request that needs it: `Storage`,
    /// in the worker's words. `None` when it can be used, or is only not made yet.
    pub(crate) fn unavailable(&self) -> Option<AppError> {
        self.unavailable
            .as_ref()
            .map(|why| AppError::new(ErrorKind::Storage, why.message.clone()))
    }

    /// The view of the folders and the index, as the window shows it, each folder looked at
    /// on disk.
    pub(crate) fn view(&mut self) -> LocalFilesView {
        self.view_looking(Look::Disk)
    }

    fn view_looking(&mut self, look: Look) -> LocalFilesView {
        let status = self.status();
        view_of(self.index.as_ref(), status, &mut self.folder_states, look)
    }

    /// Adds the folder at `path` (absolute), watches it and scans it in the background.
    ///
    /// # Errors
    /// In words: a path that is not full, a folder not there, a file, a folder that cannot be
    /// read, one already added or inside one, or the index cannot be used.
    pub(crate) fn add_folder(&mut self, path: &str) -> Result<LocalFilesView, AppError> {
        let path = Path::new(path.trim());
        if !path.is_absolute() {
            return Err(AppError::new(
                ErrorKind::InvalidInput,
                format!(
                    "\"{}\" is not a full path: choose a folder starting from the top of a disk.",
                    path.display()
                ),
            ));
        }
        super::view::check_folder(path)?;
        let index = self.index_for_writing()?;
        let before = index.folders().map_err(|e| from_local(&e))?;
        let added = index.add_folder(path).map_err(|e| from_local(&e))?;
        if before.iter().any(|folder| folder.id == added.id) {
            return Err(AppError::new(
                ErrorKind::InvalidInput,
                format!(
                    "{} is already one of your music folders.",
                    added.path.display()
                ),
            ));
        }
        tracing::info!(folders = before.len() + 1, "a music folder added");
        match self.watcher.as_mut() {
            Some(watcher) => {
                if let Err(error) = watcher.watch(&added.path) {
                    self.watch_problem = Some(from_local(&error));
                }
            }
            None => self.start_watching(),
        }
        self.start_scan();
        Ok(self.tell())
    }

    /// Removes the folder at `path` and its files from the index (not from disk).
    ///
    /// # Errors
    /// `NotFound` when it is not one of the music folders; the index failing.
    pub(crate) fn remove_folder(&mut self, path: &str) -> Result<LocalFilesView, AppError> {
        let path = Path::new(path.trim());
        // A scan under way may be writing the folder's rows: it stops first, and the others
        // are scanned again after.
        let stopped = self.stop_scan();
        let removed = match self.index.as_mut() {
            Some(index) => index.remove_folder(path).map_err(|e| from_local(&e)),
            None => Err(AppError::new(
                ErrorKind::NotFound,
                format!("{} is not one of your music folders.", path.display()),
            )),
        };
        if removed.is_ok() {
            tracing::info!("a music folder removed");
            self.revision = self.revision.wrapping_add(1);
            // Its files are missing from every playlist on this computer now.
            self.events.local_playlists_changed();
            if let Some(watcher) = self.watcher.as_mut()
                && let Err(error) = watcher.unwatch(path)
            {
                tracing::debug!(%error, "a removed folder was not being watched");
            }
        }
        if stopped {
            self.start_scan();
        }
        removed?;
        Ok(self.tell())
    }

    /// Scans every folder again (only what changed is read).
    ///
    /// # Errors
    /// When the index cannot be used.
    pub(crate) fn rescan(&mut self) -> Result<LocalFilesView, AppError> {
        if let (Some(unavailable), Some(_)) = (&self.unavailable, &self.database) {
            return Err(unavailable.clone());
        }
        if self.index.is_some() {
            self.start_scan();
        }
        Ok(self.tell())
    }

    /// Lets the index go for a move of the data folder: the scan stopped, the watcher and
    /// the connection closed, so its files can be copied whole.
    pub(crate) fn close(&mut self) {
        self.stop_scan();
        self.scan_again = false;
        if let Some(watcher) = self.watcher.take() {
            watcher.stop();
        }
        self.index = None;
        self.database = None;
        self.unavailable = Some(AppError::new(
            ErrorKind::Storage,
            "Your music is being moved to another folder: your local files are back once it \
             is done.",
        ));
        self.tell();
        // The playlists on this computer are out of reach until the index is back.
        self.events.local_playlists_changed();
    }

    /// Takes the index up again in `data_dir` (after a move, the new folder; after a
    /// failed one, the old).
    pub(crate) fn open_in(&mut self, data_dir: &Path) {
        self.database = Some(data_dir.join(super::INDEX_FILE));
        self.unavailable = None;
        self.open_existing();
        self.tell();
        self.events.local_playlists_changed();
    }

    /// Opens the index if its file is there, then watches its folders and scans them once.
    fn open_existing(&mut self) {
        let Some(database) = self.database.clone() else {
            return;
        };
        // Not there yet: made when the first folder is added.
        if matches!(database.try_exists(), Ok(false)) {
            return;
        }
        match LocalIndex::open(&database) {
            Ok(index) => {
                self.index = Some(index);
                self.start_watching();
                self.start_scan();
            }
            Err(error) => {
                self.unusable(&error);
            }
        }
    }

    /// The index to write, opened (and its file made) if need be.
    pub(crate) fn index_for_writing(&mut self) -> Result<&mut LocalIndex, AppError> {
        if let Some(unavailable) = &self.unavailable {
            return Err(unavailable.clone());
        }
        if self.index.is_none() {
            let Some(database) = self.database.clone() else {
                return Err(no_data_folder());
            };
            if let Some(dir) = database.parent()
                && let Err(error) = std::fs::create_dir_all(dir)
            {
                return Err(crate::error::from_io(
                    &error,
                    "keep the index of your local files",
                ));
            }
            match LocalIndex::open(&database) {
                Ok(index) => self.index = Some(index),
                Err(error) => return Err(self.unusable(&error)),
            }
        }
        self.index.as_mut().ok_or_else(|| {
            AppError::new(
                ErrorKind::Internal,
                "The index of your local files was not opened.",
            )
        })
    }

    /// The index cannot be used: said, and the app goes on without local files. Answers
    /// what the view now says.
    fn unusable(&mut self, error: &LocalError) -> AppError {
        tracing::warn!(%error, "local files are off for this run");
        self.index = None;
        let unavailable = AppError::new(
            crate::error::local_kind(error.kind()),
            format!(
                "{} Strato goes on without your local files.",
                error.message()
            ),
        );
        self.unavailable = Some(unavailable.clone());
        unavailable
    }

    fn start_watching(&mut self) {
        let Some(database) = self.database.clone() else {
            return;
        };
        let nudger = self.nudger.clone();
        match FolderWatcher::start(&database, move |_| nudger.watched()) {
            Ok(watcher) => {
                self.watcher = Some(watcher);
                self.watch_problem = None;
            }
            Err(error) => {
                tracing::warn!(%error, "local files are not watched");
                self.watch_problem = Some(from_local(&error));
            }
        }
    }

    /// Starts a scan of every folder on a thread of its own; one already running is
    /// followed by another once it ends.
    fn start_scan(&mut self) {
        if self.scan.is_some() {
            self.scan_again = true;
            return;
        }
        let Some(database) = self.database.clone().filter(|_| self.index.is_some()) else {
            return;
        };
        let stop = StopFlag::new();
        let state = Arc::new(Mutex::new(ScanState::default()));
        let (thread_stop, thread_state, nudger) =
            (stop.clone(), Arc::clone(&state), self.nudger.clone());
        let spawned = std::thread::Builder::new()
            .name("local-files-scan".into())
            .spawn(move || scan(&database, thread_stop, &thread_state, &nudger));
        match spawned {
            Ok(thread) => {
                self.scan = Some(RunningScan {
                    stop,
                    state,
                    thread,
                    changes_seen: 0,
                });
            }
            Err(error) => {
                tracing::warn!(%error, "the scan's thread could not start");
                self.scan_problem = Some(AppError::new(
                    ErrorKind::Internal,
                    format!("Strato could not start reading your music folders ({error})."),
                ));
            }
        }
    }

    /// Stops the scan under way and waits for it; whether one was running.
    fn stop_scan(&mut self) -> bool {
        let Some(scan) = self.scan.take() else {
            return false;
        };
        scan.stop.stop();
        if scan.thread.join().is_err() {
            tracing::warn!("the local files' scan panicked");
        }
        true
    }

    /// After a message: takes in what the nudges say, and tells the window.
    fn follow(&mut self, shared: &Shared) {
        if !shared.nudged.swap(false, Ordering::SeqCst) {
            return;
        }
        // Only a scan's progress: the folders' states stay as last looked at.
        let mut tell = None;
        if shared.watched.swap(false, Ordering::SeqCst) {
            self.revision = self.revision.wrapping_add(1);
            // A file of a playlist on this computer may have gone or come back (the
            // watcher's batches are already gathered, a few a second at most).
            self.events.local_playlists_changed();
            tell = Some(Look::Disk);
        }
        if let Some(scan) = self.scan.as_mut() {
            let (report, ended) = {
                let state = scan.state.lock().unwrap_or_else(PoisonError::into_inner);
                (state.report, state.outcome.is_some())
            };
            let changes = report.read + report.removed;
            if changes != scan.changes_seen {
                scan.changes_seen = changes;
                self.revision = self.revision.wrapping_add(1);
            }
            if ended {
                self.finish_scan();
                tell = Some(Look::Disk);
            } else if self
                .told_at
                .is_none_or(|at| at.elapsed() >= PROGRESS_INTERVAL)
            {
                tell = tell.or(Some(Look::Remembered));
            }
        }
        if let Some(look) = tell {
            self.tell_looking(look);
        }
    }

    /// Watches every folder that is there now: one missing when the watcher started (a disk
    /// plugged in since, a share mounted late) is followed from here on. A folder watched
    /// already stays as it was.
    fn watch_present_folders(&mut self) {
        let (Some(index), Some(watcher)) = (self.index.as_ref(), self.watcher.as_mut()) else {
            return;
        };
        let Ok(folders) = index.folders() else {
            return;
        };
        for folder in folders.iter().filter(|folder| folder.path.is_dir()) {
            if let Err(error) = watcher.watch(&folder.path) {
                self.watch_problem = Some(from_local(&error));
            }
        }
    }

    /// The scan has ended: its outcome kept, and the next one started if asked for.
    fn finish_scan(&mut self) {
        let Some(scan) = self.scan.take() else {
            return;
        };
        if scan.thread.join().is_err() {
            tracing::warn!("the local files' scan panicked");
        }
        let outcome = scan
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .outcome
            .take();
        match outcome {
            Some(Ok(report)) => {
                tracing::info!(
                    found = report.seen,
                    read = report.read,
                    failed = report.failed,
                    removed = report.removed,
                    missing = report.folders_missing,
                    "local files scanned"
                );
                if report.changed_anything() {
                    self.revision = self.revision.wrapping_add(1);
                    // Once a scan, at its end (not at each step): which files of the
                    // playlists on this computer are missing may have changed.
                    self.events.local_playlists_changed();
                }
                self.scan_problem = None;
                self.watch_present_folders();
            }
            Some(Err(problem)) => self.scan_problem = Some(problem),
            None => {}
        }
        if std::mem::take(&mut self.scan_again) {
            self.start_scan();
        }
    }

    /// Sends the window the view now, each folder looked at on disk, and answers it.
    fn tell(&mut self) -> LocalFilesView {
        self.tell_looking(Look::Disk)
    }

    fn tell_looking(&mut self, look: Look) -> LocalFilesView {
        let view = self.view_looking(look);
        self.told_at = Some(Instant::now());
        self.events.local_files_changed(&view);
        view
    }

    /// What the view says beside the index's own rows.
    fn status(&self) -> super::view::Status {
        super::view::Status {
            unavailable: self.unavailable.clone(),
            scanning: self.scan.as_ref().map(|scan| {
                scan.state
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .report
            }),
            scan_problem: self.scan_problem.clone(),
            watch_problem: self.watch_problem.clone(),
            revision: self.revision,
        }
    }

    /// The app is ending: the scan stopped, the watcher ended, the index closed.
    fn shut_down(&mut self) {
        self.stop_scan();
        if let Some(watcher) = self.watcher.take() {
            watcher.stop();
        }
        self.index = None;
        tracing::debug!("local files stopped");
    }
}

/// The scan's thread: its own connection, every folder, progress left for the worker.
fn scan(database: &Path, stop: StopFlag, state: &Mutex<ScanState>, nudger: &Nudger) {
    let scanned = std::panic::catch_unwind(AssertUnwindSafe(|| {
        let mut index = LocalIndex::open(database)?;
        Scanner::new(&mut index)
            .stop_flag(stop)
            .on_progress(|report| {
                state.lock().unwrap_or_else(PoisonError::into_inner).report = *report;
                nudger.nudge();
            })
            .scan_all()
    }));
    let outcome = match scanned {
        Ok(Ok(report)) => Ok(report),
        Ok(Err(error)) => {
            tracing::warn!(%error, "scanning the music folders");
            Err(AppError::new(
                crate::error::local_kind(error.kind()),
                format!(
                    "Your music folders could not be read to the end: {}",
                    error.message()
                ),
            ))
        }
        Err(_) => Err(AppError::new(
            ErrorKind::Internal,
            "Reading your music folders stopped on a fault of Strato's.",
        )),
    };
    state.lock().unwrap_or_else(PoisonError::into_inner).outcome = Some(outcome);
    nudger.nudge();
}

fn no_data_folder() -> AppError {
    AppError::new(
        ErrorKind::Storage,
        "This run keeps no files on this computer, so it has no local files.",
    )
}
