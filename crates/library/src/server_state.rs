//! Taking in what the server says: snapshots of playlists, acknowledged operations,
//! deletions. These are the primitives a sync engine builds on; the engine itself (HTTP,
//! retries, 412 handling, rebasing the positions it sends) lives elsewhere.
//!
//! The invariant they keep: the local copy of a playlist is always the newest server
//! snapshot with every still-pending operation applied on top. So a snapshot never makes an
//! offline edit disappear from the listener's view, and an acknowledged operation is never
//! applied twice (it leaves the log in the same transaction that takes in the server's
//! answer).

use rusqlite::{Connection, OptionalExtension as _, Transaction, params};
use strato_model::api::Playlist;

use crate::error::{Error, Result};
use crate::library::{Library, unix_now};
use crate::op_log::{self, ensure_changed};
use crate::order_key;
use crate::playlist_apply;
use crate::playlists::{self, PlaylistInfo};

/// What taking in a server snapshot did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotOutcome {
    /// The local copy now.
    pub playlist: PlaylistInfo,
    /// Pending operations that no longer apply to the new snapshot (their item is gone, say).
    /// They stay in the log; the sync engine decides (typically: reject, so the listener is
    /// told).
    pub unapplied_ops: Vec<i64>,
    /// The snapshot was older than the one already held, and was ignored.
    pub stale: bool,
}

impl Library {
    /// Replaces the local copy of a playlist with the server's, then applies the pending
    /// operations on top again. A snapshot older than the one held is ignored (responses can
    /// arrive out of order).
    pub fn apply_server_snapshot(&mut self, snapshot: &Playlist) -> Result<SnapshotOutcome> {
        self.write(|tx| take_snapshot(tx, snapshot))
    }

    /// The server accepted operation `seq`: it leaves the log. If the server answered with the
    /// playlist (`server_state`), that snapshot is taken in within the same transaction. For a
    /// create, the snapshot's id replaces the client id everywhere (items follow by cascade,
    /// later operations are re-pointed). After an acknowledged delete, the tombstone goes.
    pub fn mark_op_done(
        &mut self,
        seq: i64,
        server_state: Option<&Playlist>,
    ) -> Result<Option<SnapshotOutcome>> {
        self.write(|tx| {
            let (playlist_id, kind): (String, String) = tx
                .query_row(
                    "SELECT playlist_id, kind FROM pending_ops WHERE seq = ?1 AND state = 'pending'",
                    [seq],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()?
                .ok_or_else(|| Error::not_found("operation", seq.to_string()))?;
            ensure_changed(tx.execute("DELETE FROM pending_ops WHERE seq = ?1", [seq])?, seq)?;
            let Some(snapshot) = server_state else {
                if kind == "delete" {
                    tx.execute(
                        "DELETE FROM playlists WHERE id = ?1 AND deleted = 1",
                        [&playlist_id],
                    )?;
                }
                return Ok(None);
            };
            if snapshot.id != playlist_id {
                if kind != "create" {
                    return Err(Error::Invalid(format!(
                        "the server answered operation {seq} on playlist {playlist_id} \
                         with playlist {}",
                        snapshot.id
                    )));
                }
                rekey(tx, &playlist_id, &snapshot.id)?;
            }
            take_snapshot(tx, snapshot).map(Some)
        })
    }

    /// The server says the playlist is gone (deleted on another device). The local copy goes;
    /// a pending delete of it is satisfied; any other pending edit of it can never apply and
    /// is marked rejected, so the listener is told. Returns the rejected operations.
    pub fn apply_server_deletion(&mut self, playlist_id: &str) -> Result<Vec<i64>> {
        let now = unix_now();
        self.write(|tx| {
            tx.execute("DELETE FROM playlists WHERE id = ?1", [playlist_id])?;
            tx.execute(
                "DELETE FROM pending_ops WHERE playlist_id = ?1 AND kind = 'delete' \
                 AND state = 'pending'",
                [playlist_id],
            )?;
            let mut reject = tx.prepare_cached(
                "UPDATE pending_ops SET state = 'rejected', last_attempt_at = ?2, \
                     last_error = 'the playlist was deleted on another device' \
                 WHERE playlist_id = ?1 AND state = 'pending' RETURNING seq",
            )?;
            let rejected = reject
                .query_map(params![playlist_id, now], |row| row.get(0))?
                .collect::<rusqlite::Result<Vec<i64>>>()?;
            Ok(rejected)
        })
    }
}

fn take_snapshot(tx: &Transaction<'_>, snapshot: &Playlist) -> Result<SnapshotOutcome> {
    let held: Option<Option<u64>> = tx
        .query_row(
            "SELECT server_revision FROM playlists WHERE id = ?1",
            [&snapshot.id],
            |row| row.get(0),
        )
        .optional()?;
    let stale = held.flatten().is_some_and(|held| held > snapshot.revision);
    if stale {
        let playlist = playlists::info(tx, &snapshot.id)?
            .ok_or_else(|| Error::not_found("playlist", snapshot.id.clone()))?;
        return Ok(SnapshotOutcome {
            playlist,
            unapplied_ops: Vec::new(),
            stale,
        });
    }
    tx.execute(
        "INSERT INTO playlists (id, name, description, server_revision, created_at, updated_at, \
             deleted) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0) \
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, \
             description = excluded.description, server_revision = excluded.server_revision, \
             created_at = excluded.created_at, updated_at = excluded.updated_at, deleted = 0",
        params![
            snapshot.id,
            snapshot.name,
            snapshot.description,
            snapshot.revision,
            snapshot.created_at,
            snapshot.updated_at
        ],
    )?;
    replace_items(tx, snapshot)?;
    let mut unapplied_ops = Vec::new();
    for pending in op_log::pending_for(tx, &snapshot.id)? {
        if !playlist_apply::apply(tx, &snapshot.id, &pending.op, pending.created_at)? {
            unapplied_ops.push(pending.seq);
        }
    }
    let playlist = playlists::info(tx, &snapshot.id)?
        .ok_or_else(|| Error::not_found("playlist", snapshot.id.clone()))?;
    Ok(SnapshotOutcome {
        playlist,
        unapplied_ops,
        stale,
    })
}

fn replace_items(conn: &Connection, snapshot: &Playlist) -> Result<()> {
    conn.execute(
        "DELETE FROM playlist_items WHERE playlist_id = ?1",
        [&snapshot.id],
    )?;
    let keys = order_key::keys_between(None, None, snapshot.items.len())?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO playlist_items (playlist_id, item_id, track_id, order_key, added_at) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (item, key) in snapshot.items.iter().zip(&keys) {
        insert.execute(params![
            snapshot.id,
            item.item_id,
            item.track_id,
            key,
            item.added_at
        ])?;
    }
    Ok(())
}

/// Gives a playlist created offline the id the server assigned.
fn rekey(conn: &Connection, local_id: &str, server_id: &str) -> Result<()> {
    // If the changes feed already brought the server's copy, the snapshot about to be taken
    // supersedes it.
    conn.execute("DELETE FROM playlists WHERE id = ?1", [server_id])?;
    // playlist_items follow through ON UPDATE CASCADE.
    conn.execute(
        "UPDATE playlists SET id = ?2 WHERE id = ?1",
        params![local_id, server_id],
    )?;
    conn.execute(
        "UPDATE pending_ops SET playlist_id = ?2 WHERE playlist_id = ?1",
        params![local_id, server_id],
    )?;
    Ok(())
}
