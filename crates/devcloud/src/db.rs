//! devcloud's SQLite database (`DATA_DIR/devcloud.db`: playlists, uploads, `OpenSubsonic` state),
//! owned by one dedicated thread so database work never blocks the async runtime. Callers send
//! closures and await their results.

use std::path::Path;
use std::sync::mpsc;

use rusqlite::Connection;

/// The schema, versioned by `PRAGMA user_version`: one script per version, each run once in
/// its own transaction.
const MIGRATIONS: &[&str] = &[
    include_str!("playlists/schema.sql"),
    include_str!("uploads/schema.sql"),
    include_str!("playlists/public.sql"),
    include_str!("auth/signed_out.sql"),
    include_str!("telemetry/schema.sql"),
    include_str!("subsonic/schema.sql"),
];

/// Why the database could not be used.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("opening {path}: {source}")]
    Open {
        path: String,
        source: rusqlite::Error,
    },
    #[error("migrating the schema: {0}")]
    Migrate(rusqlite::Error),
    #[error("reading at start: {0}")]
    Read(rusqlite::Error),
    #[error("the database is version {found}, newer than this devcloud knows ({known})")]
    TooNew { found: i64, known: usize },
    #[error("the database thread has stopped")]
    Stopped,
    #[error("starting the database thread: {0}")]
    Thread(std::io::Error),
}

type Job = Box<dyn FnOnce(&mut Connection) + Send>;

/// A handle to the database thread. Cloning is cheap; the thread ends with the last handle.
#[derive(Debug, Clone)]
pub struct Db {
    jobs: mpsc::Sender<Job>,
}

impl Db {
    /// Opens (creating if needed) and migrates the database at `path`, on its own thread.
    pub async fn open(path: &Path) -> Result<Self, DbError> {
        let path = path.to_owned();
        Self::start(move || {
            let conn = Connection::open(&path).map_err(|source| DbError::Open {
                path: path.display().to_string(),
                source,
            })?;
            prepare(conn)
        })
        .await
    }

    /// An in-memory database, for tests.
    pub async fn open_in_memory() -> Result<Self, DbError> {
        Self::start(|| {
            let conn = Connection::open_in_memory().map_err(|source| DbError::Open {
                path: ":memory:".into(),
                source,
            })?;
            prepare(conn)
        })
        .await
    }

    async fn start(
        open: impl FnOnce() -> Result<Connection, DbError> + Send + 'static,
    ) -> Result<Self, DbError> {
        let (jobs, queue) = mpsc::channel::<Job>();
        let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
        std::thread::Builder::new()
            .name("devcloud-db".into())
            .spawn(move || {
                let mut conn = match open() {
                    Ok(conn) => {
                        let _ = ready_tx.send(Ok(()));
                        conn
                    }
                    Err(error) => {
                        let _ = ready_tx.send(Err(error));
                        return;
                    }
                };
                for job in queue {
                    job(&mut conn);
                }
            })
            .map_err(DbError::Thread)?;
        ready_rx.await.map_err(|_| DbError::Stopped)??;
        Ok(Self { jobs })
    }

    /// Runs `work` on the database thread and returns its result.
    pub async fn call<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> T + Send + 'static,
    ) -> Result<T, DbError> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.jobs
            .send(Box::new(move |conn| {
                let _ = tx.send(work(conn));
            }))
            .map_err(|_| DbError::Stopped)?;
        rx.await.map_err(|_| DbError::Stopped)
    }
}

fn prepare(mut conn: Connection) -> Result<Connection, DbError> {
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(DbError::Migrate)?;
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(DbError::Migrate)?;
    conn.pragma_update(None, "foreign_keys", true)
        .map_err(DbError::Migrate)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .map_err(DbError::Migrate)?;
    migrate(&mut conn)?;
    Ok(conn)
}

/// A migrated in-memory connection, for tests of the operations.
#[cfg(test)]
pub(crate) fn memory_connection() -> Connection {
    prepare(Connection::open_in_memory().expect("in-memory SQLite")).expect("migrating")
}

fn migrate(conn: &mut Connection) -> Result<(), DbError> {
    let found: i64 = conn
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(DbError::Migrate)?;
    let version = usize::try_from(found).unwrap_or(usize::MAX);
    if version > MIGRATIONS.len() {
        return Err(DbError::TooNew {
            found,
            known: MIGRATIONS.len(),
        });
    }
    for (index, sql) in (1i64..).zip(MIGRATIONS).skip(version) {
        let tx = conn.transaction().map_err(DbError::Migrate)?;
        tx.execute_batch(sql).map_err(DbError::Migrate)?;
        tx.pragma_update(None, "user_version", index)
            .map_err(DbError::Migrate)?;
        tx.commit().map_err(DbError::Migrate)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_file_database_is_migrated_once_and_reopens() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let db = Db::open(&path).await.unwrap();
        let (version, mode, fks) = db
            .call(|c| {
                let v: i64 = c
                    .pragma_query_value(None, "user_version", |r| r.get(0))
                    .unwrap();
                let m: String = c
                    .pragma_query_value(None, "journal_mode", |r| r.get(0))
                    .unwrap();
                let f: bool = c
                    .pragma_query_value(None, "foreign_keys", |r| r.get(0))
                    .unwrap();
                (v, m, f)
            })
            .await
            .unwrap();
        assert_eq!(
            (version, mode.as_str(), fks),
            (i64::try_from(MIGRATIONS.len()).unwrap(), "wal", true)
        );
        drop(db);
        let again = Db::open(&path).await.unwrap();
        let count: i64 = again
            .call(|c| {
                c.query_row("SELECT count(*) FROM playlists", [], |r| r.get(0))
                    .unwrap()
            })
            .await
            .unwrap();
        assert_eq!(count, 0);
    }

    #[tokio::test]
    async fn a_newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", 99)
            .unwrap();
        assert!(matches!(
            Db::open(&path).await,
            Err(DbError::TooNew { found: 99, .. })
        ));
    }
}
