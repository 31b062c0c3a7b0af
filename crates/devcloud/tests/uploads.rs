//! Uploading: files sent to moto's S3 in presigned parts and processed by devcloud into a
//! gapless track; resumed from what storage holds; announced again under the same key;
//! limits and bad files refused in words.

mod common;

use reqwest::{Method, StatusCode};
use serde_json::json;
use strato_model::api::{
    FailureKind, Page, ProblemType, StreamGrant, Upload, UploadLimits, UploadSession, UploadStatus,
    UploadedPart, Visibility,
};
use strato_testkit::ffmpeg::{correlation, ffmpeg_decode};

use common::uploads::*;
use common::{builder, ok_json, problem};

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
