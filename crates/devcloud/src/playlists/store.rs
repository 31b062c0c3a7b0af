//! Playlist operations on SQLite, for [`super::sqlite::SqlitePlaylists`]. Every write runs
//! inside the caller's transaction, checks the playlist's owner and revision first, bumps the
//! revision by one and records a change. Items keep dense positions: a write renumbers the
//! rows behind the place it changed, which SQLite does in one statement.

use rusqlite::{Connection, OptionalExtension as _, Transaction, params};
use strato_model::api::{
    ChangeKind, NewPlaylist, Playlist, PlaylistChange, PlaylistChanges, PlaylistItem,
    PlaylistPatch, PlaylistSummary,
};

use super::storage::{
    MAX_ITEMS, Outcome, PlaylistOp, Precondition, Recorded, StoreError, check_description,
    check_name, check_patch, new_id,
};

fn to_u64(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

fn to_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

fn kind_name(kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::Created => "created",
        ChangeKind::Updated => "updated",
        ChangeKind::Deleted => "deleted",
    }
}

/// Applies `op` for `owner` inside `tx`.
pub fn apply(
    tx: &Transaction<'_>,
    owner: &str,
    op: &PlaylistOp,
    now: i64,
) -> Result<Outcome, StoreError> {
    let playlist = match op {
        PlaylistOp::Create(new) => create(tx, owner, new, now)?,
        PlaylistOp::Update {
            id,
            precondition,
            patch,
        } => update(tx, owner, id, *precondition, patch, now)?,
        PlaylistOp::Delete { id, precondition } => {
            delete(tx, owner, id, *precondition, now)?;
            return Ok(Outcome::Deleted);
        }
        PlaylistOp::AddItems {
            id,
            precondition,
            track_ids,
            position,
        } => {
            for track in track_ids
                .iter()
                .filter(|t| crate::uploads::explore::is_upload(t))
            {
                if crate::uploads::store::visible(tx, owner, track)?.is_none() {
                    return Err(StoreError::Invalid(format!("unknown track id {track:?}")));
                }
            }
            add_items(tx, owner, id, *precondition, track_ids, *position, now)?
        }
        PlaylistOp::RemoveItem {
            id,
            precondition,
            item_id,
        } => remove_item(tx, owner, id, *precondition, item_id, now)?,
        PlaylistOp::MoveItem {
            id,
            precondition,
            item_id,
            position,
        } => move_item(tx, owner, id, *precondition, item_id, *position, now)?,
    };
    Ok(Outcome::Playlist(playlist))
}

/// The user's playlists (only the public ones with `public_only`), oldest first.
pub fn list(
    conn: &Connection,
    owner: &str,
    public_only: bool,
) -> Result<Vec<PlaylistSummary>, StoreError> {
    let mut statement = conn.prepare_cached(
        "SELECT p.id, p.name, p.description, p.revision, p.updated_at,
                (SELECT count(*) FROM playlist_items i WHERE i.playlist_id = p.id), p.public
         FROM playlists p WHERE p.owner = ?1 AND (?2 = 0 OR p.public = 1)
         ORDER BY p.created_at, p.id",
    )?;
    let rows = statement.query_map(params![owner, public_only], |row| {
        Ok(PlaylistSummary {
            id: row.get(0)?,
            name: row.get(1)?,
            description: row.get(2)?,
            revision: to_u64(row.get(3)?),
            updated_at: row.get(4)?,
            item_count: u32::try_from(row.get::<_, i64>(5)?).unwrap_or(u32::MAX),
            public: row.get(6)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A playlist `viewer` may read: theirs, or with `shared` a public one. Items whose track `viewer` may not see (deleted, taken down, someone else's private
/// upload) are marked unavailable; catalog tracks never go away.
pub fn get(
    conn: &Connection,
    viewer: &str,
    id: &str,
    shared: bool,
) -> Result<Playlist, StoreError> {
    let playlist = conn
        .prepare_cached(
            "SELECT id, name, description, revision, created_at, updated_at, public
             FROM playlists WHERE id = ?1 AND (owner = ?2 OR (?3 AND public = 1))",
        )?
        .query_row(params![id, viewer, shared], |row| {
            Ok(Playlist {
                id: row.get(0)?,
                name: row.get(1)?,
                description: row.get(2)?,
                revision: to_u64(row.get(3)?),
                created_at: row.get(4)?,
                updated_at: row.get(5)?,
                public: row.get(6)?,
                items: Vec::new(),
            })
        })
        .optional()?;
    let mut playlist = playlist.ok_or_else(|| StoreError::NotFound(id.to_owned()))?;
    let mut statement = conn.prepare_cached(&format!(
        "SELECT i.item_id, i.track_id, i.added_at,
                i.track_id NOT LIKE 'up-%'
                OR EXISTS (SELECT 1 FROM uploads u WHERE u.id = i.track_id AND {})
         FROM playlist_items i WHERE i.playlist_id = ?1 ORDER BY i.position",
        crate::uploads::store::visible_to("?2")
    ))?;
    let items = statement.query_map([id, viewer], |row| {
        Ok(PlaylistItem {
            item_id: row.get(0)?,
            track_id: row.get(1)?,
            added_at: row.get(2)?,
            available: row.get(3)?,
        })
    })?;
    playlist.items = items.collect::<Result<_, _>>()?;
    Ok(playlist)
}

fn create(
    tx: &Transaction<'_>,
    owner: &str,
    new: &NewPlaylist,
    now: i64,
) -> Result<Playlist, StoreError> {
    let name = check_name(&new.name)?;
    check_description(&new.description)?;
    let id = new_id("pl");
    tx.execute(
        "INSERT INTO playlists (id, owner, name, description, revision, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, 1, ?5, ?5)",
        params![id, owner, name, new.description, now],
    )?;
    record_change(tx, owner, &id, ChangeKind::Created, 1, now)?;
    get(tx, owner, &id, false)
}

fn update(
    tx: &Transaction<'_>,
    owner: &str,
    id: &str,
    precondition: Precondition,
    patch: &PlaylistPatch,
    now: i64,
) -> Result<Playlist, StoreError> {
    check_patch(patch)?;
    let current = check(tx, owner, id, precondition)?;
    if let Some(name) = &patch.name {
        let name = check_name(name)?;
        tx.execute(
            "UPDATE playlists SET name = ?1 WHERE id = ?2",
            params![name, id],
        )?;
    }
    if let Some(description) = &patch.description {
        check_description(description)?;
        tx.execute(
            "UPDATE playlists SET description = ?1 WHERE id = ?2",
            params![description, id],
        )?;
    }
    if let Some(public) = patch.public {
        tx.execute(
            "UPDATE playlists SET public = ?1 WHERE id = ?2",
            params![public, id],
        )?;
    }
    bump(tx, owner, id, current, now)?;
    get(tx, owner, id, false)
}

/// Deletes a playlist; returns the revision its deletion was recorded with.
fn delete(
    tx: &Transaction<'_>,
    owner: &str,
    id: &str,
    precondition: Precondition,
    now: i64,
) -> Result<u64, StoreError> {
    let current = check(tx, owner, id, precondition)?;
    tx.execute("DELETE FROM playlists WHERE id = ?1", [id])?;
    record_change(tx, owner, id, ChangeKind::Deleted, current + 1, now)?;
    Ok(current + 1)
}

/// Inserts tracks at `position` (clamped to the end; `None` appends), in the given order.
fn add_items(
    tx: &Transaction<'_>,
    owner: &str,
    id: &str,
    precondition: Precondition,
    track_ids: &[String],
    position: Option<u32>,
    now: i64,
) -> Result<Playlist, StoreError> {
    let current = check(tx, owner, id, precondition)?;
    let len = item_count(tx, id)?;
    if len + track_ids.len() as u64 > MAX_ITEMS as u64 {
        return Err(StoreError::Invalid(format!(
            "a playlist holds at most {MAX_ITEMS} items"
        )));
    }
    let at = position.map_or(len, |p| u64::from(p).min(len));
    let count = track_ids.len() as u64;
    tx.execute(
        "UPDATE playlist_items SET position = position + ?1 WHERE playlist_id = ?2 AND position >= ?3",
        params![to_i64(count), id, to_i64(at)],
    )?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO playlist_items (item_id, playlist_id, position, track_id, added_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (offset, track_id) in (0u64..).zip(track_ids) {
        insert.execute(params![
            new_id("it"),
            id,
            to_i64(at + offset),
            track_id,
            now
        ])?;
    }
    bump(tx, owner, id, current, now)?;
    get(tx, owner, id, false)
}

fn remove_item(
    tx: &Transaction<'_>,
    owner: &str,
    id: &str,
    precondition: Precondition,
    item_id: &str,
    now: i64,
) -> Result<Playlist, StoreError> {
    let current = check(tx, owner, id, precondition)?;
    let position = item_position(tx, id, item_id)?;
    tx.execute("DELETE FROM playlist_items WHERE item_id = ?1", [item_id])?;
    tx.execute(
        "UPDATE playlist_items SET position = position - 1 WHERE playlist_id = ?1 AND position > ?2",
        params![id, to_i64(position)],
    )?;
    bump(tx, owner, id, current, now)?;
    get(tx, owner, id, false)
}

/// Moves an item to `position`, counted in the list without the item (clamped to the end).
fn move_item(
    tx: &Transaction<'_>,
    owner: &str,
    id: &str,
    precondition: Precondition,
    item_id: &str,
    position: u32,
    now: i64,
) -> Result<Playlist, StoreError> {
    let current = check(tx, owner, id, precondition)?;
    let from = item_position(tx, id, item_id)?;
    let last = item_count(tx, id)? - 1;
    let to = u64::from(position).min(last);
    if to > from {
        tx.execute(
            "UPDATE playlist_items SET position = position - 1
             WHERE playlist_id = ?1 AND position > ?2 AND position <= ?3",
            params![id, to_i64(from), to_i64(to)],
        )?;
    } else if to < from {
        tx.execute(
            "UPDATE playlist_items SET position = position + 1
             WHERE playlist_id = ?1 AND position >= ?2 AND position < ?3",
            params![id, to_i64(to), to_i64(from)],
        )?;
    }
    tx.execute(
        "UPDATE playlist_items SET position = ?1 WHERE item_id = ?2",
        params![to_i64(to), item_id],
    )?;
    bump(tx, owner, id, current, now)?;
    get(tx, owner, id, false)
}

/// The changes recorded for `owner` after `since`, oldest first.
pub fn recorded_after(
    conn: &Connection,
    owner: &str,
    since: u64,
) -> Result<Vec<Recorded>, StoreError> {
    let mut statement = conn.prepare_cached(
        "SELECT seq, playlist_id, kind, revision FROM changes
         WHERE owner = ?1 AND seq > ?2 ORDER BY seq",
    )?;
    let rows = statement.query_map(params![owner, to_i64(since)], |row| {
        let kind: String = row.get(2)?;
        Ok(Recorded {
            seq: to_u64(row.get(0)?),
            playlist_id: row.get(1)?,
            kind: match kind.as_str() {
                "created" => ChangeKind::Created,
                "deleted" => ChangeKind::Deleted,
                _ => ChangeKind::Updated,
            },
            revision: to_u64(row.get(3)?),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The last change recorded for `owner` (0 for none).
pub fn last_seq(conn: &Connection, owner: &str) -> Result<u64, StoreError> {
    let seq: i64 = conn
        .prepare_cached("SELECT COALESCE(MAX(seq), 0) FROM changes WHERE owner = ?1")?
        .query_row([owner], |row| row.get(0))?;
    Ok(to_u64(seq))
}

/// The user's changes after `since`, oldest first, each with the playlist as it is now.
pub fn changes(conn: &Connection, owner: &str, since: u64) -> Result<PlaylistChanges, StoreError> {
    let mut snapshots: std::collections::HashMap<String, Option<Playlist>> =
        std::collections::HashMap::new();
    let recorded = recorded_after(conn, owner, since)?;
    let mut changes = Vec::with_capacity(recorded.len());
    for Recorded {
        seq,
        playlist_id,
        kind,
        revision,
    } in recorded
    {
        let playlist = if let Some(snapshot) = snapshots.get(&playlist_id) {
            snapshot.clone()
        } else {
            let snapshot = match get(conn, owner, &playlist_id, false) {
                Ok(playlist) => Some(playlist),
                Err(StoreError::NotFound(_)) => None,
                Err(error) => return Err(error),
            };
            snapshots.insert(playlist_id.clone(), snapshot.clone());
            snapshot
        };
        changes.push(PlaylistChange {
            seq,
            playlist_id,
            kind,
            revision,
            playlist: if kind == ChangeKind::Deleted {
                None
            } else {
                playlist
            },
        });
    }
    let cursor = changes.last().map_or(since, |c| c.seq);
    Ok(PlaylistChanges { changes, cursor })
}

/// The current revision, after checking the playlist is the owner's and `If-Match` holds.
fn check(
    tx: &Transaction<'_>,
    owner: &str,
    id: &str,
    precondition: Precondition,
) -> Result<u64, StoreError> {
    let current: Option<i64> = tx
        .query_row(
            "SELECT revision FROM playlists WHERE id = ?1 AND owner = ?2",
            [id, owner],
            |r| r.get(0),
        )
        .optional()?;
    let current = to_u64(current.ok_or_else(|| StoreError::NotFound(id.to_owned()))?);
    precondition.check(current)
}

fn bump(
    tx: &Transaction<'_>,
    owner: &str,
    id: &str,
    current: u64,
    now: i64,
) -> Result<(), StoreError> {
    let revision = current + 1;
    tx.execute(
        "UPDATE playlists SET revision = ?1, updated_at = ?2 WHERE id = ?3",
        params![to_i64(revision), now, id],
    )?;
    record_change(tx, owner, id, ChangeKind::Updated, revision, now)
}

fn record_change(
    tx: &Transaction<'_>,
    owner: &str,
    id: &str,
    kind: ChangeKind,
    revision: u64,
    now: i64,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO changes (owner, seq, playlist_id, kind, revision, at)
         VALUES (?1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM changes WHERE owner = ?1), ?2, ?3, ?4, ?5)",
        params![owner, id, kind_name(kind), to_i64(revision), now],
    )?;
    Ok(())
}

fn item_count(tx: &Transaction<'_>, id: &str) -> Result<u64, StoreError> {
    let count: i64 = tx.query_row(
        "SELECT count(*) FROM playlist_items WHERE playlist_id = ?1",
        [id],
        |r| r.get(0),
    )?;
    Ok(to_u64(count))
}

fn item_position(tx: &Transaction<'_>, id: &str, item_id: &str) -> Result<u64, StoreError> {
    let position: Option<i64> = tx
        .query_row(
            "SELECT position FROM playlist_items WHERE playlist_id = ?1 AND item_id = ?2",
            [id, item_id],
            |r| r.get(0),
        )
        .optional()?;
    position
        .map(to_u64)
        .ok_or_else(|| StoreError::ItemNotFound(item_id.to_owned()))
}
