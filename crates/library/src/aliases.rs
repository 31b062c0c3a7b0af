//! Old ids of playlists and items re-keyed by sync (see migration 0006): edits naming an old
//! id reach what it names now.

use rusqlite::{Connection, OptionalExtension as _, params};

use crate::error::Result;
use crate::library::unix_now;

#[derive(Clone, Copy)]
pub(crate) enum AliasKind {
    Playlist,
    Item,
}

impl AliasKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Playlist => "playlist",
            Self::Item => "item",
        }
    }
}

/// Records that `local_id` is now `server_id` (and re-points older aliases to it).
pub(crate) fn record(
    conn: &Connection,
    kind: AliasKind,
    local_id: &str,
    server_id: &str,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO id_aliases (kind, local_id, server_id, created_at) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (kind, local_id) DO UPDATE SET server_id = excluded.server_id",
    )?
    .execute(params![kind.as_str(), local_id, server_id, unix_now()])?;
    Ok(())
}

/// The id `id` names now: itself, or the server id it was re-keyed to.
pub(crate) fn resolve(conn: &Connection, kind: AliasKind, id: &str) -> Result<String> {
    let server: Option<String> = conn
        .prepare_cached("SELECT server_id FROM id_aliases WHERE kind = ?1 AND local_id = ?2")?
        .query_row(params![kind.as_str(), id], |row| row.get(0))
        .optional()?;
    Ok(server.unwrap_or_else(|| id.to_owned()))
}
