//! Scanning the music folders into the index: walk, compare, read what changed, write in
//! batches, remove what is gone.
//!
//! - Incremental: a file whose size and modification time are what the index holds is not
//!   opened again (counted as `unchanged`); a file that could not be read is not retried
//!   until it changes.
//! - A file that cannot be read is kept with its reason in words and never fails the scan.
//! - Rows are written in transactions of [`BATCH_ROWS`]: a crash or a stop mid-scan leaves
//!   the index as it was plus whole batches, each a true account of its files; the next scan
//!   finds those unchanged and goes on with the rest. Files gone are removed only after a
//!   walk that was not stopped, never under an entry the walk could not read (a folder
//!   without permission, a link to an unplugged disk, a share's I/O error), and never for a
//!   music folder that is not there or looks unplugged: one with indexed files that walks
//!   empty (a mount point without its disk), or on another device than its files were
//!   found on with none of them there. An unplugged disk is not a deleted library.
//! - Tags are read on a few threads (reading is disk and parsing; one writer keeps SQLite
//!   simple), so the walk of a 10,000-file folder is not one file at a time.
//!
//! Blocking: call it from a thread of its own (the app's `spawn_blocking`), stop it with a
//! [`StopFlag`], follow it with [`Scanner::on_progress`].

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};

use crate::error::Result;
use crate::index::{Folder, LocalIndex, folder_path, now_ms, path_text};
use crate::problem::Unplayable;
use crate::store::{self, FileRecord};
use crate::tags::{FileTags, read_tags};
use crate::walk::{FoundFile, Walked, device_of, walk};

/// Rows written per transaction: large enough that commits cost little, small enough that
/// a stop or a crash loses little and readers of the index see progress.
pub const BATCH_ROWS: usize = 256;

/// Asks a scan (or a watcher's rescan) to stop; clones share one flag.
#[derive(Debug, Clone, Default)]
pub struct StopFlag(Arc<AtomicBool>);

impl StopFlag {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks whoever holds a clone to stop at the next file.
    pub fn stop(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    #[must_use]
    pub fn is_stopped(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// What a scan did, so far (as progress) or in all (at the end).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScanReport {
    /// Audio files found on disk.
    pub seen: u64,
    /// Files opened and their tags read (new or changed), failed ones included.
    pub read: u64,
    /// Files found as the index already had them, not opened.
    pub unchanged: u64,
    /// Files read that cannot be played (kept with why).
    pub failed: u64,
    /// Files gone from disk, removed from the index.
    pub removed: u64,
    /// Folders that are not there or look unplugged (indexed files, none found): left as
    /// they were.
    pub folders_missing: u64,
    /// The scan was stopped before the end.
    pub stopped: bool,
}

impl ScanReport {
    /// Whether the index changed.
    #[must_use]
    pub fn changed_anything(&self) -> bool {
        self.read > 0 || self.removed > 0
    }
}

type ProgressFn<'a> = Box<dyn FnMut(&ScanReport) + 'a>;

/// Scans the index's folders. Built on a borrowed index; set a stop flag and a progress
/// callback, then call [`Scanner::scan_all`] or [`Scanner::scan_folder`].
pub struct Scanner<'a> {
    index: &'a mut LocalIndex,
    stop: StopFlag,
    progress: Option<ProgressFn<'a>>,
    readers: usize,
}

impl std::fmt::Debug for Scanner<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scanner")
            .field("stop", &self.stop)
            .field("readers", &self.readers)
            .finish_non_exhaustive()
    }
}

impl<'a> Scanner<'a> {
    #[must_use]
    pub fn new(index: &'a mut LocalIndex) -> Self {
        // More readers than cores only adds seeking on a spinning disk.
        let readers = std::thread::available_parallelism().map_or(2, |n| n.get().min(4));
        Self {
            index,
            stop: StopFlag::new(),
            progress: None,
            readers,
        }
    }

    /// Stops the scan when `stop` is set (from any thread).
    #[must_use]
    pub fn stop_flag(mut self, stop: StopFlag) -> Self {
        self.stop = stop;
        self
    }

    /// Calls `progress` after each batch written and at the end, on the scanning thread.
    #[must_use]
    pub fn on_progress(mut self, progress: impl FnMut(&ScanReport) + 'a) -> Self {
        self.progress = Some(Box::new(progress));
        self
    }

    /// How many threads read tags (at least one).
    #[must_use]
    pub fn readers(mut self, readers: usize) -> Self {
        self.readers = readers.max(1);
        self
    }

    /// Scans every folder of the index.
    pub fn scan_all(&mut self) -> Result<ScanReport> {
        let mut report = ScanReport::default();
        for folder in self.index.folders()? {
            if self.stop.is_stopped() {
                report.stopped = true;
                break;
            }
            self.scan_tree(&folder, &folder.path, &mut report)?;
        }
        self.tell(&report);
        Ok(report)
    }

    /// Scans one folder of the index (added with [`LocalIndex::add_folder`]).
    pub fn scan_folder(&mut self, path: impl AsRef<Path>) -> Result<ScanReport> {
        let path = folder_path(path.as_ref())?;
        let mut report = ScanReport::default();
        match self.index.folders()?.into_iter().find(|f| f.path == path) {
            Some(folder) => self.scan_tree(&folder, &folder.path, &mut report)?,
            None => {
                return Err(crate::LocalError::new(
                    crate::LocalErrorKind::NotFound,
                    format!("{} is not one of your music folders.", path.display()),
                ));
            }
        }
        self.tell(&report);
        Ok(report)
    }

    /// Scans the folder `root` (the music folder `folder` or a folder inside it) into
    /// `report`.
    pub(crate) fn scan_tree(
        &mut self,
        folder: &Folder,
        root: &Path,
        report: &mut ScanReport,
    ) -> Result<()> {
        if !root.is_dir() {
            report.folders_missing += 1;
            return Ok(());
        }
        let walked = walk(root, &self.stop);
        let mut existing = store::existing_under(&self.index.conn, root)?;
        let is_music_folder = root == folder.path;
        if is_music_folder && self.looks_unplugged(folder.id, root, &walked, &existing)? {
            tracing::info!(
                folder = %root.display(),
                "the music folder looks unplugged: its files are kept as they were"
            );
            report.folders_missing += 1;
            return Ok(());
        }
        let mut to_read = Vec::new();
        for found in &walked.files {
            report.seen += 1;
            let known = path_text(&found.path)
                .ok()
                .and_then(|path| existing.remove(path));
            if known == Some((found.size, found.mtime_ns)) {
                report.unchanged += 1;
            } else {
                to_read.push(found.clone());
            }
        }
        self.tell(report);
        self.read_and_write(folder.id, &to_read, &walked, report)?;
        if self.stop.is_stopped() {
            report.stopped = true;
            return Ok(());
        }
        let tx = self.index.conn.transaction()?;
        for (dir, cover) in &walked.folder_covers {
            store::set_folder_cover(&tx, dir, cover.as_deref())?;
        }
        // What could not be read is unknown, not gone: its rows stay.
        for gone in existing.keys().filter(|p| !walked.is_unseen(Path::new(p))) {
            report.removed += store::delete_file(&tx, gone)? as u64;
        }
        if is_music_folder {
            store::set_folder_device(&tx, folder.id, device_of(root))?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Whether the music folder `root`, holding the indexed files `existing`, looks like a
    /// disk that is not there rather than a library emptied: its walk found no audio at all,
    /// or it is on another device than its files were found on and none of them is there.
    fn looks_unplugged(
        &self,
        folder_id: i64,
        root: &Path,
        walked: &Walked,
        existing: &HashMap<String, (i64, i64)>,
    ) -> Result<bool> {
        // A stopped walk is partial and removes nothing anyway.
        if existing.is_empty() || self.stop.is_stopped() {
            return Ok(false);
        }
        if walked.files.is_empty() {
            return Ok(true);
        }
        let found_before = store::folder_device(&self.index.conn, folder_id)?;
        let moved = found_before.is_some() && found_before != device_of(root);
        let any_known = walked
            .files
            .iter()
            .any(|f| path_text(&f.path).is_ok_and(|p| existing.contains_key(p)));
        Ok(moved && !any_known)
    }

    /// Reads `to_read`'s tags on the reader threads and writes their rows in batches.
    fn read_and_write(
        &mut self,
        folder_id: i64,
        to_read: &[FoundFile],
        walked: &Walked,
        report: &mut ScanReport,
    ) -> Result<()> {
        if to_read.is_empty() {
            return Ok(());
        }
        let next = AtomicUsize::new(0);
        let stop = self.stop.clone();
        let (sender, results) =
            mpsc::sync_channel::<(usize, Result<FileTags, Unplayable>)>(BATCH_ROWS * 2);
        std::thread::scope(|scope| {
            for _ in 0..self.readers.min(to_read.len()) {
                let sender = sender.clone();
                let (next, stop) = (&next, &stop);
                scope.spawn(move || {
                    while !stop.is_stopped() {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(found) = to_read.get(i) else { break };
                        // A send fails only when the writer has given up: stop too.
                        if sender
                            .send((i, read_tags(&found.path, found.format)))
                            .is_err()
                        {
                            break;
                        }
                    }
                });
            }
            drop(sender);
            let mut batch = Vec::with_capacity(BATCH_ROWS);
            let scanned_at = now_ms();
            for (i, tags) in results {
                let found = to_read[i].clone();
                let folder_cover = found
                    .path
                    .parent()
                    .and_then(|dir| walked.folder_covers.get(dir).cloned().flatten())
                    .and_then(|cover| cover.to_str().map(str::to_owned));
                batch.push(FileRecord {
                    found,
                    folder_id,
                    tags,
                    folder_cover,
                    scanned_at,
                });
                if batch.len() >= BATCH_ROWS {
                    self.write_batch(&mut batch, report)?;
                }
            }
            self.write_batch(&mut batch, report)
        })
    }

    fn write_batch(&mut self, batch: &mut Vec<FileRecord>, report: &mut ScanReport) -> Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        let tx = self.index.conn.transaction()?;
        for record in batch.iter() {
            store::upsert(&tx, record)?;
        }
        tx.commit()?;
        report.read += batch.len() as u64;
        report.failed += batch.iter().filter(|r| r.tags.is_err()).count() as u64;
        batch.clear();
        self.tell(report);
        Ok(())
    }

    fn tell(&mut self, report: &ScanReport) {
        if let Some(progress) = self.progress.as_mut() {
            progress(report);
        }
    }

    pub(crate) fn index(&mut self) -> &mut LocalIndex {
        self.index
    }

    pub(crate) fn is_stopped(&self) -> bool {
        self.stop.is_stopped()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A music folder on another device than its files were found on, none of them there
    /// (a mount point without its disk, holding what the parent disk has there), keeps its
    /// rows; with one of its files there again it is scanned and its device recorded.
    #[test]
    fn a_music_folder_on_another_device_without_its_files_keeps_them() {
        let dir = tempfile::tempdir().unwrap();
        let music = dir.path().join("Music");
        std::fs::create_dir(&music).unwrap();
        std::fs::write(music.join("a.mp3"), b"not really audio").unwrap();
        let mut index = LocalIndex::open_in_memory().unwrap();
        let folder = index.add_folder(&music).unwrap();
        Scanner::new(&mut index).scan_all().unwrap();
        let device = store::folder_device(&index.conn, folder.id).unwrap();
        assert_eq!(device, device_of(&folder.path));
        #[cfg(unix)]
        assert!(device.is_some());

        // Its files found on another device than this one, as after a disk is unplugged.
        let elsewhere = device.map_or(1, |d| d.wrapping_add(1));
        store::set_folder_device(&index.conn, folder.id, Some(elsewhere)).unwrap();
        std::fs::rename(music.join("a.mp3"), dir.path().join("a.mp3")).unwrap();
        std::fs::write(music.join("left behind.mp3"), b"x").unwrap();
        let report = Scanner::new(&mut index).scan_all().unwrap();
        assert_eq!(
            (report.folders_missing, report.removed, report.read),
            (1, 0, 0),
            "{report:?}"
        );
        assert!(index.contains_file(&folder.path.join("a.mp3")).unwrap());
        assert!(
            !index
                .contains_file(&folder.path.join("left behind.mp3"))
                .unwrap()
        );

        std::fs::rename(dir.path().join("a.mp3"), music.join("a.mp3")).unwrap();
        let report = Scanner::new(&mut index).scan_all().unwrap();
        assert_eq!((report.folders_missing, report.seen), (0, 2), "{report:?}");
        assert_eq!(
            store::folder_device(&index.conn, folder.id).unwrap(),
            device_of(&folder.path)
        );
    }
}
