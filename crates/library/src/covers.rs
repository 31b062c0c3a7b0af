//! Album covers seen, kept so the library looks the same offline.
//!
//! The table is bounded by [`COVERS_KEPT_BYTES`]: keeping a cover past it lets the least
//! recently shown ones go. Covers are metadata, not audio: they are outside the storage
//! quota that downloads and the streaming cache share.

use rusqlite::{OptionalExtension as _, params};

use crate::error::Result;
use crate::library::{Library, unix_now};

/// The most cover bytes kept: about two thousand covers of the usual size.
pub const COVERS_KEPT_BYTES: u64 = 64 * 1024 * 1024;

/// A cover is marked as shown at most this often (seconds), so that showing covers is not a
/// stream of writes.
const SHOWN_AT_RESOLUTION: i64 = 3600;

/// A kept cover image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptCover {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

impl Library {
    /// The kept cover of `album_id`, marked as shown now.
    pub fn kept_cover(&mut self, album_id: &str) -> Result<Option<KeptCover>> {
        let now = unix_now();
        self.write(|tx| {
            let cover = tx
                .prepare_cached("SELECT content_type, bytes FROM covers WHERE album_id = ?1")?
                .query_row([album_id], |row| {
                    Ok(KeptCover {
                        content_type: row.get(0)?,
                        bytes: row.get(1)?,
                    })
                })
                .optional()?;
            if cover.is_some() {
                tx.prepare_cached(
                    "UPDATE covers SET shown_at = ?2 WHERE album_id = ?1 AND shown_at < ?3",
                )?
                .execute(params![album_id, now, now - SHOWN_AT_RESOLUTION])?;
            }
            Ok(cover)
        })
    }

    /// Forgets the kept cover of `album_id`: the album has a new one (an uploaded track's
    /// cover replaced), which the next showing fetches.
    pub fn forget_cover(&mut self, album_id: &str) -> Result<()> {
        self.write(|tx| {
            tx.prepare_cached("DELETE FROM covers WHERE album_id = ?1")?
                .execute([album_id])?;
            Ok(())
        })
    }

    /// Keeps the cover of `album_id` (replacing an older one), then lets the least recently
    /// shown covers go until the kept ones fit in `limit_bytes`. A cover larger than the
    /// limit by itself is not kept.
    pub fn keep_cover(
        &mut self,
        album_id: &str,
        cover: &KeptCover,
        limit_bytes: u64,
    ) -> Result<()> {
        let size = u64::try_from(cover.bytes.len()).unwrap_or(u64::MAX);
        if size > limit_bytes {
            return Ok(());
        }
        let now = unix_now();
        let limit = i64::try_from(limit_bytes).unwrap_or(i64::MAX);
        self.write(|tx| {
            tx.prepare_cached(
                "INSERT INTO covers (album_id, content_type, bytes, size, fetched_at, shown_at) \
                 VALUES (?1, ?2, ?3, length(?3), ?4, ?4) \
                 ON CONFLICT (album_id) DO UPDATE SET content_type = excluded.content_type, \
                     bytes = excluded.bytes, size = excluded.size, \
                     fetched_at = excluded.fetched_at, shown_at = excluded.shown_at",
            )?
            .execute(params![album_id, cover.content_type, cover.bytes, now])?;
            // The running total from the most recently shown down; what is past the limit
            // goes. The new cover is the most recent, so it stays.
            tx.prepare_cached(
                "DELETE FROM covers WHERE album_id IN ( \
                     SELECT album_id FROM ( \
                         SELECT album_id, sum(size) OVER ( \
                             ORDER BY album_id = ?1 DESC, shown_at DESC, album_id \
                         ) AS running FROM covers \
                     ) WHERE running > ?2)",
            )?
            .execute(params![album_id, limit])?;
            Ok(())
        })
    }

    /// The bytes of every kept cover.
    pub fn kept_cover_bytes(&self) -> Result<u64> {
        let total: i64 =
            self.conn
                .query_row("SELECT coalesce(sum(size), 0) FROM covers", [], |row| {
                    row.get(0)
                })?;
        Ok(u64::try_from(total).unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::assert_healthy;

    fn cover(fill: u8, len: usize) -> KeptCover {
        KeptCover {
            content_type: "image/jpeg".into(),
            bytes: vec![fill; len],
        }
    }

    #[test]
    fn a_kept_cover_comes_back_and_a_newer_one_replaces_it() {
        let mut library = Library::open_in_memory().unwrap();
        assert_eq!(library.kept_cover("al-1").unwrap(), None);
        library.keep_cover("al-1", &cover(1, 100), 1_000).unwrap();
        assert_eq!(library.kept_cover("al-1").unwrap(), Some(cover(1, 100)));
        library.keep_cover("al-1", &cover(2, 50), 1_000).unwrap();
        assert_eq!(library.kept_cover("al-1").unwrap(), Some(cover(2, 50)));
        assert_eq!(library.kept_cover_bytes().unwrap(), 50);
        library.forget_cover("al-1").unwrap();
        assert_eq!(library.kept_cover("al-1").unwrap(), None);
        assert_healthy(&library);
    }

    #[test]
    fn past_the_bound_the_least_recently_shown_covers_go() {
        let mut library = Library::open_in_memory().unwrap();
        for (album, shown_at) in [("al-old", 10), ("al-mid", 20), ("al-new", 30)] {
            library.keep_cover(album, &cover(1, 400), 10_000).unwrap();
            library
                .conn
                .execute(
                    "UPDATE covers SET shown_at = ?2 WHERE album_id = ?1",
                    params![album, shown_at],
                )
                .unwrap();
        }
        // 1,200 kept; another 400 with a bound of 1,000 leaves room for two besides it.
        library
            .keep_cover("al-next", &cover(2, 400), 1_000)
            .unwrap();
        assert_eq!(library.kept_cover("al-old").unwrap(), None);
        assert_eq!(library.kept_cover("al-mid").unwrap(), None);
        assert!(library.kept_cover("al-new").unwrap().is_some());
        assert!(library.kept_cover("al-next").unwrap().is_some());
        assert_eq!(library.kept_cover_bytes().unwrap(), 800);

        // A cover larger than the bound by itself is not kept, and takes nothing with it.
        library
            .keep_cover("al-huge", &cover(3, 2_000), 1_000)
            .unwrap();
        assert_eq!(library.kept_cover("al-huge").unwrap(), None);
        assert_eq!(library.kept_cover_bytes().unwrap(), 800);
        assert_healthy(&library);
    }

    #[test]
    fn showing_a_cover_keeps_it_longer() {
        let mut library = Library::open_in_memory().unwrap();
        library.keep_cover("al-a", &cover(1, 400), 10_000).unwrap();
        library.keep_cover("al-b", &cover(1, 400), 10_000).unwrap();
        library
            .conn
            .execute_batch("UPDATE covers SET shown_at = 0")
            .unwrap();
        // Shown now: al-a is the more recent of the two.
        library.kept_cover("al-a").unwrap();
        library.keep_cover("al-c", &cover(1, 400), 800).unwrap();
        assert!(library.kept_cover("al-a").unwrap().is_some());
        assert_eq!(library.kept_cover("al-b").unwrap(), None);
        assert_healthy(&library);
    }
}
