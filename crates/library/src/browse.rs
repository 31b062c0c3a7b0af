//! What the browsing screens read from the library: albums newest first, an artist's albums
//! and tracks, the play history a page at a time, the tracks heard lately, and what is kept
//! for offline listening with how far each download got. Read-only; the catalog cache,
//! history and downloads are written elsewhere.
//!
//! Every query is bounded (a `LIMIT`, or one artist, album or collection) and walks an index,
//! so a 100,000-track library answers as fast as a small one.

use std::collections::HashSet;

use rusqlite::{OptionalExtension as _, params};
use strato_model::api::{Album, Track};

use crate::catalog::{ALBUM_COLUMNS, TRACK_COLUMNS, album_from_row, collect, track_from_row};
use crate::error::Result;
use crate::history::PlayRecord;
use crate::library::Library;
use crate::offline::CollectionKind;

/// Where a page of the play history ends: the last play shown. The next page starts after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlayCursor {
    pub played_at: i64,
    pub id: i64,
}

/// A collection (or, with [`CollectionKind`] absent, a single track) kept offline, with its
/// downloads counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfflineCollection {
    pub kind: CollectionKind,
    pub id: String,
    /// When the listener asked (Unix seconds).
    pub requested_at: i64,
    /// Distinct tracks it stands for now (an album's as far as the cache knows them).
    pub tracks: u32,
    /// Of those, verified on disk.
    pub downloaded: u32,
    pub failed: u32,
    /// Bytes its verified files take.
    pub bytes: u64,
}

/// A track kept offline on its own (not through an album or a playlist).
#[derive(Debug, Clone, PartialEq)]
pub struct OfflineTrack {
    pub track_id: String,
    pub track: Option<Track>,
    pub requested_at: i64,
    pub complete: bool,
    pub failed: bool,
    pub bytes: u64,
}

/// How many plays are read, at most, to find the distinct tracks heard lately: enough for a
/// listener who replays a few favourites, bounded so a long history costs nothing.
const RECENT_PLAYS_SCANNED: usize = 500;

impl Library {
    /// Cached albums, newest first (by year, then title): "new albums" without the network.
    pub fn newest_albums(&self, limit: usize) -> Result<Vec<Album>> {
        collect(
            &self.conn,
            &format!(
                "SELECT {ALBUM_COLUMNS} FROM albums a \
                 ORDER BY a.year DESC, a.title COLLATE NOCASE, a.id LIMIT ?1"
            ),
            [sql_limit(limit)],
            |row| album_from_row(row, 0),
        )
    }

    /// An artist's cached albums, newest first (as Spotify's discography lists them).
    pub fn artist_albums(&self, artist_id: &str) -> Result<Vec<Album>> {
        collect(
            &self.conn,
            &format!(
                "SELECT {ALBUM_COLUMNS} FROM albums a WHERE a.artist_id = ?1 \
                 ORDER BY a.year DESC, a.title COLLATE NOCASE, a.id"
            ),
            [artist_id],
            |row| album_from_row(row, 0),
        )
    }

    /// The cached tracks by an artist, album by album (newest first; albums not cached
    /// themselves, of no known year, last), each album in track order. Offline only, and rare: it reads the tracks
    /// table through (about 10 ms for 100,000 tracks) rather than keep an index for it.
    pub fn artist_tracks(&self, artist_id: &str) -> Result<Vec<Track>> {
        collect(
            &self.conn,
            &format!(
                "SELECT {TRACK_COLUMNS} FROM tracks t LEFT JOIN albums a ON a.id = t.album_id \
                 WHERE t.artist_id = ?1 \
                 ORDER BY coalesce(a.year, 0) DESC, t.album_title COLLATE NOCASE, t.album_id, \
                     t.track_number, t.id"
            ),
            [artist_id],
            |row| track_from_row(row, 0),
        )
    }

    /// The album whose cover stands for a playlist: its first cached track's.
    pub fn playlist_cover_album(&self, playlist_id: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT t.album_id FROM playlist_items i JOIN tracks t ON t.id = i.track_id \
                 WHERE i.playlist_id = ?1 ORDER BY i.order_key LIMIT 1",
            )?
            .query_row([playlist_id], |row| row.get(0))
            .optional()?)
    }

    /// Up to `limit` plays, newest first, after `before` (the last one of the previous page).
    pub fn plays_page(&self, before: Option<PlayCursor>, limit: usize) -> Result<Vec<PlayRecord>> {
        // (i64::MAX, i64::MAX) is after every play, so the first page needs no other query.
        let before = before.unwrap_or(PlayCursor {
            played_at: i64::MAX,
            id: i64::MAX,
        });
        collect(
            &self.conn,
            &format!(
                "SELECT h.id, h.track_id, h.played_at, h.ms_played, t.id IS NOT NULL, \
                     {TRACK_COLUMNS} \
                 FROM play_history h LEFT JOIN tracks t ON t.id = h.track_id \
                 WHERE (h.played_at, h.id) < (?1, ?2) \
                 ORDER BY h.played_at DESC, h.id DESC LIMIT ?3"
            ),
            params![before.played_at, before.id, sql_limit(limit)],
            |row| crate::history::play_from_row(row, 0),
        )
    }

    /// The tracks heard lately, each once, the latest play first; tracks the catalog cache
    /// does not hold are left out (there is nothing to show for them).
    pub fn recently_played_tracks(&self, limit: usize) -> Result<Vec<Track>> {
        let plays = collect(
            &self.conn,
            &format!(
                "SELECT t.id IS NOT NULL, {TRACK_COLUMNS} \
                 FROM play_history h LEFT JOIN tracks t ON t.id = h.track_id \
                 ORDER BY h.played_at DESC, h.id DESC LIMIT ?1"
            ),
            [sql_limit(RECENT_PLAYS_SCANNED)],
            |row| {
                let cached: bool = row.get(0)?;
                cached.then(|| track_from_row(row, 1)).transpose()
            },
        )?;
        let mut seen = HashSet::new();
        Ok(plays
            .into_iter()
            .flatten()
            .filter(|track| seen.insert(track.id.clone()))
            .take(limit)
            .collect())
    }

    /// The albums and playlists kept offline, the latest asked for first, each with its
    /// downloads counted.
    pub fn offline_collections(&self) -> Result<Vec<OfflineCollection>> {
        // One query per kind, each joining through its own index (tracks by album,
        // playlist items by playlist) rather than a union of every track.
        let counted = "count(m.track_id), \
             coalesce(sum(d.state = 'complete'), 0), coalesce(sum(d.state = 'failed'), 0), \
             coalesce(sum(CASE WHEN d.state = 'complete' THEN d.size END), 0)";
        let albums = format!(
            "SELECT c.id, c.requested_at, {counted} FROM offline_collections c \
             LEFT JOIN (SELECT id AS track_id, album_id AS owner FROM tracks) m \
                 ON m.owner = c.id \
             LEFT JOIN downloads d ON d.track_id = m.track_id \
             WHERE c.kind = 'album' GROUP BY c.id"
        );
        let playlists = format!(
            "SELECT c.id, c.requested_at, {counted} FROM offline_collections c \
             LEFT JOIN (SELECT DISTINCT playlist_id AS owner, track_id FROM playlist_items) m \
                 ON m.owner = c.id \
             LEFT JOIN downloads d ON d.track_id = m.track_id \
             WHERE c.kind = 'playlist' GROUP BY c.id"
        );
        let mut all = Vec::new();
        for (kind, sql) in [
            (CollectionKind::Album, albums),
            (CollectionKind::Playlist, playlists),
        ] {
            all.extend(collect(&self.conn, &sql, [], |row| {
                Ok(OfflineCollection {
                    kind,
                    id: row.get(0)?,
                    requested_at: row.get(1)?,
                    tracks: row.get(2)?,
                    downloaded: row.get(3)?,
                    failed: row.get(4)?,
                    bytes: row.get(5)?,
                })
            })?);
        }
        all.sort_by(|a, b| {
            b.requested_at
                .cmp(&a.requested_at)
                .then_with(|| a.id.cmp(&b.id))
        });
        Ok(all)
    }

    /// Tracks the listener kept offline one by one: pinned downloads that no offline album
    /// or playlist stands for. The latest asked for first.
    pub fn offline_single_tracks(&self) -> Result<Vec<OfflineTrack>> {
        let in_collections = self.offline_collection_tracks()?;
        let pinned = collect(
            &self.conn,
            &format!(
                "SELECT d.track_id, d.requested_at, d.state, coalesce(d.size, 0), \
                     t.id IS NOT NULL, {TRACK_COLUMNS} \
                 FROM downloads d LEFT JOIN tracks t ON t.id = d.track_id \
                 WHERE d.pinned = 1 ORDER BY d.requested_at DESC, d.track_id"
            ),
            [],
            |row| {
                let state: String = row.get(2)?;
                let cached: bool = row.get(4)?;
                Ok(OfflineTrack {
                    track_id: row.get(0)?,
                    requested_at: row.get(1)?,
                    complete: state == "complete",
                    failed: state == "failed",
                    bytes: row.get(3)?,
                    track: cached.then(|| track_from_row(row, 5)).transpose()?,
                })
            },
        )?;
        Ok(pinned
            .into_iter()
            .filter(|t| !in_collections.contains(&t.track_id))
            .collect())
    }

    /// The streaming cache: tracks kept because they were heard at length (unpinned,
    /// verified downloads), and the bytes they take.
    pub fn streaming_cache(&self) -> Result<(u32, u64)> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT count(*), coalesce(sum(size), 0) FROM downloads \
             WHERE pinned = 0 AND state = 'complete'",
            )?
            .query_row([], |row| Ok((row.get(0)?, row.get(1)?)))?)
    }

    /// Forgets every offline mark on albums and playlists (their downloads are removed by
    /// the caller, which owns the files).
    pub fn clear_offline_collections(&mut self) -> Result<()> {
        self.write(|tx| {
            tx.execute("DELETE FROM offline_collections", [])?;
            Ok(())
        })
    }
}

fn sql_limit(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::VerifiedFile;
    use crate::test_support::{assert_healthy, track};

    fn album(id: &str, artist: &str, year: u16, title: &str) -> Album {
        Album {
            id: id.into(),
            title: title.into(),
            artist_id: artist.into(),
            artist_name: artist.into(),
            year,
            track_count: 2,
            gapless: false,
            cover_path: None,
        }
    }

    fn album_track(id: &str, album_id: &str, number: u32) -> Track {
        let mut t = track(id, id, "A", album_id);
        t.album_id = album_id.into();
        t.artist_id = match album_id {
            "al-old" | "al-new" => "ar-a".into(),
            _ => "ar-b".into(),
        };
        t.track_number = number;
        t
    }

    /// Downloads `track_id` as far as the library knows: asked, started, verified.
    fn downloaded(library: &mut Library, track_id: &str, pinned: bool, size: u64) {
        let sha = "ab".repeat(32);
        library.request_download(track_id, pinned).unwrap();
        library
            .start_download(
                track_id,
                std::path::Path::new(&format!("/tmp/{track_id}.mp3")),
                size,
                Some(&sha),
            )
            .unwrap();
        library
            .complete_download(track_id, &VerifiedFile { size, sha256: sha })
            .unwrap();
    }

    #[test]
    fn albums_newest_first_and_an_artists_discography_in_order() {
        let mut library = Library::open_in_memory().unwrap();
        let albums = [
            album("al-old", "ar-a", 1999, "Old"),
            album("al-new", "ar-a", 2024, "New"),
            album("al-other", "ar-b", 2010, "Other"),
        ];
        let tracks = [
            album_track("t-new-2", "al-new", 2),
            album_track("t-old-1", "al-old", 1),
            album_track("t-new-1", "al-new", 1),
            album_track("t-other", "al-other", 1),
        ];
        library.upsert_catalog(&tracks, &albums, &[]).unwrap();

        let newest: Vec<_> = library
            .newest_albums(2)
            .unwrap()
            .into_iter()
            .map(|a| a.id)
            .collect();
        assert_eq!(newest, ["al-new", "al-other"]);
        let discography: Vec<_> = library
            .artist_albums("ar-a")
            .unwrap()
            .into_iter()
            .map(|a| a.id)
            .collect();
        assert_eq!(discography, ["al-new", "al-old"]);
        let heard: Vec<_> = library
            .artist_tracks("ar-a")
            .unwrap()
            .into_iter()
            .map(|t| t.id)
            .collect();
        assert_eq!(heard, ["t-new-1", "t-new-2", "t-old-1"]);
        assert!(library.artist_tracks("ar-nobody").unwrap().is_empty());
        assert_eq!(library.playlist_cover_album("nope").unwrap(), None);
        let list = library.create_playlist("Mix", "").unwrap().playlist.id;
        library
            .add_tracks(&list, &["unknown", "t-other", "t-old-1"], None)
            .unwrap();
        assert_eq!(
            library.playlist_cover_album(&list).unwrap().as_deref(),
            Some("al-other"),
            "the first track the cache knows"
        );
        assert_healthy(&library);
    }

    #[test]
    fn history_pages_newest_first_without_gaps_or_repeats() {
        let mut library = Library::open_in_memory().unwrap();
        library
            .upsert_tracks(&[track("t1", "One", "A", "B")])
            .unwrap();
        // Two plays in the same second: the page boundary falls between them.
        for (track_id, at) in [
            ("t1", 100),
            ("t2", 200),
            ("t1", 300),
            ("t2", 300),
            ("t1", 400),
        ] {
            library.record_play(track_id, at, 5_000).unwrap();
        }
        let mut seen = Vec::new();
        let mut cursor = None;
        loop {
            let page = library.plays_page(cursor, 2).unwrap();
            let Some(last) = page.last() else { break };
            cursor = Some(PlayCursor {
                played_at: last.played_at,
                id: last.id,
            });
            seen.extend(page.iter().map(|p| (p.track_id.clone(), p.played_at)));
        }
        let expected = [
            ("t1", 400),
            ("t2", 300),
            ("t1", 300),
            ("t2", 200),
            ("t1", 100),
        ];
        assert_eq!(
            seen,
            expected.map(|(t, at)| (t.to_owned(), at)).to_vec(),
            "newest first, each play once"
        );
        let first = library.plays_page(None, 1).unwrap();
        assert_eq!(first[0].track.as_ref().unwrap().title, "One");
        assert_healthy(&library);
    }

    #[test]
    fn recently_played_lists_each_cached_track_once_latest_first() {
        let mut library = Library::open_in_memory().unwrap();
        library
            .upsert_tracks(&[track("t1", "One", "A", "B"), track("t2", "Two", "A", "B")])
            .unwrap();
        for (track_id, at) in [("t1", 100), ("t2", 200), ("gone", 250), ("t1", 300)] {
            library.record_play(track_id, at, 5_000).unwrap();
        }
        let recent: Vec<_> = library
            .recently_played_tracks(10)
            .unwrap()
            .into_iter()
            .map(|t| t.id)
            .collect();
        assert_eq!(recent, ["t1", "t2"]);
        assert_eq!(library.recently_played_tracks(1).unwrap().len(), 1);
        assert_healthy(&library);
    }

    #[test]
    fn offline_collections_count_their_downloads_and_single_tracks_stand_apart() {
        let mut library = Library::open_in_memory().unwrap();
        let tracks = [
            album_track("a1", "al-x", 1),
            album_track("a2", "al-x", 2),
            album_track("solo", "al-y", 1),
        ];
        library
            .upsert_catalog(&tracks, &[album("al-x", "ar", 2020, "X")], &[])
            .unwrap();
        library
            .set_offline_collection(CollectionKind::Album, "al-x", true)
            .unwrap();
        let list = library.create_playlist("Trip", "").unwrap().playlist.id;
        // The same track twice counts once.
        library
            .add_tracks(&list, &["a1", "p1", "a1"], None)
            .unwrap();
        library
            .set_offline_collection(CollectionKind::Playlist, &list, true)
            .unwrap();
        downloaded(&mut library, "a1", true, 1_000);
        library.request_download("a2", true).unwrap();
        library.request_download("p1", true).unwrap();
        library
            .start_download(
                "p1",
                std::path::Path::new("/tmp/p1.mp3"),
                5,
                Some(&"cd".repeat(32)),
            )
            .unwrap();
        library.fail_download("p1", "gone").unwrap();
        downloaded(&mut library, "solo", true, 300);
        downloaded(&mut library, "heard", false, 700);

        let mut collections = library.offline_collections().unwrap();
        collections.sort_by_key(|c| c.id.clone());
        let album = collections.iter().find(|c| c.id == "al-x").unwrap();
        assert_eq!(
            (album.tracks, album.downloaded, album.failed, album.bytes),
            (2, 1, 0, 1_000)
        );
        let playlist = collections.iter().find(|c| c.id == list).unwrap();
        assert_eq!(playlist.kind, CollectionKind::Playlist);
        assert_eq!(
            (
                playlist.tracks,
                playlist.downloaded,
                playlist.failed,
                playlist.bytes
            ),
            (2, 1, 1, 1_000)
        );

        let singles = library.offline_single_tracks().unwrap();
        assert_eq!(singles.len(), 1, "{singles:?}");
        assert_eq!(singles[0].track_id, "solo");
        assert!(singles[0].complete);
        assert_eq!(singles[0].bytes, 300);
        assert_eq!(singles[0].track.as_ref().unwrap().album_id, "al-y");
        assert_eq!(library.streaming_cache().unwrap(), (1, 700));

        library.clear_offline_collections().unwrap();
        assert!(library.offline_collections().unwrap().is_empty());
        assert!(
            !library
                .is_offline_collection(CollectionKind::Album, "al-x")
                .unwrap()
        );
        assert_healthy(&library);
    }
}
