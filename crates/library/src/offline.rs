//! What the listener keeps for offline listening, as collections (albums, playlists), and
//! the tracks those stand for. The download manager works per track; this is where "a
//! track added to an offline playlist downloads too" comes from.

use rusqlite::params;

use crate::aliases::{self, AliasKind};
use crate::catalog::collect;
use crate::error::Result;
use crate::library::{Library, unix_now};

/// A collection kept offline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CollectionKind {
    Album,
    Playlist,
}

impl CollectionKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Album => "album",
            Self::Playlist => "playlist",
        }
    }
}

impl Library {
    /// Marks (or unmarks) a collection as kept offline.
    pub fn set_offline_collection(
        &mut self,
        kind: CollectionKind,
        id: &str,
        offline: bool,
    ) -> Result<()> {
        let now = unix_now();
        self.write(|tx| {
            let id = &match kind {
                CollectionKind::Playlist => aliases::resolve(tx, AliasKind::Playlist, id)?,
                CollectionKind::Album => id.to_owned(),
            };
            if offline {
                tx.execute(
                    "INSERT INTO offline_collections (kind, id, requested_at) VALUES (?1, ?2, ?3) \
                     ON CONFLICT DO NOTHING",
                    params![kind.as_str(), id, now],
                )?;
            } else {
                tx.execute(
                    "DELETE FROM offline_collections WHERE kind = ?1 AND id = ?2",
                    params![kind.as_str(), id],
                )?;
            }
            Ok(())
        })
    }

    /// Whether a collection is kept offline.
    pub fn is_offline_collection(&self, kind: CollectionKind, id: &str) -> Result<bool> {
        let id = &match kind {
            CollectionKind::Playlist => aliases::resolve(&self.conn, AliasKind::Playlist, id)?,
            CollectionKind::Album => id.to_owned(),
        };
        Ok(self
            .conn
            .prepare_cached("SELECT 1 FROM offline_collections WHERE kind = ?1 AND id = ?2")?
            .exists(params![kind.as_str(), id])?)
    }

    /// The tracks of every offline playlist, and of every offline album as far as the
    /// catalog cache knows it, that have no download record yet and that the service has not
    /// said are unavailable.
    pub fn offline_tracks_missing(&self) -> Result<Vec<String>> {
        collect(
            &self.conn,
            "SELECT DISTINCT track_id FROM ( \
                 SELECT i.track_id FROM playlist_items i JOIN offline_collections c \
                     ON c.kind = 'playlist' AND c.id = i.playlist_id \
                 UNION ALL \
                 SELECT t.id FROM tracks t JOIN offline_collections c \
                     ON c.kind = 'album' AND c.id = t.album_id \
             ) WHERE track_id NOT IN (SELECT track_id FROM downloads) \
               AND track_id NOT IN (SELECT track_id FROM unavailable_tracks) \
             ORDER BY track_id",
            [],
            |row| row.get(0),
        )
    }

    /// Every track that an offline playlist or album stands for now (downloaded or not).
    pub fn offline_collection_tracks(&self) -> Result<std::collections::HashSet<String>> {
        Ok(collect(
            &self.conn,
            "SELECT i.track_id FROM playlist_items i JOIN offline_collections c \
                 ON c.kind = 'playlist' AND c.id = i.playlist_id \
             UNION \
             SELECT t.id FROM tracks t JOIN offline_collections c \
                 ON c.kind = 'album' AND c.id = t.album_id",
            [],
            |row| row.get(0),
        )?
        .into_iter()
        .collect())
    }

    /// Track ids named by playlists that the catalog cache does not hold yet (to fetch, so
    /// the playlists read well offline), at most `limit`.
    pub fn uncached_playlist_tracks(&self, limit: usize) -> Result<Vec<String>> {
        collect(
            &self.conn,
            "SELECT DISTINCT track_id FROM playlist_items \
             WHERE track_id NOT IN (SELECT id FROM tracks) LIMIT ?1",
            [i64::try_from(limit).unwrap_or(i64::MAX)],
            |row| row.get(0),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{assert_healthy, track};
    use strato_model::api::{Playlist, PlaylistItem};

    #[test]
    fn offline_playlists_and_albums_name_their_missing_tracks() {
        let mut library = Library::open_in_memory().unwrap();
        let mut in_album = track("t-album", "A", "Artist", "Record");
        in_album.album_id = "al-record".into();
        library.upsert_tracks(&[in_album]).unwrap();
        let local = library.create_playlist("Trip", "").unwrap().playlist.id;
        library.add_tracks(&local, &["t1", "t2"], None).unwrap();
        library
            .set_offline_collection(CollectionKind::Playlist, &local, true)
            .unwrap();
        library
            .set_offline_collection(CollectionKind::Album, "al-record", true)
            .unwrap();
        assert_eq!(
            library.offline_tracks_missing().unwrap(),
            ["t-album", "t1", "t2"]
        );
        library.request_download("t1", true).unwrap();
        assert_eq!(library.offline_tracks_missing().unwrap(), ["t-album", "t2"]);
        assert_eq!(library.uncached_playlist_tracks(10).unwrap(), ["t1", "t2"]);

        // The create is acknowledged: the mark follows the playlist to its server id.
        let ops = library.pending_ops().unwrap();
        let snapshot = Playlist {
            id: "pl-server".into(),
            name: "Trip".into(),
            description: String::new(),
            public: false,
            revision: 1,
            created_at: 0,
            updated_at: 0,
            items: Vec::<PlaylistItem>::new(),
        };
        library.mark_op_done(ops[0].seq, Some(&snapshot)).unwrap();
        assert!(
            library
                .is_offline_collection(CollectionKind::Playlist, "pl-server")
                .unwrap()
        );
        // Deleted on another device while the add waits: the restored copy keeps the mark.
        library.apply_server_deletion("pl-server").unwrap();
        assert!(
            !library
                .is_offline_collection(CollectionKind::Playlist, "pl-server")
                .unwrap()
        );
        let copy = library.playlists().unwrap().remove(0);
        assert_eq!(copy.name, format!("Trip{}", crate::RESTORED_SUFFIX));
        assert!(
            library
                .is_offline_collection(CollectionKind::Playlist, &copy.id)
                .unwrap()
        );
        // Gone for good (deleted here, acknowledged): the mark goes with it.
        let delete = library.delete_playlist(&copy.id).unwrap();
        library.mark_op_done(delete.op_seq, None).unwrap();
        assert!(
            !library
                .is_offline_collection(CollectionKind::Playlist, &copy.id)
                .unwrap()
        );
        assert_healthy(&library);
    }
}
