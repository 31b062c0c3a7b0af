//! Changing things on a real Subsonic server (Supysonic): stars, playlists, scrobbles, and
//! the streams the audio engine fetches, each read back from the server or compared with the
//! file the test kit put in its folder.

mod common;

use common::{server_album, signed_in};
use reqwest::StatusCode;
use strato_subsonic::{
    PlaylistUpdate, StarTarget, StreamOptions, SubsonicErrorKind, convert, redact_url_str,
};

#[tokio::test]
async fn a_star_is_listed_until_it_is_removed() {
    let (server, client) = signed_in().await;
    let album = server_album(&client, &server.albums()[2]).await;
    let song = &album.song[0];
    client.star(StarTarget::Song(&song.id)).await.unwrap();
    client.star(StarTarget::Album(&album.id)).await.unwrap();
    let starred = client.starred().await.unwrap();
    assert!(starred.song.iter().any(|s| s.id == song.id), "{starred:?}");
    assert!(starred.album.iter().any(|a| a.id == album.id));
    let read = client.song(&song.id).await.unwrap();
    assert!(read.starred.is_some(), "the song says it is starred");
    client.unstar(StarTarget::Song(&song.id)).await.unwrap();
    client.unstar(StarTarget::Album(&album.id)).await.unwrap();
    let starred = client.starred().await.unwrap();
    assert!(!starred.song.iter().any(|s| s.id == song.id));
    assert!(!starred.album.iter().any(|a| a.id == album.id));
}

#[tokio::test]
async fn a_playlist_is_made_renamed_edited_read_back_in_order_and_deleted() {
    let (server, client) = signed_in().await;
    let first = server_album(&client, &server.albums()[0]).await;
    let second = server_album(&client, &server.albums()[3]).await;
    let ids = |songs: &[strato_subsonic::wire::Song]| -> Vec<String> {
        songs.iter().map(|s| s.id.clone()).collect()
    };
    let songs = ids(&first.song);
    let made = client
        .create_playlist("Road trip (test)", &songs)
        .await
        .unwrap();
    assert_eq!(made.name, "Road trip (test)");
    assert_eq!(ids(&made.entry), songs);

    let added = second.song[0].id.clone();
    client
        .update_playlist(
            &made.id,
            &PlaylistUpdate {
                name: Some("Night drive (test)".into()),
                comment: Some("for the ferry".into()),
                song_ids_to_add: vec![added.clone()],
                song_indexes_to_remove: vec![1],
                ..PlaylistUpdate::default()
            },
        )
        .await
        .unwrap();
    let read = client.playlist(&made.id).await.unwrap();
    let expected = vec![songs[0].clone(), songs[2].clone(), added];
    assert_eq!(
        ids(&read.entry),
        expected,
        "the second removed, one appended"
    );
    let converted = convert::playlist(&read);
    assert_eq!(converted.name, "Night drive (test)");
    assert_eq!(converted.description, "for the ferry");
    let tracks: Vec<&str> = converted
        .items
        .iter()
        .map(|i| i.track_id.as_str())
        .collect();
    assert_eq!(
        tracks,
        expected.iter().map(String::as_str).collect::<Vec<_>>()
    );
    assert_eq!(convert::item_index(&converted.items[2].item_id), Some(2));
    let listed = client.playlists().await.unwrap();
    let summary = listed.iter().find(|p| p.id == made.id).expect("listed");
    assert_eq!(convert::playlist_summary(summary).item_count, 3);

    client.delete_playlist(&made.id).await.unwrap();
    assert!(
        !client
            .playlists()
            .await
            .unwrap()
            .iter()
            .any(|p| p.id == made.id)
    );
    let err = client.playlist(&made.id).await.unwrap_err();
    assert_eq!(err.kind(), SubsonicErrorKind::NotFound);
}

#[tokio::test]
async fn the_original_stream_answers_a_range_with_the_files_own_bytes() {
    let (server, client) = signed_in().await;
    let http = reqwest::Client::new();
    for folder in server.albums() {
        let album = server_album(&client, folder).await;
        let song = &album.song[0];
        let put = folder
            .tracks
            .iter()
            .find(|t| t.title == song.title)
            .unwrap();
        let file = std::fs::read(&put.path).unwrap();
        let stream = client.stream_url(song, &StreamOptions::original()).unwrap();
        assert!(stream.is_original());
        let redacted = stream.redacted();
        assert!(!redacted.contains(&hex_of(server.password())), "{redacted}");
        assert!(!format!("{stream:?}").contains(&hex_of(server.password())));
        let response = http
            .get(stream.url().clone())
            .header("Range", "bytes=1000-1999")
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::PARTIAL_CONTENT,
            "{}",
            folder.title
        );
        let range = response.headers()["content-range"]
            .to_str()
            .unwrap()
            .to_owned();
        assert_eq!(range, format!("bytes 1000-1999/{}", file.len()));
        let bytes = response.bytes().await.unwrap();
        assert_eq!(bytes.as_ref(), &file[1000..2000], "{}", folder.title);
    }
}

#[tokio::test]
async fn a_download_is_the_whole_original_and_a_low_limit_is_said_to_transcode() {
    let (server, client) = signed_in().await;
    let folder = &server.albums()[0];
    let album = server_album(&client, folder).await;
    let song = &album.song[0];
    let put = folder
        .tracks
        .iter()
        .find(|t| t.title == song.title)
        .unwrap();
    let download = client.download_url(&song.id).unwrap();
    let bytes = reqwest::get(download.url().clone())
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(bytes.as_ref(), std::fs::read(&put.path).unwrap().as_slice());
    let rate = song.bit_rate.expect("Supysonic gives the bit rate");
    let limited = StreamOptions {
        max_bitrate_kbps: Some(rate / 2),
        ..StreamOptions::default()
    };
    let stream = client.stream_url(song, &limited).unwrap();
    assert!(
        !stream.is_original(),
        "{rate} kbit/s over a {} limit",
        rate / 2
    );
    let within = StreamOptions {
        max_bitrate_kbps: Some(rate + 1),
        ..StreamOptions::default()
    };
    assert!(client.stream_url(song, &within).unwrap().is_original());
    assert!(redact_url_str(stream.url().as_str()).contains("maxBitRate"));
}

#[tokio::test]
async fn a_scrobble_is_accepted_now_playing_and_submitted() {
    let (server, client) = signed_in().await;
    let album = server_album(&client, &server.albums()[1]).await;
    let song = &album.song[0];
    client.scrobble(&song.id, None, false).await.unwrap();
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis();
    let now_ms = i64::try_from(now_ms).unwrap();
    client.scrobble(&song.id, Some(now_ms), true).await.unwrap();
    let err = client
        .scrobble("00000000-0000-0000-0000-000000000000", Some(now_ms), true)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), SubsonicErrorKind::NotFound, "{err}");
}

#[tokio::test]
async fn lyrics_are_unsupported_without_the_extension() {
    let (server, client) = signed_in().await;
    let album = server_album(&client, &server.albums()[0]).await;
    let err = client
        .lyrics_by_song_id(&album.song[0].id)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), SubsonicErrorKind::Unsupported);
    assert_eq!(err.to_string(), "This server does not offer synced lyrics.");
}

fn hex_of(text: &str) -> String {
    hex::encode(text)
}
