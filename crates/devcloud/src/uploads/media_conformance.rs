//! The conformance suite every [`MediaStore`] runs through: devcloud's folder in this crate's
//! tests, `strato-aws`'s media bucket on moto's S3. Each scenario publishes uploads of its
//! own, so a suite can share its storage with others.
//!
//! What the CDN answers is checked here as a listener's player sees it: content types and
//! `Cache-Control` by the contract's CDN table, single ranges, `ETag` and `If-None-Match`.

use std::path::Path;

use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::Response;

use super::media::{MediaStore, content_type};
use super::store::cover_file;

/// Bytes of the suite's MP3: long enough for a range inside it.
const MP3_BYTES: usize = 3000;

/// Runs every scenario; `scratch` is a folder the suite may write in.
///
/// # Panics
/// When the store breaks the contract.
pub async fn run(store: &dyn MediaStore, scratch: &Path) {
    publishes_what_the_cdn_serves(store, scratch).await;
    answers_ranges_and_etags(store, scratch).await;
    replaces_and_removes(store, scratch).await;
}

fn upload_id(scenario: &str) -> String {
    format!("up-{scenario}-{}", uuid::Uuid::new_v4().simple())
}

/// A processed upload's staged folder: a playlist, a segment, an MP3, and a cover beside it.
fn stage(scratch: &Path, id: &str, mp3: &[u8]) -> (std::path::PathBuf, std::path::PathBuf) {
    let folder = scratch.join(format!("{id}-staged"));
    // Afresh, as processing stages each run (a store that copies leaves the folder behind).
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(folder.join("hls/aac_128")).unwrap();
    std::fs::create_dir_all(folder.join("mp3")).unwrap();
    std::fs::write(folder.join("hls/aac_128/index.m3u8"), b"#EXTM3U\n").unwrap();
    std::fs::write(folder.join("hls/aac_128/seg001.ts"), [0x47u8; 376]).unwrap();
    std::fs::write(folder.join("mp3/cbr_128.mp3"), mp3).unwrap();
    let cover = scratch.join(format!("{id}-cover.jpg"));
    std::fs::write(&cover, [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3]).unwrap();
    (folder, cover)
}

fn mp3_bytes() -> Vec<u8> {
    (0..MP3_BYTES)
        .map(|i| u8::try_from(i % 251).unwrap())
        .collect()
}

async fn get(
    store: &dyn MediaStore,
    key: &str,
    headers: &[(header::HeaderName, &str)],
) -> Response {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        map.insert(name, HeaderValue::from_str(value).unwrap());
    }
    store
        .serve(&Method::GET, &map, key)
        .await
        .unwrap_or_else(|| panic!("{key} is not served"))
}

async fn body(response: Response) -> Vec<u8> {
    axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap()
        .to_vec()
}

fn header_of<'a>(response: &'a Response, name: &header::HeaderName) -> &'a str {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("no {name} in {:?}", response.headers()))
}

async fn publishes_what_the_cdn_serves(store: &dyn MediaStore, scratch: &Path) {
    let id = upload_id("serves");
    let mp3 = mp3_bytes();
    let (folder, cover) = stage(scratch, &id, &mp3);
    store.publish(&id, &folder, Some(&cover)).await.unwrap();

    for (name, cache) in [
        ("hls/aac_128/index.m3u8", "public, max-age=60"),
        (
            "hls/aac_128/seg001.ts",
            "public, max-age=31536000, immutable",
        ),
        ("mp3/cbr_128.mp3", "public, max-age=31536000, immutable"),
    ] {
        let key = format!("media/{id}/{name}");
        let response = get(store, &key, &[]).await;
        assert_eq!(response.status(), StatusCode::OK, "{key}");
        assert_eq!(
            header_of(&response, &header::CONTENT_TYPE),
            content_type(name)
        );
        assert_eq!(header_of(&response, &header::CACHE_CONTROL), cache, "{key}");
    }
    let whole = get(store, &format!("media/{id}/mp3/cbr_128.mp3"), &[]).await;
    assert_eq!(
        header_of(&whole, &header::CONTENT_LENGTH),
        MP3_BYTES.to_string()
    );
    assert_eq!(body(whole).await, mp3);

    let art = get(store, &cover_file(&id, 1), &[]).await;
    assert_eq!(header_of(&art, &header::CONTENT_TYPE), "image/jpeg");
    assert_eq!(body(art).await, [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3]);

    let head = store
        .serve(
            &Method::HEAD,
            &HeaderMap::new(),
            &format!("media/{id}/mp3/cbr_128.mp3"),
        )
        .await
        .expect("HEAD of a published file");
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(
        header_of(&head, &header::CONTENT_LENGTH),
        MP3_BYTES.to_string()
    );
    assert!(body(head).await.is_empty(), "a HEAD has no body");

    for missing in [
        format!("media/{id}/mp3/none.mp3"),
        format!("media/{id}"),
        cover_file(&id, 2),
    ] {
        assert!(
            store
                .serve(&Method::GET, &HeaderMap::new(), &missing)
                .await
                .is_none(),
            "{missing} is served"
        );
    }
    let inventory = store.inventory().await.unwrap();
    assert!(inventory.media_ids.contains(&id), "{inventory:?}");
    assert!(
        inventory.covers.contains(&cover_file(&id, 1)),
        "{inventory:?}"
    );
}

async fn answers_ranges_and_etags(store: &dyn MediaStore, scratch: &Path) {
    let id = upload_id("ranges");
    let mp3 = mp3_bytes();
    let (folder, _) = stage(scratch, &id, &mp3);
    store.publish(&id, &folder, None).await.unwrap();
    let key = format!("media/{id}/mp3/cbr_128.mp3");

    let part = get(store, &key, &[(header::RANGE, "bytes=100-199")]).await;
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        header_of(&part, &header::CONTENT_RANGE),
        format!("bytes 100-199/{MP3_BYTES}")
    );
    assert_eq!(body(part).await, mp3[100..200]);

    let tail = get(store, &key, &[(header::RANGE, "bytes=-10")]).await;
    assert_eq!(tail.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(body(tail).await, mp3[MP3_BYTES - 10..]);

    let beyond = get(store, &key, &[(header::RANGE, "bytes=999999-")]).await;
    assert_eq!(beyond.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(
        header_of(&beyond, &header::CONTENT_RANGE),
        format!("bytes */{MP3_BYTES}")
    );

    let mut range = HeaderMap::new();
    range.insert(header::RANGE, HeaderValue::from_static("bytes=0-9"));
    let head = store.serve(&Method::HEAD, &range, &key).await.unwrap();
    assert_eq!(head.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(header_of(&head, &header::CONTENT_LENGTH), "10");
    assert!(body(head).await.is_empty());

    let whole = get(store, &key, &[]).await;
    let etag = header_of(&whole, &header::ETAG).to_owned();
    assert!(etag.starts_with('"') && etag.ends_with('"'), "{etag}");
    let again = get(store, &key, &[(header::IF_NONE_MATCH, &etag)]).await;
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(header_of(&again, &header::ETAG), etag);
    assert_eq!(
        header_of(&again, &header::CACHE_CONTROL),
        "public, max-age=31536000, immutable",
        "a 304 keeps the object's caching"
    );
    let other = get(store, &key, &[(header::IF_NONE_MATCH, "\"not-it\"")]).await;
    assert_eq!(other.status(), StatusCode::OK);
    assert!(
        store
            .inventory()
            .await
            .unwrap()
            .covers
            .iter()
            .all(|c| !c.contains(&id)),
        "an upload without a cover has none"
    );
}

async fn replaces_and_removes(store: &dyn MediaStore, scratch: &Path) {
    let id = upload_id("replaces");
    let (folder, cover) = stage(scratch, &id, b"first");
    std::fs::write(folder.join("mp3/extra.mp3"), b"only in the first run").unwrap();
    store.publish(&id, &folder, Some(&cover)).await.unwrap();

    let (folder, cover) = stage(scratch, &id, b"second");
    store.publish(&id, &folder, Some(&cover)).await.unwrap();
    let key = format!("media/{id}/mp3/cbr_128.mp3");
    assert_eq!(body(get(store, &key, &[]).await).await, b"second");
    assert!(
        store
            .serve(
                &Method::GET,
                &HeaderMap::new(),
                &format!("media/{id}/mp3/extra.mp3")
            )
            .await
            .is_none(),
        "a publication leaves nothing of the one it replaces"
    );

    let second = scratch.join(format!("{id}-cover-2.jpg"));
    std::fs::write(&second, [0xFF, 0xD8, 0xFF, 9]).unwrap();
    store.put_cover(&id, 2, &second).await.unwrap();
    assert_eq!(
        body(get(store, &cover_file(&id, 2), &[]).await).await,
        [0xFF, 0xD8, 0xFF, 9]
    );

    store.remove_cover(&cover_file(&id, 1)).await.unwrap();
    store.remove_cover(&cover_file(&id, 1)).await.unwrap();
    let inventory = store.inventory().await.unwrap();
    assert!(
        !inventory.covers.contains(&cover_file(&id, 1)),
        "{inventory:?}"
    );
    assert!(
        inventory.covers.contains(&cover_file(&id, 2)),
        "{inventory:?}"
    );

    store.remove_media(&id).await.unwrap();
    store.remove_media(&id).await.unwrap();
    assert!(
        store
            .serve(&Method::GET, &HeaderMap::new(), &key)
            .await
            .is_none()
    );
    assert!(!store.inventory().await.unwrap().media_ids.contains(&id));
    for not_a_cover in ["media/elsewhere.jpg", "art/..", "art/x/y.jpg", "art/"] {
        assert!(
            store.remove_cover(not_a_cover).await.is_err(),
            "{not_a_cover} was removed as a cover"
        );
    }
}
