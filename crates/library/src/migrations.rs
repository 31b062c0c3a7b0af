//! Schema migrations: `.sql` files under `migrations/`, embedded in the binary, applied in
//! order at open, each in its own transaction, versioned by `PRAGMA user_version`.
//!
//! Version `n` means migrations `1..=n` have applied. `user_version` lives in the database
//! header and is written inside the migration's transaction, so a crash leaves the database at
//! the previous version with none of the half-applied step. A database whose version is above
//! [`LATEST_VERSION`] is refused ([`Error::TooNew`]), never "downgraded".

use rusqlite::{Connection, TransactionBehavior};

use crate::error::{Error, Result};

/// One step of the schema.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// The version the database is at after this step (the file's number).
    pub version: u32,
    /// The file's name without number and extension, for error messages.
    pub name: &'static str,
    /// The SQL, run as one batch.
    pub sql: &'static str,
}

/// Every migration, in order. Append only: a released step is never edited.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "catalog_and_playlists",
        sql: include_str!("../migrations/0001_catalog_and_playlists.sql"),
    },
    Migration {
        version: 2,
        name: "search",
        sql: include_str!("../migrations/0002_search.sql"),
    },
    Migration {
        version: 3,
        name: "downloads_queue_history",
        sql: include_str!("../migrations/0003_downloads_queue_history.sql"),
    },
    Migration {
        version: 4,
        name: "sync_records",
        sql: include_str!("../migrations/0004_sync_records.sql"),
    },
    Migration {
        version: 5,
        name: "offline_collections",
        sql: include_str!("../migrations/0005_offline_collections.sql"),
    },
    Migration {
        version: 6,
        name: "id_aliases",
        sql: include_str!("../migrations/0006_id_aliases.sql"),
    },
    Migration {
        version: 7,
        name: "covers",
        sql: include_str!("../migrations/0007_covers.sql"),
    },
    Migration {
        version: 8,
        name: "queue_entries",
        sql: include_str!("../migrations/0008_queue_entries.sql"),
    },
    Migration {
        version: 9,
        name: "catalog_rank",
        sql: include_str!("../migrations/0009_catalog_rank.sql"),
    },
    Migration {
        version: 10,
        name: "uploads",
        sql: include_str!("../migrations/0010_uploads.sql"),
    },
    Migration {
        version: 11,
        name: "unavailable_tracks",
        sql: include_str!("../migrations/0011_unavailable_tracks.sql"),
    },
    Migration {
        version: 12,
        name: "offline_removed",
        sql: include_str!("../migrations/0012_offline_removed.sql"),
    },
    Migration {
        version: 13,
        name: "playlist_public",
        sql: include_str!("../migrations/0013_playlist_public.sql"),
    },
    Migration {
        version: 14,
        name: "play_metrics",
        sql: include_str!("../migrations/0014_play_metrics.sql"),
    },
    Migration {
        version: 15,
        name: "telemetry",
        sql: include_str!("../migrations/0015_telemetry.sql"),
    },
    Migration {
        version: 16,
        name: "track_loudness",
        sql: include_str!("../migrations/0016_track_loudness.sql"),
    },
    Migration {
        version: 17,
        name: "listens",
        sql: include_str!("../migrations/0017_listens.sql"),
    },
    Migration {
        version: 18,
        name: "lyrics",
        sql: include_str!("../migrations/0018_lyrics.sql"),
    },
    Migration {
        version: 19,
        name: "playlist_last_seen",
        sql: include_str!("../migrations/0019_playlist_last_seen.sql"),
    },
    Migration {
        version: 20,
        name: "stars",
        sql: include_str!("../migrations/0020_stars.sql"),
    },
    Migration {
        version: 21,
        name: "availability_checked",
        sql: include_str!("../migrations/0021_availability_checked.sql"),
    },
];

/// The schema version this build writes.
pub const LATEST_VERSION: u32 = MIGRATIONS[MIGRATIONS.len() - 1].version;

/// The schema version of the database behind `conn` (0 for a new file).
pub fn schema_version(conn: &Connection) -> Result<u32> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    u32::try_from(version).map_err(|_| Error::Corrupt(format!("schema version {version}")))
}

/// Brings the database up to [`LATEST_VERSION`].
pub(crate) fn migrate(conn: &mut Connection) -> Result<()> {
    migrate_to(conn, LATEST_VERSION)
}

/// Brings the database up to `target`, which must be a known version. Public for tests and
/// tools that need a database as an older Strato left it; the app only ever migrates to the
/// latest version (through [`crate::Library::open`]).
pub fn migrate_to(conn: &mut Connection, target: u32) -> Result<()> {
    let found = schema_version(conn)?;
    if found > LATEST_VERSION {
        return Err(Error::TooNew {
            found,
            supported: LATEST_VERSION,
        });
    }
    if target > LATEST_VERSION {
        return Err(Error::Invalid(format!(
            "schema version {target} does not exist (latest is {LATEST_VERSION})"
        )));
    }
    for step in MIGRATIONS
        .iter()
        .filter(|m| m.version > found && m.version <= target)
    {
        apply(conn, step).map_err(|source| Error::Migration {
            version: step.version,
            name: step.name,
            source,
        })?;
    }
    Ok(())
}

fn apply(conn: &mut Connection, step: &Migration) -> rusqlite::Result<()> {
    // IMMEDIATE: take the write lock up front, so two processes opening the same new file
    // cannot both start the same migration.
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Re-read inside the lock: another process may have migrated while we waited.
    let current: u32 = tx.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if current >= step.version {
        return Ok(());
    }
    tx.execute_batch(step.sql)?;
    tx.pragma_update(None, "user_version", step.version)?;
    tx.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_integrity(conn: &Connection) {
        let verdict: String = conn
            .query_row("PRAGMA integrity_check", [], |row| row.get(0))
            .unwrap();
        assert_eq!(verdict, "ok");
    }

    #[test]
    fn versions_are_dense_and_match_file_numbers() {
        for (index, step) in MIGRATIONS.iter().enumerate() {
            assert_eq!(step.version as usize, index + 1, "{}", step.name);
        }
    }

    #[test]
    fn fresh_database_reaches_latest_version() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        assert_eq!(schema_version(&conn).unwrap(), LATEST_VERSION);
        // Idempotent: a second run is a no-op.
        migrate(&mut conn).unwrap();
        assert_eq!(schema_version(&conn).unwrap(), LATEST_VERSION);
        assert_integrity(&conn);
    }

    #[test]
    fn newer_database_is_refused_not_downgraded() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", LATEST_VERSION + 1)
            .unwrap();
        let error = migrate(&mut conn).unwrap_err();
        assert!(matches!(error, Error::TooNew { .. }), "{error:?}");
        assert!(
            error
                .to_string()
                .contains("newer than this version of Strato")
        );
        assert_eq!(schema_version(&conn).unwrap(), LATEST_VERSION + 1);
        assert_integrity(&conn);
    }

    #[test]
    fn failed_step_leaves_previous_version() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate_to(&mut conn, 1).unwrap();
        // Sabotage step 2: its triggers need the `tracks` table.
        conn.execute_batch("DROP TABLE tracks").unwrap();
        let error = migrate(&mut conn).unwrap_err();
        assert!(
            matches!(error, Error::Migration { version: 2, .. }),
            "{error:?}"
        );
        assert_eq!(schema_version(&conn).unwrap(), 1);
        let search_tables: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE name = 'tracks_search'",
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(search_tables, 0, "half of step 2 stayed behind");
        assert_integrity(&conn);
    }
}
