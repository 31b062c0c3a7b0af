//! Walking a folder for its audio files and covers.
//!
//! Links are followed (a music folder is often a link to another disk), and a link back to
//! a folder above it is noticed and not entered again (walkdir compares each folder with
//! the ones it is inside). Hidden entries are skipped, the folder walked excepted: the
//! listener chose it. Entries that cannot be read (no permission, a link to an unplugged
//! disk, an I/O error on a network share) are skipped but named in [`Walked::unreadable`]:
//! a scan reports what it could see, never fails on one folder, and never takes what it
//! could not see for gone.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use walkdir::{DirEntry, WalkDir};

use crate::file_kinds::{AudioFormat, cover_rank, is_hidden};
use crate::scan::StopFlag;

/// An audio file as the walk saw it.
#[derive(Debug, Clone)]
pub(crate) struct FoundFile {
    pub path: PathBuf,
    pub format: AudioFormat,
    pub size: i64,
    pub mtime_ns: i64,
}

/// What a walk found.
#[derive(Debug, Default)]
pub(crate) struct Walked {
    pub files: Vec<FoundFile>,
    /// Every folder walked, with its best cover file if it has one.
    pub folder_covers: HashMap<PathBuf, Option<PathBuf>>,
    /// Entries (folders, files, links) that could not be read: what the index holds under
    /// them is unknown, not gone.
    pub unreadable: Vec<PathBuf>,
}

impl Walked {
    /// Whether `path` is, or is under, an entry that could not be read.
    pub fn is_unseen(&self, path: &Path) -> bool {
        self.unreadable.iter().any(|entry| path.starts_with(entry))
    }
}

/// The audio files and covers under `root`, stopping early when `stop` is set.
pub(crate) fn walk(root: &Path, stop: &StopFlag) -> Walked {
    let mut walked = Walked::default();
    let mut ranks: HashMap<PathBuf, usize> = HashMap::new();
    let entries = WalkDir::new(root)
        .follow_links(true)
        .into_iter()
        .filter_entry(|entry| entry.depth() == 0 || !hidden(entry));
    for entry in entries {
        if stop.is_stopped() {
            break;
        }
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                tracing::debug!(%error, "skipped while walking a music folder");
                // A link loop is seen (once, where it starts), not unreadable.
                if error.loop_ancestor().is_none()
                    && let Some(path) = error.path()
                {
                    walked.unreadable.push(path.to_owned());
                }
                continue;
            }
        };
        if entry.file_type().is_dir() {
            walked
                .folder_covers
                .entry(entry.path().to_owned())
                .or_default();
            continue;
        }
        let name = entry.file_name().to_str().unwrap_or_default();
        if let Some(rank) = cover_rank(name) {
            let dir = entry.path().parent().unwrap_or(root).to_owned();
            if ranks.get(&dir).is_none_or(|best| rank < *best) {
                ranks.insert(dir.clone(), rank);
                walked
                    .folder_covers
                    .insert(dir, Some(entry.path().to_owned()));
            }
        } else if let Some(found) = found_file(&entry) {
            walked.files.push(found);
        }
    }
    walked
}

fn hidden(entry: &DirEntry) -> bool {
    #[cfg(windows)]
    let metadata = entry.metadata().ok();
    #[cfg(not(windows))]
    let metadata = None;
    is_hidden(entry.file_name(), metadata.as_ref())
}

fn found_file(entry: &DirEntry) -> Option<FoundFile> {
    let format = AudioFormat::of_path(entry.path())?;
    if entry.path().to_str().is_none() {
        tracing::debug!(path = %entry.path().display(), "skipped: the path is not Unicode");
        return None;
    }
    let metadata = entry.metadata().ok()?;
    if !metadata.is_file() {
        return None;
    }
    Some(FoundFile {
        path: entry.path().to_owned(),
        format,
        size: i64::try_from(metadata.len()).unwrap_or(i64::MAX),
        mtime_ns: mtime_ns(&metadata),
    })
}

/// The id of the device (disk, partition, share) `path` is on, where the system gives one:
/// an unplugged disk's mount point is on its parent's device.
#[cfg(unix)]
pub(crate) fn device_of(path: &Path) -> Option<i64> {
    use std::os::unix::fs::MetadataExt;
    let device = std::fs::metadata(path).ok()?.dev();
    // Kept as the same 64 bits in SQLite's signed integer: only compared, never shown.
    Some(i64::from_ne_bytes(device.to_ne_bytes()))
}

/// Windows gives a volume serial number only through an unstable API: no device id there,
/// and an unplugged disk is seen by its folder being gone or empty.
#[cfg(not(unix))]
pub(crate) fn device_of(_path: &Path) -> Option<i64> {
    None
}

/// A file's modification time in nanoseconds since 1970 (negative before), 0 when the
/// file system keeps none.
pub(crate) fn mtime_ns(metadata: &std::fs::Metadata) -> i64 {
    let Ok(modified) = metadata.modified() else {
        return 0;
    };
    match modified.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_nanos()).unwrap_or(i64::MAX),
        Err(before) => i64::try_from(before.duration().as_nanos()).map_or(i64::MIN, |n| -n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(walked: &Walked) -> Vec<String> {
        let mut names: Vec<String> = walked
            .files
            .iter()
            .map(|f| f.path.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn audio_is_found_and_hidden_entries_are_not() {
        let dir = tempfile::tempdir().unwrap();
        let album = dir.path().join("Artist/Album");
        std::fs::create_dir_all(&album).unwrap();
        std::fs::create_dir_all(dir.path().join(".hidden")).unwrap();
        for name in [
            "01.MP3",
            "02.flac",
            "notes.txt",
            "._01.mp3",
            "Folder.PNG",
            "cover.jpg",
        ] {
            std::fs::write(album.join(name), b"x").unwrap();
        }
        std::fs::write(dir.path().join(".hidden/secret.mp3"), b"x").unwrap();
        let walked = walk(dir.path(), &StopFlag::new());
        assert_eq!(names(&walked), ["01.MP3", "02.flac"]);
        assert_eq!(walked.folder_covers[&album], Some(album.join("cover.jpg")));
        assert_eq!(walked.folder_covers[&dir.path().join("Artist")], None);
    }

    #[cfg(unix)]
    #[test]
    fn a_link_loop_is_walked_once() {
        let dir = tempfile::tempdir().unwrap();
        let album = dir.path().join("Album");
        std::fs::create_dir_all(&album).unwrap();
        std::fs::write(album.join("a.ogg"), b"x").unwrap();
        std::os::unix::fs::symlink(dir.path(), album.join("back to the top")).unwrap();
        let walked = walk(dir.path(), &StopFlag::new());
        assert_eq!(names(&walked), ["a.ogg"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_broken_link_is_named_unreadable() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.mp3"), b"x").unwrap();
        let link = dir.path().join("External");
        std::os::unix::fs::symlink(dir.path().join("unplugged disk"), &link).unwrap();
        let walked = walk(dir.path(), &StopFlag::new());
        assert_eq!(names(&walked), ["a.mp3"]);
        assert_eq!(walked.unreadable, std::slice::from_ref(&link));
        assert!(walked.is_unseen(&link.join("Album/01.mp3")));
        assert!(!walked.is_unseen(&dir.path().join("a.mp3")));
        assert!(!walked.is_unseen(&dir.path().join("External2/b.mp3")));
    }

    #[test]
    fn a_stopped_walk_finds_nothing_more() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.wav"), b"x").unwrap();
        let stop = StopFlag::new();
        stop.stop();
        assert!(walk(dir.path(), &stop).files.is_empty());
    }
}
