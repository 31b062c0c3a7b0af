//! The CDN: signatures, cookies, ranges, caching headers, content types.

mod common;

use std::io::{Read as _, Write as _};
use std::net::TcpStream;

use common::{Api, devcloud, ok_json};
use reqwest::StatusCode;
use strato_devcloud::cdn::{keys, signing::Signer};
use strato_model::api::{StreamGrant, Track};
use strato_testkit::{DevCloud, FaultRule, FaultTarget};

fn cookie_header(grant: &StreamGrant) -> String {
    grant
        .cookies
        .iter()
        .map(|c| format!("{}={}", c.name, c.value))
        .collect::<Vec<_>>()
        .join("; ")
}

async fn first_tracks(api: &Api<'_>, n: usize) -> Vec<Track> {
    let page: strato_model::api::Page<Track> = api.json(&format!("/v1/tracks?limit={n}")).await;
    page.items
}

async fn grant(api: &Api<'_>, track_id: &str) -> StreamGrant {
    api.json(&format!("/v1/tracks/{track_id}/stream")).await
}

/// The first URI line of a playlist, resolved against its URL.
fn first_uri(playlist_url: &str, text: &str) -> String {
    let line = text
        .lines()
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .expect("a URI line");
    let base = &playlist_url[..=playlist_url.rfind('/').unwrap()];
    format!("{base}{line}")
}

async fn body_of(cloud: &DevCloud, url: &str, cookies: &str) -> (StatusCode, String, bytes::Bytes) {
    let response = cloud
        .http()
        .get(url)
        .header("cookie", cookies)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, content_type, response.bytes().await.unwrap())
}

#[tokio::test]
async fn media_needs_a_signature_and_art_does_not() {
    let cloud = devcloud().await;
    let api = Api::demo(&cloud).await;
    let track = &first_tracks(&api, 1).await[0];

    let master = format!("{}/media/{}/hls/master.m3u8", cloud.cdn_url(), track.id);
    let unsigned = cloud.http().get(&master).send().await.unwrap();
    assert_eq!(unsigned.status(), 403);
    assert_eq!(unsigned.headers()["content-type"], "text/xml");
    let body = unsigned.text().await.unwrap();
    assert!(body.contains("<Code>MissingKey</Code>"), "{body}");

    let cover = track.cover_path.as_deref().expect("tracks have cover art");
    let art = cloud
        .http()
        .get(format!("{}{cover}", cloud.cdn_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(art.status(), 200);
    assert_eq!(art.headers()["content-type"], "image/jpeg");
    assert!(
        art.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    let bytes = art.bytes().await.unwrap();
    assert_eq!(&bytes[..2], b"\xff\xd8", "a JPEG");

    let elsewhere = cloud
        .http()
        .get(format!("{}/catalog.json", cloud.cdn_url()))
        .send()
        .await;
    assert_eq!(elsewhere.unwrap().status(), 404);
}

#[tokio::test]
async fn a_signed_url_serves_exactly_its_file() {
    let cloud = devcloud().await;
    let api = Api::demo(&cloud).await;
    let tracks = first_tracks(&api, 2).await;
    let grant = grant(&api, &tracks[0].id).await;
    assert!(grant.mp3_url.contains("?Expires="), "{}", grant.mp3_url);
    assert!(grant.mp3_url.contains("&Key-Pair-Id=KSTRATODEV000001"));

    let response = cloud.http().get(&grant.mp3_url).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "audio/mpeg");
    assert_eq!(response.headers()["accept-ranges"], "bytes");
    let served = response.bytes().await.unwrap();
    let on_disk = std::fs::read(
        cloud
            .media_dir()
            .join(format!("media/{}/mp3/cbr.mp3", tracks[0].id)),
    )
    .unwrap();
    assert_eq!(served.as_ref(), on_disk.as_slice());

    // The same query on another file: the signature does not cover it.
    let query = grant.mp3_url.split_once('?').unwrap().1;
    let other = format!(
        "{}/media/{}/mp3/cbr.mp3?{query}",
        cloud.cdn_url(),
        tracks[1].id
    );
    let denied = cloud.http().get(&other).send().await.unwrap();
    assert_eq!(denied.status(), 403);
    assert!(
        denied
            .text()
            .await
            .unwrap()
            .contains("<Code>AccessDenied</Code>")
    );

    // A flipped signature character, and a later expiry, are both refused.
    let signature_at = grant.mp3_url.find("Signature=").unwrap() + "Signature=".len() + 5;
    let mut tampered = grant.mp3_url.clone().into_bytes();
    tampered[signature_at] = if tampered[signature_at] == b'A' {
        b'B'
    } else {
        b'A'
    };
    let tampered = String::from_utf8(tampered).unwrap();
    assert_eq!(
        cloud.http().get(&tampered).send().await.unwrap().status(),
        403
    );
    let later = grant.mp3_url.replace(
        &format!("Expires={}", grant.expires_at),
        &format!("Expires={}", grant.expires_at + 3600),
    );
    assert_eq!(cloud.http().get(&later).send().await.unwrap().status(), 403);
}

#[tokio::test]
async fn hls_cookies_cover_their_track_only() {
    let cloud = devcloud().await;
    let api = Api::demo(&cloud).await;
    let tracks = first_tracks(&api, 2).await;
    let response = api
        .get(&format!("/v1/tracks/{}/stream", tracks[0].id))
        .send()
        .await
        .unwrap();
    let set_cookies: Vec<String> = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    let mine: StreamGrant = ok_json(response).await;
    let theirs = grant(&api, &tracks[1].id).await;
    assert_eq!(set_cookies.len(), 3);
    let folder = format!("/media/{}/hls/", tracks[0].id);
    for (cookie, set) in mine.cookies.iter().zip(&set_cookies) {
        assert_eq!(cookie.path, folder);
        assert!(set.starts_with(&format!("{}={}; Path={folder};", cookie.name, cookie.value)));
    }
    let names: Vec<&str> = mine.cookies.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "CloudFront-Policy",
            "CloudFront-Signature",
            "CloudFront-Key-Pair-Id"
        ]
    );

    let cookies = cookie_header(&mine);
    let (status, kind, master) = body_of(&cloud, &mine.hls_master_url, &cookies).await;
    assert_eq!(
        (status, kind.as_str()),
        (StatusCode::OK, "application/vnd.apple.mpegurl")
    );
    let variant_url = first_uri(&mine.hls_master_url, std::str::from_utf8(&master).unwrap());
    let (status, _, variant) = body_of(&cloud, &variant_url, &cookies).await;
    assert_eq!(status, 200);
    let variant = std::str::from_utf8(&variant).unwrap();
    assert!(variant.starts_with("#EXTM3U"));
    let segment_url = first_uri(&variant_url, variant);
    let (status, kind, segment) = body_of(&cloud, &segment_url, &cookies).await;
    assert_eq!(status, 200, "{segment_url}");
    assert!(
        ["video/mp2t", "video/iso.segment", "audio/aac"].contains(&kind.as_str()),
        "{kind}"
    );
    assert!(!segment.is_empty());

    let (status, _, body) = body_of(&cloud, &segment_url, &cookie_header(&theirs)).await;
    assert_eq!(status, 403);
    let body = std::str::from_utf8(&body).unwrap();
    assert!(body.contains("does not cover this resource"), "{body}");
    // The cookies do not reach the MP3 next to the HLS folder either.
    let mp3 = format!("{}/media/{}/mp3/cbr.mp3", cloud.cdn_url(), tracks[0].id);
    assert_eq!(body_of(&cloud, &mp3, &cookies).await.0, 403);
}

#[tokio::test]
async fn ranges_head_and_etags() {
    let cloud = devcloud().await;
    let api = Api::demo(&cloud).await;
    let track = &first_tracks(&api, 1).await[0];
    let url = grant(&api, &track.id).await.mp3_url;
    let file = std::fs::read(
        cloud
            .media_dir()
            .join(format!("media/{}/mp3/cbr.mp3", track.id)),
    )
    .unwrap();
    let len = file.len();
    let http = cloud.http();

    let partial = http
        .get(&url)
        .header("range", "bytes=100-199")
        .send()
        .await
        .unwrap();
    assert_eq!(partial.status(), 206);
    assert_eq!(
        partial.headers()["content-range"],
        format!("bytes 100-199/{len}")
    );
    assert_eq!(partial.headers()["content-length"], "100");
    assert_eq!(partial.bytes().await.unwrap().as_ref(), &file[100..200]);

    let suffix = http
        .get(&url)
        .header("range", "bytes=-10")
        .send()
        .await
        .unwrap();
    assert_eq!(suffix.status(), 206);
    assert_eq!(suffix.bytes().await.unwrap().as_ref(), &file[len - 10..]);

    let open = http
        .get(&url)
        .header("range", format!("bytes={}-", len - 3))
        .send()
        .await
        .unwrap();
    assert_eq!(open.bytes().await.unwrap().as_ref(), &file[len - 3..]);

    let beyond = http
        .get(&url)
        .header("range", format!("bytes={len}-"))
        .send()
        .await
        .unwrap();
    assert_eq!(beyond.status(), 416);
    assert_eq!(beyond.headers()["content-range"], format!("bytes */{len}"));

    let head = http.head(&url).send().await.unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(head.headers()["content-length"], len.to_string());
    let etag = head.headers()["etag"].to_str().unwrap().to_owned();
    assert!(
        etag.starts_with('"') && !etag.starts_with("W/"),
        "strong: {etag}"
    );
    assert!(head.bytes().await.unwrap().is_empty());

    let cached = http
        .get(&url)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(cached.status(), 304);
    assert_eq!(cached.headers()["etag"], etag.as_str());
    let stale = http
        .get(&url)
        .header("if-none-match", "\"other\"")
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 200);
    // If-Range with another ETag: the whole file, not the range.
    let if_range = http
        .get(&url)
        .header("range", "bytes=0-9")
        .header("if-range", "\"other\"")
        .send()
        .await
        .unwrap();
    assert_eq!(if_range.status(), 200);
}

#[tokio::test]
async fn content_types_follow_the_file_kind() {
    let cloud = &devcloud().await;
    let catalog: serde_json::Value =
        serde_json::from_slice(&std::fs::read(cloud.media_dir().join("catalog.json")).unwrap())
            .unwrap();
    // Sign URLs ourselves with devcloud's key, to reach files no grant names.
    let signer = Signer::new(keys::load_or_create(cloud.data_dir()).unwrap());
    let expires = strato_devcloud::unix_now() + 60;
    let fetch = |path: String| {
        let url = signer.signed_url(&format!("{}/{path}", cloud.cdn_url()), expires);
        async move {
            let response = cloud.http().head(url).send().await.unwrap();
            assert_eq!(response.status(), 200, "{path}");
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .to_owned()
        }
    };
    let track = &catalog["tracks"][0];
    assert_eq!(
        fetch(track["reference"].as_str().unwrap().to_owned()).await,
        "audio/flac"
    );
    assert_eq!(
        fetch(track["mp3"]["vbr"]["path"].as_str().unwrap().to_owned()).await,
        "audio/mpeg"
    );
    let master = track["hls"]["master"].as_str().unwrap().to_owned();
    let master_type = fetch(master.clone()).await;
    assert_eq!(master_type, "application/vnd.apple.mpegurl");
    let cache = cloud
        .http()
        .head(signer.signed_url(&format!("{}/{master}", cloud.cdn_url()), expires))
        .send()
        .await
        .unwrap();
    assert_eq!(cache.headers()["cache-control"], "public, max-age=60");
    for track in catalog["tracks"].as_array().unwrap() {
        if let Some(key) = track["hls"]["key"].as_str() {
            assert_eq!(fetch(key.to_owned()).await, "application/octet-stream");
        }
        if track["hls"]["segment_kind"] == "fmp4" {
            let dir = track["hls"]["master"]
                .as_str()
                .unwrap()
                .trim_end_matches("master.m3u8");
            let variant = track["hls"]["variants"][0]["playlist"].as_str().unwrap();
            let variant_dir = &variant[..variant.rfind('/').unwrap()];
            assert!(variant_dir.starts_with(dir));
            assert_eq!(fetch(format!("{variant_dir}/init.mp4")).await, "audio/mp4");
            assert_eq!(
                fetch(format!("{variant_dir}/seg000.m4s")).await,
                "video/iso.segment"
            );
        }
    }
}

#[tokio::test]
async fn paths_cannot_leave_the_media_dir() {
    let cloud = devcloud().await;
    let addr = cloud.cdn_url().trim_start_matches("http://").to_owned();
    for path in [
        "/art/../catalog.json",
        "/art/..%2fcatalog.json",
        "/art/%2e%2e/catalog.json",
    ] {
        let mut stream = TcpStream::connect(&addr).unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        assert!(response.starts_with("HTTP/1.1 404"), "{path}: {response}");
    }
}

#[tokio::test]
async fn expired_grants_are_refused() {
    let cloud = devcloud().await;
    let api = Api::demo(&cloud).await;
    let track = &first_tracks(&api, 1).await[0];
    let rule = FaultRule {
        grant_ttl_secs: Some(1),
        ..FaultRule::new("/v1/tracks/*/stream")
    };
    cloud.add_fault(&rule.on(FaultTarget::Api)).await;
    let before = strato_devcloud::unix_now();
    let short = grant(&api, &track.id).await;
    assert!(
        short.expires_at <= before + 2,
        "{} vs {before}",
        short.expires_at
    );
    // Wait until the expiry second has passed.
    while strato_devcloud::unix_now() < short.expires_at {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let response = cloud.http().get(&short.mp3_url).send().await.unwrap();
    assert_eq!(response.status(), 403);
    assert!(response.text().await.unwrap().contains("expired"));
    let (status, _, _) = body_of(&cloud, &short.hls_master_url, &cookie_header(&short)).await;
    assert_eq!(status, 403);
    // A fresh grant (the rule only shortens stream grants) works again.
    let download: strato_model::api::DownloadGrant =
        api.json(&format!("/v1/tracks/{}/download", track.id)).await;
    assert!(download.expires_at >= before + 3000);
    assert_eq!(
        cloud
            .http()
            .get(&download.url)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

#[tokio::test]
async fn the_reject_signatures_fault_refuses_good_signatures() {
    let cloud = devcloud().await;
    let api = Api::demo(&cloud).await;
    let track = &first_tracks(&api, 1).await[0];
    let url = grant(&api, &track.id).await.mp3_url;
    let rule = FaultRule {
        reject_signatures: true,
        ..FaultRule::new("/media/**")
    };
    let stored = cloud.add_fault(&rule.on(FaultTarget::Cdn)).await;
    let response = cloud.http().get(&url).send().await.unwrap();
    assert_eq!(response.status(), 403);
    assert!(response.text().await.unwrap().contains("expired"));
    cloud.remove_fault(stored.id.as_deref().unwrap()).await;
    assert_eq!(cloud.http().get(&url).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn every_signature_issued_is_listed_for_tests_to_search_for() {
    let cloud = devcloud().await;
    let api = Api::demo(&cloud).await;
    let track = &first_tracks(&api, 1).await[0];
    let stream = grant(&api, &track.id).await;
    let download: strato_model::api::DownloadGrant =
        api.json(&format!("/v1/tracks/{}/download", track.id)).await;

    let issued: Vec<String> = ok_json(
        cloud
            .http()
            .get(format!("{}/admin/cdn-signatures", cloud.api_url()))
            .send()
            .await
            .unwrap(),
    )
    .await;

    let query_value = |url: &str, name: &str| {
        let url = reqwest::Url::parse(url).unwrap();
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map_or_else(|| panic!("no {name} in {url}"), |(_, v)| v.into_owned())
    };
    let cookie = |name: &str| {
        stream
            .cookies
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("no cookie {name}"))
            .value
            .clone()
    };
    for value in [
        query_value(&stream.mp3_url, "Signature"),
        query_value(&download.url, "Signature"),
        cookie("CloudFront-Signature"),
        cookie("CloudFront-Policy"),
    ] {
        assert!(issued.contains(&value), "{value} not listed in {issued:?}");
    }
}
