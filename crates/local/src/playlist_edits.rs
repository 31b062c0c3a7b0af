//! Changing the items of a playlist kept on this computer: a batch of edits (tracks added
//! at a place, items removed, items moved after another) applied in order, in one
//! transaction, all or none, as an account's playlist takes them (`PlaylistItemEdit`).
//!
//! Edits name items by their id (the item's row, which stays with it through every move),
//! not by position: a removal or a move chosen on a page that another edit changed since
//! still touches the items the listener chose, or is refused in words when one of them is
//! gone, never applied to others. Only an edit computed from positions (the Undo of a
//! removal, which puts tracks back where they were) names the `revision` it was computed
//! at, and is refused when the playlist changed after it.

use rusqlite::{Connection, params};
use strato_model::ipc::{LocalPlaylistEdited, LocalPlaylistSummary, PlaylistItemEdit};

use crate::error::{LocalError, LocalErrorKind, Result};
use crate::index::LocalIndex;
use crate::playlists::{MAX_ITEMS, change, kept_tags, summary};

impl LocalIndex {
    /// Applies `edits` to the playlist `id` in order, each to the list the previous one
    /// left, all in one transaction; with `expected_revision`, only if the playlist is still
    /// at that revision. An add at a position beyond the end goes at the end.
    ///
    /// # Errors
    /// `NotFound` when the playlist is gone; `Invalid`, with nothing changed, when it changed
    /// since `expected_revision`, when an edit names an item it does not hold (any more) or
    /// moves an item after itself, for a track that is not a file on this computer, or
    /// beyond [`MAX_ITEMS`].
    pub fn edit_playlist(
        &mut self,
        id: &str,
        edits: &[PlaylistItemEdit],
        expected_revision: Option<u32>,
    ) -> Result<LocalPlaylistEdited> {
        if edits.is_empty() {
            // Nothing to change: not a change (no new revision).
            return Ok(LocalPlaylistEdited {
                playlist: summary(&self.conn, id)?,
                added_item_ids: Vec::new(),
            });
        }
        let tx = self.conn.transaction()?;
        change(&tx, id, expected_revision)?;
        let mut order = item_order(&tx, id)?;
        let mut added = Vec::new();
        for edit in edits {
            match edit {
                PlaylistItemEdit::Add {
                    track_ids,
                    position,
                } => {
                    let at = position
                        .and_then(|at| usize::try_from(at).ok())
                        .map_or(order.len(), |at| at.min(order.len()));
                    let rows = insert(&tx, id, order.len(), track_ids)?;
                    added.extend(rows.iter().map(i64::to_string));
                    order.splice(at..at, rows);
                }
                PlaylistItemEdit::Remove { item_id } => {
                    let row = order.remove(place_of(&order, item_id)?);
                    tx.prepare_cached("DELETE FROM playlist_items WHERE id = ?1")?
                        .execute([row])?;
                    // Added and removed in the same batch: not among what it added.
                    added.retain(|added| added != item_id);
                }
                PlaylistItemEdit::Move { item_id, after } => {
                    let item = order.remove(place_of(&order, item_id)?);
                    let at = match after {
                        None => 0,
                        Some(after) if after == item_id => return Err(after_itself()),
                        Some(after) => place_of(&order, after)? + 1,
                    };
                    order.insert(at, item);
                }
            }
        }
        // Added rows were written at the end; any edit may have shifted the rest.
        renumber(&tx, &order)?;
        let summary = summary(&tx, id)?;
        tx.commit()?;
        Ok(LocalPlaylistEdited {
            playlist: summary,
            added_item_ids: added,
        })
    }

    /// Appends `track_ids` (files on this computer) to the playlist `id`, in order.
    ///
    /// # Errors
    /// As [`LocalIndex::edit_playlist`]'s: the whole call is refused, nothing written. A
    /// file neither in the index nor on disk is kept all the same, by its name, missing.
    pub fn add_to_playlist(
        &mut self,
        id: &str,
        track_ids: &[String],
    ) -> Result<LocalPlaylistSummary> {
        let edit = PlaylistItemEdit::Add {
            track_ids: track_ids.to_vec(),
            position: None,
        };
        Ok(self.edit_playlist(id, &[edit], None)?.playlist)
    }
}

/// Writes items of the files of `track_ids` to the playlist `id`, which holds `held` items
/// now, placed after them (the caller renumbers): their rows, in order. Every id is checked
/// before the first is written.
pub(crate) fn insert(
    conn: &Connection,
    id: &str,
    held: usize,
    track_ids: &[String],
) -> Result<Vec<i64>> {
    let items = track_ids
        .iter()
        .map(|track_id| kept_tags(conn, track_id))
        .collect::<Result<Vec<_>>>()?;
    if held + items.len() > MAX_ITEMS {
        return Err(LocalError::new(
            LocalErrorKind::Invalid,
            format!(
                "A playlist on this computer holds at most {MAX_ITEMS} files; this one has \
                 {held}, and {} more would not fit.",
                items.len()
            ),
        ));
    }
    let mut statement = conn.prepare_cached(
        "INSERT INTO playlist_items (playlist_id, position, path, title, artist, album,
             artist_id, album_id, duration_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    let mut rows = Vec::with_capacity(items.len());
    for (offset, item) in items.iter().enumerate() {
        statement.execute(params![
            id,
            sql_int(held + offset),
            item.path,
            item.title,
            item.artist,
            item.album,
            item.artist_id,
            item.album_id,
            item.duration_ms,
        ])?;
        rows.push(conn.last_insert_rowid());
    }
    Ok(rows)
}

/// The playlist's item rows, in order.
fn item_order(conn: &Connection, id: &str) -> Result<Vec<i64>> {
    let mut statement = conn.prepare_cached(
        "SELECT id FROM playlist_items WHERE playlist_id = ?1 ORDER BY position, id",
    )?;
    let rows = statement.query_map([id], |row| row.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Gives every item of `order` its place in it (only the rows whose place changed are
/// written).
fn renumber(conn: &Connection, order: &[i64]) -> Result<()> {
    let mut update = conn.prepare_cached(
        "UPDATE playlist_items SET position = ?2 WHERE id = ?1 AND position IS NOT ?2",
    )?;
    for (position, item) in order.iter().enumerate() {
        update.execute(params![item, sql_int(position)])?;
    }
    Ok(())
}

/// Where the item `item_id` is in `order`; `Invalid` when the playlist does not hold it
/// (removed meanwhile, or never one of its items).
fn place_of(order: &[i64], item_id: &str) -> Result<usize> {
    item_id
        .parse::<i64>()
        .ok()
        .and_then(|row| order.iter().position(|&item| item == row))
        .ok_or_else(|| {
            LocalError::new(
                LocalErrorKind::Invalid,
                "An item chosen is no longer in this playlist: it changed meanwhile; look again.",
            )
        })
}

fn after_itself() -> LocalError {
    LocalError::new(
        LocalErrorKind::Invalid,
        "An item cannot be moved after itself.",
    )
}

/// A position as SQLite keeps it (bounded by [`MAX_ITEMS`], far below `i64::MAX`).
fn sql_int(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_item_is_found_by_its_row_or_refused_in_words() {
        let order = [7, 3, 9];
        assert_eq!(place_of(&order, "9").unwrap(), 2);
        for unknown in ["4", "", "x", "local-playlist:7"] {
            let error = place_of(&order, unknown).unwrap_err();
            assert_eq!(error.kind(), LocalErrorKind::Invalid);
            assert!(error.message().contains("changed meanwhile"), "{error}");
        }
    }
}
