//! What devcloud serves beyond the catalog and Supysonic lacks: synced lyrics (and a track
//! without), scrobbles read back from devcloud's admin route, and streams: a bit-rate cap
//! giving the stored 96 kbit/s rendition, said not to be the original, and `format=raw` the
//! original answering a Range.

mod common;

use common::devcloud::{ALICE, Catalog, devcloud, media_file, signed_in};
use reqwest::StatusCode;
use strato_subsonic::{SearchCounts, StreamOptions, wire};

#[tokio::test]
async fn a_tracks_synced_lyrics_come_in_order_within_the_track() {
    let cloud = devcloud().await;
    let client = signed_in(&cloud).await;
    let catalog = Catalog::read();
    // Every fifth track in devcloud's order has none: its first has some.
    let first = client
        .search("", SearchCounts::first(1))
        .await
        .unwrap()
        .song;
    let track = catalog
        .tracks
        .iter()
        .find(|t| t.id == first[0].id)
        .expect("a track of the catalog");
    let lyrics = client.lyrics_by_song_id(&track.id).await.unwrap();
    assert_eq!(lyrics.len(), 1, "{lyrics:?}");
    let synced = &lyrics[0];
    assert!(synced.synced);
    assert_eq!(synced.offset, 0);
    assert!(!synced.line.is_empty());
    let starts: Vec<i64> = synced
        .line
        .iter()
        .map(|line| line.start.expect("a synced line has its start"))
        .collect();
    assert_eq!(starts[0], 0, "the first line at the start");
    assert!(
        starts.windows(2).all(|pair| pair[0] < pair[1]),
        "in order: {starts:?}"
    );
    let length = i64::from(track.duration_ms);
    assert!(
        starts.iter().all(|&start| start < length),
        "{starts:?} within {length} ms"
    );
    assert!(
        synced
            .line
            .iter()
            .all(|line| line.value.starts_with(&track.title)),
        "devcloud's stand-in lines are made from the title: {:?}",
        synced.line
    );
}

#[tokio::test]
async fn a_track_without_lyrics_is_an_empty_answer_not_an_error() {
    let cloud = devcloud().await;
    let client = signed_in(&cloud).await;
    let catalog = Catalog::read();
    // devcloud's catalog order is its own (not catalog.json's): `search3` with an empty
    // query lists it, and every fifth track of that list has no lyrics.
    let listed = client
        .search("", SearchCounts::first(500))
        .await
        .unwrap()
        .song;
    assert_eq!(listed.len(), catalog.tracks.len());
    for (place, song) in listed.iter().enumerate() {
        let lyrics = client.lyrics_by_song_id(&song.id).await.unwrap();
        let none_expected = (place + 1) % 5 == 0;
        assert_eq!(
            lyrics.is_empty(),
            none_expected,
            "track {} ({}) in devcloud's order",
            place + 1,
            song.id
        );
    }
}

#[tokio::test]
async fn a_scrobble_and_a_now_playing_report_reach_the_server_as_sent() {
    let cloud = devcloud().await;
    let client = signed_in(&cloud).await;
    let catalog = Catalog::read();
    let (playing, played) = (&catalog.tracks[1].id, &catalog.tracks[2].id);
    let heard_at_ms = 1_796_000_000_123_i64;
    client.scrobble(playing, None, false).await.unwrap();
    client
        .scrobble(played, Some(heard_at_ms), true)
        .await
        .unwrap();
    let received = cloud.subsonic_scrobbles().await;
    assert_eq!(received.len(), 2, "{received:?}");
    let now_playing = &received[0];
    assert_eq!(now_playing["id"], playing.as_str());
    assert_eq!(now_playing["submission"], false);
    assert_eq!(now_playing["user"], ALICE);
    assert_eq!(now_playing["client"], "Strato");
    let listen = &received[1];
    assert_eq!(listen["id"], played.as_str());
    assert_eq!(listen["submission"], true);
    assert_eq!(listen["time"], heard_at_ms);
    let err = client
        .scrobble("tr-no-such-track", Some(heard_at_ms), true)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(70), "{err}");
}

async fn fetch(url: &url::Url, range: Option<&str>) -> reqwest::Response {
    let mut request = reqwest::Client::new().get(url.clone());
    if let Some(range) = range {
        request = request.header("Range", range);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn a_bit_rate_cap_streams_the_96_kbits_rendition_said_not_to_be_the_original() {
    let cloud = devcloud().await;
    let client = signed_in(&cloud).await;
    let catalog = Catalog::read();
    let track = &catalog.tracks[0];
    let song: wire::Song = client.song(&track.id).await.unwrap();
    assert_eq!(song.bit_rate, Some(track.mp3.cbr.bitrate_kbps));
    assert_eq!(song.suffix.as_deref(), Some("mp3"));
    let capped = StreamOptions {
        max_bitrate_kbps: Some(128),
        ..StreamOptions::default()
    };
    let stream = client.stream_url(&song, &capped).unwrap();
    assert!(!stream.is_original(), "192 kbit/s over a 128 cap");
    let response = fetch(stream.url(), None).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(track.mp3.low.bitrate_kbps, 96);
    let bytes = response.bytes().await.unwrap();
    assert_eq!(bytes.as_ref(), media_file(&track.mp3.low.path).as_slice());
}

#[tokio::test]
async fn the_raw_stream_is_the_original_and_answers_a_range_with_206() {
    let cloud = devcloud().await;
    let client = signed_in(&cloud).await;
    let catalog = Catalog::read();
    let track = &catalog.tracks[3];
    let original = media_file(&track.mp3.cbr.path);
    let song = client.song(&track.id).await.unwrap();
    // Raw wins over a cap: the original whatever the limit.
    let raw = StreamOptions {
        max_bitrate_kbps: Some(64),
        ..StreamOptions::original()
    };
    let stream = client.stream_url(&song, &raw).unwrap();
    assert!(stream.is_original());
    let response = fetch(stream.url(), Some("bytes=1000-1999")).await;
    assert_eq!(response.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        response.headers()["content-range"],
        format!("bytes 1000-1999/{}", original.len()).as_str()
    );
    let bytes = response.bytes().await.unwrap();
    assert_eq!(bytes.as_ref(), &original[1000..2000]);
    let whole = fetch(client.download_url(&track.id).unwrap().url(), None).await;
    assert_eq!(whole.bytes().await.unwrap().as_ref(), original.as_slice());
}
