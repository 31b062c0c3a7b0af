//! The catalog as a list: the tracks the service's catalog listing holds, in its order, read
//! a page at a time from this computer.
//!
//! The service lists its catalog in one order (album artist, album year and title, track
//! number; `GET /v1/tracks`). A **walk** reads that listing page by page and gives each track
//! its place in it, the `catalog_rank` (0, 1, 2, ...), one page per transaction
//! ([`Library::rank_catalog_page`]). The catalog screen then reads pages by **keyset**:
//! the tracks whose rank is above the last one shown, by the rank's index
//! ([`Library::catalog_page`]), so the 50,000th page costs what the first does. Tracks cached
//! for another reason (a search, an album page, a playlist) have no rank and are not listed
//! until a walk reaches them.
//!
//! Ranks are unique. A walk that finds a place held by another track (the catalog grew or
//! shrank before it) takes the place and clears the other's rank; that track is listed again
//! when the walk reaches its new place. At the end of a complete walk every place below the
//! count walked is held by a track seen in it, so the tracks it did not see are exactly
//! those ranked at or above that count: they lose their rank ([`Library::end_catalog_walk`])
//! and stay cached for the playlists and downloads that name them.
//!
//! Each write says what the listed catalog looks like afterwards ([`CatalogWrite`]): how many
//! tracks it lists, and where the first change is ([`CatalogSplice`]: the tracks before it are
//! the same tracks, in the same places, with the same data), so a window showing the list
//! re-reads only what changed, and nothing when a walk finds the catalog as it was.

use rusqlite::{Connection, OptionalExtension as _, params};
use strato_model::api::Track;

use crate::catalog::{TRACK_COLUMNS, track_from_row, upsert_track};
use crate::error::{Error, Result};
use crate::library::{Library, unix_now};

/// The sync cursor that holds when the last complete walk ended (Unix seconds).
const LISTED_AT_CURSOR: &str = "catalog_listed_at";

/// One page of the listed catalog.
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogRows {
    /// In catalog order.
    pub tracks: Vec<Track>,
    /// The rank to read on from ([`Library::catalog_page`]'s `after`), or `None` when this
    /// page ends the list.
    pub next_after: Option<u64>,
}

/// Where the listed catalog first changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CatalogSplice {
    /// The tracks listed before the first change: the same tracks as before the write, in the
    /// same places, with the same data.
    pub kept: u64,
    /// The rank of the last of them (read on from there), or `None` when `kept` is 0.
    pub after: Option<u64>,
}

/// What a walk's write left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CatalogWrite {
    /// How many tracks the catalog lists now.
    pub listed: u64,
    /// `None` when the list reads exactly as before the write.
    pub changed: Option<CatalogSplice>,
}

impl Library {
    /// Up to `limit` listed tracks after the rank `after` (from the start with `None`), in
    /// catalog order.
    pub fn catalog_page(&self, after: Option<u64>, limit: usize) -> Result<CatalogRows> {
        let sql = format!(
            "SELECT {TRACK_COLUMNS}, t.catalog_rank FROM tracks t \
             WHERE t.catalog_rank > ?1 ORDER BY t.catalog_rank LIMIT ?2"
        );
        let after = after.map_or(-1, rank_value);
        // One more than asked: whether it comes says whether this page is the last.
        let wanted = i64::try_from(limit.saturating_add(1)).unwrap_or(i64::MAX);
        let mut statement = self.conn.prepare_cached(&sql)?;
        let mut rows = statement.query(params![after, wanted])?;
        let mut tracks = Vec::with_capacity(limit.min(1_000));
        let mut last_rank = None;
        let mut more = false;
        while let Some(row) = rows.next()? {
            if tracks.len() == limit {
                more = true;
                break;
            }
            tracks.push(track_from_row(row, 0)?);
            last_rank = Some(row.get::<_, i64>(13)?);
        }
        let next_after = match (more, last_rank) {
            (true, Some(rank)) => Some(rank_from(rank)?),
            _ => None,
        };
        Ok(CatalogRows { tracks, next_after })
    }

    /// How many tracks the catalog lists.
    pub fn catalog_len(&self) -> Result<u64> {
        listed(&self.conn)
    }

    /// When the last complete walk of the catalog ended (Unix seconds), if one ever did.
    pub fn catalog_listed_at(&self) -> Result<Option<i64>> {
        Ok(self
            .sync_cursor(LISTED_AT_CURSOR)?
            .and_then(|value| value.parse().ok()))
    }

    /// Caches one page of a walk of the catalog listing and ranks its tracks from
    /// `first_rank` on, in one transaction. A track found at another track's place takes it
    /// (the other loses its rank until the walk reaches it again).
    pub fn rank_catalog_page(&mut self, first_rank: u64, tracks: &[Track]) -> Result<CatalogWrite> {
        let now = unix_now();
        self.write(|tx| {
            // The lowest rank whose track or data changed.
            let mut first_change: Option<u64> = None;
            let mut changed_at = |rank: u64| {
                first_change = Some(first_change.map_or(rank, |first| first.min(rank)));
            };
            for (offset, track) in (0_u64..).zip(tracks) {
                let rank = first_rank + offset;
                let before: Option<(Option<i64>, Track)> = tx
                    .prepare_cached(&format!(
                        "SELECT t.catalog_rank, {TRACK_COLUMNS} FROM tracks t WHERE t.id = ?1"
                    ))?
                    .query_row([&track.id], |row| {
                        Ok((row.get(0)?, track_from_row(row, 1)?))
                    })
                    .optional()?;
                match before {
                    Some((Some(was), cached)) if was == rank_value(rank) => {
                        if cached != *track {
                            changed_at(rank);
                        }
                    }
                    Some((Some(was), _)) => {
                        changed_at(rank);
                        changed_at(rank_from(was)?);
                    }
                    Some((None, _)) | None => changed_at(rank),
                }
                // Whoever held this place gives it up (counted above: a new track is here).
                tx.prepare_cached(
                    "UPDATE tracks SET catalog_rank = NULL WHERE catalog_rank = ?1 AND id <> ?2",
                )?
                .execute(params![rank_value(rank), track.id])?;
                upsert_track(tx, track, now)?;
                tx.prepare_cached("UPDATE tracks SET catalog_rank = ?1 WHERE id = ?2")?
                    .execute(params![rank_value(rank), track.id])?;
            }
            written(tx, first_change)
        })
    }

    /// Ends a complete walk that ranked `walked` tracks: the tracks it did not see leave the
    /// list (they stay cached), and the walk's end is recorded ([`Self::catalog_listed_at`]).
    pub fn end_catalog_walk(&mut self, walked: u64) -> Result<CatalogWrite> {
        let now = unix_now();
        self.write(|tx| {
            let cleared = tx
                .prepare_cached("UPDATE tracks SET catalog_rank = NULL WHERE catalog_rank >= ?1")?
                .execute([rank_value(walked)])?;
            tx.prepare_cached(
                "INSERT INTO sync_cursors (name, value, updated_at) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (name) DO UPDATE SET value = excluded.value, \
                     updated_at = excluded.updated_at",
            )?
            .execute(params![LISTED_AT_CURSOR, now.to_string(), now])?;
            written(tx, (cleared > 0).then_some(walked))
        })
    }
}

/// The list after a write whose first change is at rank `first_change`.
fn written(conn: &Connection, first_change: Option<u64>) -> Result<CatalogWrite> {
    let changed = match first_change {
        None => None,
        Some(rank) => {
            let (kept, after): (i64, Option<i64>) = conn
                .prepare_cached(
                    "SELECT count(*), max(catalog_rank) FROM tracks WHERE catalog_rank < ?1",
                )?
                .query_row([rank_value(rank)], |row| Ok((row.get(0)?, row.get(1)?)))?;
            Some(CatalogSplice {
                kept: count_from(kept)?,
                after: after.map(rank_from).transpose()?,
            })
        }
    };
    Ok(CatalogWrite {
        listed: listed(conn)?,
        changed,
    })
}

fn listed(conn: &Connection) -> Result<u64> {
    let count: i64 = conn
        .prepare_cached("SELECT count(*) FROM tracks WHERE catalog_rank IS NOT NULL")?
        .query_row([], |row| row.get(0))?;
    count_from(count)
}

/// Ranks are stored as SQLite integers; no catalog comes near `i64::MAX` tracks.
fn rank_value(rank: u64) -> i64 {
    i64::try_from(rank).unwrap_or(i64::MAX)
}

fn rank_from(value: i64) -> Result<u64> {
    u64::try_from(value).map_err(|_| Error::Corrupt(format!("catalog rank {value}")))
}

fn count_from(value: i64) -> Result<u64> {
    u64::try_from(value).map_err(|_| Error::Corrupt(format!("catalog count {value}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{assert_healthy, track};

    fn tracks(ids: &[&str]) -> Vec<Track> {
        ids.iter()
            .map(|id| track(id, id, "Artist", "Album"))
            .collect()
    }

    fn all_pages(library: &Library, limit: usize) -> Vec<String> {
        let mut ids = Vec::new();
        let mut after = None;
        loop {
            let page = library.catalog_page(after, limit).unwrap();
            assert!(page.tracks.len() <= limit);
            ids.extend(page.tracks.into_iter().map(|t| t.id));
            match page.next_after {
                Some(next) => after = Some(next),
                None => return ids,
            }
        }
    }

    /// Walks `ids` as the service would list them, `per_page` at a time, to the end.
    fn walk(library: &mut Library, ids: &[&str], per_page: usize) -> Vec<CatalogWrite> {
        let mut writes = Vec::new();
        let mut rank = 0;
        for page in ids.chunks(per_page) {
            writes.push(library.rank_catalog_page(rank, &tracks(page)).unwrap());
            rank += page.len() as u64;
        }
        writes.push(library.end_catalog_walk(rank).unwrap());
        writes
    }

    #[test]
    fn pages_follow_the_ranks_and_the_last_one_says_so() {
        let mut library = Library::open_in_memory().unwrap();
        assert_eq!(library.catalog_page(None, 10).unwrap().tracks, []);
        walk(&mut library, &["a", "b", "c", "d", "e"], 2);
        let first = library.catalog_page(None, 2).unwrap();
        assert_eq!(first.tracks, tracks(&["a", "b"]));
        assert_eq!(first.next_after, Some(1));
        let last = library.catalog_page(Some(3), 2).unwrap();
        assert_eq!(last.tracks, tracks(&["e"]));
        assert_eq!(last.next_after, None);
        // A page that ends exactly at the end says it is the last.
        assert_eq!(library.catalog_page(Some(2), 2).unwrap().next_after, None);
        assert_eq!(library.catalog_len().unwrap(), 5);
        assert!(library.catalog_listed_at().unwrap().is_some());
        assert_healthy(&library);
    }

    #[test]
    fn tracks_cached_elsewhere_are_not_listed_until_a_walk_ranks_them() {
        let mut library = Library::open_in_memory().unwrap();
        library.upsert_tracks(&tracks(&["searched"])).unwrap();
        assert_eq!(library.catalog_len().unwrap(), 0);
        walk(&mut library, &["a", "searched"], 10);
        // A later cache of the same track (an album page) keeps its place.
        library.upsert_tracks(&tracks(&["searched"])).unwrap();
        assert_eq!(all_pages(&library, 10), ["a", "searched"]);
        assert_healthy(&library);
    }

    #[test]
    fn a_walk_that_finds_the_catalog_unchanged_changes_nothing() {
        let mut library = Library::open_in_memory().unwrap();
        let ids = ["a", "b", "c", "d", "e"];
        let first = walk(&mut library, &ids, 2);
        assert!(first[..3].iter().all(|write| write.changed.is_some()));
        let again = walk(&mut library, &ids, 2);
        assert!(
            again.iter().all(|write| write.changed.is_none()),
            "{again:?}"
        );
        assert_eq!(again.last().unwrap().listed, 5);
        assert_healthy(&library);
    }

    #[test]
    fn a_new_walk_replaces_the_ranks_and_unseen_tracks_leave_the_list() {
        let mut library = Library::open_in_memory().unwrap();
        walk(&mut library, &["a", "b", "c", "d", "e"], 2);

        // "x" arrived after "a", "c" and "e" left.
        let writes = walk(&mut library, &["a", "x", "b", "d"], 2);
        assert_eq!(
            writes[0].changed,
            Some(CatalogSplice {
                kept: 1,
                after: Some(0)
            }),
            "a stays; x takes b's place"
        );
        assert_eq!(all_pages(&library, 3), ["a", "x", "b", "d"]);
        // The track left at "e"'s old place went with the end of the walk.
        assert_eq!(
            writes.last().unwrap().changed,
            Some(CatalogSplice {
                kept: 4,
                after: Some(3)
            })
        );
        assert_eq!(writes.last().unwrap().listed, 4);
        // Unlisted, still cached.
        assert!(library.track("e").unwrap().is_some());
        assert_healthy(&library);
    }

    #[test]
    fn changed_data_at_the_same_place_is_a_change_there() {
        let mut library = Library::open_in_memory().unwrap();
        walk(&mut library, &["a", "b", "c"], 3);
        let mut renamed = tracks(&["a", "b", "c"]);
        renamed[2].title = "C (remastered)".into();
        let write = library.rank_catalog_page(0, &renamed).unwrap();
        assert_eq!(
            write.changed,
            Some(CatalogSplice {
                kept: 2,
                after: Some(1)
            })
        );
        assert_healthy(&library);
    }

    #[test]
    fn an_interrupted_walk_keeps_the_rest_of_the_list() {
        let mut library = Library::open_in_memory().unwrap();
        walk(&mut library, &["a", "b", "c", "d"], 2);
        // The catalog lost "a"; the walk stops after its first page.
        library.rank_catalog_page(0, &tracks(&["b", "c"])).unwrap();
        assert_eq!(all_pages(&library, 10), ["b", "c", "d"]);
        assert_healthy(&library);
    }

    #[test]
    fn pages_are_read_through_the_rank_index() {
        let library = Library::open_in_memory().unwrap();
        let sql = format!(
            "EXPLAIN QUERY PLAN SELECT {TRACK_COLUMNS}, t.catalog_rank FROM tracks t \
             WHERE t.catalog_rank > ?1 ORDER BY t.catalog_rank LIMIT ?2"
        );
        let plan: Vec<String> = library
            .conn
            .prepare(&sql)
            .unwrap()
            .query_map(params![-1, 101], |row| row.get(3))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert!(
            plan.iter()
                .any(|step| step.contains("USING INDEX tracks_by_catalog_rank")),
            "{plan:?}"
        );
        assert!(
            !plan.iter().any(|step| step.contains("TEMP B-TREE")),
            "{plan:?}"
        );
    }
}
