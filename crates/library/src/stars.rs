//! Stars (favourites) on an `OpenSubsonic` server (migration 0020): the stars as last known,
//! and the toggles the server has not acknowledged yet, in the order they were made.
//!
//! # Why so little
//!
//! `star` and `unstar` have no revisions and are idempotent: starring a starred track changes
//! nothing. So a toggle needs neither an operation log with conflict policy (as playlists do)
//! nor a sending state (as listens do): it is written here before anything is sent
//! ([`Library::record_star`]), sent oldest first, and leaves when the server took it
//! ([`Library::star_sent`]). Sent again after a crash or a lost answer, it does no harm. A
//! newer toggle of the same item replaces the one waiting, since only the last counts.
//!
//! The stars kept ([`Library::stars`]) are what the window shows at once, offline too: the
//! server's list as last read ([`Library::replace_stars`]) with the waiting toggles on top.
//!
//! The sending lives in `strato-sync`.

use rusqlite::{OptionalExtension as _, Transaction, params};

use crate::error::{Error, Result};
use crate::library::Library;

/// What a star names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StarKind {
    Track,
    Album,
    Artist,
}

impl StarKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Track => "track",
            Self::Album => "album",
            Self::Artist => "artist",
        }
    }

    fn parse(text: &str) -> Result<Self> {
        match text {
            "track" => Ok(Self::Track),
            "album" => Ok(Self::Album),
            "artist" => Ok(Self::Artist),
            other => Err(Error::Corrupt(format!("unknown star kind {other}"))),
        }
    }
}

/// A toggle waiting for the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StarEdit {
    /// Its place in the order toggles were made; names it to [`Library::star_sent`].
    pub seq: i64,
    pub kind: StarKind,
    pub item_id: String,
    /// Starred (`star`), or not (`unstar`).
    pub starred: bool,
    /// When the listener toggled it (Unix seconds).
    pub made_at: i64,
}

impl Library {
    /// Records that the listener starred (or unstarred) `item_id`, at `now` (Unix seconds):
    /// the star shows at once, and the toggle waits to be sent. Its `seq`.
    ///
    /// # Errors
    /// An empty id; the database.
    pub fn record_star(
        &mut self,
        kind: StarKind,
        item_id: &str,
        starred: bool,
        now: i64,
    ) -> Result<i64> {
        if item_id.trim().is_empty() {
            return Err(Error::Invalid("a star needs what it stars".into()));
        }
        self.write(|tx| {
            tx.execute(
                "DELETE FROM star_edits WHERE kind = ?1 AND item_id = ?2",
                params![kind.as_str(), item_id],
            )?;
            tx.execute(
                "INSERT INTO star_edits (kind, item_id, starred, made_at) VALUES (?1, ?2, ?3, ?4)",
                params![kind.as_str(), item_id, starred, now],
            )?;
            let seq = tx.last_insert_rowid();
            set_star(tx, kind, item_id, starred)?;
            Ok(seq)
        })
    }

    /// The oldest toggle waiting for the server.
    ///
    /// # Errors
    /// The database.
    pub fn next_star_edit(&self) -> Result<Option<StarEdit>> {
        let row = self
            .conn
            .query_row(
                "SELECT seq, kind, item_id, starred, made_at FROM star_edits \
                 ORDER BY seq LIMIT 1",
                [],
                |row| {
                    Ok((
                        row.get::<_, i64>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, String>(2)?,
                        row.get::<_, bool>(3)?,
                        row.get::<_, i64>(4)?,
                    ))
                },
            )
            .optional()?;
        row.map(|(seq, kind, item_id, starred, made_at)| {
            Ok(StarEdit {
                seq,
                kind: StarKind::parse(&kind)?,
                item_id,
                starred,
                made_at,
            })
        })
        .transpose()
    }

    /// How many toggles wait for the server.
    ///
    /// # Errors
    /// The database.
    pub fn star_edits_waiting(&self) -> Result<u64> {
        let count: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM star_edits", [], |row| row.get(0))?;
        Ok(u64::try_from(count).unwrap_or_default())
    }

    /// The server took the toggle `seq`. (A newer toggle of the same item, made meanwhile, is
    /// another row and still waits.)
    ///
    /// # Errors
    /// The database.
    pub fn star_sent(&mut self, seq: i64) -> Result<()> {
        self.write(|tx| {
            tx.execute("DELETE FROM star_edits WHERE seq = ?1", params![seq])?;
            Ok(())
        })
    }

    /// The server refused the toggle `seq` for good (the item is gone from it, say): it
    /// leaves, and the star shown goes back to what it was, unless a newer toggle of the same
    /// item waits.
    ///
    /// # Errors
    /// The database.
    pub fn star_refused(&mut self, seq: i64) -> Result<()> {
        self.write(|tx| {
            let refused = tx
                .query_row(
                    "DELETE FROM star_edits WHERE seq = ?1 RETURNING kind, item_id, starred",
                    params![seq],
                    |row| {
                        Ok((
                            row.get::<_, String>(0)?,
                            row.get::<_, String>(1)?,
                            row.get::<_, bool>(2)?,
                        ))
                    },
                )
                .optional()?;
            if let Some((kind, item_id, starred)) = refused {
                set_star(tx, StarKind::parse(&kind)?, &item_id, !starred)?;
            }
            Ok(())
        })
    }

    /// Takes in the server's stars (`getStarred2`, read with no toggle of ours in flight):
    /// they replace those kept, with the toggles still waiting applied on top.
    ///
    /// # Errors
    /// The database.
    pub fn replace_stars(&mut self, server: &[(StarKind, String)]) -> Result<()> {
        self.write(|tx| {
            tx.execute("DELETE FROM stars", [])?;
            {
                let mut insert = tx.prepare_cached(
                    "INSERT OR IGNORE INTO stars (kind, item_id) VALUES (?1, ?2)",
                )?;
                for (kind, id) in server {
                    insert.execute(params![kind.as_str(), id])?;
                }
            }
            let waiting: Vec<(String, String, bool)> = {
                let mut statement = tx
                    .prepare_cached("SELECT kind, item_id, starred FROM star_edits ORDER BY seq")?;
                statement
                    .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
                    .collect::<rusqlite::Result<_>>()?
            };
            for (kind, item_id, starred) in waiting {
                set_star(tx, StarKind::parse(&kind)?, &item_id, starred)?;
            }
            Ok(())
        })
    }

    /// Every star as kept here, by kind then id.
    ///
    /// # Errors
    /// The database.
    pub fn stars(&self) -> Result<Vec<(StarKind, String)>> {
        let mut statement = self
            .conn
            .prepare_cached("SELECT kind, item_id FROM stars ORDER BY kind, item_id")?;
        let rows = statement
            .query_map([], |row| Ok((row.get::<_, String>(0)?, row.get(1)?)))?
            .collect::<rusqlite::Result<Vec<(String, String)>>>()?;
        rows.into_iter()
            .map(|(kind, id)| Ok((StarKind::parse(&kind)?, id)))
            .collect()
    }
}

fn set_star(tx: &Transaction<'_>, kind: StarKind, item_id: &str, starred: bool) -> Result<()> {
    if starred {
        tx.execute(
            "INSERT OR IGNORE INTO stars (kind, item_id) VALUES (?1, ?2)",
            params![kind.as_str(), item_id],
        )?;
    } else {
        tx.execute(
            "DELETE FROM stars WHERE kind = ?1 AND item_id = ?2",
            params![kind.as_str(), item_id],
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::assert_healthy;

    fn open() -> (tempfile::TempDir, Library) {
        let dir = tempfile::tempdir().unwrap();
        let library = Library::open(dir.path().join("library.sqlite")).unwrap();
        (dir, library)
    }

    fn star(kind: StarKind, id: &str) -> (StarKind, String) {
        (kind, id.to_owned())
    }

    #[test]
    fn toggles_wait_in_order_and_show_at_once() {
        let (_dir, mut library) = open();
        let a = library
            .record_star(StarKind::Track, "t1", true, 100)
            .unwrap();
        let b = library
            .record_star(StarKind::Album, "al1", true, 101)
            .unwrap();
        let c = library
            .record_star(StarKind::Artist, "ar1", true, 102)
            .unwrap();
        assert!(a < b && b < c);
        assert_eq!(
            library.stars().unwrap(),
            [
                star(StarKind::Album, "al1"),
                star(StarKind::Artist, "ar1"),
                star(StarKind::Track, "t1")
            ]
        );
        assert_eq!(library.star_edits_waiting().unwrap(), 3);
        let first = library.next_star_edit().unwrap().unwrap();
        assert_eq!(
            first,
            StarEdit {
                seq: a,
                kind: StarKind::Track,
                item_id: "t1".into(),
                starred: true,
                made_at: 100
            }
        );
        library.star_sent(a).unwrap();
        assert_eq!(library.next_star_edit().unwrap().unwrap().seq, b);
        assert_healthy(&library);
    }

    #[test]
    fn a_newer_toggle_of_the_same_item_replaces_the_one_waiting_and_goes_last() {
        let (_dir, mut library) = open();
        let first = library
            .record_star(StarKind::Track, "t1", true, 100)
            .unwrap();
        let other = library
            .record_star(StarKind::Track, "t2", true, 101)
            .unwrap();
        let undone = library
            .record_star(StarKind::Track, "t1", false, 102)
            .unwrap();
        assert_eq!(library.star_edits_waiting().unwrap(), 2);
        assert_eq!(library.stars().unwrap(), [star(StarKind::Track, "t2")]);
        assert_eq!(library.next_star_edit().unwrap().unwrap().seq, other);
        // An acknowledgement of the replaced toggle (sent before the newer one was made)
        // does not retire the newer one.
        library.star_sent(first).unwrap();
        library.star_sent(other).unwrap();
        let last = library.next_star_edit().unwrap().unwrap();
        assert_eq!((last.seq, last.starred), (undone, false));
    }

    #[test]
    fn a_refused_toggle_leaves_and_the_star_goes_back() {
        let (_dir, mut library) = open();
        library
            .replace_stars(&[star(StarKind::Album, "al1")])
            .unwrap();
        let unstar = library
            .record_star(StarKind::Album, "al1", false, 100)
            .unwrap();
        let gone = library
            .record_star(StarKind::Track, "gone", true, 101)
            .unwrap();
        assert_eq!(library.stars().unwrap(), [star(StarKind::Track, "gone")]);
        library.star_refused(unstar).unwrap();
        library.star_refused(gone).unwrap();
        assert_eq!(library.stars().unwrap(), [star(StarKind::Album, "al1")]);
        assert_eq!(library.star_edits_waiting().unwrap(), 0);
        // Refusing what already left does nothing.
        library.star_refused(gone).unwrap();
        assert_eq!(library.stars().unwrap(), [star(StarKind::Album, "al1")]);
    }

    #[test]
    fn the_servers_list_replaces_the_stars_with_the_waiting_toggles_on_top() {
        let (_dir, mut library) = open();
        library
            .record_star(StarKind::Track, "new", true, 100)
            .unwrap();
        library
            .record_star(StarKind::Track, "old", false, 101)
            .unwrap();
        library
            .replace_stars(&[
                star(StarKind::Track, "old"),
                star(StarKind::Artist, "ar"),
                star(StarKind::Artist, "ar"),
            ])
            .unwrap();
        assert_eq!(
            library.stars().unwrap(),
            [star(StarKind::Artist, "ar"), star(StarKind::Track, "new")]
        );
        assert!(library.record_star(StarKind::Track, " ", true, 1).is_err());
        assert_healthy(&library);
    }
}
