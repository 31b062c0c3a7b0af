//! Watching the music folders: changes on disk become rescans of just the paths changed.
//!
//! notify's debouncer gathers the system's events (inotify, `FSEvents`,
//! `ReadDirectoryChangesW`) and hands them over once a path has been quiet for
//! [`FolderWatcher::DEBOUNCE`], a rename's two halves paired; a file being copied in is read
//! once, when the copy is done. A thread of the watcher's own, with its own connection to
//! the index, turns each batch into [`Scanner::rescan_paths`] (or a full scan when the system
//! says it lost events), then tells the caller what changed, so the app can refresh what it
//! shows.
//!
//! Events of reading (a file opened, read, closed unwritten) are not changes: the rescan's
//! own reading would otherwise set off another rescan.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver};
use std::thread::JoinHandle;
use std::time::Duration;

use notify_debouncer_full::notify::event::{AccessKind, AccessMode};
use notify_debouncer_full::notify::{EventKind, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};

use crate::error::{LocalError, LocalErrorKind, Result};
use crate::index::{LocalIndex, folder_path};
use crate::scan::{ScanReport, Scanner, StopFlag};

/// Watches the music folders of an index and keeps the index in step with them.
pub struct FolderWatcher {
    debouncer: Option<Debouncer<RecommendedWatcher, RecommendedCache>>,
    worker: Option<JoinHandle<()>>,
    stop: StopFlag,
}

impl std::fmt::Debug for FolderWatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FolderWatcher")
            .field("running", &self.worker.is_some())
            .finish_non_exhaustive()
    }
}

impl FolderWatcher {
    /// How long a path must be quiet before its changes are rescanned.
    pub const DEBOUNCE: Duration = Duration::from_secs(1);

    /// Starts watching every folder of the index kept at `database`, calling `on_change`
    /// (on the watcher's thread) after each rescan that changed the index. A folder that is
    /// not there now (an unplugged disk) is left unwatched; [`FolderWatcher::watch`] it
    /// when it is back.
    pub fn start(
        database: impl AsRef<Path>,
        on_change: impl FnMut(&ScanReport) + Send + 'static,
    ) -> Result<Self> {
        let index = LocalIndex::open(database)?;
        let folders = index.folders()?;
        let (sender, events) = mpsc::channel();
        let mut debouncer = new_debouncer(Self::DEBOUNCE, None, sender)?;
        for folder in &folders {
            if let Err(error) = debouncer.watch(&folder.path, RecursiveMode::Recursive) {
                tracing::warn!(folder = %folder.path.display(), %error, "not watched");
            }
        }
        let stop = StopFlag::new();
        let worker_stop = stop.clone();
        let worker = std::thread::Builder::new()
            .name("local-files-watch".into())
            .spawn(move || rescan_changes(index, &events, &worker_stop, on_change))
            .map_err(|e| {
                LocalError::new(
                    LocalErrorKind::Watch,
                    "Strato cannot watch your music folders for changes.",
                )
                .with_source(e)
            })?;
        Ok(Self {
            debouncer: Some(debouncer),
            worker: Some(worker),
            stop,
        })
    }

    /// Watches `folder` too (one just added to the index).
    pub fn watch(&mut self, folder: impl AsRef<Path>) -> Result<()> {
        let path = folder_path(folder.as_ref())?;
        if let Some(debouncer) = self.debouncer.as_mut() {
            debouncer.watch(&path, RecursiveMode::Recursive)?;
        }
        Ok(())
    }

    /// Stops watching `folder` (one removed from the index).
    pub fn unwatch(&mut self, folder: impl AsRef<Path>) -> Result<()> {
        let folder = folder.as_ref();
        let path = folder_path(folder).unwrap_or_else(|_| folder.to_owned());
        if let Some(debouncer) = self.debouncer.as_mut() {
            debouncer.unwatch(&path)?;
        }
        Ok(())
    }

    /// Stops watching and waits for a rescan under way to stop.
    pub fn stop(mut self) {
        self.shut_down();
    }

    fn shut_down(&mut self) {
        self.stop.stop();
        // Stopping the debouncer joins its thread, which drops the sending end: the worker's
        // receive then ends.
        if let Some(debouncer) = self.debouncer.take() {
            debouncer.stop();
        }
        if let Some(worker) = self.worker.take()
            && worker.join().is_err()
        {
            tracing::warn!("the local-files watcher's thread panicked");
        }
    }
}

impl Drop for FolderWatcher {
    fn drop(&mut self) {
        self.shut_down();
    }
}

/// The paths a batch of events names, or that everything must be scanned again.
#[derive(Debug, Default)]
struct Changes {
    paths: Vec<PathBuf>,
    rescan_all: bool,
}

impl Changes {
    fn take(&mut self, result: DebounceEventResult) {
        match result {
            Ok(events) => {
                for event in events {
                    if event.need_rescan() {
                        self.rescan_all = true;
                    } else if is_change(event.kind) {
                        self.paths.extend(event.paths.iter().cloned());
                    }
                }
            }
            Err(errors) => {
                for error in errors {
                    tracing::warn!(%error, "watching the music folders");
                }
            }
        }
    }
}

fn is_change(kind: EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    }
}

/// The worker: each batch of events (and whatever came meanwhile) as one rescan.
fn rescan_changes(
    mut index: LocalIndex,
    events: &Receiver<DebounceEventResult>,
    stop: &StopFlag,
    mut on_change: impl FnMut(&ScanReport),
) {
    while let Ok(first) = events.recv() {
        let mut changes = Changes::default();
        changes.take(first);
        while let Ok(more) = events.try_recv() {
            changes.take(more);
        }
        if stop.is_stopped() {
            break;
        }
        if changes.paths.is_empty() && !changes.rescan_all {
            continue;
        }
        let mut scanner = Scanner::new(&mut index).stop_flag(stop.clone());
        let result = if changes.rescan_all {
            scanner.scan_all()
        } else {
            scanner.rescan_paths(changes.paths)
        };
        match result {
            Ok(report) if report.changed_anything() => on_change(&report),
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "rescanning changed music files"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify_debouncer_full::notify::event::{CreateKind, ModifyKind, RenameMode};

    #[test]
    fn reading_is_not_a_change_and_writing_is() {
        assert!(!is_change(EventKind::Access(AccessKind::Open(
            AccessMode::Read
        ))));
        assert!(!is_change(EventKind::Access(AccessKind::Close(
            AccessMode::Read
        ))));
        assert!(is_change(EventKind::Access(AccessKind::Close(
            AccessMode::Write
        ))));
        assert!(is_change(EventKind::Create(CreateKind::File)));
        assert!(is_change(EventKind::Modify(ModifyKind::Name(
            RenameMode::Both
        ))));
    }
}
