//! devcloud's OpenSubsonic endpoints through the app's seam (`Arc<dyn MusicService>`), as the
//! app browses them: each answer in the project's shapes compared with `catalog.json`, the
//! features read from the server's extensions, and the errors' kinds.

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use common::devcloud::{Catalog, assert_same_length, devcloud, media_file, signed_in};
use strato_service::{Features, MusicService, ServiceErrorKind, ServiceKind};

async fn service(cloud: &strato_testkit::DevCloud) -> Arc<dyn MusicService> {
    Arc::new(signed_in(cloud).await)
}

fn now_secs() -> i64 {
    let since = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    i64::try_from(since.as_secs()).unwrap()
}

#[tokio::test]
async fn devcloud_is_an_opensubsonic_service_with_lyrics_stars_and_scrobbles() {
    let cloud = devcloud().await;
    let service = service(&cloud).await;
    assert_eq!(service.kind(), ServiceKind::OpenSubsonic);
    assert_eq!(
        service.features(),
        Features {
            uploads: false,
            lyrics: true,
            stars: true,
            playlist_revisions: false,
            playlist_sync: true,
            downloads: true,
            catalog: false,
            live_updates: false,
            scrobble: true,
        }
    );
}

#[tokio::test]
async fn the_home_page_holds_random_albums_and_tracks_of_them() {
    let cloud = devcloud().await;
    let service = service(&cloud).await;
    let catalog = Catalog::read();
    let before = now_secs();
    let home = service.home().await.unwrap();
    assert!((before..=now_secs()).contains(&home.generated_at));
    assert!(home.next_reshuffle_at > home.generated_at);
    let ids: BTreeSet<&str> = home.albums.iter().map(|a| a.id.as_str()).collect();
    let all: BTreeSet<&str> = catalog.albums.iter().map(|a| a.id.as_str()).collect();
    // Fewer albums than the home page shows: all of them, each once.
    assert_eq!(ids, all);
    assert_eq!(home.albums.len(), all.len());
    // Tracks from the first four albums shown, at most twelve.
    let shown: BTreeSet<&str> = home.albums.iter().take(4).map(|a| a.id.as_str()).collect();
    let available: usize = shown.iter().map(|id| catalog.tracks_of(id).len()).sum();
    assert_eq!(home.tracks.len(), available.min(12));
    for track in &home.tracks {
        assert!(shown.contains(track.album_id.as_str()), "{track:?}");
    }
    let distinct: BTreeSet<&str> = home.tracks.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(distinct.len(), home.tracks.len(), "no track twice");
}

#[tokio::test]
async fn the_newest_albums_come_newest_first_up_to_the_limit() {
    let cloud = devcloud().await;
    let service = service(&cloud).await;
    let catalog = Catalog::read();
    let all = service.newest_albums(50).await.unwrap();
    assert_eq!(all.len(), catalog.albums.len());
    let years: Vec<u16> = all.iter().map(|a| a.year).collect();
    assert!(years.windows(2).all(|p| p[0] >= p[1]), "{years:?}");
    for album in &all {
        assert_eq!(album.title, catalog.album(&album.id).title);
    }
    let two = service.newest_albums(2).await.unwrap();
    assert_eq!(two, all[..2]);
    assert!(service.newest_albums(0).await.unwrap().is_empty());
}

#[tokio::test]
async fn an_album_an_artist_and_a_track_are_the_catalogs() {
    let cloud = devcloud().await;
    let service = service(&cloud).await;
    let catalog = Catalog::read();
    let album = &catalog.albums[1];
    let detail = service.album(&album.id).await.unwrap();
    assert_eq!(detail.album.title, album.title);
    let ids: Vec<&str> = detail.tracks.iter().map(|t| t.id.as_str()).collect();
    let expected: Vec<&str> = catalog
        .tracks_of(&album.id)
        .iter()
        .map(|t| t.id.as_str())
        .collect();
    assert_eq!(ids, expected);

    let artist = service.artist(&album.artist_id).await.unwrap();
    assert_eq!(artist.artist.name, catalog.artist(&album.artist_id).name);
    assert!(artist.albums.iter().any(|a| a.id == album.id));
    assert!(artist.albums.iter().all(|a| a.artist_id == album.artist_id));

    let put = &catalog.tracks_of(&album.id)[0];
    let track = service.track(&put.id).await.unwrap();
    assert_eq!(track, detail.tracks[0], "the same track either way");
    assert_eq!(track.title, put.title);
    assert_same_length(track.duration_ms, put.duration_ms, &put.id);
}

#[tokio::test]
async fn search_finds_a_track_an_album_and_an_artist() {
    let cloud = devcloud().await;
    let service = service(&cloud).await;
    let catalog = Catalog::read();
    let track = &catalog.tracks[6];
    let found = service.search(&track.title, 10).await.unwrap();
    assert!(found.tracks.iter().any(|t| t.id == track.id), "{found:?}");
    let artist = &catalog.artists[0];
    let found = service.search(&artist.name, 10).await.unwrap();
    assert!(found.artists.iter().any(|a| a.id == artist.id), "{found:?}");
    let album = &catalog.albums[2];
    let found = service.search(&album.title, 1).await.unwrap();
    assert_eq!(found.albums.len(), 1, "the limit holds");
    assert!(found.tracks.len() <= 1 && found.artists.len() <= 1);
}

#[tokio::test]
async fn a_cover_is_the_stored_image_and_a_missing_one_not_found() {
    let cloud = devcloud().await;
    let service = service(&cloud).await;
    let catalog = Catalog::read();
    let album = &catalog.albums[0];
    let detail = service.album(&album.id).await.unwrap();
    let cover_path = detail.album.cover_path.expect("a cover id");
    let cover = service.cover(&cover_path).await.unwrap();
    assert_eq!(cover.content_type, "image/jpeg");
    assert_eq!(cover.bytes, media_file(&album.cover));
    let err = service.cover("no-such-cover").await.unwrap_err();
    assert_eq!(err.kind(), ServiceErrorKind::NotFound);
    assert_eq!(err.to_string(), "The server has no cover for this.");
}

#[tokio::test]
async fn a_missing_album_is_not_found_and_a_stopped_server_unreachable() {
    let cloud = devcloud().await;
    let service = service(&cloud).await;
    let err = service.album("al-no-such-album").await.unwrap_err();
    assert_eq!(err.kind(), ServiceErrorKind::NotFound);
    assert_eq!(
        err.to_string(),
        "The server no longer has that; it may have been deleted or moved."
    );
    assert!(
        !err.is_unreachable(),
        "an answer, not a reason to fall back"
    );
    drop(cloud);
    let err = service.track("tr-polar-morning").await.unwrap_err();
    assert_eq!(err.kind(), ServiceErrorKind::Offline, "{err}");
    assert!(err.is_unreachable());
}
