//! devcloud's `OpenSubsonic` `stream`, `download` and `getCoverArt`: the stored files, byte
//! for byte, with ranges and ETags as the CDN serves them, and the stored renditions chosen
//! by `maxBitRate` and `format` (devcloud does not transcode).

mod common;

use common::builder;
use common::subsonic::{Rest, catalog_json, with_accounts};

#[tokio::test]
async fn stream_download_and_cover_send_the_stored_files_with_ranges() {
    let cloud = with_accounts(builder()).start().await;
    let rest = Rest::alice(&cloud);
    let catalog = catalog_json(&cloud);
    let track = &catalog["tracks"][0];
    let id = track["id"].as_str().unwrap();
    let read = |key: &str| {
        std::fs::read(
            cloud
                .media_dir()
                .join(track["mp3"][key]["path"].as_str().unwrap()),
        )
        .unwrap()
    };
    let cbr = read("cbr");

    let full = rest.get("stream", &[("id", id)]).send().await.unwrap();
    assert_eq!(full.status(), 200);
    assert_eq!(full.headers()["content-type"], "audio/mpeg");
    assert_eq!(full.headers()["accept-ranges"], "bytes");
    let etag = full.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(full.bytes().await.unwrap(), cbr);

    let part = rest
        .get("stream", &[("id", id)])
        .header("range", "bytes=100-1099")
        .send()
        .await
        .unwrap();
    assert_eq!(part.status(), 206);
    assert_eq!(
        part.headers()["content-range"],
        format!("bytes 100-1099/{}", cbr.len())
    );
    assert_eq!(part.bytes().await.unwrap(), cbr[100..1100]);
    let tail = rest
        .get("stream.view", &[("id", id)])
        .header("range", "bytes=-10")
        .send()
        .await
        .unwrap();
    assert_eq!(tail.status(), 206);
    assert_eq!(tail.bytes().await.unwrap(), cbr[cbr.len() - 10..]);
    let unchanged = rest
        .get("stream", &[("id", id)])
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(unchanged.status(), 304);

    // maxBitRate picks a stored rendition; raw is the original; other codecs are refused.
    let low = rest
        .get("stream", &[("id", id), ("maxBitRate", "128")])
        .send()
        .await
        .unwrap();
    assert_eq!(low.bytes().await.unwrap(), read("low"));
    let unlimited = rest
        .get(
            "stream",
            &[("id", id), ("maxBitRate", "0"), ("format", "mp3")],
        )
        .send()
        .await
        .unwrap();
    assert_eq!(unlimited.bytes().await.unwrap(), cbr);
    let raw = rest
        .get(
            "stream",
            &[("id", id), ("format", "raw"), ("maxBitRate", "64")],
        )
        .send()
        .await
        .unwrap();
    assert_eq!(raw.bytes().await.unwrap(), cbr);
    let (code, message) = rest
        .error("stream", &[("id", id), ("format", "opus")])
        .await;
    assert_eq!(code, 0);
    assert!(message.contains("does not transcode"), "{message}");
    assert_eq!(rest.error("stream", &[("id", "tr-nope")]).await.0, 70);

    let download = rest.get("download", &[("id", id)]).send().await.unwrap();
    assert_eq!(download.status(), 200);
    assert_eq!(download.bytes().await.unwrap(), cbr);

    let album = track["album_id"].as_str().unwrap();
    let art = std::fs::read(cloud.media_dir().join(format!("art/{album}.jpg"))).unwrap();
    for cover_id in [album, id, track["artist_id"].as_str().unwrap()] {
        let cover = rest
            .get("getCoverArt", &[("id", cover_id), ("size", "300")])
            .send()
            .await
            .unwrap();
        assert_eq!(cover.headers()["content-type"], "image/jpeg", "{cover_id}");
        if cover_id != track["artist_id"] {
            assert_eq!(cover.bytes().await.unwrap(), art, "{cover_id}");
        }
    }
    assert_eq!(rest.error("getCoverArt", &[("id", "nope")]).await.0, 70);
}
