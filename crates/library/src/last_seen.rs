//! The last copy of each playlist seen on a server whose API has no revisions (`OpenSubsonic`),
//! kept beside the local copy (migration 0019).
//!
//! The local copy is "the last server snapshot + the pending edits on top", and for the
//! Strato cloud the snapshot is named by its revision. A server without revisions gives
//! nothing to name it by, so the snapshot itself is kept: the sync engine compares the
//! server's playlist with it (another client's edit), or with it plus the edit in flight (a
//! write whose answer was lost). It is written in the same transaction as the snapshot is
//! taken in, or the edit retired, so the two can never disagree.
//!
//! The item ids kept are the library's: the engine matches the server's next copy against
//! these, so an item that is still there keeps its id and the pending edits naming it still
//! find it. Revisions are the engine's count (one more per server state taken in); the
//! library only stores them.

use rusqlite::{OptionalExtension as _, Row, Transaction, params};
use strato_model::api::{Playlist, PlaylistItem, PlaylistSummary};

use crate::catalog::collect;
use crate::error::{Error, Result};
use crate::library::{Library, unix_now};
use crate::server_state::{self, SnapshotOutcome};

impl Library {
    /// The last copy of playlist `id` seen on the server, as [`Self::apply_seen_snapshot`] or
    /// [`Self::mark_op_done_seen`] kept it; `None` when none was kept (a playlist the server
    /// has not seen yet, or one of a service with revisions).
    pub fn last_seen_playlist(&self, id: &str) -> Result<Option<Playlist>> {
        let Some((mut playlist, items)) = self
            .conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS}, items FROM playlist_last_seen WHERE playlist_id = ?1"
            ))?
            .query_row([id], |row| {
                Ok((playlist_from_row(row)?, row.get::<_, String>(8)?))
            })
            .optional()?
        else {
            return Ok(None);
        };
        playlist.items = serde_json::from_str(&items)
            .map_err(|e| Error::Corrupt(format!("the last seen copy of playlist {id}: {e}")))?;
        Ok(Some(playlist))
    }

    /// Every kept copy, without its items (their number counted), by id: what a pull
    /// compares the server's list with.
    pub fn last_seen_playlists(&self) -> Result<Vec<PlaylistSummary>> {
        collect(
            &self.conn,
            &format!(
                "SELECT {COLUMNS}, json_array_length(items) FROM playlist_last_seen ORDER BY playlist_id"
            ),
            [],
            |row| {
                let playlist = playlist_from_row(row)?;
                Ok(PlaylistSummary {
                    item_count: row.get(8)?,
                    id: playlist.id,
                    name: playlist.name,
                    description: playlist.description,
                    revision: playlist.revision,
                    updated_at: playlist.updated_at,
                    public: playlist.public,
                })
            },
        )
    }

    /// Takes in a server's copy of a playlist, as [`Self::apply_server_snapshot`] does
    /// (pending edits re-applied on top by the conflict policy), and keeps it as the last
    /// seen, in one transaction. Its revision must be above the one held (else it is
    /// ignored as stale, and not kept).
    pub fn apply_seen_snapshot(&mut self, snapshot: &Playlist) -> Result<SnapshotOutcome> {
        self.write(|tx| {
            let outcome = server_state::take_snapshot_from_elsewhere(tx, snapshot)?;
            if !outcome.stale {
                keep(tx, snapshot)?;
            }
            Ok(outcome)
        })
    }

    /// Retires operation `seq` as [`Self::mark_op_done`] does, and keeps the server's copy
    /// after it (`answer`) as the last seen, in one transaction. The answer to a create
    /// carries the server's id, which the playlist (and its kept copy) take. `None` after a
    /// delete: the playlist goes, and its kept copy with it.
    pub fn mark_op_done_seen(
        &mut self,
        seq: i64,
        answer: Option<&Playlist>,
    ) -> Result<Option<SnapshotOutcome>> {
        self.write(|tx| {
            let outcome = server_state::mark_done_in(tx, seq, answer)?;
            if let (Some(answer), Some(outcome)) = (answer, &outcome)
                && !outcome.stale
            {
                keep(tx, answer)?;
            }
            Ok(outcome)
        })
    }
}

const COLUMNS: &str =
    "playlist_id, name, description, public, revision, created_at, updated_at, seen_at";

fn playlist_from_row(row: &Row<'_>) -> rusqlite::Result<Playlist> {
    Ok(Playlist {
        id: row.get(0)?,
        name: row.get(1)?,
        description: row.get(2)?,
        public: row.get(3)?,
        revision: row.get(4)?,
        created_at: row.get(5)?,
        updated_at: row.get(6)?,
        items: Vec::new(),
    })
}

/// Keeps `snapshot` as the last seen copy of its playlist (which must exist).
fn keep(tx: &Transaction<'_>, snapshot: &Playlist) -> Result<()> {
    let items = items_json(&snapshot.items)?;
    tx.prepare_cached(
        "INSERT INTO playlist_last_seen (playlist_id, name, description, public, revision, \
             created_at, updated_at, items, seen_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) \
         ON CONFLICT (playlist_id) DO UPDATE SET name = excluded.name, \
             description = excluded.description, public = excluded.public, \
             revision = excluded.revision, created_at = excluded.created_at, \
             updated_at = excluded.updated_at, items = excluded.items, \
             seen_at = excluded.seen_at",
    )?
    .execute(params![
        snapshot.id,
        snapshot.name,
        snapshot.description,
        snapshot.public,
        snapshot.revision,
        snapshot.created_at,
        snapshot.updated_at,
        items,
        unix_now()
    ])?;
    Ok(())
}

fn items_json(items: &[PlaylistItem]) -> Result<String> {
    serde_json::to_string(items).map_err(|e| Error::Invalid(e.to_string()))
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    use super::*;
    use crate::test_support::assert_healthy;

    /// Whether `playlist_id` has a kept copy.
    fn has_copy(conn: &Connection, playlist_id: &str) -> bool {
        conn.query_row(
            "SELECT 1 FROM playlist_last_seen WHERE playlist_id = ?1",
            [playlist_id],
            |_| Ok(()),
        )
        .optional()
        .unwrap()
        .is_some()
    }

    fn copy(id: &str, revision: u64, tracks: &[&str]) -> Playlist {
        Playlist {
            id: id.into(),
            name: format!("Seen r{revision}"),
            description: "kept".into(),
            revision,
            created_at: 100,
            updated_at: 200 + i64::try_from(revision).unwrap(),
            public: false,
            items: tracks
                .iter()
                .enumerate()
                .map(|(index, track)| PlaylistItem {
                    item_id: format!("i{index}"),
                    track_id: (*track).into(),
                    added_at: 100,
                    available: true,
                })
                .collect(),
        }
    }

    #[test]
    fn a_copy_taken_in_is_kept_and_read_back() {
        let mut library = Library::open_in_memory().unwrap();
        assert_eq!(library.last_seen_playlist("p").unwrap(), None);
        let seen = copy("p", 1, &["a", "b"]);
        library.apply_seen_snapshot(&seen).unwrap();
        assert_eq!(library.last_seen_playlist("p").unwrap(), Some(seen.clone()));
        let summaries = library.last_seen_playlists().unwrap();
        assert_eq!(summaries.len(), 1);
        assert_eq!((summaries[0].item_count, summaries[0].updated_at), (2, 201));
        // An older copy is stale: neither taken in nor kept.
        library.apply_seen_snapshot(&copy("p", 3, &["c"])).unwrap();
        let outcome = library.apply_seen_snapshot(&copy("p", 2, &[])).unwrap();
        assert!(outcome.stale);
        assert_eq!(
            library.last_seen_playlist("p").unwrap().unwrap().revision,
            3
        );
        assert_healthy(&library);
    }

    #[test]
    fn the_copy_follows_a_create_and_goes_with_a_delete() {
        let mut library = Library::open_in_memory().unwrap();
        let created = library.create_playlist("Mix", "").unwrap();
        let local_id = created.playlist.id;
        let mut answer = copy("server-1", 1, &[]);
        answer.name = "Mix".into();
        library
            .mark_op_done_seen(created.op_seq, Some(&answer))
            .unwrap();
        assert!(!has_copy(&library.conn, &local_id));
        assert_eq!(
            library.last_seen_playlist("server-1").unwrap(),
            Some(answer)
        );

        let deleted = library.delete_playlist("server-1").unwrap();
        library.mark_op_done_seen(deleted.op_seq, None).unwrap();
        assert!(!has_copy(&library.conn, "server-1"));

        library.apply_seen_snapshot(&copy("q", 1, &["a"])).unwrap();
        library.apply_server_deletion("q").unwrap();
        assert_eq!(library.last_seen_playlist("q").unwrap(), None);
        assert_healthy(&library);
    }
}
