//! Sync records: what the conflict policy did with an edit other than send it, and what the
//! server refused. Shown to the listener until dismissed, so no edit disappears unseen.

use rusqlite::{Connection, OptionalExtension as _, Row, params};

use crate::catalog::collect;
use crate::error::{Error, Result};
use crate::library::{Library, unix_now};

/// Why a record was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncRecordKind {
    /// A move of an item that another device removed meanwhile: dropped.
    MoveDropped,
    /// A remove of an item that another device had already removed: nothing left to do.
    AlreadyRemoved,
    /// The playlist was deleted on another device; the edits made here are kept in a copy.
    RestoredCopy,
    /// Another device renamed the playlist while a rename made here was waiting; ours was
    /// written later and wins, theirs is recorded here.
    RenameReplaced,
    /// The server refused the edit for good (an unknown track, say).
    Refused,
    /// Offline copies of tracks the service no longer has were removed (about no playlist).
    OfflineRemoved,
}

impl SyncRecordKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::MoveDropped => "move_dropped",
            Self::AlreadyRemoved => "already_removed",
            Self::RestoredCopy => "restored_copy",
            Self::RenameReplaced => "rename_replaced",
            Self::Refused => "refused",
            Self::OfflineRemoved => "offline_removed",
        }
    }

    fn parse(value: &str) -> Option<Self> {
        [
            Self::MoveDropped,
            Self::AlreadyRemoved,
            Self::RestoredCopy,
            Self::RenameReplaced,
            Self::Refused,
            Self::OfflineRemoved,
        ]
        .into_iter()
        .find(|kind| kind.as_str() == value)
    }
}

/// One record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncRecord {
    pub id: i64,
    /// The operation log entry it accounts for, if it is about one edit.
    pub op_seq: Option<i64>,
    pub kind: SyncRecordKind,
    /// The playlist it is about (`None` for [`SyncRecordKind::OfflineRemoved`]).
    pub playlist_id: Option<String>,
    /// The playlist's name when the record was made.
    pub playlist_name: Option<String>,
    /// A sentence for the listener.
    pub message: String,
    pub created_at: i64,
    /// Worth showing (false for records that only complete the accounting).
    pub notify: bool,
}

/// What to write; see [`record`].
pub(crate) struct NewRecord<'a> {
    pub op_seq: Option<i64>,
    pub kind: SyncRecordKind,
    pub playlist_id: Option<&'a str>,
    pub playlist_name: Option<&'a str>,
    pub message: String,
    pub notify: bool,
}

/// Writes a record inside the caller's transaction.
pub(crate) fn record(conn: &Connection, new: &NewRecord<'_>) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO sync_records (op_seq, kind, playlist_id, playlist_name, message, \
             created_at, notify) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        new.op_seq,
        new.kind.as_str(),
        new.playlist_id,
        new.playlist_name,
        new.message,
        unix_now(),
        new.notify
    ])?;
    Ok(conn.last_insert_rowid())
}

/// A track's title for a message, or a neutral phrase when it is not cached.
pub(crate) fn track_label(conn: &Connection, track_id: &str) -> Result<String> {
    let title: Option<String> = conn
        .prepare_cached("SELECT title FROM tracks WHERE id = ?1")?
        .query_row([track_id], |row| row.get(0))
        .optional()?;
    Ok(title.map_or_else(|| "a track".to_owned(), |title| format!("“{title}”")))
}

const RECORD_COLUMNS: &str =
    "id, op_seq, kind, playlist_id, playlist_name, message, created_at, notify";

fn record_from_row(row: &Row<'_>) -> rusqlite::Result<Result<SyncRecord>> {
    let id: i64 = row.get(0)?;
    let kind: String = row.get(2)?;
    let fields = (
        row.get::<_, Option<i64>>(1)?,
        row.get::<_, Option<String>>(3)?,
        row.get::<_, Option<String>>(4)?,
        row.get::<_, String>(5)?,
        row.get::<_, i64>(6)?,
        row.get::<_, bool>(7)?,
    );
    Ok(SyncRecordKind::parse(&kind)
        .ok_or_else(|| Error::Corrupt(format!("sync record {id}: kind {kind}")))
        .map(|kind| {
            let (op_seq, playlist_id, playlist_name, message, created_at, notify) = fields;
            SyncRecord {
                id,
                op_seq,
                kind,
                playlist_id,
                playlist_name,
                message,
                created_at,
                notify,
            }
        }))
}

impl Library {
    /// Records the listener has not dismissed yet, oldest first; `notify_only` leaves out
    /// the ones that only complete the accounting.
    pub fn sync_records(&self, notify_only: bool) -> Result<Vec<SyncRecord>> {
        let sql = format!(
            "SELECT {RECORD_COLUMNS} FROM sync_records WHERE dismissed = 0 \
             AND (notify = 1 OR ?1 = 0) ORDER BY id"
        );
        collect(&self.conn, &sql, [notify_only], record_from_row)?
            .into_iter()
            .collect()
    }

    /// Every record ever made, dismissed ones included (for the accounting in tests and
    /// diagnostics).
    pub fn all_sync_records(&self) -> Result<Vec<SyncRecord>> {
        let sql = format!("SELECT {RECORD_COLUMNS} FROM sync_records ORDER BY id");
        collect(&self.conn, &sql, [], record_from_row)?
            .into_iter()
            .collect()
    }

    /// The listener has seen a record. A refused operation it reports leaves the log then.
    pub fn dismiss_sync_record(&mut self, id: i64) -> Result<()> {
        self.write(|tx| {
            let op_seq: Option<Option<i64>> = tx
                .query_row(
                    "UPDATE sync_records SET dismissed = 1 WHERE id = ?1 RETURNING op_seq",
                    [id],
                    |row| row.get(0),
                )
                .optional()?;
            let Some(op_seq) = op_seq else {
                return Err(Error::not_found("sync record", id.to_string()));
            };
            if let Some(seq) = op_seq {
                tx.execute(
                    "DELETE FROM pending_ops WHERE seq = ?1 AND state = 'rejected'",
                    [seq],
                )?;
            }
            Ok(())
        })
    }
}
