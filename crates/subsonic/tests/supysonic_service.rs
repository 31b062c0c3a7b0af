//! A real Subsonic server (Supysonic) through the app's seam (`Arc<dyn MusicService>`), as
//! the app browses it: each answer in the project's shapes compared with what the test kit
//! put in the music folder; the features of a server without extensions; covers and a
//! missing album as errors by kind.

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;

use common::signed_in;
use strato_model::api::Album;
use strato_service::{MusicService, ServiceErrorKind, ServiceKind};
use strato_testkit::{CoverPlacement, FolderAlbum, Supysonic};

async fn service() -> (&'static Supysonic, Arc<dyn MusicService>) {
    let (server, client) = signed_in().await;
    (server, Arc::new(client))
}

/// The service's album put there as `folder` (found by title: the server has its own ids).
async fn album_of(service: &dyn MusicService, folder: &FolderAlbum) -> Album {
    service
        .newest_albums(500)
        .await
        .unwrap()
        .into_iter()
        .find(|album| album.title == folder.title)
        .unwrap_or_else(|| panic!("no album {:?}", folder.title))
}

fn folder_titles(server: &Supysonic) -> BTreeSet<&str> {
    server.albums().iter().map(|a| a.title.as_str()).collect()
}

#[tokio::test]
async fn supysonic_is_an_opensubsonic_service_without_lyrics() {
    let (_, service) = service().await;
    assert_eq!(service.kind(), ServiceKind::OpenSubsonic);
    let features = service.features();
    assert!(!features.lyrics, "no songLyrics extension");
    assert!(features.stars && features.scrobble);
    assert!(!features.uploads && !features.playlist_revisions && !features.live_updates);
}

#[tokio::test]
async fn the_home_page_holds_albums_of_the_folder_and_tracks_of_them() {
    let (server, service) = service().await;
    let home = service.home().await.unwrap();
    assert!(home.next_reshuffle_at > home.generated_at);
    let titles: BTreeSet<&str> = home.albums.iter().map(|a| a.title.as_str()).collect();
    assert!(titles.is_subset(&folder_titles(server)), "{titles:?}");
    assert_eq!(home.albums.len(), server.albums().len().min(8));
    assert!(!home.tracks.is_empty());
    let shown: BTreeSet<&str> = home.albums.iter().take(4).map(|a| a.id.as_str()).collect();
    for track in &home.tracks {
        assert!(shown.contains(track.album_id.as_str()), "{track:?}");
        let folder = server
            .albums()
            .iter()
            .find(|a| a.title == track.album_title)
            .unwrap();
        assert!(folder.tracks.iter().any(|t| t.title == track.title));
    }
}

#[tokio::test]
async fn the_newest_albums_are_every_album_of_the_folder_up_to_the_limit() {
    let (server, service) = service().await;
    let all = service.newest_albums(500).await.unwrap();
    let titles: BTreeSet<&str> = all.iter().map(|a| a.title.as_str()).collect();
    assert_eq!(titles, folder_titles(server));
    assert_eq!(all.len(), server.albums().len());
    let two = service.newest_albums(2).await.unwrap();
    assert_eq!(two.len(), 2);
}

#[tokio::test]
async fn an_album_its_artist_and_a_track_are_the_folders() {
    let (server, service) = service().await;
    for folder in server.albums() {
        let listed = album_of(service.as_ref(), folder).await;
        let detail = service.album(&listed.id).await.unwrap();
        assert_eq!(detail.album.title, folder.title);
        assert_eq!(detail.album.year, folder.year);
        let titles: Vec<&str> = detail.tracks.iter().map(|t| t.title.as_str()).collect();
        let put: Vec<&str> = folder.tracks.iter().map(|t| t.title.as_str()).collect();
        assert_eq!(titles, put, "{}", folder.title);

        let artist = service.artist(&detail.album.artist_id).await.unwrap();
        assert_eq!(artist.artist.name, folder.artist);
        let albums: BTreeSet<&str> = artist.albums.iter().map(|a| a.title.as_str()).collect();
        let expected: BTreeSet<&str> = server
            .albums()
            .iter()
            .filter(|a| a.artist == folder.artist)
            .map(|a| a.title.as_str())
            .collect();
        assert_eq!(albums, expected);

        let track = service.track(&detail.tracks[0].id).await.unwrap();
        assert_eq!(track, detail.tracks[0], "the same track either way");
    }
}

#[tokio::test]
async fn search_finds_an_album_by_a_word_of_its_title() {
    let (server, service) = service().await;
    let folder = server
        .albums()
        .iter()
        .find(|album| album.title.contains(' '))
        .expect("an album of two words");
    let word = folder.title.split(' ').next_back().unwrap();
    let found = service.search(word, 20).await.unwrap();
    assert!(
        found.albums.iter().any(|a| a.title == folder.title),
        "{found:?}"
    );
    let title = &folder.tracks[0].title;
    let found = service.search(title, 20).await.unwrap();
    assert!(found.tracks.iter().any(|t| &t.title == title), "{found:?}");
    let nothing = service.search("zzzz-no-such-thing", 20).await.unwrap();
    assert!(nothing.tracks.is_empty() && nothing.albums.is_empty());
}

#[tokio::test]
async fn a_folder_cover_is_its_own_bytes_and_no_cover_is_not_found() {
    let (server, service) = service().await;
    let with_cover = server
        .albums()
        .iter()
        .find(|a| a.cover == CoverPlacement::Folder)
        .expect("an album with a folder cover");
    let album = album_of(service.as_ref(), with_cover).await;
    let cover = service
        .cover(album.cover_path.as_deref().expect("a cover id"))
        .await
        .unwrap();
    let put = std::fs::read(with_cover.cover_image.as_ref().unwrap()).unwrap();
    assert_eq!(cover.bytes, put);
    assert_eq!(cover.content_type, "image/jpeg");

    let without = server
        .albums()
        .iter()
        .find(|a| a.cover == CoverPlacement::None)
        .expect("an album without art");
    let album = album_of(service.as_ref(), without).await;
    assert!(album.cover_path.is_none());
    let err = service.cover(&album.id).await.unwrap_err();
    assert_eq!(err.kind(), ServiceErrorKind::NotFound);
    assert_eq!(err.to_string(), "The server has no cover for this.");
}

#[tokio::test]
async fn a_missing_album_is_not_found_in_words() {
    let (_, service) = service().await;
    let err = service
        .album("00000000-0000-0000-0000-000000000000")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ServiceErrorKind::NotFound, "{err}");
    assert_eq!(
        err.to_string(),
        "The server no longer has that; it may have been deleted or moved."
    );
    assert!(!err.is_unreachable());
}
