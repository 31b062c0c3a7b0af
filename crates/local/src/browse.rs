//! Reading the index as the app shows it: every track in album order, the albums, the
//! artists, an album's or an artist's tracks, a search by words, one track by id or by its
//! file's path; all as the model's [`Track`], [`Album`] and [`Artist`], so local files fill
//! the same screens as a service's catalog. (A file named by a path written elsewhere is
//! found by [`crate::locate`].)
//!
//! Files that cannot be played are never listed (see [`LocalIndex::failed_files`]). What a
//! local track has of a catalog track's fields: its id (the `file://` URL), title, artist,
//! album, number and length; `cover_path` holds the track's own id when it has a cover,
//! embedded or beside it, whose bytes [`LocalIndex::cover`] gives. No `ReplayGain` is read
//! yet, and no owner: local files are the listener's own.

use std::path::Path;

use rusqlite::{OptionalExtension, Row, params};
use strato_model::api::{Album, Artist, Track};

use crate::error::{LocalError, LocalErrorKind, Result};
use crate::ids::{self, track_path};
use crate::index::{LocalIndex, path_text};

/// The columns of a track, as [`TrackRow::read`] reads them.
const TRACK_COLUMNS: &str = "path, title, coalesce(artist, ''), artist_id, album, album_id, \
     coalesce(track_no, 0), duration_ms, has_embedded_cover OR folder_cover IS NOT NULL";

/// Album order: by album artist, album, disc and number, then title and path for files
/// without numbers.
const ALBUM_ORDER: &str = "coalesce(album_artist, artist, '') COLLATE NOCASE, \
     album COLLATE NOCASE, album_id, coalesce(disc_no, 1), coalesce(track_no, 0), \
     title COLLATE NOCASE, path";

/// One track's columns, before its path becomes an id.
struct TrackRow {
    path: String,
    title: String,
    artist: String,
    artist_id: String,
    album: String,
    album_id: String,
    track_no: u32,
    duration_ms: u32,
    has_cover: bool,
}

impl TrackRow {
    fn read(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            path: row.get(0)?,
            title: row.get(1)?,
            artist: row.get(2)?,
            artist_id: row.get(3)?,
            album: row.get(4)?,
            album_id: row.get(5)?,
            track_no: row.get(6)?,
            duration_ms: row.get(7)?,
            has_cover: row.get(8)?,
        })
    }

    fn into_track(self) -> Result<Track> {
        let id = ids::track_id(Path::new(&self.path))?;
        Ok(Track {
            cover_path: self.has_cover.then(|| id.clone()),
            id,
            title: self.title,
            artist_id: self.artist_id,
            artist_name: self.artist,
            album_id: self.album_id,
            album_title: self.album,
            track_number: self.track_no,
            duration_ms: self.duration_ms,
            replaygain: None,
            owner: None,
        })
    }
}

impl LocalIndex {
    /// Every playable track, in album order.
    pub fn tracks(&self) -> Result<Vec<Track>> {
        self.tracks_where("1", [])
    }

    /// The tracks of the album `album_id`, in order.
    pub fn album_tracks(&self, album_id: &str) -> Result<Vec<Track>> {
        self.tracks_where("album_id = ?1", [album_id])
    }

    /// The tracks by the artist `artist_id`: those they play and those of their albums.
    pub fn artist_tracks(&self, artist_id: &str) -> Result<Vec<Track>> {
        self.tracks_where("(artist_id = ?1 OR album_artist_id = ?1)", [artist_id])
    }

    fn tracks_where<const N: usize>(&self, filter: &str, args: [&str; N]) -> Result<Vec<Track>> {
        let sql = format!(
            "SELECT {TRACK_COLUMNS} FROM files WHERE error IS NULL AND {filter} \
             ORDER BY {ALBUM_ORDER}"
        );
        let mut statement = self.conn.prepare_cached(&sql)?;
        let rows = statement
            .query_map(rusqlite::params_from_iter(args), TrackRow::read)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter().map(TrackRow::into_track).collect()
    }

    /// The track `id` (a `file://` URL). `NotFound` when the index does not hold it,
    /// `Unreadable` (with why) when it holds it but it cannot be played.
    pub fn track(&self, id: &str) -> Result<Track> {
        let path = track_path(id)?;
        let sql = format!("SELECT {TRACK_COLUMNS}, error FROM files WHERE path = ?1");
        let found = self
            .conn
            .query_row(&sql, [path_text(&path)?], |row| {
                Ok((TrackRow::read(row)?, row.get::<_, Option<String>>(9)?))
            })
            .optional()?;
        match found {
            None => Err(LocalError::new(
                LocalErrorKind::NotFound,
                format!("{} is not in your music folders.", path.display()),
            )),
            Some((_, Some(error))) => Err(LocalError::new(
                LocalErrorKind::Unreadable,
                format!("{} cannot be played: {error}", path.display()),
            )),
            Some((row, None)) => row.into_track(),
        }
    }

    /// The playable tracks matching every word of `query` (each as the start of a word of
    /// the title, artist, album or album artist; case and accents aside), best first.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<Track>> {
        let Some(expression) = match_expression(query) else {
            return Ok(Vec::new());
        };
        let sql = format!(
            "SELECT {TRACK_COLUMNS} FROM files JOIN (SELECT rowid AS hit, rank FROM files_search \
                 WHERE files_search MATCH ?1) ON files.id = hit \
             WHERE error IS NULL ORDER BY rank, path LIMIT ?2"
        );
        let mut statement = self.conn.prepare_cached(&sql)?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = statement
            .query_map(params![expression, limit], TrackRow::read)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter().map(TrackRow::into_track).collect()
    }

    /// The albums (a title by an album artist), by artist then title.
    pub fn albums(&self) -> Result<Vec<Album>> {
        self.albums_where("1", [])
    }

    /// The album `album_id`, or `None` when no playable file is of it.
    pub fn album(&self, album_id: &str) -> Result<Option<Album>> {
        Ok(self.albums_where("album_id = ?1", [album_id])?.pop())
    }

    /// The albums of the artist `artist_id` (as album artist).
    pub fn artist_albums(&self, artist_id: &str) -> Result<Vec<Album>> {
        self.albums_where("album_artist_id = ?1", [artist_id])
    }

    fn albums_where<const N: usize>(&self, filter: &str, args: [&str; N]) -> Result<Vec<Album>> {
        // The album's artist and title are the same on every row of the group: its id is
        // made of them.
        let sql = format!(
            "SELECT album_id, album, coalesce(album_artist, artist, ''), album_artist_id, \
                 coalesce(max(year), 0), count(*), \
                 min(CASE WHEN has_embedded_cover OR folder_cover IS NOT NULL THEN path END) \
             FROM files WHERE error IS NULL AND {filter} GROUP BY album_id \
             ORDER BY 3 COLLATE NOCASE, 2 COLLATE NOCASE, 1"
        );
        let mut statement = self.conn.prepare_cached(&sql)?;
        let rows = statement
            .query_map(rusqlite::params_from_iter(args), |row| {
                Ok((
                    Album {
                        id: row.get(0)?,
                        title: row.get(1)?,
                        artist_name: row.get(2)?,
                        artist_id: row.get(3)?,
                        year: u16::try_from(row.get::<_, i64>(4)?).unwrap_or(0),
                        track_count: row.get(5)?,
                        gapless: false,
                        cover_path: None,
                    },
                    row.get::<_, Option<String>>(6)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(mut album, cover_track)| {
                album.cover_path = cover_track
                    .map(|path| ids::track_id(Path::new(&path)))
                    .transpose()?;
                Ok(album)
            })
            .collect()
    }

    /// Every artist: those tracks name and those albums name, by name.
    pub fn artists(&self) -> Result<Vec<Artist>> {
        let mut statement = self.conn.prepare_cached(
            "SELECT artist_id, coalesce(artist, '') AS name FROM files WHERE error IS NULL
             UNION
             SELECT album_artist_id, coalesce(album_artist, artist, '') FROM files
             WHERE error IS NULL
             ORDER BY name COLLATE NOCASE, 1",
        )?;
        let rows = statement.query_map([], |row| {
            Ok(Artist {
                id: row.get(0)?,
                name: row.get(1)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// An FTS5 query of `query`'s words, each as a quoted prefix (`"rad"*`), all required;
/// `None` when it has none. Quoting makes FTS5's operators plain text.
fn match_expression(query: &str) -> Option<String> {
    let words: Vec<String> = query
        .split_whitespace()
        .map(|word| format!("\"{}\"*", word.replace('"', "\"\"")))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_become_quoted_prefixes() {
        assert_eq!(match_expression("  "), None);
        assert_eq!(
            match_expression("sigur \"ros OR"),
            Some(r#""sigur"* """ros"* "OR"*"#.to_owned())
        );
    }

    #[test]
    fn an_empty_index_lists_nothing_and_finds_nothing() {
        let index = LocalIndex::open_in_memory().unwrap();
        assert!(index.tracks().unwrap().is_empty());
        assert!(index.albums().unwrap().is_empty());
        assert!(index.artists().unwrap().is_empty());
        assert!(index.search("anything", 10).unwrap().is_empty());
        let dir = tempfile::tempdir().unwrap();
        let id = ids::track_id(&dir.path().join("a.mp3")).unwrap();
        assert_eq!(
            index.track(&id).unwrap_err().kind(),
            LocalErrorKind::NotFound
        );
    }
}
