//! The `OpenSubsonic` state in SQLite (`schema.sql`, a migration of devcloud's database):
//! stars, playlists with their songs in order, and scrobbles, each per Subsonic user. Runs on
//! the database thread ([`crate::db`]).

use rusqlite::{Connection, OptionalExtension as _, params};

use super::mapping::{StarKind, Starred};

/// Unix seconds as ISO 8601 (UTC), as Subsonic dates are written.
#[must_use]
pub fn iso_date(unix_seconds: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix_seconds)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// What `user` starred.
pub fn starred(conn: &Connection, user: &str) -> rusqlite::Result<Starred> {
    let mut statement = conn.prepare_cached(
        "SELECT kind, item_id, starred_at FROM subsonic_stars WHERE username = ?1",
    )?;
    let rows = statement.query_map([user], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, i64>(2)?,
        ))
    })?;
    let mut starred = Starred::default();
    for row in rows {
        let (kind, id, at) = row?;
        if let Some(kind) = StarKind::from_db(&kind) {
            starred.0.insert((kind, id), iso_date(at));
        }
    }
    Ok(starred)
}

/// Stars (or unstars) `items` for `user`; starring twice keeps the first date.
pub fn set_stars(
    conn: &mut Connection,
    user: &str,
    items: &[(StarKind, String)],
    on: bool,
    now: i64,
) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    for (kind, id) in items {
        if on {
            tx.execute(
                "INSERT INTO subsonic_stars (username, kind, item_id, starred_at)
                 VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
                params![user, kind.as_str(), id, now],
            )?;
        } else {
            tx.execute(
                "DELETE FROM subsonic_stars WHERE username = ?1 AND kind = ?2 AND item_id = ?3",
                params![user, kind.as_str(), id],
            )?;
        }
    }
    tx.commit()
}

/// A playlist as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaylistRow {
    pub id: i64,
    pub owner: String,
    pub name: String,
    pub comment: String,
    pub public: bool,
    pub created: i64,
    pub changed: i64,
    pub songs: Vec<String>,
}

/// The playlists `user` may see: their own and others' public ones, oldest first.
pub fn visible_playlists(conn: &Connection, user: &str) -> rusqlite::Result<Vec<PlaylistRow>> {
    let ids: Vec<i64> = conn
        .prepare_cached(
            "SELECT id FROM subsonic_playlists WHERE owner = ?1 OR public = 1 ORDER BY id",
        )?
        .query_map([user], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut playlists = Vec::with_capacity(ids.len());
    for id in ids {
        playlists.extend(playlist(conn, id)?);
    }
    Ok(playlists)
}

/// A playlist by id, with its songs in order.
pub fn playlist(conn: &Connection, id: i64) -> rusqlite::Result<Option<PlaylistRow>> {
    let Some(mut row) = conn
        .prepare_cached(
            "SELECT id, owner, name, comment, public, created, changed
             FROM subsonic_playlists WHERE id = ?1",
        )?
        .query_row([id], |row| {
            Ok(PlaylistRow {
                id: row.get(0)?,
                owner: row.get(1)?,
                name: row.get(2)?,
                comment: row.get(3)?,
                public: row.get(4)?,
                created: row.get(5)?,
                changed: row.get(6)?,
                songs: Vec::new(),
            })
        })
        .optional()?
    else {
        return Ok(None);
    };
    row.songs = conn
        .prepare_cached(
            "SELECT song_id FROM subsonic_playlist_songs WHERE playlist_id = ?1 ORDER BY position",
        )?
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Some(row))
}

/// Makes a playlist; returns its id.
pub fn create_playlist(
    conn: &mut Connection,
    owner: &str,
    name: &str,
    songs: &[String],
    now: i64,
) -> rusqlite::Result<i64> {
    let tx = conn.transaction()?;
    tx.execute(
        "INSERT INTO subsonic_playlists (owner, name, created, changed) VALUES (?1, ?2, ?3, ?3)",
        params![owner, name, now],
    )?;
    let id = tx.last_insert_rowid();
    write_songs(&tx, id, songs)?;
    tx.commit()?;
    Ok(id)
}

/// What `updatePlaylist` (or `createPlaylist` with a `playlistId`) changes.
#[derive(Debug, Clone, Default)]
pub struct PlaylistEdit {
    pub name: Option<String>,
    pub comment: Option<String>,
    pub public: Option<bool>,
    /// Replaces every song (`createPlaylist` with a `playlistId`).
    pub replace: Option<Vec<String>>,
    /// Indices into the list as it was, removed before the additions.
    pub remove: Vec<usize>,
    pub add: Vec<String>,
}

/// Why an edit was refused.
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    /// No such playlist, or another's private one (70).
    #[error("no such playlist")]
    NotFound,
    /// Another's public playlist, which only `owner` may change (50).
    #[error("the playlist is {owner}'s")]
    NotOwner { owner: String },
    #[error("no song at index {index}: the playlist has {len}")]
    NoSuchIndex { index: usize, len: usize },
    #[error(transparent)]
    Sql(#[from] rusqlite::Error),
}

/// Applies `edit` to playlist `id` for `user` in the spec's order: fields, removals by index
/// against the list as it was, then additions at the end. All or nothing.
///
/// The playlist is read and its owner checked inside the same transaction as the edit
/// (taking the write lock first), so an update or delete in between cannot be overwritten
/// or leave songs of a deleted playlist behind.
pub fn edit_playlist(
    conn: &mut Connection,
    id: i64,
    user: &str,
    edit: &PlaylistEdit,
    now: i64,
) -> Result<(), EditError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let current = playlist(&tx, id)?
        .filter(|row| row.owner == user || row.public)
        .ok_or(EditError::NotFound)?;
    if current.owner != user {
        return Err(EditError::NotOwner {
            owner: current.owner,
        });
    }
    let mut songs = edit
        .replace
        .clone()
        .unwrap_or_else(|| current.songs.clone());
    let mut remove = edit.remove.clone();
    remove.sort_unstable();
    remove.dedup();
    if let Some(&index) = remove.iter().find(|&&i| i >= songs.len()) {
        return Err(EditError::NoSuchIndex {
            index,
            len: songs.len(),
        });
    }
    for index in remove.into_iter().rev() {
        songs.remove(index);
    }
    songs.extend(edit.add.iter().cloned());
    tx.execute(
        "UPDATE subsonic_playlists SET name = coalesce(?2, name), comment = coalesce(?3, comment),
                public = coalesce(?4, public), changed = ?5 WHERE id = ?1",
        params![current.id, edit.name, edit.comment, edit.public, now],
    )?;
    tx.execute(
        "DELETE FROM subsonic_playlist_songs WHERE playlist_id = ?1",
        [current.id],
    )?;
    write_songs(&tx, current.id, &songs)?;
    tx.commit()?;
    Ok(())
}

fn write_songs(conn: &Connection, id: i64, songs: &[String]) -> rusqlite::Result<()> {
    let mut insert = conn.prepare_cached(
        "INSERT INTO subsonic_playlist_songs (playlist_id, position, song_id) VALUES (?1, ?2, ?3)",
    )?;
    for (position, song) in (0i64..).zip(songs) {
        insert.execute(params![id, position, song])?;
    }
    Ok(())
}

pub fn delete_playlist(conn: &Connection, id: i64) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM subsonic_playlists WHERE id = ?1", [id])
        .map(drop)
}

/// One scrobble or now-playing report, as kept.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScrobbleRow {
    pub user: String,
    pub id: String,
    /// When the client says it played, in Unix milliseconds, if it said.
    pub time: Option<i64>,
    pub submission: bool,
    pub client: String,
    pub received_at: i64,
}

pub fn record_scrobbles(conn: &mut Connection, rows: &[ScrobbleRow]) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    for row in rows {
        tx.execute(
            "INSERT INTO subsonic_scrobbles (username, song_id, time_ms, submission, client, received_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![row.user, row.id, row.time, row.submission, row.client, row.received_at],
        )?;
    }
    tx.commit()
}

/// Every report, oldest first.
pub fn scrobbles(conn: &Connection) -> rusqlite::Result<Vec<ScrobbleRow>> {
    read_scrobbles(
        conn,
        "SELECT username, song_id, time_ms, submission, client, received_at
         FROM subsonic_scrobbles ORDER BY seq",
        [],
    )
}

/// Each user's latest now-playing report, if received since `since` (Unix seconds).
pub fn now_playing(conn: &Connection, since: i64) -> rusqlite::Result<Vec<ScrobbleRow>> {
    read_scrobbles(
        conn,
        "SELECT username, song_id, time_ms, submission, client, received_at
         FROM subsonic_scrobbles s
         WHERE submission = 0 AND received_at >= ?1 AND seq = (SELECT max(seq)
             FROM subsonic_scrobbles o WHERE o.username = s.username AND o.submission = 0)
         ORDER BY seq",
        [since],
    )
}

fn read_scrobbles(
    conn: &Connection,
    sql: &str,
    parameters: impl rusqlite::Params,
) -> rusqlite::Result<Vec<ScrobbleRow>> {
    conn.prepare_cached(sql)?
        .query_map(parameters, |row| {
            Ok(ScrobbleRow {
                user: row.get(0)?,
                id: row.get(1)?,
                time: row.get(2)?,
                submission: row.get(3)?,
                client: row.get(4)?,
                received_at: row.get(5)?,
            })
        })?
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn songs(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn removals_apply_to_the_list_as_it_was_before_additions() {
        let mut conn = crate::db::memory_connection();
        let id =
            create_playlist(&mut conn, "alice", "Mix", &songs(&["a", "b", "c", "d"]), 1).unwrap();
        let current = playlist(&conn, id).unwrap().unwrap();
        let edit = PlaylistEdit {
            name: Some("Renamed".into()),
            remove: vec![3, 0, 3],
            add: songs(&["e", "a"]),
            ..PlaylistEdit::default()
        };
        assert_eq!(current.songs.len(), 4);
        edit_playlist(&mut conn, id, "alice", &edit, 2).unwrap();
        let after = playlist(&conn, id).unwrap().unwrap();
        assert_eq!(after.songs, songs(&["b", "c", "e", "a"]));
        assert_eq!(
            (after.name.as_str(), after.changed, after.created),
            ("Renamed", 2, 1)
        );
        let out_of_range = PlaylistEdit {
            remove: vec![1, 4],
            ..PlaylistEdit::default()
        };
        assert!(matches!(
            edit_playlist(&mut conn, id, "alice", &out_of_range, 3),
            Err(EditError::NoSuchIndex { index: 4, len: 4 })
        ));
        assert_eq!(
            playlist(&conn, id).unwrap().unwrap().songs,
            after.songs,
            "nothing applied"
        );
    }

    #[test]
    fn only_the_owner_edits_and_a_deleted_playlist_is_not_brought_back() {
        let mut conn = crate::db::memory_connection();
        let id = create_playlist(&mut conn, "alice", "Mix", &songs(&["a"]), 1).unwrap();
        let add = PlaylistEdit {
            add: songs(&["b"]),
            ..PlaylistEdit::default()
        };
        // Private: bob does not see it; public: he sees it but may not change it.
        assert!(matches!(
            edit_playlist(&mut conn, id, "bob", &add, 2),
            Err(EditError::NotFound)
        ));
        let public = PlaylistEdit {
            public: Some(true),
            ..PlaylistEdit::default()
        };
        edit_playlist(&mut conn, id, "alice", &public, 2).unwrap();
        assert!(matches!(
            edit_playlist(&mut conn, id, "bob", &add, 3),
            Err(EditError::NotOwner { owner }) if owner == "alice"
        ));
        assert_eq!(playlist(&conn, id).unwrap().unwrap().songs, songs(&["a"]));

        // Deleted after the caller last read it: not found, and no songs left without it.
        delete_playlist(&conn, id).unwrap();
        assert!(matches!(
            edit_playlist(&mut conn, id, "alice", &add, 4),
            Err(EditError::NotFound)
        ));
        let orphans: i64 = conn
            .query_row(
                "SELECT count(*) FROM subsonic_playlist_songs WHERE playlist_id = ?1",
                [id],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(orphans, 0);
    }

    #[test]
    fn stars_keep_their_first_date() {
        let mut conn = crate::db::memory_connection();
        let item = [(StarKind::Album, "al-1".to_owned())];
        set_stars(&mut conn, "alice", &item, true, 0).unwrap();
        set_stars(&mut conn, "alice", &item, true, 100).unwrap();
        let starred = starred(&conn, "alice").unwrap();
        assert_eq!(
            starred.0[&(StarKind::Album, "al-1".to_owned())],
            "1970-01-01T00:00:00Z"
        );
        assert!(super::starred(&conn, "bob").unwrap().0.is_empty());
        set_stars(&mut conn, "alice", &item, false, 200).unwrap();
        assert!(super::starred(&conn, "alice").unwrap().0.is_empty());
    }
}
