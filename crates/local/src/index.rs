//! The index's database and the folders in it: opening the file (WAL, migrations), adding
//! and removing the listener's music folders, and the files that could not be read.
//!
//! The index is a database of its own, apart from the library's per-account ones: local
//! files belong to the computer, not to an account, so signing in or out never touches
//! them. One [`LocalIndex`] is one connection; the watcher opens its own on the same file
//! (WAL lets the app read while the watcher writes).

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

use crate::error::{LocalError, LocalErrorKind, Result};
use crate::migrations;
use crate::problem::FileProblem;

/// How long a write waits for another connection's (the watcher's, the app's) to finish.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The index of the listener's music folders.
#[derive(Debug)]
pub struct LocalIndex {
    pub(crate) conn: Connection,
    path: Option<PathBuf>,
}

/// A music folder the listener added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Folder {
    pub id: i64,
    /// Absolute, with links resolved.
    pub path: PathBuf,
    /// When it was added, Unix milliseconds.
    pub added_at_ms: i64,
}

/// A music folder and how many of its files the index holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderSummary {
    pub folder: Folder,
    /// Files that play.
    pub playable: u64,
    /// Files found that cannot be played (see [`LocalIndex::failed_files`]).
    pub failed: u64,
    /// The device its files were last found on (see [`FolderSummary::presence`]).
    device: Option<i64>,
    /// Two of the files the index holds of it (the first and the last by path), looked for
    /// on disk when the folder is on another device than its files were found on.
    known_files: [Option<PathBuf>; 2],
}

/// Whether a music folder can be read now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FolderPresence {
    /// There and readable.
    Ready,
    /// Not there, or a mount point without its disk (its files are kept meanwhile).
    Missing,
    /// There, but Strato may not read it (permissions).
    Unreadable,
}

impl FolderSummary {
    /// Whether the folder can be read now, as the scan judges it (see
    /// `Scanner::looks_unplugged`): not there, or empty while files of it are indexed, or on
    /// another device than its files were found on without them (a mount point without its
    /// disk), is missing. On another device with its files there, it is the same disk
    /// mounted again under another number (as removable disks are), and ready. Looks at the
    /// disk: the folder is opened, its metadata read, at most its first entry listed, and at
    /// most two of its files looked for.
    #[must_use]
    pub fn presence(&self) -> FolderPresence {
        let path = &self.folder.path;
        let mut entries = match std::fs::read_dir(path) {
            Ok(entries) => entries,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return FolderPresence::Missing;
            }
            Err(_) => return FolderPresence::Unreadable,
        };
        if self.playable + self.failed == 0 {
            return FolderPresence::Ready;
        }
        let elsewhere = self.device.is_some_and(|found_on| {
            crate::walk::device_of(path).is_some_and(|now| now != found_on)
        });
        let unplugged = if elsewhere {
            !self.known_files.iter().flatten().any(|file| file.is_file())
        } else {
            entries.next().is_none()
        };
        if unplugged {
            FolderPresence::Missing
        } else {
            FolderPresence::Ready
        }
    }
}

/// A file found under a folder that cannot be played, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedFile {
    pub path: PathBuf,
    /// Why, for callers that word it in the listener's language.
    pub problem: FileProblem,
    /// Why, in English words (the system's own for an I/O error): for logs and an English
    /// window.
    pub error: String,
}

impl LocalIndex {
    /// Opens (creating it if need be) the index kept at `path`, e.g.
    /// `<data dir>/local-files.sqlite3`, and brings its schema up to date.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| {
            LocalError::new(
                LocalErrorKind::Database,
                format!(
                    "Strato could not open the index of your local files at {}.",
                    path.display()
                ),
            )
            .with_source(e)
        })?;
        Self::prepare(conn, Some(path.to_owned()))
    }

    /// A throwaway index in memory, for tests and previews (no watcher can share it).
    pub fn open_in_memory() -> Result<Self> {
        Self::prepare(Connection::open_in_memory()?, None)
    }

    fn prepare(mut conn: Connection, path: Option<PathBuf>) -> Result<Self> {
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // WAL: the app reads while a scan writes, and a commit is one append. With WAL,
        // synchronous=NORMAL cannot corrupt the file; a power cut may lose the last batch,
        // which the next scan reads again.
        let mode: String =
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
        if !(mode.eq_ignore_ascii_case("wal") || mode.eq_ignore_ascii_case("memory")) {
            return Err(LocalError::new(
                LocalErrorKind::Database,
                format!("The index of your local files refused write-ahead logging ({mode})."),
            ));
        }
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        // Per connection, off by default: removing a folder removes its files.
        conn.pragma_update(None, "foreign_keys", true)?;
        migrations::migrate(&mut conn)?;
        Ok(Self { conn, path })
    }

    /// Where the index is kept (`None` in memory).
    #[must_use]
    pub fn database_path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Adds the folder at `path` (its files appear at the next scan). Adding a folder that
    /// holds folders already added takes them in; adding one inside a folder already added
    /// is refused, its files being there already.
    pub fn add_folder(&mut self, path: impl AsRef<Path>) -> Result<Folder> {
        let path = folder_path(path.as_ref())?;
        let text = path_text(&path)?;
        let folders = self.folders()?;
        if let Some(same) = folders.iter().find(|f| f.path == path) {
            return Ok(same.clone());
        }
        if let Some(outer) = folders.iter().find(|f| path.starts_with(&f.path)) {
            return Err(LocalError::new(
                LocalErrorKind::Invalid,
                format!(
                    "{} is already in your music, inside {}.",
                    path.display(),
                    outer.path.display()
                ),
            ));
        }
        let added_at_ms = now_ms();
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO folders (path, added_at) VALUES (?1, ?2)",
            params![text, added_at_ms],
        )?;
        let id = tx.last_insert_rowid();
        for inner in folders.iter().filter(|f| f.path.starts_with(&path)) {
            tx.execute(
                "UPDATE files SET folder_id = ?1 WHERE folder_id = ?2",
                params![id, inner.id],
            )?;
            tx.execute("DELETE FROM folders WHERE id = ?1", [inner.id])?;
        }
        tx.commit()?;
        Ok(Folder {
            id,
            path,
            added_at_ms,
        })
    }

    /// Removes the folder at `path` and every file of it from the index (not from disk).
    pub fn remove_folder(&mut self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let path = folder_path(path).unwrap_or_else(|_| path.to_owned());
        let removed = self
            .conn
            .execute("DELETE FROM folders WHERE path = ?1", [path_text(&path)?])?;
        if removed == 0 {
            return Err(LocalError::new(
                LocalErrorKind::NotFound,
                format!("{} is not one of your music folders.", path.display()),
            ));
        }
        Ok(())
    }

    /// The folders added, by path.
    pub fn folders(&self) -> Result<Vec<Folder>> {
        let mut statement = self
            .conn
            .prepare_cached("SELECT id, path, added_at FROM folders ORDER BY path")?;
        let rows = statement.query_map([], |row| {
            Ok(Folder {
                id: row.get(0)?,
                path: PathBuf::from(row.get::<_, String>(1)?),
                added_at_ms: row.get(2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The folders added, by path, each with how many of its files play and how many
    /// cannot: what a list of the listener's music folders shows.
    pub fn folder_summaries(&self) -> Result<Vec<FolderSummary>> {
        let mut statement = self.conn.prepare_cached(
            "SELECT folders.id, folders.path, folders.added_at,
                 count(files.id) - count(files.error), count(files.error), folders.device,
                 min(files.path), max(files.path)
             FROM folders LEFT JOIN files ON files.folder_id = folders.id
             GROUP BY folders.id ORDER BY folders.path",
        )?;
        let rows = statement.query_map([], |row| {
            Ok(FolderSummary {
                folder: Folder {
                    id: row.get(0)?,
                    path: PathBuf::from(row.get::<_, String>(1)?),
                    added_at_ms: row.get(2)?,
                },
                playable: row.get::<_, i64>(3)?.unsigned_abs(),
                failed: row.get::<_, i64>(4)?.unsigned_abs(),
                device: row.get(5)?,
                known_files: [
                    row.get::<_, Option<String>>(6)?.map(PathBuf::from),
                    row.get::<_, Option<String>>(7)?.map(PathBuf::from),
                ],
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The first `limit` files found that cannot be played, with why, by path (how many
    /// there are in all: [`FolderSummary::failed`], or [`Self::failed_count`]).
    pub fn failed_files(&self, limit: usize) -> Result<Vec<FailedFile>> {
        let mut statement = self.conn.prepare_cached(
            "SELECT path, error, problem FROM files WHERE error IS NOT NULL ORDER BY path LIMIT ?1",
        )?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = statement.query_map([limit], |row| {
            let error: String = row.get(1)?;
            let code: Option<String> = row.get(2)?;
            Ok(FailedFile {
                path: PathBuf::from(row.get::<_, String>(0)?),
                problem: FileProblem::of_row(code.as_deref(), &error),
                error,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// How many files found cannot be played.
    pub fn failed_count(&self) -> Result<u64> {
        let count: i64 = self.conn.query_row(
            "SELECT count(*) FROM files WHERE error IS NOT NULL",
            [],
            |row| row.get(0),
        )?;
        Ok(count.unsigned_abs())
    }

    /// How many files the index holds, playable or not.
    pub fn file_count(&self) -> Result<u64> {
        let count: i64 = self
            .conn
            .query_row("SELECT count(*) FROM files", [], |row| row.get(0))?;
        Ok(count.unsigned_abs())
    }

    /// Whether the file at `path` is in the index.
    pub fn contains_file(&self, path: &Path) -> Result<bool> {
        Ok(self
            .conn
            .query_row(
                "SELECT 1 FROM files WHERE path = ?1",
                [path_text(path)?],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }
}

/// A folder's path as kept: absolute, links resolved. On Windows without the `\\?\` prefix
/// that resolving adds, so it reads as the listener wrote it and makes a plain `file://` URL.
pub(crate) fn folder_path(path: &Path) -> Result<PathBuf> {
    let resolved = std::fs::canonicalize(path).map_err(|e| {
        LocalError::new(
            LocalErrorKind::NotFound,
            format!("The folder {} cannot be found.", path.display()),
        )
        .with_source(e)
    })?;
    if !resolved.is_dir() {
        return Err(LocalError::new(
            LocalErrorKind::Invalid,
            format!("{} is not a folder.", path.display()),
        ));
    }
    Ok(without_verbatim_prefix(resolved))
}

#[cfg(windows)]
fn without_verbatim_prefix(path: PathBuf) -> PathBuf {
    // `\\?\C:\Music` → `C:\Music`; a verbatim UNC path (`\\?\UNC\host\share`) stays as is.
    match path.to_str() {
        Some(text) if text.starts_with(r"\\?\") && text.as_bytes().get(5) == Some(&b':') => {
            PathBuf::from(&text[4..])
        }
        _ => path,
    }
}

#[cfg(not(windows))]
fn without_verbatim_prefix(path: PathBuf) -> PathBuf {
    path
}

/// A path as the index keeps it: paths that are not Unicode are not indexed.
pub(crate) fn path_text(path: &Path) -> Result<&str> {
    path.to_str().ok_or_else(|| {
        LocalError::new(
            LocalErrorKind::Invalid,
            format!(
                "{} has a name Strato cannot keep (it is not Unicode).",
                path.display()
            ),
        )
    })
}

pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_index_uses_wal_and_foreign_keys() {
        let dir = tempfile::tempdir().unwrap();
        let index = LocalIndex::open(dir.path().join("local-files.sqlite3")).unwrap();
        let mode: String = index
            .conn
            .pragma_query_value(None, "journal_mode", |row| row.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let keys: bool = index
            .conn
            .pragma_query_value(None, "foreign_keys", |row| row.get(0))
            .unwrap();
        assert!(keys);
    }

    #[test]
    fn folders_nest_into_the_outer_one() {
        let dir = tempfile::tempdir().unwrap();
        let outer = dir.path().join("Music");
        let inner = outer.join("Jazz");
        std::fs::create_dir_all(&inner).unwrap();
        let mut index = LocalIndex::open_in_memory().unwrap();
        let jazz = index.add_folder(&inner).unwrap();
        assert_eq!(index.add_folder(&inner).unwrap(), jazz);
        let music = index.add_folder(&outer).unwrap();
        assert_eq!(index.folders().unwrap(), vec![music.clone()]);
        let refused = index.add_folder(&inner).unwrap_err();
        assert_eq!(refused.kind(), LocalErrorKind::Invalid);
        assert!(
            refused.message().contains("already in your music"),
            "{refused}"
        );
        index.remove_folder(&outer).unwrap();
        assert!(index.folders().unwrap().is_empty());
        let gone = index.remove_folder(&outer).unwrap_err();
        assert_eq!(gone.kind(), LocalErrorKind::NotFound);
    }

    #[test]
    fn a_folder_is_missing_when_gone_or_on_another_device_than_its_files() {
        let dir = tempfile::tempdir().unwrap();
        let music = dir.path().join("Music");
        std::fs::create_dir(&music).unwrap();
        let mut index = LocalIndex::open_in_memory().unwrap();
        let folder = index.add_folder(&music).unwrap();
        let presence = |index: &LocalIndex| index.folder_summaries().unwrap()[0].presence();
        // Empty and nothing indexed: a new folder, there.
        assert_eq!(presence(&index), FolderPresence::Ready);
        // A file of it indexed, its device not known yet: told by the folder being empty.
        index
            .conn
            .execute(
                "INSERT INTO files (path, folder_id, dir, size, mtime_ns, title, album,
                     artist_id, album_artist_id, album_id, format, scanned_at)
                 VALUES (?1, ?2, ?3, 1, 1, 't', 'a', 'x', 'x', 'x', 'mp3', 0)",
                params![
                    path_text(&folder.path.join("a.mp3")).unwrap(),
                    folder.id,
                    path_text(&folder.path).unwrap()
                ],
            )
            .unwrap();
        assert_eq!(presence(&index), FolderPresence::Missing);
        std::fs::write(folder.path.join("a.mp3"), "x").unwrap();
        assert_eq!(presence(&index), FolderPresence::Ready);
        #[cfg(unix)]
        {
            let here = crate::walk::device_of(&folder.path).unwrap();
            crate::store::set_folder_device(&index.conn, folder.id, Some(here)).unwrap();
            assert_eq!(presence(&index), FolderPresence::Ready);
            // Its files were found on another device number, and are here: the same disk
            // mounted again under a new number, as removable disks are.
            crate::store::set_folder_device(&index.conn, folder.id, Some(here ^ 1)).unwrap();
            assert_eq!(presence(&index), FolderPresence::Ready);
            // Without its files, though not empty: a mount point without its disk.
            std::fs::remove_file(folder.path.join("a.mp3")).unwrap();
            std::fs::write(folder.path.join(".mount-point"), "").unwrap();
            assert_eq!(presence(&index), FolderPresence::Missing);
        }
        std::fs::remove_dir_all(&folder.path).unwrap();
        assert_eq!(presence(&index), FolderPresence::Missing);
    }

    #[test]
    fn a_missing_folder_or_a_file_is_refused_in_words() {
        let dir = tempfile::tempdir().unwrap();
        let mut index = LocalIndex::open_in_memory().unwrap();
        let missing = index.add_folder(dir.path().join("nope")).unwrap_err();
        assert_eq!(missing.kind(), LocalErrorKind::NotFound);
        assert!(missing.message().contains("cannot be found"), "{missing}");
        let file = dir.path().join("a.txt");
        std::fs::write(&file, "x").unwrap();
        assert_eq!(
            index.add_folder(&file).unwrap_err().kind(),
            LocalErrorKind::Invalid
        );
    }

    #[test]
    fn a_failed_file_keeps_its_reason_by_code_and_is_found_by_the_partial_index() {
        let dir = tempfile::tempdir().unwrap();
        let mut index = LocalIndex::open_in_memory().unwrap();
        let folder = index.add_folder(dir.path()).unwrap();
        let music = path_text(&folder.path).unwrap().to_owned();
        let insert = |name: &str, error: Option<&str>, problem: Option<&str>| {
            index
                .conn
                .execute(
                    "INSERT INTO files (path, folder_id, dir, size, mtime_ns, title, album,
                         artist_id, album_artist_id, album_id, format, scanned_at, error,
                         problem)
                     VALUES (?1, ?2, ?3, 1, 1, 't', 'a', 'x', 'x', 'x', 'mp3', 0, ?4, ?5)",
                    params![format!("{music}/{name}"), folder.id, music, error, problem],
                )
                .unwrap();
        };
        // Its sentence reworded by a later version: the code still says why.
        insert("a.mp3", Some("Reworded words."), Some("cut_short"));
        // Written before codes were kept: read back from its sentence.
        insert("b.mp3", Some(FileProblem::Gone.words()), None);
        insert("c.mp3", None, None);
        let failed = index.failed_files(10).unwrap();
        let problems: Vec<FileProblem> = failed.iter().map(|file| file.problem).collect();
        assert_eq!(problems, [FileProblem::CutShort, FileProblem::Gone]);
        assert_eq!(failed[0].error, "Reworded words.");
        assert_eq!(index.failed_count().unwrap(), 2);

        for sql in [
            "SELECT path, error, problem FROM files WHERE error IS NOT NULL ORDER BY path LIMIT 5",
            "SELECT count(*) FROM files WHERE error IS NOT NULL",
        ] {
            let plan: Vec<String> = index
                .conn
                .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                .unwrap()
                .query_map([], |row| row.get(3))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            assert!(
                plan.iter().any(|step| step.contains("files_failed")),
                "{sql}: {plan:?}"
            );
        }
    }
}
