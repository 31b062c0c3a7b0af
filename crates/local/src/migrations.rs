//! Schema migrations of the local-files index: `.sql` files under `migrations/`, embedded in
//! the binary, applied in order at open, each in its own transaction, versioned by
//! `PRAGMA user_version` (as the library's own database is).
//!
//! Version `n` means migrations `1..=n` have applied. `user_version` is written inside the
//! step's transaction, so a crash leaves the database at the previous version with none of
//! the half-applied step. A database newer than [`LATEST_VERSION`] is refused, never
//! "downgraded".

use rusqlite::{Connection, TransactionBehavior};

use crate::error::{LocalError, LocalErrorKind, Result};

/// One step of the schema.
#[derive(Debug, Clone, Copy)]
struct Migration {
    /// The version the database is at after this step (the file's number).
    version: u32,
    /// The SQL, run as one batch.
    sql: &'static str,
}

/// Every migration, in order. Append only: a released step is never edited.
const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        sql: include_str!("../migrations/0001_local_index.sql"),
    },
    Migration {
        version: 2,
        sql: include_str!("../migrations/0002_folder_device.sql"),
    },
    Migration {
        version: 3,
        sql: include_str!("../migrations/0003_local_playlists.sql"),
    },
    Migration {
        version: 4,
        sql: include_str!("../migrations/0004_file_problem.sql"),
    },
    Migration {
        version: 5,
        sql: include_str!("../migrations/0005_removed_item_tags.sql"),
    },
];

/// The schema version this build writes.
pub const LATEST_VERSION: u32 = MIGRATIONS[MIGRATIONS.len() - 1].version;

/// The schema version of the database behind `conn` (0 for a new file).
pub(crate) fn schema_version(conn: &Connection) -> Result<u32> {
    let version: u32 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    Ok(version)
}

/// Brings the database up to [`LATEST_VERSION`].
pub(crate) fn migrate(conn: &mut Connection) -> Result<()> {
    let found = schema_version(conn)?;
    if found > LATEST_VERSION {
        return Err(LocalError::new(
            LocalErrorKind::TooNew,
            format!(
                "The index of your local files was written by a newer Strato (schema {found}, \
                 this version knows up to {LATEST_VERSION}); please update Strato."
            ),
        ));
    }
    for step in MIGRATIONS.iter().filter(|m| m.version > found) {
        apply(conn, step)?;
    }
    Ok(())
}

fn apply(conn: &mut Connection, step: &Migration) -> Result<()> {
    // IMMEDIATE: the write lock up front, so two processes opening the same new file cannot
    // both start the same step.
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Re-read inside the lock: another process may have migrated while we waited.
    let current: u32 = tx.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if current >= step.version {
        return Ok(());
    }
    tx.execute_batch(step.sql)?;
    tx.pragma_update(None, "user_version", step.version)?;
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_dense() {
        for (index, step) in MIGRATIONS.iter().enumerate() {
            assert_eq!(step.version as usize, index + 1);
        }
    }

    #[test]
    fn a_new_database_reaches_the_latest_version_once() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        assert_eq!(schema_version(&conn).unwrap(), LATEST_VERSION);
        migrate(&mut conn).unwrap();
        assert_eq!(schema_version(&conn).unwrap(), LATEST_VERSION);
        let verdict: String = conn
            .query_row("PRAGMA integrity_check", [], |row| row.get(0))
            .unwrap();
        assert_eq!(verdict, "ok");
    }

    #[test]
    fn a_newer_database_is_refused_and_left_alone() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", LATEST_VERSION + 1)
            .unwrap();
        let error = migrate(&mut conn).unwrap_err();
        assert_eq!(error.kind(), LocalErrorKind::TooNew);
        assert!(error.message().contains("newer Strato"), "{error}");
        assert_eq!(schema_version(&conn).unwrap(), LATEST_VERSION + 1);
    }
}
