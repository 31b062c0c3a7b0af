//! Where downloads are written: the file layout, and the seam for writing.
//!
//! Writing goes through [`DownloadStorage`] so a test can make the disk "fill up" after a
//! number of bytes; everything else (hashing a part file, renaming, deleting, the part's
//! validator) is plain `std::fs`, as no test needs to fake it. All of it blocks: callers run
//! it on tokio's blocking pool.
//!
//! A part file has a sidecar beside it (`<id>.<format>.part.validator`) holding what
//! identified the version of the file its bytes came from (the server's `ETag` or
//! `Last-Modified`), so a resume after a restart asks for the rest of that version only
//! (`If-Range`): the server sends another version whole rather than its tail to splice onto
//! the old beginning.

use std::fs::{File, OpenOptions};
use std::io::{self, Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};

use sha2::{Digest as _, Sha256};

use super::source::file_extension;

/// Opens part files for writing. The real one is [`FsStorage`].
pub trait DownloadStorage: Send + Sync + std::fmt::Debug {
    /// Opens `path` for writing at `offset`: created if missing, cut to `offset` bytes (so
    /// a write that failed halfway leaves no stray tail), positioned at its end.
    ///
    /// # Errors
    /// Any I/O error.
    fn open_part(&self, path: &Path, offset: u64) -> io::Result<Box<dyn PartFile>>;
}

/// A part file being written.
pub trait PartFile: Send {
    /// Appends all of `bytes`.
    ///
    /// # Errors
    /// Any I/O error; `io::ErrorKind::StorageFull` when the disk is full.
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()>;

    /// Flushes the file's data to the disk (`fsync`).
    ///
    /// # Errors
    /// Any I/O error.
    fn sync(&mut self) -> io::Result<()>;
}

/// Part files on the real file system.
#[derive(Debug, Default, Clone, Copy)]
pub struct FsStorage;

impl DownloadStorage for FsStorage {
    fn open_part(&self, path: &Path, offset: u64) -> io::Result<Box<dyn PartFile>> {
        let mut file = OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(false)
            .open(path)?;
        file.set_len(offset)?;
        file.seek(SeekFrom::End(0))?;
        Ok(Box::new(FsPart(file)))
    }
}

struct FsPart(File);

impl PartFile for FsPart {
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.0.write_all(bytes)
    }

    fn sync(&mut self) -> io::Result<()> {
        self.0.sync_all()
    }
}

/// A track's names in the downloads folder: the finished file, the one being written beside
/// it (`.part` added), and the part's validator (`.part.validator`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TrackFiles {
    pub(crate) complete: PathBuf,
    pub(crate) part: PathBuf,
    pub(crate) validator: PathBuf,
}

impl TrackFiles {
    /// `track_id`'s files for a file of `format`: `<id>.flac`, `<id>.mp3`, named by the
    /// format so the player and the listener's file manager know them.
    pub(crate) fn new(dir: &Path, track_id: &str, format: &str) -> Self {
        let name = format!("{}.{}", file_stem(track_id), file_extension(format));
        Self::at(dir.join(name))
    }

    /// The files of a download the library recorded at `complete`, in `dir`: the recorded
    /// name, in the manager's folder (the data folder may have moved since it was recorded).
    pub(crate) fn recorded(dir: &Path, complete: &Path) -> Option<Self> {
        complete.file_name().map(|name| Self::at(dir.join(name)))
    }

    fn at(complete: PathBuf) -> Self {
        let mut part = complete.clone().into_os_string();
        part.push(".part");
        let mut validator = part.clone();
        validator.push(".validator");
        Self {
            complete,
            part: part.into(),
            validator: validator.into(),
        }
    }
}

/// Where the finished file of a download the library recorded at `recorded` is now: the
/// recorded name in `dir`, the manager's folder. Rows keep the path they were written with,
/// which the data folder's move leaves behind; the name is what stays. `None` for a path
/// without a name.
#[must_use]
pub fn kept_file(dir: &Path, recorded: &Path) -> Option<PathBuf> {
    TrackFiles::recorded(dir, recorded).map(|files| files.complete)
}

/// The extension of a part file's validator sidecar.
pub(crate) const VALIDATOR_EXTENSION: &str = "validator";

/// The validator kept beside a part file, or `None` when there is none (never written, or
/// written by a version before validators were kept).
pub(crate) fn read_validator(path: &Path) -> io::Result<Option<String>> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text.trim().to_owned()).filter(|v| !v.is_empty())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Keeps `validator` at `path` (`None` removes it), whole or not at all: written to a
/// temporary file in the same folder, synced, then renamed over the old one, so a crash
/// never leaves half a validator that could match nothing or, worse, something else.
pub(crate) fn write_validator(path: &Path, validator: Option<&str>) -> io::Result<()> {
    let Some(validator) = validator else {
        return remove_if_present(path);
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut temp = tempfile::NamedTempFile::new_in(dir)?;
    temp.write_all(validator.as_bytes())?;
    temp.as_file().sync_all()?;
    temp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// A track id as a file name: ASCII letters, digits, `-` and `_` as they are, every other
/// byte as `~xx`, so ids never collide, never climb out of the folder (no `.` or `/`), and
/// stay readable.
pub(crate) fn file_stem(track_id: &str) -> String {
    use std::fmt::Write as _;
    let mut stem = String::with_capacity(track_id.len());
    for byte in track_id.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_') {
            stem.push(char::from(byte));
        } else {
            let _ = write!(stem, "~{byte:02x}");
        }
    }
    stem
}

/// The length and running SHA-256 of what is already in `path` (a part file to resume),
/// or `None` when there is no such file.
pub(crate) fn hash_existing(path: &Path) -> io::Result<Option<(u64, Sha256)>> {
    let mut file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut hasher = Sha256::new();
    let mut len = 0u64;
    let mut buf = vec![0; 64 * 1024];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            return Ok(Some((len, hasher)));
        }
        hasher.update(&buf[..n]);
        len += n as u64;
    }
}

/// Deletes `path`; a file that is already gone is fine.
pub(crate) fn remove_if_present(path: &Path) -> io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Moves the verified part file to its final name, then makes the rename itself durable;
/// the part's validator has served.
pub(crate) fn publish(files: &TrackFiles) -> io::Result<()> {
    std::fs::rename(&files.part, &files.complete)?;
    sync_dir(files.complete.parent().unwrap_or(Path::new(".")))?;
    remove_if_present(&files.validator)
}

/// `fsync` of a folder records the names in it (a rename) on Unix. Elsewhere folders cannot
/// be opened that way and the rename is as durable as the OS makes it.
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_named_by_their_format_and_found_again_by_their_recorded_name() {
        let dir = Path::new("/data/offline/lib");
        let flac = TrackFiles::new(dir, "so/ng", "FLAC");
        assert_eq!(flac.complete, dir.join("so~2fng.flac"));
        assert_eq!(flac.part, dir.join("so~2fng.flac.part"));
        assert_eq!(flac.validator, dir.join("so~2fng.flac.part.validator"));
        assert_eq!(
            TrackFiles::new(dir, "t", "dsf").complete,
            dir.join("t.audio")
        );
        // Recorded under a folder the data has since moved from.
        let moved = TrackFiles::recorded(dir, Path::new("/old/offline/lib/so~2fng.flac"));
        assert_eq!(moved, Some(flac));
    }

    #[test]
    fn a_validator_is_kept_replaced_and_removed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.mp3.part.validator");
        assert_eq!(read_validator(&path).unwrap(), None);
        write_validator(&path, Some("\"v1\"")).unwrap();
        write_validator(&path, Some("\"v2\"")).unwrap();
        assert_eq!(read_validator(&path).unwrap().as_deref(), Some("\"v2\""));
        write_validator(&path, None).unwrap();
        assert_eq!(read_validator(&path).unwrap(), None);
        // Nothing else left in the folder: no temporary file outlives its rename.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn stems_are_safe_and_distinct() {
        assert_eq!(file_stem("tr-polar_morning1"), "tr-polar_morning1");
        assert_eq!(file_stem("../x"), "~2e~2e~2fx");
        assert_ne!(file_stem("a~2f"), file_stem("a/"));
    }

    #[test]
    fn parts_reopen_cut_to_their_offset() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.mp3.part");
        let mut part = FsStorage.open_part(&path, 0).unwrap();
        part.write_all(b"hello world").unwrap();
        drop(part);
        let mut part = FsStorage.open_part(&path, 5).unwrap();
        part.write_all(b"!").unwrap();
        part.sync().unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"hello!");
        let (len, hasher) = hash_existing(&path).unwrap().unwrap();
        assert_eq!(len, 6);
        assert_eq!(
            hasher.finalize().as_slice(),
            Sha256::digest(b"hello!").as_slice()
        );
        assert!(hash_existing(&dir.path().join("none")).unwrap().is_none());
    }
}
