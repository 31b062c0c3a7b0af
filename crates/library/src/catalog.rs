//! The catalog cache: tracks, albums and artists as the service listed them.
//!
//! Pages are upserted whole in one transaction. An upsert keeps the row's `pk` (it is
//! `ON CONFLICT DO UPDATE`, not `REPLACE`, which would delete and re-insert), so the
//! full-text index is only touched when an indexed name really changed.

use rusqlite::{Connection, OptionalExtension as _, Row, params};
use strato_model::api::{Album, Artist, ReplayGain, Track};

use crate::error::Result;
use crate::library::{Library, unix_now};

/// The columns [`track_from_row`] reads, from `tracks` aliased as `t`.
pub(crate) const TRACK_COLUMNS: &str = "t.id, t.title, t.artist_id, t.artist_name, t.album_id, \
     t.album_title, t.track_number, t.duration_ms, t.cover_path, t.rg_track_gain_db, \
     t.rg_track_peak, t.rg_album_gain_db, t.rg_album_peak";

/// The columns [`album_from_row`] reads, from `albums` aliased as `a`.
pub(crate) const ALBUM_COLUMNS: &str =
    "a.id, a.title, a.artist_id, a.artist_name, a.year, a.track_count, a.gapless, a.cover_path";

/// The columns [`artist_from_row`] reads, from `artists` aliased as `r`.
pub(crate) const ARTIST_COLUMNS: &str = "r.id, r.name";

const UPSERT_TRACK: &str = "INSERT INTO tracks (id, title, artist_id, artist_name, album_id, \
         album_title, track_number, duration_ms, cover_path, rg_track_gain_db, rg_track_peak, \
         rg_album_gain_db, rg_album_peak, cached_at) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) \
     ON CONFLICT (id) DO UPDATE SET title = excluded.title, artist_id = excluded.artist_id, \
         artist_name = excluded.artist_name, album_id = excluded.album_id, \
         album_title = excluded.album_title, track_number = excluded.track_number, \
         duration_ms = excluded.duration_ms, cover_path = excluded.cover_path, \
         rg_track_gain_db = excluded.rg_track_gain_db, rg_track_peak = excluded.rg_track_peak, \
         rg_album_gain_db = excluded.rg_album_gain_db, rg_album_peak = excluded.rg_album_peak, \
         cached_at = excluded.cached_at";

const UPSERT_ALBUM: &str = "INSERT INTO albums (id, title, artist_id, artist_name, year, \
         track_count, gapless, cover_path, cached_at) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) \
     ON CONFLICT (id) DO UPDATE SET title = excluded.title, artist_id = excluded.artist_id, \
         artist_name = excluded.artist_name, year = excluded.year, \
         track_count = excluded.track_count, gapless = excluded.gapless, \
         cover_path = excluded.cover_path, cached_at = excluded.cached_at";

const UPSERT_ARTIST: &str = "INSERT INTO artists (id, name, cached_at) VALUES (?1, ?2, ?3) \
     ON CONFLICT (id) DO UPDATE SET name = excluded.name, cached_at = excluded.cached_at";

impl Library {
    /// Caches one page of catalog data (any mix of tracks, albums, artists) in one
    /// transaction, replacing what was cached under the same ids.
    pub fn upsert_catalog(
        &mut self,
        tracks: &[Track],
        albums: &[Album],
        artists: &[Artist],
    ) -> Result<()> {
        let now = unix_now();
        self.write(|tx| {
            for track in tracks {
                upsert_track(tx, track, now)?;
            }
            let mut upsert = tx.prepare_cached(UPSERT_ALBUM)?;
            for album in albums {
                upsert.execute(params![
                    album.id,
                    album.title,
                    album.artist_id,
                    album.artist_name,
                    album.year,
                    album.track_count,
                    album.gapless,
                    album.cover_path,
                    now,
                ])?;
            }
            let mut upsert = tx.prepare_cached(UPSERT_ARTIST)?;
            for artist in artists {
                upsert.execute(params![artist.id, artist.name, now])?;
            }
            Ok(())
        })
    }

    /// Caches tracks only.
    pub fn upsert_tracks(&mut self, tracks: &[Track]) -> Result<()> {
        self.upsert_catalog(tracks, &[], &[])
    }

    /// A cached track.
    pub fn track(&self, id: &str) -> Result<Option<Track>> {
        let sql = format!("SELECT {TRACK_COLUMNS} FROM tracks t WHERE t.id = ?1");
        Ok(self
            .conn
            .prepare_cached(&sql)?
            .query_row([id], |row| track_from_row(row, 0))
            .optional()?)
    }

    /// A cached album.
    pub fn album(&self, id: &str) -> Result<Option<Album>> {
        let sql = format!("SELECT {ALBUM_COLUMNS} FROM albums a WHERE a.id = ?1");
        Ok(self
            .conn
            .prepare_cached(&sql)?
            .query_row([id], |row| album_from_row(row, 0))
            .optional()?)
    }

    /// A cached artist.
    pub fn artist(&self, id: &str) -> Result<Option<Artist>> {
        let sql = format!("SELECT {ARTIST_COLUMNS} FROM artists r WHERE r.id = ?1");
        Ok(self
            .conn
            .prepare_cached(&sql)?
            .query_row([id], |row| artist_from_row(row, 0))
            .optional()?)
    }

    /// The cached tracks of an album, in track order.
    pub fn album_tracks(&self, album_id: &str) -> Result<Vec<Track>> {
        let sql = format!(
            "SELECT {TRACK_COLUMNS} FROM tracks t WHERE t.album_id = ?1 \
             ORDER BY t.track_number, t.id"
        );
        collect(&self.conn, &sql, [album_id], |row| track_from_row(row, 0))
    }
}

/// Caches one track, replacing what was cached under its id. Its catalog rank, if any, stays
/// as it was: only a walk of the catalog listing changes it (see `catalog_pages.rs`).
pub(crate) fn upsert_track(conn: &Connection, track: &Track, now: i64) -> rusqlite::Result<()> {
    let gain = track.replaygain;
    conn.prepare_cached(UPSERT_TRACK)?.execute(params![
        track.id,
        track.title,
        track.artist_id,
        track.artist_name,
        track.album_id,
        track.album_title,
        track.track_number,
        track.duration_ms,
        track.cover_path,
        gain.map(|g| g.track_gain_db),
        gain.map(|g| g.track_peak),
        gain.map(|g| g.album_gain_db),
        gain.map(|g| g.album_peak),
        now,
    ])?;
    Ok(())
}

/// Runs a query and collects its rows.
pub(crate) fn collect<T>(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    map: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>> {
    let mut statement = conn.prepare_cached(sql)?;
    let rows = statement.query_map(params, map)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Reads [`TRACK_COLUMNS`] starting at column `first`.
pub(crate) fn track_from_row(row: &Row<'_>, first: usize) -> rusqlite::Result<Track> {
    let gain: Option<f64> = row.get(first + 9)?;
    let replaygain = match gain {
        None => None,
        Some(track_gain_db) => Some(ReplayGain {
            track_gain_db: narrow(track_gain_db),
            track_peak: narrow(row.get(first + 10)?),
            album_gain_db: narrow(row.get(first + 11)?),
            album_peak: narrow(row.get(first + 12)?),
        }),
    };
    Ok(Track {
        id: row.get(first)?,
        title: row.get(first + 1)?,
        artist_id: row.get(first + 2)?,
        artist_name: row.get(first + 3)?,
        album_id: row.get(first + 4)?,
        album_title: row.get(first + 5)?,
        track_number: row.get(first + 6)?,
        duration_ms: row.get(first + 7)?,
        cover_path: row.get(first + 8)?,
        replaygain,
        owner: None,
    })
}

/// Reads [`ALBUM_COLUMNS`] starting at column `first`.
pub(crate) fn album_from_row(row: &Row<'_>, first: usize) -> rusqlite::Result<Album> {
    Ok(Album {
        id: row.get(first)?,
        title: row.get(first + 1)?,
        artist_id: row.get(first + 2)?,
        artist_name: row.get(first + 3)?,
        year: row.get(first + 4)?,
        track_count: row.get(first + 5)?,
        gapless: row.get(first + 6)?,
        cover_path: row.get(first + 7)?,
    })
}

/// Reads [`ARTIST_COLUMNS`] starting at column `first`.
pub(crate) fn artist_from_row(row: &Row<'_>, first: usize) -> rusqlite::Result<Artist> {
    Ok(Artist {
        id: row.get(first)?,
        name: row.get(first + 1)?,
    })
}

/// The stored values came from `f32`s, so narrowing back is exact.
#[allow(clippy::cast_possible_truncation)]
fn narrow(value: f64) -> f32 {
    value as f32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{assert_healthy, track};

    #[test]
    fn tracks_round_trip_with_and_without_replaygain() {
        let mut library = Library::open_in_memory().unwrap();
        let plain = track("t1", "Hyperballad", "Björk", "Post");
        let mut gained = track("t2", "Army of Me", "Björk", "Post");
        gained.replaygain = Some(ReplayGain {
            track_gain_db: -7.31,
            track_peak: 0.988_77,
            album_gain_db: -6.5,
            album_peak: 1.0,
        });
        gained.cover_path = Some("art/post.jpg".into());
        library
            .upsert_tracks(&[plain.clone(), gained.clone()])
            .unwrap();
        assert_eq!(library.track("t1").unwrap(), Some(plain));
        assert_eq!(library.track("t2").unwrap(), Some(gained));
        assert_eq!(library.track("nope").unwrap(), None);
        assert_healthy(&library);
    }

    #[test]
    fn upsert_replaces_and_keeps_one_row() {
        let mut library = Library::open_in_memory().unwrap();
        library
            .upsert_tracks(&[track("t1", "Old", "A", "B")])
            .unwrap();
        let renamed = track("t1", "New", "A", "B");
        library
            .upsert_tracks(std::slice::from_ref(&renamed))
            .unwrap();
        assert_eq!(library.track("t1").unwrap(), Some(renamed));
        let count: i64 = library
            .conn
            .query_row("SELECT count(*) FROM tracks", [], |row| row.get(0))
            .unwrap();
        assert_eq!(count, 1);
        assert_healthy(&library);
    }

    #[test]
    fn albums_and_artists_round_trip() {
        let mut library = Library::open_in_memory().unwrap();
        let album = Album {
            id: "al1".into(),
            title: "Ágætis byrjun".into(),
            artist_id: "ar1".into(),
            artist_name: "Sigur Rós".into(),
            year: 1999,
            track_count: 10,
            gapless: true,
            cover_path: None,
        };
        let artist = Artist {
            id: "ar1".into(),
            name: "Sigur Rós".into(),
        };
        library
            .upsert_catalog(
                &[],
                std::slice::from_ref(&album),
                std::slice::from_ref(&artist),
            )
            .unwrap();
        assert_eq!(library.album("al1").unwrap(), Some(album));
        assert_eq!(library.artist("ar1").unwrap(), Some(artist));
        assert_healthy(&library);
    }
}
