//! The conflict policy, applied where a server snapshot meets the pending edits.
//!
//! - **Rebase.** The pending edits of a playlist are applied again on every new snapshot,
//!   through their anchors; the position each will be sent with is recomputed at the same
//!   time, so the head of the log always names a position valid at the revision held.
//! - **Concurrent adds** keep both: an add lands after its anchor item, whatever else arrived.
//! - **A move of an item removed elsewhere** is dropped, with a record the listener sees.
//!   A remove of an item removed elsewhere is complete, with a quiet record.
//! - **Edits to a playlist deleted elsewhere** are kept: the local copy becomes a new
//!   playlist named "<name> (restored)", created on the server by the next sync.
//! - **Concurrent renames**: the later server write wins (ours, sent after theirs arrived),
//!   and theirs is recorded.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension as _, params};
use strato_model::api::Playlist;

use crate::error::Result;
use crate::library::unix_now;
use crate::op_log::{self, AddedItem, Anchor, PendingOp, PlaylistOp};
use crate::playlist_apply;
use crate::sync_records::{self, NewRecord, SyncRecordKind};

/// The suffix a playlist deleted elsewhere gets when the edits made here keep it alive.
pub const RESTORED_SUFFIX: &str = " (restored)";

/// Applies the pending edits of `playlist_id` on top of a freshly taken snapshot at
/// `revision`, rebasing the positions they will be sent with, and resolves the ones that no
/// longer apply. `previous_tracks` maps the item ids of the local copy before the snapshot
/// to their tracks, to name them in records. Returns the resolved operations.
pub(crate) fn reapply_pending(
    tx: &Connection,
    playlist_id: &str,
    playlist_name: &str,
    revision: u64,
    previous_tracks: &HashMap<String, String>,
) -> Result<Vec<i64>> {
    let mut resolved = Vec::new();
    for mut pending in op_log::pending_for(tx, playlist_id)? {
        let rebased = rebase(tx, playlist_id, &mut pending.op)?;
        if playlist_apply::apply(tx, playlist_id, &pending.op, pending.created_at)? {
            if rebased || pending.base_revision != Some(revision) {
                op_log::rewrite(tx, pending.seq, &pending.op, Some(revision))?;
            }
        } else {
            resolve_unapplied(tx, &pending, playlist_name, previous_tracks)?;
            resolved.push(pending.seq);
        }
    }
    Ok(resolved)
}

/// Recomputes the plain position of an add or a move from its anchor, against the list as
/// it is now. Returns whether it changed.
fn rebase(conn: &Connection, playlist_id: &str, op: &mut PlaylistOp) -> Result<bool> {
    match op {
        PlaylistOp::AddTracks {
            position, anchor, ..
        } => {
            let now = playlist_apply::index_of_anchor(conn, playlist_id, anchor, *position, None)?
                .map(to_u32);
            let changed = now != *position;
            *position = now;
            Ok(changed)
        }
        PlaylistOp::MoveItem {
            item_id,
            position,
            anchor,
        } => {
            if !playlist_apply::item_exists(conn, playlist_id, item_id)? {
                return Ok(false);
            }
            let moving = Some(item_id.as_str());
            let now = match playlist_apply::index_of_anchor(
                conn,
                playlist_id,
                anchor,
                Some(*position),
                moving,
            )? {
                Some(index) => to_u32(index),
                None => to_u32(playlist_apply::item_count(conn, playlist_id, moving)?),
            };
            let changed = now != *position;
            *position = now;
            Ok(changed)
        }
        _ => Ok(false),
    }
}

/// An edit that no longer applies to the server's state leaves the log with a record.
fn resolve_unapplied(
    tx: &Connection,
    pending: &PendingOp,
    playlist_name: &str,
    previous_tracks: &HashMap<String, String>,
) -> Result<()> {
    let (kind, message, notify) = match &pending.op {
        PlaylistOp::MoveItem { item_id, .. } => (
            SyncRecordKind::MoveDropped,
            format!(
                "Your move in “{playlist_name}” was dropped: {} was removed from it on \
                 another device.",
                match previous_tracks.get(item_id) {
                    Some(track_id) => sync_records::track_label(tx, track_id)?,
                    None => "the track".to_owned(),
                }
            ),
            true,
        ),
        PlaylistOp::RemoveItem { .. } => (
            SyncRecordKind::AlreadyRemoved,
            format!("A track you removed from “{playlist_name}” was already removed elsewhere."),
            false,
        ),
        // An add whose items are all there already, a create of an existing playlist: the
        // server already has what the edit meant.
        _ => (
            SyncRecordKind::AlreadyRemoved,
            format!("A change to “{playlist_name}” was already made elsewhere."),
            false,
        ),
    };
    sync_records::record(
        tx,
        &NewRecord {
            op_seq: Some(pending.seq),
            kind,
            playlist_id: Some(&pending.playlist_id),
            playlist_name: Some(playlist_name),
            message,
            notify,
        },
    )?;
    tx.execute("DELETE FROM pending_ops WHERE seq = ?1", [pending.seq])?;
    Ok(())
}

/// Records another device's rename that a pending rename of ours will replace. `held` is
/// the server name of the previous snapshot.
pub(crate) fn note_concurrent_rename(
    tx: &Connection,
    snapshot: &Playlist,
    held: Option<&str>,
) -> Result<()> {
    let Some(held) = held else { return Ok(()) };
    if held == snapshot.name {
        return Ok(());
    }
    let ours = op_log::pending_for(tx, &snapshot.id)?
        .into_iter()
        .rev()
        .find_map(|pending| match pending.op {
            PlaylistOp::Rename { name } => Some(name),
            _ => None,
        });
    let Some(ours) = ours.filter(|ours| *ours != snapshot.name) else {
        return Ok(());
    };
    sync_records::record(
        tx,
        &NewRecord {
            op_seq: None,
            kind: SyncRecordKind::RenameReplaced,
            playlist_id: Some(&snapshot.id),
            playlist_name: Some(&ours),
            message: format!(
                "“{held}” was renamed “{}” on another device; your name “{ours}” replaced it.",
                snapshot.name
            ),
            notify: true,
        },
    )?;
    Ok(())
}

/// Once an add is acknowledged, the items it created have the server's ids: the local rows
/// and the later pending edits that name the client ids are re-pointed, so a move of a
/// just-added item still finds it. `position` is the one the add was sent with.
pub(crate) fn alias_added_items(
    tx: &Connection,
    playlist_id: &str,
    items: &[AddedItem],
    position: Option<u32>,
    snapshot: &Playlist,
) -> Result<()> {
    let Some(before) = snapshot.items.len().checked_sub(items.len()) else {
        return Ok(());
    };
    let start = position.map_or(before, |p| usize::try_from(p).unwrap_or(before).min(before));
    let placed = &snapshot.items[start..start + items.len()];
    let matches = placed
        .iter()
        .zip(items)
        .all(|(server, ours)| server.track_id == ours.track_id);
    if !matches {
        // Not the answer to this add (cannot happen with the documented contract). Later
        // edits naming these items then fall back to their recorded positions.
        return Ok(());
    }
    let aliases: HashMap<&str, &str> = items
        .iter()
        .zip(placed)
        .map(|(ours, server)| (ours.item_id.as_str(), server.item_id.as_str()))
        // A server without item ids of its own (OpenSubsonic) is answered with ours.
        .filter(|(ours, server)| ours != server)
        .collect();
    if aliases.is_empty() {
        return Ok(());
    }
    let mut rename_row = tx.prepare_cached(
        "UPDATE playlist_items SET item_id = ?3 WHERE playlist_id = ?1 AND item_id = ?2",
    )?;
    for (ours, server) in &aliases {
        rename_row.execute(params![playlist_id, ours, server])?;
        crate::aliases::record(tx, crate::aliases::AliasKind::Item, ours, server)?;
    }
    for mut pending in op_log::pending_for(tx, playlist_id)? {
        if rename_items(&mut pending.op, &aliases) {
            op_log::rewrite(tx, pending.seq, &pending.op, pending.base_revision)?;
        }
    }
    Ok(())
}

fn rename_items(op: &mut PlaylistOp, aliases: &HashMap<&str, &str>) -> bool {
    let mut changed = false;
    let mut swap = |id: &mut String| {
        if let Some(server) = aliases.get(id.as_str()) {
            *id = (*server).to_owned();
            changed = true;
        }
    };
    match op {
        PlaylistOp::RemoveItem { item_id }
        | PlaylistOp::AddTracks {
            anchor: Anchor::After { item_id },
            ..
        } => swap(item_id),
        PlaylistOp::MoveItem {
            item_id, anchor, ..
        } => {
            swap(item_id);
            if let Anchor::After { item_id } = anchor {
                swap(item_id);
            }
        }
        _ => {}
    }
    changed
}

/// The server deleted `playlist_id`. Pending edits of it (other than a delete) keep the local
/// copy alive as a new playlist, logged as a create plus an add of its items; each edit gets
/// a record. Returns the resolved operations.
pub(crate) fn restore_deleted(tx: &Connection, playlist_id: &str) -> Result<Vec<i64>> {
    let pending = op_log::pending_for(tx, playlist_id)?;
    let edits: Vec<&PendingOp> = pending
        .iter()
        .filter(|p| !matches!(p.op, PlaylistOp::Delete))
        .collect();
    let local: Option<(String, String, bool)> = tx
        .prepare_cached("SELECT name, description, deleted FROM playlists WHERE id = ?1")?
        .query_row([playlist_id], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?))
        })
        .optional()?;
    let Some((name, description, deleted_here)) = local.filter(|_| !edits.is_empty()) else {
        return Ok(Vec::new());
    };
    if deleted_here {
        // Deleted here too: both sides agree, and the edits before our delete are moot.
        return Ok(Vec::new());
    }
    let copy_id = uuid::Uuid::new_v4().to_string();
    let copy_name = restored_name(&name);
    let now = unix_now();
    tx.execute(
        "INSERT INTO playlists (id, name, description, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?4)",
        params![copy_id, copy_name, description, now],
    )?;
    tx.execute(
        "UPDATE playlist_items SET playlist_id = ?2 WHERE playlist_id = ?1",
        params![playlist_id, copy_id],
    )?;
    // Kept offline before, kept offline now.
    tx.execute(
        "UPDATE offline_collections SET id = ?2 WHERE kind = 'playlist' AND id = ?1",
        params![playlist_id, copy_id],
    )?;
    let items: Vec<AddedItem> = tx
        .prepare_cached(
            "SELECT item_id, track_id, added_at FROM playlist_items WHERE playlist_id = ?1 \
             ORDER BY order_key",
        )?
        .query_map([&copy_id], |row| {
            Ok(AddedItem {
                item_id: row.get(0)?,
                track_id: row.get(1)?,
                added_at: row.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    op_log::append(
        tx,
        &copy_id,
        None,
        &PlaylistOp::Create {
            name: copy_name.clone(),
            description,
        },
        now,
    )?;
    // The service takes at most 500 tracks per add.
    for chunk in items.chunks(500) {
        op_log::append(
            tx,
            &copy_id,
            None,
            &PlaylistOp::AddTracks {
                items: chunk.to_vec(),
                position: None,
                anchor: Anchor::End,
            },
            now,
        )?;
    }
    let mut resolved = Vec::with_capacity(edits.len());
    for (index, edit) in edits.iter().enumerate() {
        sync_records::record(
            tx,
            &NewRecord {
                op_seq: Some(edit.seq),
                kind: SyncRecordKind::RestoredCopy,
                playlist_id: Some(playlist_id),
                playlist_name: Some(&name),
                message: format!(
                    "“{name}” was deleted on another device. Your changes to it are kept in \
                     “{copy_name}”."
                ),
                // One message for the listener, however many edits the copy keeps.
                notify: index == 0,
            },
        )?;
        resolved.push(edit.seq);
    }
    tx.execute(
        "DELETE FROM pending_ops WHERE playlist_id = ?1 AND state = 'pending'",
        [playlist_id],
    )?;
    Ok(resolved)
}

/// "<name> (restored)", within the service's 200-character limit.
fn restored_name(name: &str) -> String {
    let room = 200 - RESTORED_SUFFIX.chars().count();
    let mut copy: String = name.chars().take(room).collect();
    copy.push_str(RESTORED_SUFFIX);
    copy
}

fn to_u32(index: usize) -> u32 {
    u32::try_from(index).unwrap_or(u32::MAX)
}
