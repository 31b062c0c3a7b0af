//! Applying a [`PlaylistOp`] to the local tables, without logging it.
//!
//! Used twice: by the edit methods (apply, then log, in one transaction) and when a server
//! snapshot replaces the local copy (apply every still-pending operation again on top, so the
//! listener keeps seeing their offline edits). The second use is why placement goes through
//! [`Anchor`]s, which survive other people's edits, rather than raw indexes.

use rusqlite::{Connection, OptionalExtension as _, params};

use crate::error::{Error, Result};
use crate::op_log::{Anchor, PlaylistOp};
use strato_model::order_key::{self, REBALANCE_LEN};

/// The service's limit on items per playlist (docs/api.md, "Validation").
pub const MAX_ITEMS: usize = 10_000;

/// What the edit methods need to know about a playlist before editing it.
#[derive(Debug)]
pub(crate) struct PlaylistState {
    pub server_revision: Option<u64>,
    pub deleted: bool,
}

pub(crate) fn playlist_state(conn: &Connection, id: &str) -> Result<Option<PlaylistState>> {
    Ok(conn
        .prepare_cached("SELECT server_revision, deleted FROM playlists WHERE id = ?1")?
        .query_row([id], |row| {
            Ok(PlaylistState {
                server_revision: row.get(0)?,
                deleted: row.get(1)?,
            })
        })
        .optional()?)
}

pub(crate) fn item_exists(conn: &Connection, playlist_id: &str, item_id: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM playlist_items WHERE playlist_id = ?1 AND item_id = ?2")?
        .exists(params![playlist_id, item_id])?)
}

/// Items in the playlist, not counting `excluding`.
pub(crate) fn item_count(
    conn: &Connection,
    playlist_id: &str,
    excluding: Option<&str>,
) -> Result<usize> {
    let count: i64 = conn
        .prepare_cached(
            "SELECT count(*) FROM playlist_items WHERE playlist_id = ?1 AND item_id IS NOT ?2",
        )?
        .query_row(params![playlist_id, excluding], |row| row.get(0))?;
    Ok(usize::try_from(count).unwrap_or(0))
}

/// The anchor meaning "at `index`" in the list without `excluding`; past the end is
/// [`Anchor::End`]. Also returns the index, clamped to the list's length.
pub(crate) fn anchor_for_index(
    conn: &Connection,
    playlist_id: &str,
    index: usize,
    excluding: Option<&str>,
) -> Result<(Anchor, usize)> {
    // A window of the full list from position index - 1. OFFSET skips entries of the
    // (playlist_id, order_key) index without reading their rows; filtering out `excluding`
    // in SQL would read every skipped row, so it is done on the window instead.
    let window = conn
        .prepare_cached(
            "SELECT item_id, order_key FROM playlist_items WHERE playlist_id = ?1 \
             ORDER BY order_key LIMIT 3 OFFSET ?2",
        )?
        .query_map(params![playlist_id, index.saturating_sub(1)], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let neighbours: Vec<String> = match excluding {
        None => window.into_iter().take(2).map(|(id, _)| id).collect(),
        Some(excluded) => {
            let excluded_key = order_key_of(conn, playlist_id, excluded)?;
            if window.first().is_some_and(|(_, key)| *key > excluded_key) {
                // The excluded item sits before the window: without it, everything shifts
                // one place forward.
                window.into_iter().skip(1).map(|(id, _)| id).collect()
            } else {
                window
                    .into_iter()
                    .map(|(id, _)| id)
                    .filter(|id| id != excluded)
                    .take(2)
                    .collect()
            }
        }
    };
    Ok(match (index, neighbours.len()) {
        (0, 0) => (Anchor::End, 0),
        (0, _) => (Anchor::Start, 0),
        (_, 2) => {
            let before = neighbours.into_iter().next().expect("two rows");
            (Anchor::After { item_id: before }, index)
        }
        // Exactly at the end.
        (_, 1) => (Anchor::End, index),
        // Past the end: clamp.
        _ => (Anchor::End, item_count(conn, playlist_id, excluding)?),
    })
}

fn order_key_of(conn: &Connection, playlist_id: &str, item_id: &str) -> Result<String> {
    conn.prepare_cached(
        "SELECT order_key FROM playlist_items WHERE playlist_id = ?1 AND item_id = ?2",
    )?
    .query_row(params![playlist_id, item_id], |row| row.get(0))
    .optional()?
    .ok_or_else(|| Error::not_found("playlist item", item_id))
}

/// `count` new order keys for the place `anchor` names, ignoring `excluding` (the item being
/// moved). Rebalances the playlist first when the keys would grow past [`REBALANCE_LEN`].
fn keys_at(
    conn: &Connection,
    playlist_id: &str,
    anchor: &Anchor,
    excluding: Option<&str>,
    count: usize,
) -> Result<Vec<String>> {
    let keys = keys_at_unbalanced(conn, playlist_id, anchor, excluding, count)?;
    if keys.iter().all(|key| key.len() <= REBALANCE_LEN) {
        return Ok(keys);
    }
    rebalance(conn, playlist_id)?;
    keys_at_unbalanced(conn, playlist_id, anchor, excluding, count)
}

fn keys_at_unbalanced(
    conn: &Connection,
    playlist_id: &str,
    anchor: &Anchor,
    excluding: Option<&str>,
    count: usize,
) -> Result<Vec<String>> {
    let (before, after) = match anchor {
        Anchor::Start => (None, edge_key(conn, playlist_id, excluding, Edge::First)?),
        Anchor::End => (edge_key(conn, playlist_id, excluding, Edge::Last)?, None),
        Anchor::After { item_id } => {
            let key = order_key_of(conn, playlist_id, item_id)?;
            let next: Option<String> = conn
                .prepare_cached(
                    "SELECT order_key FROM playlist_items WHERE playlist_id = ?1 \
                     AND item_id IS NOT ?2 AND order_key > ?3 ORDER BY order_key LIMIT 1",
                )?
                .query_row(params![playlist_id, excluding, key], |row| row.get(0))
                .optional()?;
            (Some(key), next)
        }
    };
    Ok(order_key::keys_between(
        before.as_deref(),
        after.as_deref(),
        count,
    )?)
}

#[derive(Clone, Copy)]
enum Edge {
    First,
    Last,
}

/// The first or last key of the playlist, not counting `excluding`.
fn edge_key(
    conn: &Connection,
    playlist_id: &str,
    excluding: Option<&str>,
    edge: Edge,
) -> Result<Option<String>> {
    let sql = match edge {
        Edge::First => {
            "SELECT order_key FROM playlist_items WHERE playlist_id = ?1 AND item_id IS NOT ?2 \
             ORDER BY order_key LIMIT 1"
        }
        Edge::Last => {
            "SELECT order_key FROM playlist_items WHERE playlist_id = ?1 AND item_id IS NOT ?2 \
             ORDER BY order_key DESC LIMIT 1"
        }
    };
    Ok(conn
        .prepare_cached(sql)?
        .query_row(params![playlist_id, excluding], |row| row.get(0))
        .optional()?)
}

/// Gives every item of the playlist a fresh short key, keeping the order. The one operation
/// that rewrites a whole list; it runs only when keys have grown past [`REBALANCE_LEN`].
pub(crate) fn rebalance(conn: &Connection, playlist_id: &str) -> Result<()> {
    let mut statement = conn.prepare_cached(
        "SELECT item_id FROM playlist_items WHERE playlist_id = ?1 ORDER BY order_key",
    )?;
    let item_ids = statement
        .query_map([playlist_id], |row| row.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let keys = order_key::keys_between(None, None, item_ids.len())?;
    // Park every row on a unique placeholder first ('~' sorts after every digit), so the new
    // keys never collide with old ones under UNIQUE (playlist_id, order_key) mid-way.
    conn.execute(
        "UPDATE playlist_items SET order_key = '~' || item_id WHERE playlist_id = ?1",
        [playlist_id],
    )?;
    let mut update = conn.prepare_cached(
        "UPDATE playlist_items SET order_key = ?3 WHERE playlist_id = ?1 AND item_id = ?2",
    )?;
    for (item_id, key) in item_ids.iter().zip(&keys) {
        update.execute(params![playlist_id, item_id, key])?;
    }
    Ok(())
}

/// Turns a logged anchor into one valid now: an `After` whose item is gone (or is the item
/// being moved) falls back to the recorded position, clamped.
fn resolve_anchor(
    conn: &Connection,
    playlist_id: &str,
    anchor: &Anchor,
    position: Option<u32>,
    excluding: Option<&str>,
) -> Result<Anchor> {
    if let Anchor::After { item_id } = anchor {
        let usable =
            Some(item_id.as_str()) != excluding && item_exists(conn, playlist_id, item_id)?;
        if !usable {
            return Ok(match position {
                None => Anchor::End,
                Some(index) => {
                    let index = usize::try_from(index).unwrap_or(usize::MAX);
                    anchor_for_index(conn, playlist_id, index, excluding)?.0
                }
            });
        }
    }
    Ok(anchor.clone())
}

/// The index `anchor` names now, counted in the list without `excluding`; `None` means "at
/// the end". An `After` whose item is gone falls back to `position` as [`resolve_anchor`]
/// does.
pub(crate) fn index_of_anchor(
    conn: &Connection,
    playlist_id: &str,
    anchor: &Anchor,
    position: Option<u32>,
    excluding: Option<&str>,
) -> Result<Option<usize>> {
    Ok(
        match resolve_anchor(conn, playlist_id, anchor, position, excluding)? {
            Anchor::Start => Some(0),
            Anchor::End => None,
            Anchor::After { item_id } => {
                let key = order_key_of(conn, playlist_id, &item_id)?;
                let before: i64 = conn
                    .prepare_cached(
                        "SELECT count(*) FROM playlist_items WHERE playlist_id = ?1 \
                         AND item_id IS NOT ?2 AND order_key <= ?3",
                    )?
                    .query_row(params![playlist_id, excluding, key], |row| row.get(0))?;
                Some(usize::try_from(before).unwrap_or(0))
            }
        },
    )
}

/// Applies `op` to the local copy of `playlist_id`. Returns `false` when it no longer applies
/// (its playlist or item is gone, a create whose playlist exists): nothing was changed then.
pub(crate) fn apply(
    conn: &Connection,
    playlist_id: &str,
    op: &PlaylistOp,
    now: i64,
) -> Result<bool> {
    if let PlaylistOp::Create { name, description } = op {
        let created = conn.execute(
            "INSERT INTO playlists (id, name, description, created_at, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT (id) DO NOTHING",
            params![playlist_id, name, description, now],
        )?;
        return Ok(created == 1);
    }
    if playlist_state(conn, playlist_id)?.is_none_or(|state| state.deleted) {
        return Ok(false);
    }
    let applied = match op {
        PlaylistOp::Create { .. } => unreachable!("handled above"),
        PlaylistOp::Rename { name } => {
            conn.execute(
                "UPDATE playlists SET name = ?2 WHERE id = ?1",
                params![playlist_id, name],
            )?;
            true
        }
        PlaylistOp::Describe { description } => {
            conn.execute(
                "UPDATE playlists SET description = ?2 WHERE id = ?1",
                params![playlist_id, description],
            )?;
            true
        }
        PlaylistOp::Delete => {
            conn.execute(
                "DELETE FROM playlist_items WHERE playlist_id = ?1",
                [playlist_id],
            )?;
            conn.execute(
                "UPDATE playlists SET deleted = 1 WHERE id = ?1",
                [playlist_id],
            )?;
            true
        }
        PlaylistOp::AddTracks {
            items,
            position,
            anchor,
        } => {
            // Re-applying after a snapshot: an item already there is not added twice.
            let mut new_items = Vec::with_capacity(items.len());
            for item in items {
                if !item_exists(conn, playlist_id, &item.item_id)? {
                    new_items.push(item);
                }
            }
            let anchor = resolve_anchor(conn, playlist_id, anchor, *position, None)?;
            let keys = keys_at(conn, playlist_id, &anchor, None, new_items.len())?;
            let mut insert = conn.prepare_cached(
                "INSERT INTO playlist_items (playlist_id, item_id, track_id, order_key, added_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for (item, key) in new_items.iter().zip(&keys) {
                insert.execute(params![
                    playlist_id,
                    item.item_id,
                    item.track_id,
                    key,
                    item.added_at
                ])?;
            }
            !new_items.is_empty()
        }
        PlaylistOp::RemoveItem { item_id } => {
            conn.execute(
                "DELETE FROM playlist_items WHERE playlist_id = ?1 AND item_id = ?2",
                params![playlist_id, item_id],
            )? == 1
        }
        PlaylistOp::MoveItem {
            item_id,
            position,
            anchor,
        } => {
            if item_exists(conn, playlist_id, item_id)? {
                let moving = Some(item_id.as_str());
                let anchor = resolve_anchor(conn, playlist_id, anchor, Some(*position), moving)?;
                let key = keys_at(conn, playlist_id, &anchor, moving, 1)?.remove(0);
                conn.execute(
                    "UPDATE playlist_items SET order_key = ?3 WHERE playlist_id = ?1 AND item_id = ?2",
                    params![playlist_id, item_id, key],
                )?;
                true
            } else {
                false
            }
        }
    };
    if applied {
        conn.execute(
            "UPDATE playlists SET updated_at = ?2 WHERE id = ?1",
            params![playlist_id, now],
        )?;
    }
    Ok(applied)
}
