//! The pending operation log: every local playlist edit, in order, waiting for the server.
//!
//! Each entry says what the listener did in terms the API takes (positions, as in
//! [`strato_model::api::AddItems`] and [`strato_model::api::MoveItem`]) AND in terms that
//! survive other edits (an [`Anchor`]: "after item X", "at the end"). The plain position is
//! what to send while the server is still at `base_revision`; the anchor is what a rebase
//! uses after a 412, when positions may have shifted.

use rusqlite::{Connection, OptionalExtension as _, Row, params};
use serde::{Deserialize, Serialize};

use crate::catalog::collect;
use crate::error::{Error, Result};
use crate::library::{Library, unix_now};
use crate::sync_records::{self, NewRecord, SyncRecordKind};

/// Where an insert or a move lands, as the listener meant it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "at", rename_all = "snake_case")]
pub enum Anchor {
    /// Before every other item.
    Start,
    /// After every other item (an append stays an append however the list grew).
    End,
    /// Right after this item; if it is gone by the time the edit is rebased, the recorded
    /// position (clamped) is used instead.
    After { item_id: String },
}

/// A track added by an [`PlaylistOp::AddTracks`], with the item id the client gave it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddedItem {
    pub item_id: String,
    pub track_id: String,
    pub added_at: i64,
}

/// One playlist edit, as logged. The serde form is the `payload` column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum PlaylistOp {
    /// `POST /v1/playlists`. The playlist has a client id until the server answers.
    Create { name: String, description: String },
    /// `PATCH` with a name.
    Rename { name: String },
    /// `PATCH` with a description.
    Describe { description: String },
    /// `DELETE /v1/playlists/{id}`.
    Delete,
    /// `POST .../items`; `position` is `None` for an append.
    AddTracks {
        items: Vec<AddedItem>,
        position: Option<u32>,
        anchor: Anchor,
    },
    /// `DELETE .../items/{item_id}`.
    RemoveItem { item_id: String },
    /// `POST .../items/{item_id}/move`; `position` counts without the moved item.
    MoveItem {
        item_id: String,
        position: u32,
        anchor: Anchor,
    },
}

impl PlaylistOp {
    /// The `kind` column's value (the same as the payload's `kind` tag).
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Create { .. } => "create",
            Self::Rename { .. } => "rename",
            Self::Describe { .. } => "describe",
            Self::Delete => "delete",
            Self::AddTracks { .. } => "add_tracks",
            Self::RemoveItem { .. } => "remove_item",
            Self::MoveItem { .. } => "move_item",
        }
    }
}

/// Whether the sync engine should still try an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpState {
    /// Waiting to be sent (or re-sent).
    Pending,
    /// The server can never accept it (for instance its playlist was deleted elsewhere). Kept
    /// so the listener is told, never dropped silently; it leaves when they dismiss it.
    Rejected,
}

/// An entry of the operation log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingOp {
    /// Order of the edits, and the entry's identity. Never reused.
    pub seq: i64,
    pub playlist_id: String,
    pub op: PlaylistOp,
    /// Send as `Idempotency-Key`; the same for every retry of this entry.
    pub idempotency_key: String,
    /// The server revision the edit was made against; `None` if the playlist was not on the
    /// server yet.
    pub base_revision: Option<u64>,
    pub created_at: i64,
    pub state: OpState,
    /// Failed attempts so far (for back-off, and for giving up on an edit that always
    /// fails). A note of [`Library::record_op_note`] is not one.
    pub attempts: u32,
    pub last_error: Option<String>,
    pub last_attempt_at: Option<i64>,
}

const OP_COLUMNS: &str = "seq, playlist_id, payload, idempotency_key, base_revision, \
     created_at, state, attempts, last_error, last_attempt_at";

/// Appends `op` to the log inside the caller's transaction; returns its `seq`.
pub(crate) fn append(
    tx: &Connection,
    playlist_id: &str,
    base_revision: Option<u64>,
    op: &PlaylistOp,
    now: i64,
) -> Result<i64> {
    let payload = serde_json::to_string(op).map_err(|e| Error::Invalid(e.to_string()))?;
    tx.prepare_cached(
        "INSERT INTO pending_ops (kind, playlist_id, payload, idempotency_key, base_revision, \
             created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        op.kind(),
        playlist_id,
        payload,
        uuid::Uuid::new_v4().to_string(),
        base_revision,
        now
    ])?;
    Ok(tx.last_insert_rowid())
}

/// Replaces an entry's operation and base revision (after a rebase or an item-id alias),
/// inside the caller's transaction. Its idempotency key stays: the server stored nothing
/// under it, since only accepted requests are stored and this one has not been accepted.
pub(crate) fn rewrite(
    tx: &Connection,
    seq: i64,
    op: &PlaylistOp,
    base_revision: Option<u64>,
) -> Result<()> {
    let payload = serde_json::to_string(op).map_err(|e| Error::Invalid(e.to_string()))?;
    let changed = tx
        .prepare_cached("UPDATE pending_ops SET payload = ?2, base_revision = ?3 WHERE seq = ?1")?
        .execute(params![seq, payload, base_revision])?;
    ensure_changed(changed, seq)
}

/// The pending (not rejected) operations of one playlist, oldest first.
pub(crate) fn pending_for(conn: &Connection, playlist_id: &str) -> Result<Vec<PendingOp>> {
    let sql = format!(
        "SELECT {OP_COLUMNS} FROM pending_ops WHERE playlist_id = ?1 AND state = 'pending' \
         ORDER BY seq"
    );
    collect(conn, &sql, [playlist_id], op_from_row)?
        .into_iter()
        .collect()
}

/// Reads one entry; the payload is parsed after the row is read, so a corrupt payload is a
/// [`Error::Corrupt`] naming the entry rather than an opaque SQLite error.
fn op_from_row(row: &Row<'_>) -> rusqlite::Result<Result<PendingOp>> {
    let seq: i64 = row.get(0)?;
    let payload: String = row.get(2)?;
    let state: String = row.get(6)?;
    let fields = (
        row.get::<_, String>(1)?,
        row.get::<_, String>(3)?,
        row.get::<_, Option<u64>>(4)?,
        row.get::<_, i64>(5)?,
        row.get::<_, u32>(7)?,
        row.get::<_, Option<String>>(8)?,
        row.get::<_, Option<i64>>(9)?,
    );
    Ok((|| {
        let op = serde_json::from_str(&payload)
            .map_err(|e| Error::Corrupt(format!("operation {seq}: {e}")))?;
        let state = match state.as_str() {
            "pending" => OpState::Pending,
            "rejected" => OpState::Rejected,
            other => return Err(Error::Corrupt(format!("operation {seq}: state {other}"))),
        };
        let (
            playlist_id,
            idempotency_key,
            base_revision,
            created_at,
            attempts,
            last_error,
            last_attempt_at,
        ) = fields;
        Ok(PendingOp {
            seq,
            playlist_id,
            op,
            idempotency_key,
            base_revision,
            created_at,
            state,
            attempts,
            last_error,
            last_attempt_at,
        })
    })())
}

impl Library {
    /// Every operation still to send, oldest first (across playlists, in the order the
    /// listener made them).
    pub fn pending_ops(&self) -> Result<Vec<PendingOp>> {
        self.ops_in_state("pending")
    }

    /// The oldest operation still to send: what the sync engine sends next. Read afresh
    /// after every answer, since taking in a server snapshot may rebase the ones behind it.
    pub fn next_pending_op(&self) -> Result<Option<PendingOp>> {
        let sql = format!(
            "SELECT {OP_COLUMNS} FROM pending_ops WHERE state = 'pending' ORDER BY seq LIMIT 1"
        );
        collect(&self.conn, &sql, [], op_from_row)?
            .into_iter()
            .next()
            .transpose()
    }

    /// How many operations were ever logged (sequence numbers are never reused, so this is
    /// the highest one): the total that sync's accounting must explain.
    pub fn operations_ever_logged(&self) -> Result<u64> {
        Ok(self.conn.query_row(
            "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'pending_ops'), 0)",
            [],
            |row| row.get(0),
        )?)
    }

    /// How many operations wait to be sent (for the UI's "not synced yet").
    pub fn pending_op_count(&self) -> Result<u64> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM pending_ops WHERE state = 'pending'",
            [],
            |row| row.get(0),
        )?)
    }

    /// Operations the server refused for good, oldest first, for the UI to report.
    pub fn rejected_ops(&self) -> Result<Vec<PendingOp>> {
        self.ops_in_state("rejected")
    }

    fn ops_in_state(&self, state: &str) -> Result<Vec<PendingOp>> {
        let sql = format!("SELECT {OP_COLUMNS} FROM pending_ops WHERE state = ?1 ORDER BY seq");
        collect(&self.conn, &sql, [state], op_from_row)?
            .into_iter()
            .collect()
    }

    /// Records a failed attempt (network error, 5xx): the operation stays pending.
    pub fn mark_op_failed(&mut self, seq: i64, error: &str) -> Result<()> {
        let now = unix_now();
        self.write(|tx| {
            let changed = tx.execute(
                "UPDATE pending_ops SET attempts = attempts + 1, last_error = ?2, \
                     last_attempt_at = ?3 WHERE seq = ?1 AND state = 'pending'",
                params![seq, error, now],
            )?;
            ensure_changed(changed, seq)
        })
    }

    /// Records why an operation is still pending (it is being sent, the network is down)
    /// without counting a failed attempt: an engine that gives up after so many failures
    /// counts only those that are the operation's own.
    pub fn record_op_note(&mut self, seq: i64, note: &str) -> Result<()> {
        let now = unix_now();
        self.write(|tx| {
            let changed = tx.execute(
                "UPDATE pending_ops SET last_error = ?2, last_attempt_at = ?3 \
                 WHERE seq = ?1 AND state = 'pending'",
                params![seq, note, now],
            )?;
            ensure_changed(changed, seq)
        })
    }

    /// Parks an operation the server will never accept, with the reason to show. It is not
    /// re-applied to the local copy any more, and stays until [`Self::dismiss_rejected_op`].
    /// A [`crate::SyncRecord`] reports it.
    pub fn mark_op_rejected(&mut self, seq: i64, reason: &str) -> Result<()> {
        let now = unix_now();
        self.write(|tx| {
            let playlist_id: Option<String> = tx
                .query_row(
                    "UPDATE pending_ops SET state = 'rejected', last_error = ?2, \
                         last_attempt_at = ?3 WHERE seq = ?1 AND state = 'pending' \
                     RETURNING playlist_id",
                    params![seq, reason, now],
                    |row| row.get(0),
                )
                .optional()?;
            let playlist_id =
                playlist_id.ok_or_else(|| Error::not_found("operation", seq.to_string()))?;
            let name: Option<String> = tx
                .query_row(
                    "SELECT name FROM playlists WHERE id = ?1",
                    [&playlist_id],
                    |row| row.get(0),
                )
                .optional()?;
            let name = name.unwrap_or_else(|| "a playlist".to_owned());
            sync_records::record(
                tx,
                &NewRecord {
                    op_seq: Some(seq),
                    kind: SyncRecordKind::Refused,
                    playlist_id: Some(&playlist_id),
                    playlist_name: Some(&name),
                    message: format!("Your change to “{name}” could not be saved: {reason}"),
                    notify: true,
                },
            )?;
            Ok(())
        })
    }

    /// Forgets a rejected operation once the listener has seen it.
    pub fn dismiss_rejected_op(&mut self, seq: i64) -> Result<()> {
        self.write(|tx| {
            let changed = tx.execute(
                "DELETE FROM pending_ops WHERE seq = ?1 AND state = 'rejected'",
                [seq],
            )?;
            ensure_changed(changed, seq)
        })
    }
}

pub(crate) fn ensure_changed(changed: usize, seq: i64) -> Result<()> {
    if changed == 0 {
        Err(Error::not_found("operation", seq.to_string()))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::assert_healthy;

    #[test]
    fn payload_is_tagged_json() {
        let op = PlaylistOp::MoveItem {
            item_id: "i1".into(),
            position: 3,
            anchor: Anchor::After {
                item_id: "i0".into(),
            },
        };
        let json = serde_json::to_value(&op).unwrap();
        assert_eq!(json["kind"], op.kind());
        assert_eq!(json["anchor"]["at"], "after");
        let back: PlaylistOp = serde_json::from_value(json).unwrap();
        assert_eq!(back, op);
        let delete = serde_json::to_value(PlaylistOp::Delete).unwrap();
        assert_eq!(delete["kind"], "delete");
    }

    #[test]
    fn a_note_says_why_an_op_waits_without_counting_a_failure() {
        let mut library = Library::open_in_memory().unwrap();
        let seq = library.create_playlist("Mix", "").unwrap().op_seq;
        library.record_op_note(seq, "sending").unwrap();
        let op = library.next_pending_op().unwrap().unwrap();
        assert_eq!(
            (op.attempts, op.last_error.as_deref()),
            (0, Some("sending"))
        );
        assert!(op.last_attempt_at.is_some());
        library.mark_op_failed(seq, "HTTP 500").unwrap();
        let op = library.next_pending_op().unwrap().unwrap();
        assert_eq!(
            (op.attempts, op.last_error.as_deref()),
            (1, Some("HTTP 500"))
        );
        assert_healthy(&library);
    }

    #[test]
    fn corrupt_payload_is_reported_not_skipped() {
        let mut library = Library::open_in_memory().unwrap();
        library
            .conn
            .execute(
                "INSERT INTO pending_ops (kind, playlist_id, payload, idempotency_key, created_at) \
                 VALUES ('rename', 'p', '{\"kind\":\"teleport\"}', 'k', 0)",
                [],
            )
            .unwrap();
        let error = library.pending_ops().unwrap_err();
        assert_eq!(error.kind(), crate::ErrorKind::Corrupt);
        assert!(library.mark_op_failed(99, "x").is_err());
        assert!(library.record_op_note(99, "x").is_err());
        assert_healthy(&library);
    }
}
