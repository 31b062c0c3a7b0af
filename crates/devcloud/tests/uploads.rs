//! Listeners' uploads against real parts: devcloud, moto's S3 (presigned multipart parts PUT
//! straight to it), ffmpeg processing, the CDN, two listeners and an administrator.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::{Api, builder, ok_json, problem};
use reqwest::{Method, StatusCode};
use serde_json::json;
use sha2::{Digest as _, Sha256};
use strato_model::api::{
    FailureKind, ListenerProfile, Page, Playlist, ProblemType, SearchResults, StreamGrant, Track,
    Upload, UploadLimits, UploadSession, UploadStatus, UploadedPart, Visibility,
};
use strato_testkit::DevCloud;
use strato_testkit::ffmpeg::{correlation, ffmpeg_decode};

const PASSWORD: &str = "Upload-test-1";

/// Pink noise (so alignment is unambiguous) with tags and, if asked, an embedded cover.
fn make_track(dir: &Path, name: &str, seconds: f64, cover: bool) -> PathBuf {
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

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

async fn listener<'a>(cloud: &'a DevCloud, name: &str) -> Api<'a> {
    Api {
        cloud,
        token: cloud.user_access_token(name, PASSWORD).await,
    }
}

/// `POST /v1/uploads` for a file.
async fn announce(api: &Api<'_>, path: &Path, visibility: Visibility) -> reqwest::Response {
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
async fn send_parts(api: &Api<'_>, session: &UploadSession, bytes: &[u8]) -> Vec<UploadedPart> {
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

async fn complete(api: &Api<'_>, id: &str, parts: &[UploadedPart]) -> reqwest::Response {
    api.post(&format!("/v1/uploads/{id}/complete"))
        .json(&json!({ "parts": parts }))
        .send()
        .await
        .unwrap()
}

/// Waits until processing has an outcome.
async fn settled(api: &Api<'_>, id: &str) -> Upload {
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
async fn upload(api: &Api<'_>, path: &Path, visibility: Visibility) -> Upload {
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

fn cookie_header(grant: &StreamGrant) -> String {
    grant
        .cookies
        .iter()
        .map(|c| format!("{}={}", c.name, c.value))
        .collect::<Vec<_>>()
        .join("; ")
}

async fn status_of(request: reqwest::RequestBuilder) -> StatusCode {
    request.send().await.unwrap().status()
}

/// The 128k variant and its segments, fetched with the grant's cookies into `hls`.
async fn fetch_variant(cloud: &DevCloud, grant: &StreamGrant, hls: &Path) -> PathBuf {
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
fn make_cover(dir: &Path) -> PathBuf {
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
async fn playlist_with(fan: &Api<'_>, track_ids: &[&str]) -> Playlist {
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
async fn upload_damaged(api: &Api<'_>, dir: &Path) -> strato_model::api::UploadFailure {
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_goes_to_storage_in_parts_and_becomes_a_gapless_track() {
    let cloud = builder().start().await;
    let dir = tempfile::tempdir().unwrap();
    // 70 s of 16-bit stereo WAV: 12.3 MB, two parts of 8 MiB and the rest, sent in parallel.
    let wav = make_track(dir.path(), "garage.wav", 70.0, false);
    let api = listener(&cloud, "uploader-a").await;
    let limits: UploadLimits = api.json("/v1/uploads/limits").await;
    assert_eq!(limits.used_bytes, 0);
    assert!(limits.formats.iter().any(|f| f.name == "ALAC"));

    let session: UploadSession = ok_json(announce(&api, &wav, Visibility::Private).await).await;
    assert_eq!((session.part_count, session.parts.len()), (2, 2));
    assert_eq!(session.upload.status, UploadStatus::Uploading);
    assert!(
        session.parts[0].url.contains("X-Amz-Signature"),
        "presigned: {}",
        session.parts[0].url
    );
    let bytes = std::fs::read(&wav).unwrap();
    let parts = send_parts(&api, &session, &bytes).await;
    let accepted = complete(&api, &session.upload.id, &parts).await;
    assert_eq!(accepted.status(), StatusCode::ACCEPTED);
    let again = complete(&api, &session.upload.id, &parts).await;
    problem(again, ProblemType::UploadConflict).await;
    let ready = settled(&api, &session.upload.id).await;
    assert_eq!(ready.status, UploadStatus::Ready, "{:?}", ready.failure);

    let track = ready.track.expect("a ready upload is a track");
    assert_eq!(
        (
            track.title.as_str(),
            track.artist_name.as_str(),
            track.album_title.as_str(),
            track.track_number
        ),
        ("Garage Tape", "The Uploaders", "Home Recordings", 3),
        "details from the file's tags"
    );
    assert_eq!(track.owner.as_ref().unwrap().name, "uploader-a");
    assert!(
        (69_900..70_100).contains(&track.duration_ms),
        "{}",
        track.duration_ms
    );
    let gain = track.replaygain.expect("loudness measured");
    assert!(
        gain.track_gain_db.abs() < 30.0 && gain.track_peak > 0.05,
        "{gain:?}"
    );
    let used: UploadLimits = api.json("/v1/uploads/limits").await;
    assert_eq!(used.used_bytes, bytes.len() as u64);

    // Streamed as HLS: what the engine plays, trimmed by the grant's delay and padding, is
    // the original's samples, aligned.
    let grant: StreamGrant = api.json(&format!("/v1/tracks/{}/stream", track.id)).await;
    let hls = fetch_variant(&cloud, &grant, &dir.path().join("hls")).await;
    let source = ffmpeg_decode(&wav, Some(grant.sample_rate), Some(1));
    let decoded = ffmpeg_decode(&hls, Some(grant.sample_rate), Some(1));
    let delay = grant.encoder_delay_samples as usize;
    let padding = grant.padding_samples as usize;
    assert_eq!(
        decoded.len() - delay - padding,
        source.len(),
        "trimmed length is the original's"
    );
    let trimmed = &decoded[delay..decoded.len() - padding];
    let aligned = correlation(trimmed, &source);
    let off_by_one = correlation(&trimmed[1..], &source);
    assert!(
        aligned > 0.95 && aligned > off_by_one + 0.05,
        "aligned {aligned}, shifted {off_by_one}"
    );

    // Downloaded as MP3, verified by the grant's size and SHA-256.
    let download: serde_json::Value = api.json(&format!("/v1/tracks/{}/download", track.id)).await;
    let mp3 = cloud
        .http()
        .get(download["url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(mp3.status(), StatusCode::OK);
    let mp3 = mp3.bytes().await.unwrap();
    assert_eq!(mp3.len() as u64, download["size"].as_u64().unwrap());
    assert_eq!(sha256_hex(&mp3), download["sha256"].as_str().unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_private_track_is_private_at_the_api_and_the_cdn_until_made_public() {
    let cloud = builder().start().await;
    let dir = tempfile::tempdir().unwrap();
    let owner = listener(&cloud, "owner-b").await;
    let other = listener(&cloud, "other-b").await;
    let flac = make_track(dir.path(), "tape.flac", 8.0, true);
    let track = upload(&owner, &flac, Visibility::Private)
        .await
        .track
        .unwrap();
    let id = track.id.clone();
    assert!(
        track.cover_path.is_some(),
        "the embedded cover is published"
    );

    // The owner sees it everywhere...
    let found: SearchResults = owner.json("/v1/search?q=garage%20tape").await;
    assert_eq!(
        found.tracks.first().map(|t| t.id.as_str()),
        Some(id.as_str())
    );
    let owner_grant: StreamGrant = owner.json(&format!("/v1/tracks/{id}/stream")).await;
    // ...the other listener nowhere.
    for path in [
        format!("/v1/tracks/{id}"),
        format!("/v1/tracks/{id}/stream"),
        format!("/v1/tracks/{id}/download"),
        format!("/v1/albums/{}", track.album_id),
        format!("/v1/artists/{}", track.artist_id),
        format!("/v1/uploads/{id}"),
    ] {
        problem(
            other.get(&path).send().await.unwrap(),
            ProblemType::NotFound,
        )
        .await;
    }
    let found: SearchResults = other.json("/v1/search?q=garage%20tape").await;
    assert!(found.tracks.iter().all(|t| t.id != id));
    let explore: Page<Track> = other.json("/v1/explore/uploads").await;
    assert!(explore.items.iter().all(|t| t.id != id));
    let owner_id = track.owner.as_ref().unwrap().id.clone();
    let profile: ListenerProfile = other.json(&format!("/v1/users/{owner_id}")).await;
    assert!(profile.tracks.is_empty());
    // At the CDN, cookies for another track do not open this one, nor does a signed URL.
    let catalog_id = other.json::<Page<Track>>("/v1/tracks?limit=1").await.items[0]
        .id
        .clone();
    let other_grant: StreamGrant = other.json(&format!("/v1/tracks/{catalog_id}/stream")).await;
    let private_master = owner_grant.hls_master_url.clone();
    let refused = cloud
        .http()
        .get(&private_master)
        .header("cookie", cookie_header(&other_grant));
    assert_eq!(status_of(refused).await, StatusCode::FORBIDDEN);
    let (_, query) = other_grant.mp3_url.split_once('?').unwrap();
    let private_mp3 = owner_grant.mp3_url.split_once('?').unwrap().0;
    let refused = cloud.http().get(format!("{private_mp3}?{query}"));
    assert_eq!(status_of(refused).await, StatusCode::FORBIDDEN);
    let allowed = cloud
        .http()
        .get(&private_master)
        .header("cookie", cookie_header(&owner_grant));
    assert_eq!(status_of(allowed).await, StatusCode::OK);

    // Public: everyone finds it, streams it, sees it on the profile and in explore.
    let made_public: Upload = ok_json(
        owner
            .request(Method::PATCH, &format!("/v1/uploads/{id}"))
            .json(&json!({"visibility": "public"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(made_public.visibility, Visibility::Public);
    let found: SearchResults = other.json("/v1/search?q=garage").await;
    assert!(found.tracks.iter().any(|t| t.id == id));
    let found_album: SearchResults = other.json("/v1/search?q=home%20recordings").await;
    assert!(found_album.albums.iter().any(|a| a.id == track.album_id));
    let explore: Page<Track> = other.json("/v1/explore/uploads").await;
    assert_eq!(
        explore.items.first().map(|t| t.id.as_str()),
        Some(id.as_str())
    );
    let profile: ListenerProfile = other.json(&format!("/v1/users/{owner_id}")).await;
    assert_eq!(profile.listener.name, "owner-b");
    assert_eq!(profile.tracks.len(), 1);
    let grant: StreamGrant = other.json(&format!("/v1/tracks/{id}/stream")).await;
    let master = cloud
        .http()
        .get(&grant.hls_master_url)
        .header("cookie", cookie_header(&grant));
    assert_eq!(status_of(master).await, StatusCode::OK);
    let cover = cloud
        .http()
        .get(format!("{}{}", cloud.cdn_url(), track.cover_path.unwrap()));
    assert_eq!(status_of(cover).await, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_is_at_once_for_listeners_and_the_collector_removes_exactly_what_is_left() {
    let cloud = builder().start().await;
    let dir = tempfile::tempdir().unwrap();
    let owner = listener(&cloud, "owner-c").await;
    let fan = listener(&cloud, "fan-c").await;
    let kept = upload(
        &owner,
        &make_track(dir.path(), "kept.mp3", 5.0, false),
        Visibility::Public,
    )
    .await;
    let gone = upload(
        &owner,
        &make_track(dir.path(), "gone.flac", 5.0, true),
        Visibility::Public,
    )
    .await;
    let (kept_id, gone_id) = (kept.id.clone(), gone.id.clone());

    // A fan's playlist holds both.
    let playlist = playlist_with(&fan, &[&kept_id, &gone_id]).await;
    assert!(playlist.items.iter().all(|i| i.available));

    // A replaced cover, and an upload abandoned half-way then deleted.
    let jpeg = make_cover(dir.path());
    let recovered: Upload = ok_json(
        owner
            .request(Method::PUT, &format!("/v1/uploads/{gone_id}/cover"))
            .body(std::fs::read(&jpeg).unwrap())
            .send()
            .await
            .unwrap(),
    )
    .await;
    let new_cover = recovered.track.unwrap().cover_path.unwrap();
    assert!(new_cover.ends_with("-2.jpg"), "{new_cover}");
    let half = make_track(dir.path(), "half.wav", 60.0, false);
    let session: UploadSession = ok_json(announce(&owner, &half, Visibility::Private).await).await;
    let first = UploadSession {
        parts: session.parts[..1].to_vec(),
        ..session.clone()
    };
    send_parts(&owner, &first, &std::fs::read(&half).unwrap()).await;

    // Nothing live is collected.
    let collected: serde_json::Value = collect(&cloud).await;
    assert_eq!(collected["objects"], json!([]), "{collected}");
    assert_eq!(collected["multipart_uploads"], json!([]), "{collected}");
    assert_eq!(
        collected["published"],
        json!([format!("art/{gone_id}-1.jpg")]),
        "only the replaced cover"
    );

    for id in [&gone_id, &session.upload.id] {
        let deleted = owner
            .request(Method::DELETE, &format!("/v1/uploads/{id}"))
            .send()
            .await
            .unwrap();
        assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    }
    // At once: no track, no grant, not in search or explore; the playlist says unavailable.
    problem(
        fan.get(&format!("/v1/tracks/{gone_id}/stream"))
            .send()
            .await
            .unwrap(),
        ProblemType::NotFound,
    )
    .await;
    let found: SearchResults = fan.json("/v1/search?q=garage").await;
    assert_eq!(
        found
            .tracks
            .iter()
            .map(|t| t.id.as_str())
            .collect::<Vec<_>>(),
        [kept_id.as_str()]
    );
    let playlist: Playlist = fan.json(&format!("/v1/playlists/{}", playlist.id)).await;
    let available: Vec<bool> = playlist.items.iter().map(|i| i.available).collect();
    assert_eq!(available, [true, false]);
    let listed: Page<Upload> = owner.json("/v1/uploads").await;
    assert_eq!(
        listed
            .items
            .iter()
            .map(|u| u.id.as_str())
            .collect::<Vec<_>>(),
        [kept_id.as_str()]
    );

    collected_after_delete(&cloud, &fan, &kept, &gone_id).await;
}

/// The collector after `gone_id` was deleted: its original, media and covers go (the
/// abandoned upload's multipart upload was aborted when it was deleted); `kept` still streams.
async fn collected_after_delete(cloud: &DevCloud, fan: &Api<'_>, kept: &Upload, gone_id: &str) {
    let kept_id = kept.id.clone();
    // Then the collector: the deleted upload's original, media and cover, and the abandoned
    // multipart upload; the kept track still streams.
    let collected = collect(cloud).await;
    let owner_sub = kept
        .track
        .as_ref()
        .unwrap()
        .owner
        .as_ref()
        .unwrap()
        .id
        .clone();
    assert_eq!(
        collected["objects"],
        json!([format!("uploads/{owner_sub}/{gone_id}/original")])
    );
    // (The abandoned upload's multipart upload was aborted when it was deleted.)
    assert_eq!(collected["multipart_uploads"], json!([]), "{collected}");
    let mut published: Vec<String> =
        serde_json::from_value(collected["published"].clone()).unwrap();
    published.sort();
    assert_eq!(
        published,
        [format!("art/{gone_id}-2.jpg"), format!("media/{gone_id}")]
    );
    let published_root = cloud.data_dir().join("published");
    assert!(
        published_root
            .join("media")
            .join(&kept_id)
            .join("hls/master.m3u8")
            .is_file()
    );
    let grant: StreamGrant = fan.json(&format!("/v1/tracks/{kept_id}/stream")).await;
    let master = cloud
        .http()
        .get(&grant.hls_master_url)
        .header("cookie", cookie_header(&grant));
    assert_eq!(status_of(master).await, StatusCode::OK);
    assert_eq!(
        collect(cloud).await,
        json!({"objects": [], "multipart_uploads": [], "published": []})
    );
}

async fn collect(cloud: &DevCloud) -> serde_json::Value {
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn administrators_take_tracks_down_and_restore_them_and_listeners_cannot() {
    let cloud = builder().start().await;
    let dir = tempfile::tempdir().unwrap();
    let owner = listener(&cloud, "owner-d").await;
    let other = listener(&cloud, "other-d").await;
    let admin = Api {
        cloud: &cloud,
        token: cloud.admin_access_token("moderator-d", PASSWORD).await,
    };
    let id = upload(
        &owner,
        &make_track(dir.path(), "song.m4a", 5.0, false),
        Visibility::Public,
    )
    .await
    .id;
    let takedown = |api: &Api<'_>| {
        api.post(&format!("/v1/moderation/tracks/{id}/takedown"))
            .json(&json!({"reason": "Not yours to share: reported by the rights holder."}))
    };
    problem(
        takedown(&other).send().await.unwrap(),
        ProblemType::Forbidden,
    )
    .await;
    problem(
        takedown(&owner).send().await.unwrap(),
        ProblemType::Forbidden,
    )
    .await;
    let down: Upload = ok_json(takedown(&admin).send().await.unwrap()).await;
    assert!(down.takedown.is_some());

    problem(
        other.get(&format!("/v1/tracks/{id}")).send().await.unwrap(),
        ProblemType::NotFound,
    )
    .await;
    problem(
        owner
            .get(&format!("/v1/tracks/{id}/stream"))
            .send()
            .await
            .unwrap(),
        ProblemType::NotFound,
    )
    .await;
    let seen_by_owner: Upload = owner.json(&format!("/v1/uploads/{id}")).await;
    assert_eq!(
        seen_by_owner.takedown.map(|t| t.reason).as_deref(),
        Some("Not yours to share: reported by the rights holder.")
    );
    let republish = owner
        .request(Method::PATCH, &format!("/v1/uploads/{id}"))
        .json(&json!({"visibility": "private"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        republish.status(),
        StatusCode::OK,
        "going private is allowed"
    );
    let republish = owner
        .request(Method::PATCH, &format!("/v1/uploads/{id}"))
        .json(&json!({"visibility": "public"}))
        .send()
        .await
        .unwrap();
    problem(republish, ProblemType::UploadConflict).await;
    // A private track is private to administrators too.
    let restore = admin.request(
        Method::DELETE,
        &format!("/v1/moderation/tracks/{id}/takedown"),
    );
    problem(restore.send().await.unwrap(), ProblemType::NotFound).await;
    owner
        .request(Method::PATCH, &format!("/v1/uploads/{id}"))
        .json(&json!({"visibility": "private", "title": "Renamed"}))
        .send()
        .await
        .unwrap();
    let restore = other.request(
        Method::DELETE,
        &format!("/v1/moderation/tracks/{id}/takedown"),
    );
    problem(restore.send().await.unwrap(), ProblemType::Forbidden).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_restores_a_public_track() {
    let cloud = builder().start().await;
    let dir = tempfile::tempdir().unwrap();
    let owner = listener(&cloud, "owner-e").await;
    let admin = Api {
        cloud: &cloud,
        token: cloud.admin_access_token("moderator-e", PASSWORD).await,
    };
    let id = upload(
        &owner,
        &make_track(dir.path(), "song.aiff", 4.0, false),
        Visibility::Public,
    )
    .await
    .id;
    admin
        .post(&format!("/v1/moderation/tracks/{id}/takedown"))
        .json(&json!({"reason": "Spam"}))
        .send()
        .await
        .unwrap();
    problem(
        admin.get(&format!("/v1/tracks/{id}")).send().await.unwrap(),
        ProblemType::NotFound,
    )
    .await;
    let restored: Upload = ok_json(
        admin
            .request(
                Method::DELETE,
                &format!("/v1/moderation/tracks/{id}/takedown"),
            )
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(restored.takedown.is_none());
    let track: Track = admin.json(&format!("/v1/tracks/{id}")).await;
    assert_eq!(track.id, id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_and_bad_files_are_refused_in_words() {
    let cloud = builder()
        .arg("upload-max-bytes", 3_000_000)
        .arg("upload-quota-bytes", 4_000_000)
        .arg("upload-max-duration-secs", 10)
        .start()
        .await;
    let dir = tempfile::tempdir().unwrap();
    let api = listener(&cloud, "limited-f").await;
    let limits: UploadLimits = api.json("/v1/uploads/limits").await;
    assert_eq!(
        (
            limits.max_file_bytes,
            limits.quota_bytes,
            limits.max_duration_ms
        ),
        (3_000_000, 4_000_000, 10_000)
    );

    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "not music").unwrap();
    let refused = problem(
        announce(&api, &notes, Visibility::Private).await,
        ProblemType::UnsupportedFormat,
    )
    .await;
    assert!(
        refused
            .detail
            .unwrap()
            .contains("notes.txt is not a kind of file we take")
    );
    let big = make_track(dir.path(), "big.wav", 20.0, false); // 3.5 MB
    let refused = problem(
        announce(&api, &big, Visibility::Private).await,
        ProblemType::FileTooLarge,
    )
    .await;
    assert_eq!(
        refused.detail.as_deref(),
        Some("This file is 4 MB; the largest we take is 3 MB.")
    );

    // Processing refuses what is not audio, too long, or not what was announced.
    let fake = dir.path().join("fake.mp3");
    std::fs::write(
        &fake,
        b"ID3 this is text pretending to be music".repeat(100),
    )
    .unwrap();
    let failed = upload(&api, &fake, Visibility::Private).await;
    assert_eq!(failed.status, UploadStatus::Failed);
    let failure = failed.failure.unwrap();
    assert_eq!(
        (failure.kind, failure.message.as_str()),
        (FailureKind::NotAudio, "This file is not audio we can read.")
    );
    let long = make_track(dir.path(), "long.mp3", 12.0, false);
    let failure = upload(&api, &long, Visibility::Private)
        .await
        .failure
        .unwrap();
    assert_eq!(failure.kind, FailureKind::TooLong);
    assert_eq!(
        failure.message,
        "This track is 12 s long; the longest we take is 10 s."
    );
    let failure = upload_damaged(&api, dir.path()).await;
    assert_eq!(failure.kind, FailureKind::ChecksumMismatch);

    // The quota counts every upload not deleted (failed and unfinished ones too) until deleted.
    let fits = make_track(dir.path(), "fits.wav", 15.0, false); // 2.6 MB
    assert_eq!(
        announce(&api, &fits, Visibility::Private).await.status(),
        StatusCode::CREATED
    );
    let used: UploadLimits = api.json("/v1/uploads/limits").await;
    assert!(used.used_bytes > 2_600_000, "{}", used.used_bytes);
    let refused = problem(
        announce(&api, &fits, Visibility::Private).await,
        ProblemType::QuotaExceeded,
    )
    .await;
    assert!(
        refused
            .detail
            .unwrap()
            .starts_with("This file is 3 MB, and your uploads have")
    );
    for upload in api.json::<Page<Upload>>("/v1/uploads").await.items {
        api.request(Method::DELETE, &format!("/v1/uploads/{}", upload.id))
            .send()
            .await
            .unwrap();
    }
    assert_eq!(
        announce(&api, &fits, Visibility::Private).await.status(),
        StatusCode::CREATED
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_upload_resumes_from_what_storage_holds() {
    let cloud = builder().start().await;
    let dir = tempfile::tempdir().unwrap();
    let api = listener(&cloud, "resumer-g").await;
    let wav = make_track(dir.path(), "long-take.wav", 110.0, false); // 19.4 MB: three parts
    let bytes = std::fs::read(&wav).unwrap();
    let session: UploadSession = ok_json(announce(&api, &wav, Visibility::Private).await).await;
    let id = session.upload.id.clone();
    assert_eq!(session.part_count, 3);
    let sent = send_parts(
        &api,
        &UploadSession {
            parts: vec![session.parts[0].clone(), session.parts[2].clone()],
            ..session.clone()
        },
        &bytes,
    )
    .await;
    // Completing without every part is refused, naming the part.
    let missing = complete(
        &api,
        &id,
        &[sent[0].clone(), sent[0].clone(), sent[1].clone()],
    )
    .await;
    problem(missing, ProblemType::BadRequest).await;

    // After a restart: what storage holds, fresh URLs for the rest only.
    let held: Vec<UploadedPart> = api.json(&format!("/v1/uploads/{id}/parts")).await;
    assert_eq!(
        held.iter().map(|p| p.part_number).collect::<Vec<_>>(),
        [1, 3]
    );
    let rest: UploadSession = ok_json(
        api.post(&format!("/v1/uploads/{id}/parts"))
            .json(&json!({}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        rest.parts.iter().map(|p| p.part_number).collect::<Vec<_>>(),
        [2]
    );
    let second = send_parts(&api, &rest, &bytes).await;
    let parts = vec![held[0].clone(), second[0].clone(), held[1].clone()];
    assert_eq!(
        complete(&api, &id, &parts).await.status(),
        StatusCode::ACCEPTED
    );
    let ready = settled(&api, &id).await;
    assert_eq!(ready.status, UploadStatus::Ready, "{:?}", ready.failure);
    problem(
        api.get(&format!("/v1/uploads/{id}/parts"))
            .send()
            .await
            .unwrap(),
        ProblemType::UploadConflict,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn announcing_again_with_the_same_key_finds_the_same_upload() {
    let cloud = builder().start().await;
    let dir = tempfile::tempdir().unwrap();
    let api = listener(&cloud, "announcer-h").await;
    let wav = make_track(dir.path(), "twice.wav", 60.0, false); // two parts
    let bytes = std::fs::read(&wav).unwrap();
    let announce_keyed = |key: &'static str| {
        api.post("/v1/uploads")
            .header("idempotency-key", key)
            .json(&json!({
                "file_name": "twice.wav",
                "size": bytes.len(),
                "sha256": sha256_hex(&bytes),
            }))
            .send()
    };
    let first: UploadSession = ok_json(announce_keyed("lu-1").await.unwrap()).await;
    send_parts(
        &api,
        &UploadSession {
            parts: first.parts[..1].to_vec(),
            ..first.clone()
        },
        &bytes,
    )
    .await;
    let again = announce_keyed("lu-1").await.unwrap();
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    let again: UploadSession = ok_json(again).await;
    assert_eq!(again.upload.id, first.upload.id);
    assert_eq!(
        again
            .parts
            .iter()
            .map(|p| p.part_number)
            .collect::<Vec<_>>(),
        [2]
    );
    let other: UploadSession = ok_json(announce_keyed("lu-2").await.unwrap()).await;
    assert_ne!(
        other.upload.id, first.upload.id,
        "another key is another upload"
    );
    let mine: Page<Upload> = api.json("/v1/uploads").await;
    assert_eq!(mine.items.len(), 2);
}
