//! Reading devcloud's catalog through the client, each answer compared with `catalog.json`:
//! artists and their albums, albums with their tracks in order, songs by id, album lists and
//! their pages, search, and an unknown id by its code.

mod common;

use std::collections::BTreeSet;

use common::devcloud::{Catalog, assert_same_length, devcloud, signed_in};
use strato_subsonic::{AlbumListType, SearchCounts, SubsonicErrorKind, convert};

#[tokio::test]
async fn every_artist_is_listed_with_their_albums() {
    let cloud = devcloud().await;
    let client = signed_in(&cloud).await;
    let catalog = Catalog::read();
    let artists = client.artists().await.unwrap().into_artists();
    let listed: BTreeSet<(&str, &str)> = artists
        .iter()
        .map(|a| (a.id.as_str(), a.name.as_str()))
        .collect();
    let expected: BTreeSet<(&str, &str)> = catalog
        .artists
        .iter()
        .map(|a| (a.id.as_str(), a.name.as_str()))
        .collect();
    assert_eq!(listed, expected);
    for artist in &catalog.artists {
        let detail = convert::artist_detail(&client.artist(&artist.id).await.unwrap());
        assert_eq!(detail.artist.name, artist.name);
        let albums: BTreeSet<&str> = detail.albums.iter().map(|a| a.id.as_str()).collect();
        let expected: BTreeSet<&str> = catalog
            .albums
            .iter()
            .filter(|a| a.artist_id == artist.id)
            .map(|a| a.id.as_str())
            .collect();
        assert_eq!(albums, expected, "albums of {}", artist.name);
    }
}

#[tokio::test]
async fn every_album_has_its_tracks_in_order_with_their_tags_and_lengths() {
    let cloud = devcloud().await;
    let client = signed_in(&cloud).await;
    let catalog = Catalog::read();
    for album in &catalog.albums {
        let detail = convert::album_detail(&client.album(&album.id).await.unwrap());
        assert_eq!(detail.album.title, album.title);
        assert_eq!(detail.album.year, album.year);
        assert_eq!(detail.album.track_count, album.track_count);
        assert_eq!(
            detail.album.artist_name,
            catalog.artist(&album.artist_id).name
        );
        assert_eq!(detail.album.cover_path.as_deref(), Some(album.id.as_str()));
        let expected = catalog.tracks_of(&album.id);
        let ids: Vec<&str> = detail.tracks.iter().map(|t| t.id.as_str()).collect();
        let expected_ids: Vec<&str> = expected.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, expected_ids, "{}", album.title);
        for (track, put) in detail.tracks.iter().zip(expected) {
            assert_eq!(track.title, put.title);
            assert_eq!(track.track_number, put.track_number);
            assert_eq!(track.artist_id, put.artist_id);
            assert_eq!(track.album_title, album.title);
            assert!(track.replaygain.is_some(), "{}: the catalog's gain", put.id);
            assert_same_length(track.duration_ms, put.duration_ms, &put.id);
        }
    }
}

#[tokio::test]
async fn a_song_is_read_by_its_id_and_an_unknown_one_is_code_70() {
    let cloud = devcloud().await;
    let client = signed_in(&cloud).await;
    let catalog = Catalog::read();
    for put in &catalog.tracks {
        let track = convert::track(&client.song(&put.id).await.unwrap());
        assert_eq!(
            (track.id.as_str(), track.title.as_str()),
            (put.id.as_str(), put.title.as_str())
        );
        assert_eq!(track.album_title, catalog.album(&put.album_id).title);
        assert_eq!(track.artist_name, catalog.artist(&put.artist_id).name);
    }
    let err = client.song("tr-no-such-track").await.unwrap_err();
    assert_eq!(
        (err.kind(), err.code()),
        (SubsonicErrorKind::NotFound, Some(70))
    );
}

#[tokio::test]
async fn album_lists_hold_every_album_and_come_in_pages() {
    let cloud = devcloud().await;
    let client = signed_in(&cloud).await;
    let catalog = Catalog::read();
    let expected: BTreeSet<&str> = catalog.albums.iter().map(|a| a.id.as_str()).collect();
    for list in [
        AlbumListType::Newest,
        AlbumListType::Random,
        AlbumListType::AlphabeticalByName,
    ] {
        let albums = client.album_list(&list, 500, 0).await.unwrap();
        let ids: BTreeSet<&str> = albums.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, expected, "{list:?}");
        assert_eq!(albums.len(), expected.len(), "{list:?}: each once");
    }
    let by_name = AlbumListType::AlphabeticalByName;
    let all = client.album_list(&by_name, 500, 0).await.unwrap();
    let first = client.album_list(&by_name, 2, 0).await.unwrap();
    let second = client.album_list(&by_name, 2, 2).await.unwrap();
    let paged: Vec<&str> = first.iter().chain(&second).map(|a| a.id.as_str()).collect();
    let whole: Vec<&str> = all.iter().take(4).map(|a| a.id.as_str()).collect();
    assert_eq!(paged, whole);
    let newest = client
        .album_list(&AlbumListType::Newest, 500, 0)
        .await
        .unwrap();
    let years: Vec<u32> = newest.iter().map(|a| a.year.unwrap_or(0)).collect();
    assert!(
        years.windows(2).all(|pair| pair[0] >= pair[1]),
        "newest first: {years:?}"
    );
}

#[tokio::test]
async fn search_finds_an_album_by_a_word_of_its_title_and_a_track_by_its_title() {
    let cloud = devcloud().await;
    let client = signed_in(&cloud).await;
    let catalog = Catalog::read();
    let album = catalog
        .albums
        .iter()
        .find(|a| a.title.contains(' '))
        .expect("an album of two words");
    let word = album.title.split(' ').next_back().unwrap();
    let found =
        convert::search_results(&client.search(word, SearchCounts::first(20)).await.unwrap());
    assert!(
        found.albums.iter().any(|a| a.id == album.id),
        "{word:?} found {:?}",
        found.albums
    );
    let track = &catalog.tracks[4];
    let found = client
        .search(&track.title, SearchCounts::first(20))
        .await
        .unwrap();
    assert!(found.song.iter().any(|s| s.id == track.id));
    let nothing = client
        .search("zzzz-no-such-thing", SearchCounts::first(20))
        .await
        .unwrap();
    assert!(nothing.album.is_empty() && nothing.song.is_empty() && nothing.artist.is_empty());
}
