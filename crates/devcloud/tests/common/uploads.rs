//! Uploads as a client makes them: files made by ffmpeg, parts PUT to presigned URLs,
//! processing waited for, and what the tests of uploads share.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;
use sha2::{Digest as _, Sha256};
use strato_model::api::{
    Playlist, StreamGrant, Upload, UploadSession, UploadStatus, UploadedPart, Visibility,
};
use strato_testkit::DevCloud;

use super::{Api, ok_json};

pub const PASSWORD: &str = "Upload-test-1";

/// Pink noise (so alignment is unambiguous) with tags and, if asked, an embedded cover.
pub fn make_track(dir: &Path, name: &str, seconds: f64, cover: bool) -> PathBuf {
    let path = dir.join(name);
    let mut command = Command::new("ffmpeg");
    command
        .args(["-v", "error", "-y", "-f", "lavfi", "-i"])
        .arg(format!("anoisesrc=d={seconds}:c=pink:r=44100:a=0.3:seed=7"));
    if cover {
        command.args(["-f", "lavfi", "-i", "color=c=red:s=200x200:d=1"]);
        command.args([
            "-map",
            "0:a",
            "-map",
            "1:v",
            "-c:v",
            "mjpeg",
            "-frames:v",
            "1",
        ]);
        command.args(["-disposition:v", "attached_pic"]);
    }
    command.args(["-ac", "2", "-metadata", "title=Garage Tape", "-metadata"]);
    command.args(["artist=The Uploaders", "-metadata", "album=Home Recordings"]);
    command.args(["-metadata", "track=3"]).arg(&path);
    let status = command.status().expect("running ffmpeg");
    assert!(status.success(), "ffmpeg made no {name}");
    path
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

pub async fn listener<'a>(cloud: &'a DevCloud, name: &str) -> Api<'a> {
    Api {
        cloud,
        token: cloud.user_access_token(name, PASSWORD).await,
    }
}

/// `POST /v1/uploads` for a file.
pub async fn announce(api: &Api<'_>, path: &Path, visibility: Visibility) -> reqwest::Response {
    let bytes = std::fs::read(path).unwrap();
    api.post("/v1/uploads")
        .json(&json!({
            "file_name": path.file_name().unwrap().to_string_lossy(),
            "size": bytes.len(),
            "content_type": "application/octet-stream",
            "sha256": sha256_hex(&bytes),
            "visibility": visibility,
        }))
        .send()
        .await
        .unwrap()
}

/// PUTs the parts of `session` (all of those listed, in parallel) from `bytes`.
pub async fn send_parts(api: &Api<'_>, session: &UploadSession, bytes: &[u8]) -> Vec<UploadedPart> {
    let sends = session.parts.iter().map(|part| {
        let start = usize::try_from(u64::from(part.part_number - 1) * session.part_size).unwrap();
        let end = (start + usize::try_from(session.part_size).unwrap()).min(bytes.len());
        let body = bytes[start..end].to_vec();
        let mut request = api.cloud.http().put(&part.url);
        for (name, value) in &part.headers {
            request = request.header(name, value);
        }
        async move {
            let response = request
                .header("content-type", "application/octet-stream")
                .body(body)
                .send()
                .await
                .unwrap();
            assert!(
                response.status().is_success(),
                "part {}: {}",
                part.part_number,
                response.status()
            );
            UploadedPart {
                part_number: part.part_number,
                etag: response.headers()["etag"].to_str().unwrap().to_owned(),
                size: (end - start) as u64,
            }
        }
    });
    futures_util::future::join_all(sends).await
}

pub async fn complete(api: &Api<'_>, id: &str, parts: &[UploadedPart]) -> reqwest::Response {
    api.post(&format!("/v1/uploads/{id}/complete"))
        .json(&json!({ "parts": parts }))
        .send()
        .await
        .unwrap()
}

/// Waits until processing has an outcome.
pub async fn settled(api: &Api<'_>, id: &str) -> Upload {
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        let upload: Upload = api.json(&format!("/v1/uploads/{id}")).await;
        if !matches!(
            upload.status,
            UploadStatus::Uploading | UploadStatus::Processing
        ) {
            return upload;
        }
        assert!(Instant::now() < deadline, "{id} still {:?}", upload.status);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The whole path: announce, send every part, complete, wait.
pub async fn upload(api: &Api<'_>, path: &Path, visibility: Visibility) -> Upload {
    let session: UploadSession = ok_json(announce(api, path, visibility).await).await;
    let parts = send_parts(api, &session, &std::fs::read(path).unwrap()).await;
    let response = complete(api, &session.upload.id, &parts).await;
    assert_eq!(
        response.status(),
        StatusCode::ACCEPTED,
        "{}",
        response.text().await.unwrap()
    );
    settled(api, &session.upload.id).await
}

pub fn cookie_header(grant: &StreamGrant) -> String {
    grant
        .cookies
        .iter()
        .map(|c| format!("{}={}", c.name, c.value))
        .collect::<Vec<_>>()
        .join("; ")
}

pub async fn status_of(request: reqwest::RequestBuilder) -> StatusCode {
    request.send().await.unwrap().status()
}

/// The 128k variant and its segments, fetched with the grant's cookies into `hls`.
pub async fn fetch_variant(cloud: &DevCloud, grant: &StreamGrant, hls: &Path) -> PathBuf {
    let cookies = cookie_header(grant);
    for name in ["master.m3u8", "128k/index.m3u8"] {
        let url = grant.hls_master_url.replace("master.m3u8", name);
        let text = cloud
            .http()
            .get(&url)
            .header("cookie", &cookies)
            .send()
            .await
            .unwrap();
        assert_eq!(text.status(), StatusCode::OK, "{url}");
        let path = hls.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text.bytes().await.unwrap()).unwrap();
    }
    let variant = std::fs::read_to_string(hls.join("128k/index.m3u8")).unwrap();
    for segment in variant
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let url = grant
            .hls_master_url
            .replace("master.m3u8", &format!("128k/{segment}"));
        let body = cloud
            .http()
            .get(&url)
            .header("cookie", &cookies)
            .send()
            .await
            .unwrap();
        assert_eq!(body.status(), StatusCode::OK);
        std::fs::write(hls.join("128k").join(segment), body.bytes().await.unwrap()).unwrap();
    }
    hls.join("128k/index.m3u8")
}

/// A 300×300 JPEG.
pub fn make_cover(dir: &Path) -> PathBuf {
    let jpeg = dir.join("cover.jpg");
    let made = Command::new("ffmpeg")
        .args([
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "color=c=blue:s=300x300:d=1",
        ])
        .args(["-frames:v", "1"])
        .arg(&jpeg)
        .status()
        .unwrap();
    assert!(made.success());
    jpeg
}

/// A new playlist of `fan`'s holding `track_ids`.
pub async fn playlist_with(fan: &Api<'_>, track_ids: &[&str]) -> Playlist {
    let playlist: Playlist = ok_json(
        fan.post("/v1/playlists")
            .json(&json!({"name": "Found"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    ok_json(
        fan.post(&format!("/v1/playlists/{}/items", playlist.id))
            .header("if-match", "\"1\"")
            .json(&json!({ "track_ids": track_ids }))
            .send()
            .await
            .unwrap(),
    )
    .await
}

/// Announces a file, then sends it with its last byte flipped: what processing says.
pub async fn upload_damaged(api: &Api<'_>, dir: &Path) -> strato_model::api::UploadFailure {
    let tampered = make_track(dir, "tampered.flac", 3.0, false);
    let session: UploadSession = ok_json(announce(api, &tampered, Visibility::Private).await).await;
    let mut bytes = std::fs::read(&tampered).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xFF;
    let parts = send_parts(api, &session, &bytes).await;
    assert_eq!(
        complete(api, &session.upload.id, &parts).await.status(),
        StatusCode::ACCEPTED
    );
    settled(api, &session.upload.id).await.failure.unwrap()
}

pub async fn collect(cloud: &DevCloud) -> serde_json::Value {
    ok_json(
        cloud
            .http()
            .post(format!("{}/admin/collect", cloud.api_url()))
            .send()
            .await
            .unwrap(),
    )
    .await
}
