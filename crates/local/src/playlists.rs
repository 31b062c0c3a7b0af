//! Playlists kept on this computer ("local playlists"): lists of the listener's own files,
//! in the index's database (migration 0003), because they belong to the computer as the
//! files do: there signed out, offline and under every account, never synced.
//!
//! - An item names its file by path and keeps the file's last-known tags (title, artist,
//!   album, length; kept in step with the index by the triggers of migration 0003), so a
//!   file that leaves the index (moved, its folder removed, its disk unplugged) is still
//!   listed by name, and is whole again when a scan finds it at the same path. Nothing is
//!   ever dropped from a playlist but by the listener, not even a file that is nowhere when
//!   it is added (it is kept by its file's name).
//! - An item is *missing* when its file cannot be played from where it is named: the index
//!   holds it as unplayable, or neither the index nor the disk has it. A file outside the
//!   music folders that is there plays (the player plays any file), so it is not missing.
//! - Items are files on this computer only: any other id is refused in words, the whole
//!   call with it, nothing written.
//! - Positions run from 0 without gaps; each write is one transaction, renumbers in it, and
//!   bumps the playlist's `updated_at` and its `revision`. Items are changed by their ids
//!   (see [`crate::playlist_edits`]), which stay with them through every move.
//! - Duplicates are allowed, as in any playlist.

use std::collections::HashMap;
use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};
use strato_model::api::Track;
use strato_model::ipc::{LocalPlaylistItem, LocalPlaylistPage, LocalPlaylistSummary};

use crate::error::{LocalError, LocalErrorKind, Result};
use crate::ids::{self, PLAYLIST_ID_PREFIX, is_local_track_id, track_path};
use crate::index::{LocalIndex, now_ms, path_text};
use crate::playlist_edits::insert;

/// The longest name a playlist may have, in characters (as an account's playlist).
pub const MAX_NAME_CHARS: usize = 200;
/// The most items a playlist on this computer holds: more than any listener's, few enough
/// that a renumbering in one transaction is quick.
pub const MAX_ITEMS: usize = 10_000;

/// A summary's columns, as [`summary_of`] reads them: the items the index holds but cannot
/// play counted as missing here, those it does not hold by [`missing_elsewhere`]. The kept
/// lengths are the index's for every file it plays (the triggers keep them in step).
const SUMMARY_SELECT: &str = "SELECT p.id, p.name, p.updated_at, p.revision, count(i.id), \
         count(f.error), coalesce(sum(i.duration_ms), 0) \
     FROM playlists p \
     LEFT JOIN playlist_items i ON i.playlist_id = p.id \
     LEFT JOIN files f ON f.path = i.path";

/// The message of a removal or a move refused because the playlist changed since the
/// positions it names were read.
const CHANGED_MEANWHILE: &str = "The playlist changed meanwhile; look again.";

/// The tags an item keeps of its file.
pub(crate) struct KeptTags {
    pub(crate) path: String,
    pub(crate) title: String,
    pub(crate) artist: String,
    pub(crate) album: String,
    pub(crate) artist_id: String,
    pub(crate) album_id: String,
    pub(crate) duration_ms: u32,
}

impl LocalIndex {
    /// Every playlist kept on this computer, by name.
    pub fn playlists(&self) -> Result<Vec<LocalPlaylistSummary>> {
        let tx = self.conn.unchecked_transaction()?;
        let sql = format!("{SUMMARY_SELECT} GROUP BY p.id ORDER BY p.name COLLATE NOCASE, p.id");
        let mut summaries = tx
            .prepare_cached(&sql)?
            .query_map([], summary_of)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let elsewhere = missing_elsewhere(&tx, None)?;
        for summary in &mut summaries {
            summary.missing += elsewhere.get(&summary.id).copied().unwrap_or(0);
        }
        Ok(summaries)
    }

    /// The playlist `id`, as a list shows it.
    ///
    /// # Errors
    /// `NotFound` when there is no such playlist (any more).
    pub fn playlist_summary(&self, id: &str) -> Result<LocalPlaylistSummary> {
        summary(&self.conn, id)
    }

    /// The playlist `id` and every item, in order: a file the index holds and can play as
    /// the index has it, any other by the tags kept of it, missing unless it is a file
    /// there on disk (see the module's doc). Read as one snapshot: a scan writing meanwhile
    /// shows in the next read.
    ///
    /// # Errors
    /// `NotFound` when there is no such playlist (any more).
    pub fn playlist(&self, id: &str) -> Result<LocalPlaylistPage> {
        let tx = self.conn.unchecked_transaction()?;
        let (name, revision): (String, u32) = tx
            .query_row(
                "SELECT name, revision FROM playlists WHERE id = ?1",
                [id],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?
            .ok_or_else(gone)?;
        let mut statement = tx.prepare_cached(
            "SELECT position, path, title, artist, album, artist_id, album_id, duration_ms, id
             FROM playlist_items WHERE playlist_id = ?1 ORDER BY position, id",
        )?;
        let rows = statement
            .query_map([id], |row| {
                Ok((
                    row.get::<_, u32>(0)?,
                    KeptTags {
                        path: row.get(1)?,
                        title: row.get(2)?,
                        artist: row.get(3)?,
                        album: row.get(4)?,
                        artist_id: row.get(5)?,
                        album_id: row.get(6)?,
                        duration_ms: row.get(7)?,
                    },
                    row.get::<_, i64>(8)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut items = Vec::with_capacity(rows.len());
        for (position, kept, row) in rows {
            let track_id = ids::track_id(Path::new(&kept.path))?;
            let (track, missing) = match self.track(&track_id) {
                Ok(track) => (track, false),
                Err(error) if error.kind() == LocalErrorKind::Unreadable => {
                    (kept.into_track(track_id), true)
                }
                Err(error) if error.kind() == LocalErrorKind::NotFound => {
                    let missing = !Path::new(&kept.path).is_file();
                    (kept.into_track(track_id), missing)
                }
                Err(error) => return Err(error),
            };
            items.push(LocalPlaylistItem {
                item_id: row.to_string(),
                position,
                track,
                missing,
            });
        }
        Ok(LocalPlaylistPage {
            id: id.to_owned(),
            name,
            revision,
            items,
        })
    }

    /// Creates a playlist named `name` (trimmed) of `track_ids` (files on this computer, in
    /// order; none is fine), with an id of its own.
    ///
    /// # Errors
    /// `Invalid` for an empty or too long name, an id that is not a file on this computer,
    /// or more than [`MAX_ITEMS`]. Nothing is written then. A file neither in the index nor
    /// on disk is kept all the same, by its name, missing.
    pub fn create_playlist(
        &mut self,
        name: &str,
        track_ids: &[String],
    ) -> Result<LocalPlaylistSummary> {
        let name = valid_name(name)?;
        let id = format!("{PLAYLIST_ID_PREFIX}{}", uuid::Uuid::new_v4());
        let now = now_ms();
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO playlists (id, name, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)",
            params![id, name, now],
        )?;
        insert(&tx, &id, 0, track_ids)?;
        let created = summary(&tx, &id)?;
        tx.commit()?;
        Ok(created)
    }

    /// Renames the playlist `id` to `name` (trimmed).
    ///
    /// # Errors
    /// `NotFound` when it is gone; `Invalid` for an empty or too long name.
    pub fn rename_playlist(&mut self, id: &str, name: &str) -> Result<LocalPlaylistSummary> {
        let name = valid_name(name)?;
        let tx = self.conn.transaction()?;
        change(&tx, id, None)?;
        tx.execute(
            "UPDATE playlists SET name = ?2 WHERE id = ?1",
            params![id, name],
        )?;
        let renamed = summary(&tx, id)?;
        tx.commit()?;
        Ok(renamed)
    }

    /// Deletes the playlist `id` and its items (the files stay).
    ///
    /// # Errors
    /// `NotFound` when it is gone already.
    pub fn delete_playlist(&mut self, id: &str) -> Result<()> {
        // Its items go with it (ON DELETE CASCADE).
        let deleted = self
            .conn
            .execute("DELETE FROM playlists WHERE id = ?1", [id])?;
        if deleted == 0 {
            return Err(gone());
        }
        Ok(())
    }
}

impl KeptTags {
    /// The track a file the index does not play is shown as: its id (the file's URL) and
    /// the tags kept.
    fn into_track(self, id: String) -> Track {
        Track {
            id,
            title: self.title,
            artist_id: self.artist_id,
            artist_name: self.artist,
            album_id: self.album_id,
            album_title: self.album,
            track_number: 0,
            duration_ms: self.duration_ms,
            cover_path: None,
            replaygain: None,
            owner: None,
        }
    }
}

/// A summary as [`SUMMARY_SELECT`] gives it: `missing` without the files the index does
/// not hold.
fn summary_of(row: &rusqlite::Row<'_>) -> rusqlite::Result<LocalPlaylistSummary> {
    Ok(LocalPlaylistSummary {
        id: row.get(0)?,
        name: row.get(1)?,
        updated_at_ms: row.get(2)?,
        revision: row.get(3)?,
        items: row.get(4)?,
        missing: row.get(5)?,
        duration_ms: row.get::<_, i64>(6)?.unsigned_abs(),
    })
}

pub(crate) fn summary(conn: &Connection, id: &str) -> Result<LocalPlaylistSummary> {
    let sql = format!("{SUMMARY_SELECT} WHERE p.id = ?1 GROUP BY p.id");
    let mut found = conn
        .prepare_cached(&sql)?
        .query_row([id], summary_of)
        .optional()?
        .ok_or_else(gone)?;
    found.missing += missing_elsewhere(conn, Some(id))?
        .get(id)
        .copied()
        .unwrap_or(0);
    Ok(found)
}

/// How many items of each playlist (of `only`, else of all) name a file the index does not
/// hold and the disk does not have either: the missing ones [`SUMMARY_SELECT`] cannot see.
/// Each such file is looked for on disk once.
fn missing_elsewhere(conn: &Connection, only: Option<&str>) -> Result<HashMap<String, u32>> {
    let mut statement = conn.prepare_cached(
        "SELECT i.playlist_id, i.path FROM playlist_items i
         WHERE (?1 IS NULL OR i.playlist_id = ?1)
             AND NOT EXISTS (SELECT 1 FROM files f WHERE f.path = i.path)",
    )?;
    let rows = statement
        .query_map([only], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut on_disk: HashMap<String, bool> = HashMap::new();
    let mut missing: HashMap<String, u32> = HashMap::new();
    for (playlist, path) in rows {
        let there = *on_disk
            .entry(path)
            .or_insert_with_key(|path| Path::new(path).is_file());
        if !there {
            *missing.entry(playlist).or_default() += 1;
        }
    }
    Ok(missing)
}

/// Starts a change of the playlist `id`: checks it is there (`NotFound`) and, given
/// `expected`, still at that revision (`Invalid`), then marks it changed now, one revision
/// on. In the change's transaction, so a refusal writes nothing.
pub(crate) fn change(conn: &Connection, id: &str, expected: Option<u32>) -> Result<()> {
    let revision: u32 = conn
        .query_row(
            "SELECT revision FROM playlists WHERE id = ?1",
            [id],
            |row| row.get(0),
        )
        .optional()?
        .ok_or_else(gone)?;
    if expected.is_some_and(|expected| expected != revision) {
        return Err(LocalError::new(LocalErrorKind::Invalid, CHANGED_MEANWHILE));
    }
    conn.execute(
        "UPDATE playlists SET updated_at = ?2, revision = ?3 WHERE id = ?1",
        params![id, now_ms(), revision.wrapping_add(1)],
    )?;
    Ok(())
}

/// What an item of the file `track_id` keeps: the index's tags; else (a file outside the
/// music folders, or nowhere now) what another item of it keeps, or what an item of it kept
/// when it was removed (migration 0005: an Undo puts back what was taken out); else its name.
/// Nothing asked for is dropped, and the triggers bring the tags in once a scan finds it.
pub(crate) fn kept_tags(conn: &Connection, track_id: &str) -> Result<KeptTags> {
    if !is_local_track_id(track_id) {
        return Err(LocalError::new(
            LocalErrorKind::Invalid,
            "A playlist on this computer holds files on this computer only.",
        ));
    }
    let path = track_path(track_id)?;
    let text = path_text(&path)?.to_owned();
    let indexed = conn
        .prepare_cached(
            "SELECT title, artist, album, artist_id, album_id, duration_ms FROM (
                 SELECT title, coalesce(artist, '') AS artist, album, artist_id, album_id,
                     duration_ms, 0 AS rank FROM files WHERE path = ?1
                 UNION ALL
                 SELECT title, artist, album, artist_id, album_id, duration_ms, 1
                     FROM playlist_items WHERE path = ?1
                 UNION ALL
                 SELECT title, artist, album, artist_id, album_id, duration_ms, 2
                     FROM removed_item_tags WHERE path = ?1
             ) ORDER BY rank LIMIT 1",
        )?
        .query_row([&text], |row| {
            Ok(KeptTags {
                path: text.clone(),
                title: row.get(0)?,
                artist: row.get(1)?,
                album: row.get(2)?,
                artist_id: row.get(3)?,
                album_id: row.get(4)?,
                duration_ms: row.get(5)?,
            })
        })
        .optional()?;
    if let Some(kept) = indexed {
        return Ok(kept);
    }
    let name = |part: Option<&std::ffi::OsStr>| {
        part.map(|part| part.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let album = name(path.parent().and_then(Path::file_name));
    Ok(KeptTags {
        title: name(path.file_stem()),
        artist_id: ids::artist_id(""),
        album_id: ids::album_id("", &album),
        artist: String::new(),
        album,
        path: text,
        duration_ms: 0,
    })
}

fn valid_name(name: &str) -> Result<String> {
    let name = name.trim();
    let chars = name.chars().count();
    if chars == 0 {
        return Err(LocalError::new(
            LocalErrorKind::Invalid,
            "A playlist needs a name.",
        ));
    }
    if chars > MAX_NAME_CHARS {
        return Err(LocalError::new(
            LocalErrorKind::Invalid,
            format!("A playlist's name can be at most {MAX_NAME_CHARS} characters."),
        ));
    }
    Ok(name.to_owned())
}

fn gone() -> LocalError {
    LocalError::new(
        LocalErrorKind::NotFound,
        "This playlist is no longer on this computer.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(valid_name("  Road trip \n").unwrap(), "Road trip");
        assert_eq!(
            valid_name(" \t ").unwrap_err().kind(),
            LocalErrorKind::Invalid
        );
        assert!(valid_name(&"é".repeat(MAX_NAME_CHARS)).is_ok());
        assert!(valid_name(&"é".repeat(MAX_NAME_CHARS + 1)).is_err());
    }
}
