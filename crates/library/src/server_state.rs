//! Taking in what the server says: snapshots of playlists, acknowledged operations,
//! deletions. These are the primitives a sync engine builds on; the engine itself (HTTP,
//! retries, 412 handling, rebasing the positions it sends) lives elsewhere.
//!
//! The invariant they keep: the local copy of a playlist is always the newest server
//! snapshot with every still-pending operation applied on top. So a snapshot never makes an
//! offline edit disappear from the listener's view, and an acknowledged operation is never
//! applied twice (it leaves the log in the same transaction that takes in the server's
//! answer).

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension as _, Transaction, params};
use strato_model::api::Playlist;
use strato_model::order_key;

use crate::aliases::{self, AliasKind};
use crate::conflicts;

use crate::error::{Error, Result};
use crate::library::Library;
use crate::op_log::{self, PlaylistOp, ensure_changed};
use crate::playlists::{self, PlaylistInfo};
use crate::sync_records::{self, NewRecord, SyncRecordKind};

/// What taking in a server snapshot did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotOutcome {
    /// The local copy now.
    pub playlist: PlaylistInfo,
    /// Pending operations that no longer applied to the new snapshot (their item was removed
    /// elsewhere, say): the conflict policy resolved them, each with a
    /// [`crate::SyncRecord`], and they left the log.
    pub resolved_ops: Vec<i64>,
    /// The snapshot was older than the one already held, and was ignored.
    pub stale: bool,
}

impl Library {
    /// Replaces the local copy of a playlist with the server's, then applies the pending
    /// operations on top again. A snapshot older than the one held is ignored (responses can
    /// arrive out of order).
    pub fn apply_server_snapshot(&mut self, snapshot: &Playlist) -> Result<SnapshotOutcome> {
        self.write(|tx| take_snapshot_from_elsewhere(tx, snapshot))
    }

    /// The service's answer to sharing a playlist on its owner's page (or not): only the flag
    /// is taken in. The playlist itself comes with the next pull, as any write made
    /// elsewhere does, so an edit of ours in flight meanwhile is never applied twice.
    pub fn record_playlist_public(&mut self, id: &str, public: bool) -> Result<PlaylistInfo> {
        self.write(|tx| {
            let id = aliases::resolve(tx, AliasKind::Playlist, id)?;
            let changed = tx.execute(
                "UPDATE playlists SET public = ?2 WHERE id = ?1 AND deleted = 0",
                params![id, public],
            )?;
            if changed == 0 {
                return Err(Error::not_found("playlist", id));
            }
            playlists::info(tx, &id)?.ok_or_else(|| Error::not_found("playlist", id))
        })
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
        self.write(|tx| mark_done_in(tx, seq, server_state))
    }

    /// The server says the playlist is gone (deleted on another device). The local copy goes.
    /// Edits made here keep it alive as a copy (see [`crate::RESTORED_SUFFIX`]); a pending
    /// delete of it is satisfied. Every pending operation of it leaves the log with a
    /// [`crate::SyncRecord`]; returns them.
    pub fn apply_server_deletion(&mut self, playlist_id: &str) -> Result<Vec<i64>> {
        self.write(|tx| {
            let mut resolved = conflicts::restore_deleted(tx, playlist_id)?;
            let name: Option<String> = tx
                .query_row(
                    "SELECT name FROM playlists WHERE id = ?1",
                    [playlist_id],
                    |row| row.get(0),
                )
                .optional()?;
            let name = name.unwrap_or_else(|| "a playlist".to_owned());
            for pending in op_log::pending_for(tx, playlist_id)? {
                sync_records::record(
                    tx,
                    &NewRecord {
                        op_seq: Some(pending.seq),
                        kind: SyncRecordKind::AlreadyRemoved,
                        playlist_id: Some(playlist_id),
                        playlist_name: Some(&name),
                        message: format!("“{name}” was also deleted on another device."),
                        notify: false,
                    },
                )?;
                tx.execute("DELETE FROM pending_ops WHERE seq = ?1", [pending.seq])?;
                resolved.push(pending.seq);
            }
            tx.execute("DELETE FROM playlists WHERE id = ?1", [playlist_id])?;
            Ok(resolved)
        })
    }
}

/// [`Library::mark_op_done`] inside the caller's transaction.
pub(crate) fn mark_done_in(
    tx: &Transaction<'_>,
    seq: i64,
    server_state: Option<&Playlist>,
) -> Result<Option<SnapshotOutcome>> {
    let (playlist_id, kind, payload): (String, String, String) = tx
        .query_row(
            "SELECT playlist_id, kind, payload FROM pending_ops \
                 WHERE seq = ?1 AND state = 'pending'",
            [seq],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .optional()?
        .ok_or_else(|| Error::not_found("operation", seq.to_string()))?;
    ensure_changed(
        tx.execute("DELETE FROM pending_ops WHERE seq = ?1", [seq])?,
        seq,
    )?;
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
    if let Ok(PlaylistOp::AddTracks {
        items, position, ..
    }) = serde_json::from_str::<PlaylistOp>(&payload)
    {
        conflicts::alias_added_items(tx, &snapshot.id, &items, position, snapshot)?;
    }
    if let Some(outcome) = take_answer_in_place(tx, snapshot)? {
        return Ok(Some(outcome));
    }
    take_snapshot(tx, snapshot, Origin::OurWrite).map(Some)
}

/// [`Library::apply_server_snapshot`] inside the caller's transaction.
pub(crate) fn take_snapshot_from_elsewhere(
    tx: &Transaction<'_>,
    snapshot: &Playlist,
) -> Result<SnapshotOutcome> {
    take_snapshot(tx, snapshot, Origin::Elsewhere)
}

/// Where a snapshot comes from.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Origin {
    /// The changes feed or a read: it may carry other devices' edits.
    Elsewhere,
    /// The answer to one of our writes. `If-Match` held, so the server applied that write
    /// on the revision we held and nothing else: no other device's edit is in it.
    OurWrite,
}

fn take_snapshot(
    tx: &Transaction<'_>,
    snapshot: &Playlist,
    origin: Origin,
) -> Result<SnapshotOutcome> {
    let held: Option<(Option<u64>, Option<String>, String)> = tx
        .query_row(
            "SELECT server_revision, server_name, name FROM playlists WHERE id = ?1",
            [&snapshot.id],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .optional()?;
    let stale = held
        .as_ref()
        .and_then(|(revision, _, _)| *revision)
        .is_some_and(|held| held > snapshot.revision);
    if stale {
        let playlist = playlists::info(tx, &snapshot.id)?
            .ok_or_else(|| Error::not_found("playlist", snapshot.id.clone()))?;
        return Ok(SnapshotOutcome {
            playlist,
            resolved_ops: Vec::new(),
            stale,
        });
    }
    let (held_name, shown_name) = held
        .map_or((None, snapshot.name.clone()), |(_, server, shown)| {
            (server, shown)
        });
    if origin == Origin::Elsewhere {
        conflicts::note_concurrent_rename(tx, snapshot, held_name.as_deref())?;
    }
    let has_pending = !op_log::pending_for(tx, &snapshot.id)?.is_empty();
    let previous_tracks = if has_pending {
        item_tracks(tx, &snapshot.id)?
    } else {
        HashMap::new()
    };
    tx.execute(
        "INSERT INTO playlists (id, name, description, server_revision, server_name, \
             created_at, updated_at, deleted, public) \
             VALUES (?1, ?2, ?3, ?4, ?2, ?5, ?6, 0, ?7) \
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, \
             description = excluded.description, server_revision = excluded.server_revision, \
             server_name = excluded.server_name, created_at = excluded.created_at, \
             updated_at = excluded.updated_at, deleted = 0, public = excluded.public",
        params![
            snapshot.id,
            snapshot.name,
            snapshot.description,
            snapshot.revision,
            snapshot.created_at,
            snapshot.updated_at,
            snapshot.public
        ],
    )?;
    replace_items(tx, snapshot)?;
    let resolved_ops = if has_pending {
        conflicts::reapply_pending(
            tx,
            &snapshot.id,
            &shown_name,
            snapshot.revision,
            &previous_tracks,
        )?
    } else {
        Vec::new()
    };
    let playlist = playlists::info(tx, &snapshot.id)?
        .ok_or_else(|| Error::not_found("playlist", snapshot.id.clone()))?;
    Ok(SnapshotOutcome {
        playlist,
        resolved_ops,
        stale,
    })
}

/// The answer to our write when it is the very next revision after the one held: the
/// server applied exactly that write on exactly the state we held, which the local copy
/// already shows (with the edits behind it on top). Only the revision and the server's name
/// move; re-applying every pending edit on a fresh copy of the list (the general path, which
/// costs a replay of the whole log behind it per answer) would rebuild the same rows. Any
/// divergence is repaired by the pull that ends every sync pass, which takes the
/// playlist in whole. `None` when the answer is not the next revision.
fn take_answer_in_place(
    tx: &Transaction<'_>,
    snapshot: &Playlist,
) -> Result<Option<SnapshotOutcome>> {
    let held: Option<u64> = tx
        .query_row(
            "SELECT server_revision FROM playlists WHERE id = ?1",
            [&snapshot.id],
            |row| row.get(0),
        )
        .optional()?
        .flatten();
    let next = match held {
        Some(held) => snapshot.revision == held + 1,
        // A create: the server's first revision.
        None => snapshot.revision == 1,
    };
    if !next {
        return Ok(None);
    }
    tx.execute(
        "UPDATE playlists SET server_revision = ?2, server_name = ?3, \
             created_at = ?4, updated_at = max(updated_at, ?5), public = ?6 WHERE id = ?1",
        params![
            snapshot.id,
            snapshot.revision,
            snapshot.name,
            snapshot.created_at,
            snapshot.updated_at,
            snapshot.public
        ],
    )?;
    let playlist = playlists::info(tx, &snapshot.id)?
        .ok_or_else(|| Error::not_found("playlist", snapshot.id.clone()))?;
    Ok(Some(SnapshotOutcome {
        playlist,
        resolved_ops: Vec::new(),
        stale: false,
    }))
}

/// Item id -> track id of the local copy.
fn item_tracks(conn: &Connection, playlist_id: &str) -> Result<HashMap<String, String>> {
    let mut statement =
        conn.prepare_cached("SELECT item_id, track_id FROM playlist_items WHERE playlist_id = ?1")?;
    let pairs = statement
        .query_map([playlist_id], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<HashMap<_, _>>>()?;
    Ok(pairs)
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
    let mut unavailable = conn.prepare_cached(
        "INSERT INTO unavailable_tracks (track_id, since) VALUES (?1, ?2) \
         ON CONFLICT (track_id) DO NOTHING",
    )?;
    let mut available =
        conn.prepare_cached("DELETE FROM unavailable_tracks WHERE track_id = ?1")?;
    for (item, key) in snapshot.items.iter().zip(&keys) {
        insert.execute(params![
            snapshot.id,
            item.item_id,
            item.track_id,
            key,
            item.added_at
        ])?;
        if item.available {
            available.execute([&item.track_id])?;
        } else {
            unavailable.execute(params![item.track_id, crate::library::unix_now()])?;
        }
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
    aliases::record(conn, AliasKind::Playlist, local_id, server_id)?;
    Ok(())
}
