//! Rescanning just the paths that changed, as the watcher reports them: a file created or
//! modified is read again, a folder created or moved in is scanned, anything gone (a file, a
//! folder, the old name of a rename) leaves the index (only when the system says it is not
//! found: a path that cannot be looked at is left as it was), and a cover added or removed changes
//! its folder's files.
//!
//! Paths are looked at as they are on disk now, not as the event said: by the time a
//! debounced event arrives, a file "created" may be gone again, and what is there is what
//! the index must hold.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::error::Result;
use crate::file_kinds::{AudioFormat, cover_rank, folder_cover, is_hidden};
use crate::index::{Folder, now_ms, path_text};
use crate::scan::{ScanReport, Scanner};
use crate::store::{self, FileRecord};
use crate::tags::read_tags;
use crate::walk::{FoundFile, mtime_ns};

impl Scanner<'_> {
    /// Brings the index in line with the disk at `paths` (files or folders, there or gone).
    /// Paths outside the music folders, or hidden inside them, are ignored.
    pub fn rescan_paths(&mut self, paths: impl IntoIterator<Item = PathBuf>) -> Result<ScanReport> {
        let folders = self.index().folders()?;
        let paths: BTreeSet<PathBuf> = paths.into_iter().collect();
        let mut report = ScanReport::default();
        for path in paths {
            if self.is_stopped() {
                report.stopped = true;
                break;
            }
            let Some(folder) = folder_holding(&folders, &path) else {
                continue;
            };
            if hidden_inside(&folder.path, &path) {
                continue;
            }
            match std::fs::metadata(&path) {
                Ok(metadata) if metadata.is_dir() => {
                    self.scan_tree(folder, &path, &mut report)?;
                }
                Ok(metadata) if metadata.is_file() => {
                    self.rescan_file(folder.id, &path, &metadata, &mut report)?;
                }
                Ok(_) => {}
                // The music folder itself gone: an unplugged disk, kept as it was.
                Err(_) if path == folder.path => report.folders_missing += 1,
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                    self.forget(&path, &mut report)?;
                }
                // No permission, a share's I/O error: unknown, not gone; its rows stay.
                Err(error) => {
                    let path = path.display();
                    tracing::debug!(%path, %error, "could not look at a changed path");
                }
            }
        }
        Ok(report)
    }

    fn rescan_file(
        &mut self,
        folder_id: i64,
        path: &Path,
        metadata: &std::fs::Metadata,
        report: &mut ScanReport,
    ) -> Result<()> {
        let dir = path.parent().unwrap_or(path);
        if is_cover(path) {
            return store::set_folder_cover(&self.index().conn, dir, folder_cover(dir).as_deref());
        }
        let Some(format) = AudioFormat::of_path(path) else {
            return Ok(());
        };
        path_text(path)?;
        report.seen += 1;
        // Read even when size and time look the same: the system said it changed, and two
        // writes within one tick of a coarse clock would otherwise be missed.
        let tags = read_tags(path, format);
        report.read += 1;
        report.failed += u64::from(tags.is_err());
        let record = FileRecord {
            found: FoundFile {
                path: path.to_owned(),
                format,
                size: i64::try_from(metadata.len()).unwrap_or(i64::MAX),
                mtime_ns: mtime_ns(metadata),
            },
            folder_id,
            tags,
            folder_cover: folder_cover(dir).and_then(|c| c.to_str().map(str::to_owned)),
            scanned_at: now_ms(),
        };
        store::upsert(&self.index().conn, &record)
    }

    /// Removes what the index holds at `path`, now gone: the file, or everything under the
    /// folder; a cover gone changes its folder's files.
    fn forget(&mut self, path: &Path, report: &mut ScanReport) -> Result<()> {
        let Ok(text) = path_text(path) else {
            return Ok(());
        };
        let tx = self.index().conn.transaction()?;
        let mut removed = store::delete_file(&tx, text)?;
        removed += store::delete_under(&tx, path)?;
        if is_cover(path) {
            let dir = path.parent().unwrap_or(path);
            store::set_folder_cover(&tx, dir, folder_cover(dir).as_deref())?;
        }
        tx.commit()?;
        report.removed += removed as u64;
        Ok(())
    }
}

fn is_cover(path: &Path) -> bool {
    path.file_name()
        .and_then(|name| name.to_str())
        .and_then(cover_rank)
        .is_some()
}

/// The innermost music folder `path` is in.
fn folder_holding<'f>(folders: &'f [Folder], path: &Path) -> Option<&'f Folder> {
    folders
        .iter()
        .filter(|folder| path.starts_with(&folder.path))
        .max_by_key(|folder| folder.path.components().count())
}

/// Whether any part of `path` below `folder` is hidden (by name: the path may be gone).
fn hidden_inside(folder: &Path, path: &Path) -> bool {
    path.strip_prefix(folder).is_ok_and(|below| {
        below
            .components()
            .any(|part| is_hidden(part.as_os_str(), None))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_innermost_folder_holds_a_path_and_hidden_parts_are_seen() {
        let folders = [
            Folder {
                id: 1,
                path: PathBuf::from("/m"),
                added_at_ms: 0,
            },
            Folder {
                id: 2,
                path: PathBuf::from("/m/jazz"),
                added_at_ms: 0,
            },
        ];
        assert_eq!(
            folder_holding(&folders, Path::new("/m/jazz/a.mp3"))
                .unwrap()
                .id,
            2
        );
        assert_eq!(
            folder_holding(&folders, Path::new("/m/jazzy/a.mp3"))
                .unwrap()
                .id,
            1
        );
        assert!(folder_holding(&folders, Path::new("/elsewhere/a.mp3")).is_none());
        assert!(hidden_inside(Path::new("/m"), Path::new("/m/.git/a.mp3")));
        assert!(!hidden_inside(Path::new("/.m"), Path::new("/.m/a.mp3")));
    }

    /// A changed path the system cannot look at (here a link to itself, which no user's
    /// permission can read past) is unknown, not gone, and its rows stay; a path not found
    /// leaves the index.
    #[cfg(unix)]
    #[test]
    fn only_a_path_not_found_is_forgotten() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("Music/Album")).unwrap();
        let mut index = crate::LocalIndex::open_in_memory().unwrap();
        let folder = index.add_folder(dir.path().join("Music")).unwrap();
        let album = folder.path.join("Album");
        let (kept, deleted) = (album.join("a.mp3"), folder.path.join("b.mp3"));
        for file in [&kept, &deleted] {
            std::fs::write(file, b"not really audio").unwrap();
        }
        assert_eq!(Scanner::new(&mut index).scan_all().unwrap().seen, 2);

        std::fs::rename(&album, dir.path().join("Album moved")).unwrap();
        std::os::unix::fs::symlink(&album, &album).unwrap();
        let unreadable = std::fs::metadata(&album).unwrap_err();
        assert_ne!(unreadable.kind(), std::io::ErrorKind::NotFound);
        std::fs::remove_file(&deleted).unwrap();
        let report = Scanner::new(&mut index)
            .rescan_paths([album.clone(), deleted.clone()])
            .unwrap();
        assert_eq!(report.removed, 1, "{report:?}");
        assert!(index.contains_file(&kept).unwrap());
        assert!(!index.contains_file(&deleted).unwrap());
    }
}
