//! Reading the listener's playlists: the local copy, which is the last server snapshot with
//! the pending edits applied on top (see `playlist_edits` and `server_state`).

use rusqlite::{Connection, OptionalExtension as _, Row};
use strato_model::api::Track;

use crate::aliases::{self, AliasKind};
use crate::catalog::{TRACK_COLUMNS, collect, track_from_row};
use crate::error::{Error, Result};
use crate::library::Library;

/// A playlist without its items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaylistInfo {
    pub id: String,
    pub name: String,
    pub description: String,
    /// The revision of the last server snapshot; `None` if the server has not seen this
    /// playlist yet (created offline, create not yet sent).
    pub server_revision: Option<u64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub item_count: u32,
    /// Edits made here that the server has not acknowledged yet (0 = in sync).
    pub pending_ops: u32,
    /// Deleted here, delete not yet acknowledged. Only edit results report such a playlist;
    /// listings leave it out.
    pub deleted: bool,
    /// Shown on its owner's page for every listener, as the last snapshot said.
    pub public: bool,
}

/// A playlist with its items in order.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalPlaylist {
    pub info: PlaylistInfo,
    pub items: Vec<LocalPlaylistItem>,
}

/// A playlist with its items in order, each naming its track by id only: what a window
/// showing a long playlist reads first (a 10,000-item playlist is 10,000 short rows, not
/// 10,000 tracks' data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaylistOutline {
    pub info: PlaylistInfo,
    /// `(item_id, track_id)`, in order.
    pub items: Vec<(String, String)>,
}

/// One entry of a playlist.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalPlaylistItem {
    /// Stable across moves; a client UUID for an item added offline.
    pub item_id: String,
    pub track_id: String,
    pub added_at: i64,
    /// The track's catalog data, when cached (a server snapshot may name tracks the app has
    /// not fetched yet).
    pub track: Option<Track>,
}

const INFO_SELECT: &str = "SELECT p.id, p.name, p.description, p.server_revision, \
         p.created_at, p.updated_at, \
         (SELECT count(*) FROM playlist_items i WHERE i.playlist_id = p.id), \
         (SELECT count(*) FROM pending_ops o WHERE o.playlist_id = p.id AND o.state = 'pending'), \
         p.deleted, p.public \
     FROM playlists p";

impl Library {
    /// Every playlist (deleted ones excepted), oldest first.
    pub fn playlists(&self) -> Result<Vec<PlaylistInfo>> {
        collect(
            &self.conn,
            &format!("{INFO_SELECT} WHERE p.deleted = 0 ORDER BY p.created_at, p.id"),
            [],
            info_from_row,
        )
    }

    /// One playlist without its items.
    pub fn playlist_info(&self, id: &str) -> Result<PlaylistInfo> {
        let id = &aliases::resolve(&self.conn, AliasKind::Playlist, id)?;
        info(&self.conn, id)?
            .filter(|info| !info.deleted)
            .ok_or_else(|| Error::not_found("playlist", id))
    }

    /// The length of a playlist: the sum of its tracks' durations, of those cached.
    pub fn playlist_duration_ms(&self, id: &str) -> Result<u64> {
        let total: i64 = self
            .conn
            .prepare_cached(
                "SELECT COALESCE(SUM(t.duration_ms), 0) FROM playlist_items i \
                 JOIN tracks t ON t.id = i.track_id WHERE i.playlist_id = ?1",
            )?
            .query_row([id], |row| row.get(0))?;
        Ok(u64::try_from(total).unwrap_or(0))
    }

    /// The server revision of the last snapshot of a playlist (tombstones included, since a
    /// pending delete is sent with it); `None` if the server has not seen it yet.
    pub fn server_revision(&self, id: &str) -> Result<Option<u64>> {
        crate::playlist_apply::playlist_state(&self.conn, id)?
            .map(|state| state.server_revision)
            .ok_or_else(|| Error::not_found("playlist", id))
    }

    /// One playlist with its items in order, each joined with its cached track.
    pub fn playlist(&self, id: &str) -> Result<LocalPlaylist> {
        self.read(|conn| {
            let info = live_info(conn, id)?;
            let id = &info.id;
            let items = collect(
                conn,
                &format!(
                    "SELECT i.item_id, i.track_id, i.added_at, t.id IS NOT NULL, {TRACK_COLUMNS} \
                     FROM playlist_items i LEFT JOIN tracks t ON t.id = i.track_id \
                     WHERE i.playlist_id = ?1 ORDER BY i.order_key"
                ),
                [id],
                |row| {
                    let cached: bool = row.get(3)?;
                    Ok(LocalPlaylistItem {
                        item_id: row.get(0)?,
                        track_id: row.get(1)?,
                        added_at: row.get(2)?,
                        track: if cached {
                            Some(track_from_row(row, 4)?)
                        } else {
                            None
                        },
                    })
                },
            )?;
            Ok(LocalPlaylist { info, items })
        })
    }
}

impl Library {
    /// One playlist with its items' ids and their tracks' ids, in order (see
    /// [`PlaylistOutline`]).
    pub fn playlist_outline(&self, id: &str) -> Result<PlaylistOutline> {
        self.read(|conn| {
            let info = live_info(conn, id)?;
            let id = &info.id;
            let items = collect(
                conn,
                "SELECT item_id, track_id FROM playlist_items WHERE playlist_id = ?1 \
                 ORDER BY order_key",
                [id],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )?;
            Ok(PlaylistOutline { info, items })
        })
    }
}

/// A playlist's info, tombstones included.
/// The playlist `id` names (its id, or the temporary id it was created under), unless it
/// was deleted: not found then, as when it never existed.
fn live_info(conn: &Connection, id: &str) -> Result<PlaylistInfo> {
    let id = aliases::resolve(conn, AliasKind::Playlist, id)?;
    info(conn, &id)?
        .filter(|info| !info.deleted)
        .ok_or_else(|| Error::not_found("playlist", &id))
}

pub(crate) fn info(conn: &Connection, id: &str) -> Result<Option<PlaylistInfo>> {
    Ok(conn
        .prepare_cached(&format!("{INFO_SELECT} WHERE p.id = ?1"))?
        .query_row([id], info_from_row)
        .optional()?)
}

fn info_from_row(row: &Row<'_>) -> rusqlite::Result<PlaylistInfo> {
    Ok(PlaylistInfo {
        id: row.get(0)?,
        name: row.get(1)?,
        description: row.get(2)?,
        server_revision: row.get(3)?,
        created_at: row.get(4)?,
        updated_at: row.get(5)?,
        item_count: row.get(6)?,
        pending_ops: row.get(7)?,
        deleted: row.get(8)?,
        public: row.get(9)?,
    })
}
