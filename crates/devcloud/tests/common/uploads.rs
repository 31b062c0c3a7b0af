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

/// Pink noise (so alignment is unambiguous) with tags and, if asked, an embedded cover; the
/// codec is ffmpeg's default for the name's extension.
pub fn make_track(dir: &Path, name: &str, seconds: f64, cover: bool) -> PathBuf {
    make_track_with(dir, name, seconds, cover, &[])
}

/// [`make_track`] with ffmpeg's output options `codec` (e.g. `["-c:a", "alac"]`).
pub fn make_track_with(
    dir: &Path,
    name: &str,
    seconds: f64,
    cover: bool,
    codec: &[&str],
) -> PathBuf {
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
    command.args(codec);
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

/// Waits until processing has an outcome, checking on the way that the progress only rises
/// and ends at 1 when ready.
pub async fn settled(api: &Api<'_>, id: &str) -> Upload {
    let deadline = Instant::now() + Duration::from_secs(180);
    let mut last = 0.0;
    loop {
        let upload: Upload = api.json(&format!("/v1/uploads/{id}")).await;
        assert!(
            upload.progress >= last,
            "{id}: the progress went back from {last} to {}",
            upload.progress
        );
        last = upload.progress;
        if !matches!(
            upload.status,
            UploadStatus::Uploading | UploadStatus::Processing
        ) {
            if upload.status == UploadStatus::Ready {
                assert!((upload.progress - 1.0).abs() < f32::EPSILON, "{upload:?}");
            }
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

/// What the Xing/Info frame at the head of an MP3 says (the fields LAME defines).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LameTag {
    /// `Xing` for VBR, `Info` for CBR.
    pub kind: String,
    /// Audio frames after the tag's own frame.
    pub frames: u32,
    /// The encoder's short version string (ffmpeg writes `Lavf` and the encoder's name).
    pub encoder: String,
    pub delay: u32,
    pub padding: u32,
    /// Samples per frame per channel for this MPEG version (1152 or 576).
    pub samples_per_frame: u32,
}

impl LameTag {
    /// Samples per channel the encoder was given: the frames less its delay and padding.
    pub fn source_samples(&self) -> u64 {
        u64::from(self.frames) * u64::from(self.samples_per_frame)
            - u64::from(self.delay)
            - u64::from(self.padding)
    }
}

/// Reads the LAME tag of an MP3 from its first frame: past the ID3 tag, at the end of the
/// frame's side information, where decoders look for it. (No crate of ours reads it: the
/// engine takes the trim from the grant, and symphonia reads it for itself.)
pub fn lame_tag(mp3: &[u8]) -> Option<LameTag> {
    let mut at = 0;
    if mp3.starts_with(b"ID3") {
        let size = mp3[6..10]
            .iter()
            .fold(0usize, |size, &b| (size << 7) | usize::from(b & 0x7F));
        let footer = if mp3[5] & 0x10 == 0 { 0 } else { 10 };
        at = 10 + size + footer;
    }
    let header = mp3.get(at..at + 4)?;
    if header[0] != 0xFF || header[1] & 0xE0 != 0xE0 || (header[1] >> 1) & 3 != 1 {
        return None; // not the sync word of a Layer III frame
    }
    let mpeg1 = (header[1] >> 3) & 3 == 3;
    let mono = header[3] >> 6 == 3;
    let side_info = match (mpeg1, mono) {
        (true, false) => 32,
        (true, true) | (false, false) => 17,
        (false, true) => 9,
    };
    let tag = mp3.get(at + 4 + side_info..)?;
    let kind = std::str::from_utf8(&tag[..4]).ok()?;
    if kind != "Xing" && kind != "Info" {
        return None;
    }
    let word = |from: usize| u32::from_be_bytes(tag[from..from + 4].try_into().unwrap());
    let flags = word(4);
    if flags & 1 == 0 {
        return None; // without the frame count there is no length to check
    }
    let frames = word(8);
    // The optional fields: frames, bytes, the 100-byte seek table, the quality.
    let lame = 8 + [(1, 4), (2, 4), (4, 100), (8, 4)]
        .iter()
        .filter(|(flag, _)| flags & flag != 0)
        .map(|(_, len)| len)
        .sum::<usize>();
    let trim = u32::from_be_bytes([0, tag[lame + 21], tag[lame + 22], tag[lame + 23]]);
    Some(LameTag {
        kind: kind.to_owned(),
        frames,
        encoder: String::from_utf8_lossy(&tag[lame..lame + 9])
            .trim_end_matches(['\0', ' '])
            .to_owned(),
        delay: trim >> 12,
        padding: trim & 0xFFF,
        samples_per_frame: if mpeg1 { 1152 } else { 576 },
    })
}

/// The listener's id (their token's `sub`), as profiles name them.
pub fn listener_id(api: &Api<'_>) -> String {
    use base64::Engine as _;
    let payload = api.token.split('.').nth(1).expect("a JWT");
    let claims = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .unwrap();
    let claims: serde_json::Value = serde_json::from_slice(&claims).unwrap();
    claims["sub"].as_str().unwrap().to_owned()
}
