//! Signing in to a real Subsonic server (Supysonic, from PyPI) and reading its catalog,
//! each answer compared with what the test kit put in its music folder.

mod common;

use std::collections::BTreeSet;

use common::{server_album, signed_in};
use strato_subsonic::{
    AlbumListType, AuthMethod, Credentials, SearchCounts, SubsonicClient, SubsonicErrorKind,
    convert,
};
use strato_testkit::{CoverPlacement, Supysonic};

#[tokio::test]
async fn supysonic_is_signed_in_to_with_the_password_as_it_refuses_tokens() {
    let (_, client) = signed_in().await;
    // Supysonic answers a token request with code 10 (no `p`): the client falls back.
    assert_eq!(client.auth_method(), AuthMethod::LegacyPassword);
    let server = client.server();
    assert_eq!(server.api_version, "1.12.0");
    assert!(!server.open_subsonic);
    assert!(server.extensions.is_empty(), "{:?}", server.extensions);
    assert!(!client.extensions().supports_lyrics());
    client.ping().await.unwrap();
}

#[tokio::test]
async fn a_wrong_password_is_refused_with_code_40_in_words() {
    let server = Supysonic::start();
    let err = SubsonicClient::connect(
        server.url(),
        Credentials::password(server.username(), "not the password"),
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind(), SubsonicErrorKind::Auth);
    assert_eq!(err.code(), Some(40));
    assert_eq!(
        err.to_string(),
        "The server says the username or password is wrong."
    );
}

#[tokio::test]
async fn an_api_key_is_unsupported_by_a_server_without_the_extension() {
    let server = Supysonic::start();
    let err = SubsonicClient::connect(server.url(), Credentials::api_key("some-key"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), SubsonicErrorKind::Unsupported, "{err}");
    assert_eq!(
        err.to_string(),
        "This server does not accept API keys; sign in with your name and password."
    );
}

#[tokio::test]
async fn a_server_that_is_not_there_is_offline() {
    // Port 9 (discard) on loopback: nothing listens there on a test machine.
    let err = SubsonicClient::connect("http://127.0.0.1:9", Credentials::password("a", "b"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), SubsonicErrorKind::Offline, "{err}");
}

#[tokio::test]
async fn every_artist_put_in_the_folder_is_listed_with_their_albums() {
    let (server, client) = signed_in().await;
    let expected: BTreeSet<&str> = server.albums().iter().map(|a| a.artist.as_str()).collect();
    let artists = client.artists().await.unwrap().into_artists();
    let names: BTreeSet<&str> = artists.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, expected);
    for listed in &artists {
        let artist = client.artist(&listed.id).await.unwrap();
        let detail = convert::artist_detail(&artist);
        assert_eq!(detail.artist.name, listed.name);
        let titles: BTreeSet<&str> = detail.albums.iter().map(|a| a.title.as_str()).collect();
        let folder_titles: BTreeSet<&str> = server
            .albums()
            .iter()
            .filter(|album| album.artist == listed.name)
            .map(|album| album.title.as_str())
            .collect();
        assert_eq!(titles, folder_titles, "albums of {}", listed.name);
        assert!(detail.albums.iter().all(|a| a.artist_id == listed.id));
    }
}

#[tokio::test]
async fn every_album_has_its_tracks_in_order_with_their_tags_and_lengths() {
    let (server, client) = signed_in().await;
    for folder in server.albums() {
        let album = server_album(&client, folder).await;
        let detail = convert::album_detail(&album);
        assert_eq!(detail.album.title, folder.title);
        assert_eq!(detail.album.artist_name, folder.artist);
        assert_eq!(detail.album.year, folder.year);
        assert_eq!(detail.album.track_count as usize, folder.tracks.len());
        assert_eq!(detail.tracks.len(), folder.tracks.len(), "{}", folder.title);
        for (track, put) in detail.tracks.iter().zip(&folder.tracks) {
            assert_eq!(track.title, put.title);
            assert_eq!(track.track_number, put.track_number);
            assert_eq!(track.artist_name, put.artist);
            assert_eq!(track.album_id, album.id);
            // Subsonic gives whole seconds.
            let difference = i64::from(track.duration_ms) - i64::from(put.duration_ms);
            assert!(
                difference.abs() <= 1000,
                "{}: {difference} ms off",
                put.title
            );
        }
        for song in &album.song {
            assert_eq!(song.suffix.as_deref(), Some(folder.format.suffix()));
            let put = folder
                .tracks
                .iter()
                .find(|t| t.title == song.title)
                .unwrap();
            assert_eq!(song.path.as_deref(), Some(put.relative_path.as_str()));
        }
    }
}

#[tokio::test]
async fn a_song_is_read_by_its_id() {
    let (server, client) = signed_in().await;
    let folder = &server.albums()[1];
    let album = server_album(&client, folder).await;
    let listed = &album.song[0];
    let song = client.song(&listed.id).await.unwrap();
    let track = convert::track(&song);
    assert_eq!(track.id, listed.id);
    assert_eq!(track.title, folder.tracks[0].title);
    assert_eq!(track.album_title, folder.title);
    let err = client
        .song("00000000-0000-0000-0000-000000000000")
        .await
        .unwrap_err();
    assert_eq!(
        (err.kind(), err.code()),
        (SubsonicErrorKind::NotFound, Some(70))
    );
}

#[tokio::test]
async fn album_lists_come_in_their_order_and_pages() {
    let (server, client) = signed_in().await;
    let mut titles: Vec<&str> = server.albums().iter().map(|a| a.title.as_str()).collect();
    titles.sort_unstable();
    let by_name = AlbumListType::AlphabeticalByName;
    let all = client.album_list(&by_name, 500, 0).await.unwrap();
    let listed: Vec<&str> = all.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(listed, titles);
    let first = client.album_list(&by_name, 2, 0).await.unwrap();
    let second = client.album_list(&by_name, 2, 2).await.unwrap();
    let paged: Vec<&str> = first
        .iter()
        .chain(&second)
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(paged, titles[..4]);
    for list in [AlbumListType::Newest, AlbumListType::Random] {
        let albums = client.album_list(&list, 500, 0).await.unwrap();
        assert_eq!(albums.len(), titles.len(), "{list:?}");
    }
}

#[tokio::test]
async fn search_finds_an_album_by_a_word_of_its_title_and_a_track_by_its_title() {
    let (server, client) = signed_in().await;
    let folder = server
        .albums()
        .iter()
        .find(|album| album.title.contains(' '))
        .expect("an album of two words");
    let word = folder.title.split(' ').next_back().unwrap();
    let results = client.search(word, SearchCounts::first(20)).await.unwrap();
    let converted = convert::search_results(&results);
    assert!(
        converted.albums.iter().any(|a| a.title == folder.title),
        "{word:?} found {:?}",
        converted.albums
    );
    let track = &folder.tracks[0];
    let results = client
        .search(&track.title, SearchCounts::first(20))
        .await
        .unwrap();
    assert!(results.song.iter().any(|s| s.title == track.title));
    let none = client
        .search("zzzz-no-such-thing", SearchCounts::first(20))
        .await
        .unwrap();
    assert!(none.album.is_empty() && none.song.is_empty() && none.artist.is_empty());
}

#[tokio::test]
async fn covers_come_as_images_and_a_missing_one_is_no_cover() {
    let (server, client) = signed_in().await;
    for folder in server.albums() {
        let album = server_album(&client, folder).await;
        let song_cover = album.song[0].cover_art.clone();
        match folder.cover {
            CoverPlacement::Folder => {
                let id = album.cover_art.as_deref().expect("a folder cover's id");
                let cover = client.cover_art(id, None).await.unwrap().expect("a cover");
                let put = std::fs::read(folder.cover_image.as_ref().unwrap()).unwrap();
                assert_eq!(cover.bytes.as_ref(), put.as_slice(), "the file itself");
                assert_eq!(cover.content_type, "image/jpeg");
            }
            CoverPlacement::Embedded => {
                let id = song_cover.expect("an embedded cover's id on the song");
                let cover = client.cover_art(&id, None).await.unwrap().expect("a cover");
                assert!(cover.bytes.starts_with(&[0xFF, 0xD8, 0xFF]), "JPEG magic");
                assert!(cover.content_type.starts_with("image/"));
                let small = client
                    .cover_art(&id, Some(32))
                    .await
                    .unwrap()
                    .expect("a cover");
                assert!(small.bytes.starts_with(&[0xFF, 0xD8, 0xFF]));
                assert!(small.bytes.len() < cover.bytes.len(), "scaled down");
                // Supysonic fails inside on an album whose only art is embedded: no cover.
                assert!(client.cover_art(&album.id, None).await.unwrap().is_none());
            }
            CoverPlacement::None => {
                assert!(album.cover_art.is_none() && song_cover.is_none());
                assert!(client.cover_art(&album.id, None).await.unwrap().is_none());
            }
        }
    }
    assert!(
        client
            .cover_art("no-such-id", None)
            .await
            .unwrap()
            .is_none()
    );
}
