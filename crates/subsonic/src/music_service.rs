//! A Subsonic server as a [`MusicService`]: the catalog calls behind the trait the app
//! browses through, answering in the project's shapes (`convert.rs`). What only a Subsonic
//! server has (stars, playlists without revisions, scrobbles, lyrics, stream URLs) stays on
//! [`SubsonicClient`] itself; [`MusicService::features`] says which of them this server offers.
//!
//! Choices where the API has no direct counterpart:
//! - The home page's picks are `getAlbumList2` with `type=random` and the tracks of the first
//!   few of those albums, taken in turn from each so one album does not fill the shelf.
//!   `getRandomSongs` would be one request fewer, but not every server has it (devcloud does
//!   not) and its songs would belong to albums not on the shelf.
//! - A cover is named by its `coverArt` id (what `convert.rs` puts in `cover_path`); a server
//!   without that cover answers `NotFound`, in words, since the trait answers an image or an
//!   error.

use std::time::{SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use futures_util::future::try_join_all;
use strato_model::api::{Album, AlbumDetail, ArtistDetail, HomeFeed, SearchResults, Track};
use strato_service::{
    CoverImage, Features, MusicService, ServiceError, ServiceErrorKind, ServiceKind,
};

use crate::{
    AlbumListType, Extensions, SearchCounts, SubsonicClient, SubsonicError, SubsonicErrorKind,
    convert,
};

/// How many random albums the home page shows.
const HOME_ALBUMS: u32 = 8;
/// How many of those albums the home page's tracks are drawn from (one `getAlbum` each, sent
/// together).
const HOME_TRACK_ALBUMS: usize = 4;
/// How many tracks the home page shows.
const HOME_TRACKS: usize = 12;
/// When the window says new picks come. A Subsonic server keeps no schedule: every
/// `type=random` list is a fresh draw, so the picks are new whenever the page is loaded again.
/// The window still says a time ("New picks at 15:10"); ten minutes ahead is a promise that
/// always holds and is not so near that it is past before it is read.
const HOME_RESHUFFLE_SECS: i64 = 600;
/// The most `getAlbumList2` lists in one request (the API's own limit).
const MAX_ALBUM_LIST: u32 = 500;

/// What a Subsonic server with `extensions` offers, as this app can use it.
#[must_use]
pub fn features(extensions: &Extensions) -> Features {
    Features {
        uploads: false,
        lyrics: extensions.supports_lyrics(),
        // Every Subsonic server since API 1.8 stars and scrobbles.
        stars: true,
        playlist_revisions: false,
        playlist_sync: true,
        // `download` sends the original file, which every server has (a server may still
        // refuse an account without the download permission: said in words per track).
        downloads: true,
        // getAlbumList2 and search3 list it, not page by page in one order.
        catalog: false,
        live_updates: false,
        scrobble: true,
    }
}

#[async_trait]
impl MusicService for SubsonicClient {
    fn kind(&self) -> ServiceKind {
        ServiceKind::OpenSubsonic
    }

    fn features(&self) -> Features {
        features(self.extensions())
    }

    async fn home(&self) -> Result<HomeFeed, ServiceError> {
        let generated_at = now_secs();
        let albums = self
            .album_list(&AlbumListType::Random, HOME_ALBUMS, 0)
            .await?;
        let loaded = try_join_all(
            albums
                .iter()
                .take(HOME_TRACK_ALBUMS)
                .map(|album| SubsonicClient::album(self, &album.id)),
        )
        .await?;
        let details: Vec<AlbumDetail> = loaded.iter().map(convert::album_detail).collect();
        Ok(HomeFeed {
            generated_at,
            next_reshuffle_at: generated_at + HOME_RESHUFFLE_SECS,
            tracks: take_in_turn(&details, HOME_TRACKS),
            albums: albums.iter().map(convert::album).collect(),
        })
    }

    async fn newest_albums(&self, limit: u32) -> Result<Vec<Album>, ServiceError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let albums = self
            .album_list(&AlbumListType::Newest, limit.min(MAX_ALBUM_LIST), 0)
            .await?;
        Ok(albums.iter().map(convert::album).collect())
    }

    async fn album(&self, album_id: &str) -> Result<AlbumDetail, ServiceError> {
        Ok(convert::album_detail(
            &SubsonicClient::album(self, album_id).await?,
        ))
    }

    async fn artist(&self, artist_id: &str) -> Result<ArtistDetail, ServiceError> {
        Ok(convert::artist_detail(
            &SubsonicClient::artist(self, artist_id).await?,
        ))
    }

    async fn track(&self, track_id: &str) -> Result<Track, ServiceError> {
        Ok(convert::track(&self.song(track_id).await?))
    }

    async fn search(&self, query: &str, limit: u32) -> Result<SearchResults, ServiceError> {
        let results = SubsonicClient::search(self, query, SearchCounts::first(limit)).await?;
        Ok(convert::search_results(&results))
    }

    async fn cover(&self, cover_path: &str) -> Result<CoverImage, ServiceError> {
        match self.cover_art(cover_path, None).await? {
            Some(cover) => Ok(CoverImage {
                bytes: cover.bytes.to_vec(),
                content_type: cover.content_type,
            }),
            None => Err(ServiceError::new(
                ServiceErrorKind::NotFound,
                "The server has no cover for this.",
            )),
        }
    }
}

/// Up to `limit` tracks, the first of each album, then the second of each, and so on.
fn take_in_turn(albums: &[AlbumDetail], limit: usize) -> Vec<Track> {
    let longest = albums.iter().map(|a| a.tracks.len()).max().unwrap_or(0);
    (0..longest)
        .flat_map(|place| albums.iter().filter_map(move |a| a.tracks.get(place)))
        .take(limit)
        .cloned()
        .collect()
}

/// Seconds since the epoch, as the model's times are.
fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| {
            i64::try_from(since.as_secs()).unwrap_or(i64::MAX)
        })
}

impl From<SubsonicError> for ServiceError {
    fn from(err: SubsonicError) -> Self {
        let kind = match err.kind() {
            SubsonicErrorKind::Offline => ServiceErrorKind::Offline,
            SubsonicErrorKind::Auth => ServiceErrorKind::Auth,
            SubsonicErrorKind::Forbidden => ServiceErrorKind::Forbidden,
            SubsonicErrorKind::NotFound => ServiceErrorKind::NotFound,
            SubsonicErrorKind::Server => ServiceErrorKind::Server,
            SubsonicErrorKind::InvalidInput => ServiceErrorKind::InvalidInput,
            SubsonicErrorKind::Unsupported => ServiceErrorKind::Unsupported,
            SubsonicErrorKind::Untrusted => ServiceErrorKind::Untrusted,
        };
        let message = err.to_string();
        let status = err.status();
        ServiceError::new(kind, message)
            .with_status(status)
            .with_source(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subsonic_error_keeps_its_kind_words_and_status() {
        use ServiceErrorKind as S;
        use SubsonicErrorKind as K;
        for kind in K::ALL {
            let service: ServiceError =
                SubsonicError::new(kind, "Could not load the album.").into();
            assert_eq!(service.to_string(), "Could not load the album.");
            let expected = match kind {
                K::Offline => S::Offline,
                K::Auth => S::Auth,
                K::Forbidden => S::Forbidden,
                K::NotFound => S::NotFound,
                K::Server => S::Server,
                K::InvalidInput => S::InvalidInput,
                K::Unsupported => S::Unsupported,
                K::Untrusted => S::Untrusted,
            };
            assert_eq!(service.kind(), expected, "{kind:?}");
            assert_eq!(service.status(), None);
        }
        let failing: ServiceError = SubsonicError::from_status(503, "load the album").into();
        assert_eq!(failing.status(), Some(503));
        assert!(failing.is_unreachable());
        let missing: ServiceError = SubsonicError::from_status(404, "load the album").into();
        assert_eq!((missing.kind(), missing.status()), (S::NotFound, Some(404)));
        assert!(!missing.is_unreachable(), "a 404 is the answer");
        let revoked: ServiceError = SubsonicError::from_code(44, "Invalid API key").into();
        assert_eq!(revoked.kind(), S::Auth);
        assert_eq!(
            revoked.to_string(),
            SubsonicError::from_code(44, "").to_string()
        );
        assert!(
            std::error::Error::source(&revoked).is_some(),
            "the Subsonic error stays the source"
        );
    }

    fn album_of(id: &str, tracks: &[&str]) -> AlbumDetail {
        let wire_album: crate::wire::Album = serde_json::from_value(serde_json::json!({
            "id": id,
            "name": id,
            "song": tracks
                .iter()
                .enumerate()
                .map(|(at, track)| serde_json::json!({"id": track, "track": at + 1}))
                .collect::<Vec<_>>(),
        }))
        .unwrap();
        convert::album_detail(&wire_album)
    }

    #[test]
    fn the_home_pages_tracks_come_from_each_album_in_turn() {
        let albums = [
            album_of("a", &["a1", "a2", "a3"]),
            album_of("b", &["b1"]),
            album_of("c", &["c1", "c2"]),
        ];
        let ids = |tracks: Vec<Track>| tracks.into_iter().map(|t| t.id).collect::<Vec<_>>();
        assert_eq!(
            ids(take_in_turn(&albums, 12)),
            ["a1", "b1", "c1", "a2", "c2", "a3"]
        );
        assert_eq!(ids(take_in_turn(&albums, 4)), ["a1", "b1", "c1", "a2"]);
        assert!(take_in_turn(&[], 4).is_empty());
    }
}
