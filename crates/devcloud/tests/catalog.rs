//! The catalog over HTTP, checked against the generated catalog.json.

mod common;

use std::collections::HashSet;

use common::{Api, builder, devcloud, ok_json, problem};
use serde_json::Value;
use strato_model::api::{
    AlbumDetail, ArtistDetail, DownloadGrant, DownloadQuality, HomeFeed, Page, ProblemType,
    SearchResults, SegmentKind, StreamGrant, Track,
};

fn catalog_json(cloud: &strato_testkit::DevCloud) -> Value {
    serde_json::from_slice(&std::fs::read(cloud.media_dir().join("catalog.json")).unwrap()).unwrap()
}

#[tokio::test]
async fn paging_walks_the_whole_catalog_exactly_once() {
    let cloud = devcloud().await;
    let api = Api::demo(&cloud).await;
    let expected: HashSet<String> = catalog_json(&cloud)["tracks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_owned())
        .collect();
    let mut walked = Vec::new();
    let mut path = "/v1/tracks?limit=3".to_owned();
    loop {
        let page: Page<Track> = api.json(&path).await;
        assert!(page.items.len() <= 3);
        walked.extend(page.items.into_iter().map(|t| t.id));
        match page.next_cursor {
            Some(cursor) => path = format!("/v1/tracks?limit=3&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(walked.len(), expected.len(), "no track twice");
    assert_eq!(walked.iter().cloned().collect::<HashSet<_>>(), expected);
    let one_page: Page<Track> = api.json("/v1/tracks?limit=200").await;
    assert_eq!(
        one_page
            .items
            .iter()
            .map(|t| t.id.clone())
            .collect::<Vec<_>>(),
        walked
    );
    assert!(one_page.next_cursor.is_none());
    let sorted = one_page
        .items
        .windows(2)
        .all(|w| w[0].album_id != w[1].album_id || w[0].track_number < w[1].track_number);
    assert!(sorted, "an album's tracks are in track order");
    let bad = api.get("/v1/tracks?cursor=not-ours").send().await.unwrap();
    problem(bad, ProblemType::BadRequest).await;
}

#[tokio::test]
async fn details_and_covers() {
    let cloud = devcloud().await;
    let api = Api::demo(&cloud).await;
    let albums: Page<strato_model::api::Album> = api.json("/v1/albums").await;
    let album = &albums.items[0];
    let detail: AlbumDetail = api.json(&format!("/v1/albums/{}", album.id)).await;
    assert_eq!(detail.tracks.len(), album.track_count as usize);
    assert_eq!(
        album.cover_path.as_deref(),
        Some(format!("/art/{}.jpg", album.id).as_str())
    );
    assert!(
        detail
            .tracks
            .iter()
            .all(|t| t.cover_path == album.cover_path)
    );
    let artist: ArtistDetail = api.json(&format!("/v1/artists/{}", album.artist_id)).await;
    assert!(artist.albums.iter().any(|a| a.id == album.id));
    let track: Track = api
        .json(&format!("/v1/tracks/{}", detail.tracks[0].id))
        .await;
    assert_eq!(track, detail.tracks[0]);
    for missing in [
        "/v1/albums/al-nope",
        "/v1/artists/ar-nope",
        "/v1/tracks/tr-nope",
    ] {
        problem(
            api.get(missing).send().await.unwrap(),
            ProblemType::NotFound,
        )
        .await;
    }
}

#[tokio::test]
async fn albums_sort_newest_first_over_http() {
    let cloud = devcloud().await;
    let api = Api::demo(&cloud).await;
    let all: Page<strato_model::api::Album> = api.json("/v1/albums?limit=200").await;
    let mut expected = all.items.clone();
    expected.sort_by(|a, b| {
        b.year
            .cmp(&a.year)
            .then_with(|| a.title.to_lowercase().cmp(&b.title.to_lowercase()))
    });
    let mut newest = Vec::new();
    let mut path = "/v1/albums?sort=newest&limit=1".to_owned();
    loop {
        let page: Page<strato_model::api::Album> = api.json(&path).await;
        newest.extend(page.items);
        match page.next_cursor {
            Some(cursor) => path = format!("/v1/albums?sort=newest&limit=1&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(newest, expected);
    let catalog_order: Page<strato_model::api::Album> = api.json("/v1/albums?sort=catalog").await;
    assert_eq!(catalog_order.items, all.items);
    problem(
        api.get("/v1/albums?sort=oldest").send().await.unwrap(),
        ProblemType::BadRequest,
    )
    .await;
}

#[tokio::test]
async fn search_finds_by_track_artist_and_album() {
    let cloud = devcloud().await;
    let api = Api::demo(&cloud).await;
    let page: Page<Track> = api.json("/v1/tracks?limit=200").await;
    let track = page.items.last().unwrap();
    let search = |q: &str| {
        let q = percent_encoding::utf8_percent_encode(q, percent_encoding::NON_ALPHANUMERIC);
        let request = api.get(&format!("/v1/search?q={q}"));
        async move { ok_json::<SearchResults>(request.send().await.unwrap()).await }
    };
    let by_title = search(&track.title.to_uppercase()).await;
    assert_eq!(
        by_title.tracks[0].title, track.title,
        "exact title ranks first"
    );
    let by_artist = search(&track.artist_name).await;
    assert_eq!(by_artist.artists[0].id, track.artist_id);
    assert!(by_artist.tracks.iter().any(|t| t.id == track.id));
    let by_album = search(&track.album_title).await;
    assert_eq!(by_album.albums[0].id, track.album_id);
    assert!(by_album.tracks.iter().any(|t| t.id == track.id));
    let prefix = &track.artist_name[..track.artist_name.len().min(4)];
    assert!(
        search(prefix)
            .await
            .artists
            .iter()
            .any(|a| a.id == track.artist_id)
    );
    let nothing = search("zzqqxx").await;
    assert!(nothing.tracks.is_empty() && nothing.albums.is_empty() && nothing.artists.is_empty());
    problem(
        api.get("/v1/search?q=").send().await.unwrap(),
        ProblemType::BadRequest,
    )
    .await;
    problem(
        api.get("/v1/search?q=%20%20").send().await.unwrap(),
        ProblemType::BadRequest,
    )
    .await;
}

#[tokio::test]
async fn home_is_the_same_within_a_period() {
    let cloud = builder().home_reshuffle_secs(3600).start().await;
    let api = Api::demo(&cloud).await;
    let first: HomeFeed = api.json("/v1/home").await;
    let second: HomeFeed = api.json("/v1/home").await;
    if first.generated_at == second.generated_at {
        assert_eq!(first, second);
    }
    assert_eq!(first.next_reshuffle_at - first.generated_at, 3600);
    assert_eq!(first.generated_at % 3600, 0);
    assert!(!first.tracks.is_empty() && first.tracks.len() <= 8);
    assert!(!first.albums.is_empty() && first.albums.len() <= 4);
    let now = strato_devcloud::unix_now();
    assert!(first.generated_at <= now && now < first.next_reshuffle_at + 1);
}

#[tokio::test]
async fn grants_carry_the_catalog_data() {
    let cloud = devcloud().await;
    let api = Api::demo(&cloud).await;
    let catalog = catalog_json(&cloud);
    let track = &catalog["tracks"][0];
    let id = track["id"].as_str().unwrap();
    let now = strato_devcloud::unix_now();
    let stream: StreamGrant = api.json(&format!("/v1/tracks/{id}/stream")).await;
    assert_eq!(stream.track_id, id);
    assert_eq!(
        stream.hls_master_url,
        format!(
            "{}/{}",
            cloud.cdn_url(),
            track["hls"]["master"].as_str().unwrap()
        )
    );
    assert_eq!(
        u64::from(stream.encoder_delay_samples),
        track["hls"]["encoder_delay_samples"].as_u64().unwrap()
    );
    assert_eq!(
        u64::from(stream.padding_samples),
        track["hls"]["padding_samples"].as_u64().unwrap()
    );
    assert_eq!(
        u64::from(stream.sample_rate),
        track["sample_rate"].as_u64().unwrap()
    );
    let kind: SegmentKind = serde_json::from_value(track["hls"]["segment_kind"].clone()).unwrap();
    assert_eq!(stream.segment_kind, kind);
    assert!(
        (now + 3595..=now + 3605).contains(&stream.expires_at),
        "default TTL is an hour"
    );

    let download: DownloadGrant = api.json(&format!("/v1/tracks/{id}/download")).await;
    assert_eq!(download.format, "mp3");
    assert_eq!(download.size, track["mp3"]["vbr"]["size"].as_u64().unwrap());
    assert_eq!(
        download.sha256,
        track["mp3"]["vbr"]["sha256"].as_str().unwrap()
    );
    let bytes = cloud
        .http()
        .get(&download.url)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(bytes.len() as u64, download.size);
    assert_eq!(download.quality, DownloadQuality::Normal);

    // The download ladder: each quality its own file, smallest to largest.
    let mut sizes = Vec::new();
    for (quality, kind) in [
        (DownloadQuality::Low, "low"),
        (DownloadQuality::Normal, "vbr"),
        (DownloadQuality::High, "high"),
    ] {
        let grant: DownloadGrant = api
            .json(&format!(
                "/v1/tracks/{id}/download?quality={}",
                quality.as_str()
            ))
            .await;
        assert_eq!(grant.quality, quality);
        assert_eq!(grant.size, track["mp3"][kind]["size"].as_u64().unwrap());
        assert_eq!(grant.sha256, track["mp3"][kind]["sha256"].as_str().unwrap());
        let fetched = cloud.http().get(&grant.url).send().await.unwrap();
        assert_eq!(fetched.bytes().await.unwrap().len() as u64, grant.size);
        sizes.push(grant.size);
    }
    assert!(sizes[0] < sizes[2], "low is smaller than high: {sizes:?}");
    problem(
        api.get(&format!("/v1/tracks/{id}/download?quality=lossless"))
            .send()
            .await
            .unwrap(),
        ProblemType::BadRequest,
    )
    .await;
    problem(
        api.get("/v1/tracks/tr-nope/stream").send().await.unwrap(),
        ProblemType::NotFound,
    )
    .await;
}
