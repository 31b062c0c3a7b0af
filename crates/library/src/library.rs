//! [`Library`]: the open database. Opening sets the connection up and migrates the schema;
//! the repositories (catalog, search, playlists, downloads, queue, history) are `impl`
//! blocks in their own modules.

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

use crate::error::{Error, Result};
use crate::migrations;

/// How long a statement waits for another process's lock before failing with
/// [`Error::Busy`]. Writes here are short; five seconds only runs out if something is wrong.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The offline library of one account on one service: a single SQLite database file.
///
/// Synchronous and `Send` but not `Sync`: the app owns it on one dedicated thread and sends
/// it work. Every write is one transaction; a method either applies completely or not at all.
#[derive(Debug)]
pub struct Library {
    pub(crate) conn: Connection,
}

impl Library {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    ///
    /// The folder must exist. Fails with [`Error::TooNew`] for a database written by a newer
    /// Strato, which is then left untouched.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|source| Error::Open {
            path: path.display().to_string(),
            source,
        })?;
        Self::prepare(conn, &path.display().to_string())
    }

    /// A throwaway database in memory (no WAL there); for tests and previews.
    pub fn open_in_memory() -> Result<Self> {
        let conn = Connection::open_in_memory().map_err(|source| Error::Open {
            path: ":memory:".into(),
            source,
        })?;
        Self::prepare(conn, ":memory:")
    }

    fn prepare(mut conn: Connection, path: &str) -> Result<Self> {
        let open_error = |source| Error::Open {
            path: path.to_owned(),
            source,
        };
        // First, so that the statements below already wait for a busy peer.
        conn.busy_timeout(BUSY_TIMEOUT).map_err(open_error)?;
        // WAL: readers never block the writer and a commit is one append. With WAL,
        // synchronous=NORMAL cannot corrupt the database; a power cut may lose the last
        // commits, which the operation log tolerates (the edit is then simply not there).
        // An in-memory database answers "memory" and stays so.
        let mode: String = conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
            .map_err(open_error)?;
        if !(mode.eq_ignore_ascii_case("wal") || mode.eq_ignore_ascii_case("memory")) {
            return Err(Error::Invalid(format!(
                "the library database refused write-ahead logging (journal mode {mode})"
            )));
        }
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(open_error)?;
        // Off by default in SQLite, per connection: playlist items rely on cascades.
        conn.pragma_update(None, "foreign_keys", true)
            .map_err(open_error)?;
        migrations::migrate(&mut conn)?;
        Ok(Self { conn })
    }

    /// The schema version of the open database (always [`migrations::LATEST_VERSION`] once
    /// opened).
    pub fn schema_version(&self) -> Result<u32> {
        migrations::schema_version(&self.conn)
    }

    /// Checks the whole database: SQLite's `integrity_check`, every foreign key, and each
    /// full-text index against the table it indexes. Returns the problems found (empty when
    /// healthy). Reads every page: meant for diagnostics and tests, not for every start.
    pub fn integrity_check(&self) -> Result<Vec<String>> {
        let mut problems = Vec::new();
        let mut integrity = self.conn.prepare("PRAGMA integrity_check")?;
        for line in integrity.query_map([], |row| row.get::<_, String>(0))? {
            let line = line?;
            if line != "ok" {
                problems.push(line);
            }
        }
        let mut foreign_keys = self.conn.prepare("PRAGMA foreign_key_check")?;
        let violations = foreign_keys.query_map([], |row| {
            Ok(format!(
                "foreign key: {} row {:?} has no parent in {}",
                row.get::<_, String>(0)?,
                row.get::<_, Option<i64>>(1)?,
                row.get::<_, String>(2)?
            ))
        })?;
        for violation in violations {
            problems.push(violation?);
        }
        for index in ["tracks_search", "albums_search", "artists_search"] {
            if !self.table_exists(index)? {
                continue;
            }
            // rank = 1: also compare the index with the content table, not only itself.
            let check =
                format!("INSERT INTO {index} ({index}, rank) VALUES ('integrity-check', 1)");
            if let Err(error) = self.conn.execute(&check, []) {
                problems.push(format!("{index}: {error}"));
            }
        }
        Ok(problems)
    }

    /// Lets the database grow by at most `pages` more pages (`None`: as SQLite allows). Past
    /// the limit a write fails exactly as on a full disk, with [`Error::DiskFull`], and
    /// changes nothing. It lasts as long as this connection. For tests of what a full disk
    /// does to every layer above, which cannot fill a real disk.
    pub fn limit_growth(&self, pages: Option<u64>) -> Result<()> {
        let limit = match pages {
            Some(pages) => {
                let now: u64 = self
                    .conn
                    .query_row("PRAGMA page_count", [], |row| row.get(0))?;
                now.saturating_add(pages)
            }
            // SQLite's own ceiling: the pragma clamps any larger value to it.
            None => u64::from(u32::MAX) - 1,
        };
        self.conn.pragma_update(None, "max_page_count", limit)?;
        Ok(())
    }

    fn table_exists(&self, name: &str) -> Result<bool> {
        Ok(self.conn.query_row(
            "SELECT count(*) > 0 FROM sqlite_schema WHERE type = 'table' AND name = ?1",
            [name],
            |row| row.get(0),
        )?)
    }

    /// Runs `work` in one write transaction, committed only if it returns `Ok`.
    ///
    /// IMMEDIATE takes the write lock at BEGIN: a deferred transaction that reads first and
    /// writes later can fail mid-way with `SQLITE_BUSY` when another connection wrote meanwhile,
    /// which the busy timeout cannot fix.
    pub(crate) fn write<T>(
        &mut self,
        work: impl FnOnce(&Transaction<'_>) -> Result<T>,
    ) -> Result<T> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = work(&tx)?;
        tx.commit()?;
        Ok(value)
    }

    /// Runs `work` in one read transaction, so that its several queries see one state.
    pub(crate) fn read<T>(&self, work: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let tx = self.conn.unchecked_transaction()?;
        let value = work(&tx)?;
        tx.finish()?;
        Ok(value)
    }
}

impl Drop for Library {
    fn drop(&mut self) {
        // SQLite's advice for long-lived connections: refresh planner statistics on close.
        // Best effort; a failure here changes nothing about the data.
        let _ = self.conn.execute_batch("PRAGMA optimize");
    }
}

/// Now, in Unix seconds.
pub(crate) fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::assert_healthy;

    #[test]
    fn file_database_uses_wal_and_foreign_keys() {
        let dir = tempfile::tempdir().unwrap();
        let library = Library::open(dir.path().join("library.sqlite")).unwrap();
        let mode: String = library
            .conn
            .pragma_query_value(None, "journal_mode", |row| row.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let foreign_keys: bool = library
            .conn
            .pragma_query_value(None, "foreign_keys", |row| row.get(0))
            .unwrap();
        assert!(foreign_keys);
        // 1 = NORMAL.
        let synchronous: i64 = library
            .conn
            .pragma_query_value(None, "synchronous", |row| row.get(0))
            .unwrap();
        assert_eq!(synchronous, 1);
        assert_healthy(&library);
    }

    #[test]
    fn bundled_sqlite_has_fts5() {
        let library = Library::open_in_memory().unwrap();
        let enabled: bool = library
            .conn
            .query_row(
                "SELECT sqlite_compileoption_used('ENABLE_FTS5')",
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert!(enabled);
        assert_healthy(&library);
    }

    #[test]
    fn missing_folder_is_an_open_error() {
        let dir = tempfile::tempdir().unwrap();
        let error = Library::open(dir.path().join("no/such/folder/library.sqlite")).unwrap_err();
        assert_eq!(error.kind(), crate::ErrorKind::Open);
    }
}
