//! Uploading: files sent to moto's S3 in presigned parts and processed by devcloud into a
//! gapless track, from every accepted kind of file, with MP3s that carry their LAME tag;
//! resumed from what storage holds; announced again under the same key; limits and bad files
//! refused in words; details edited by the owner, as everyone sees them.

mod common;

use reqwest::{Method, StatusCode};
use serde_json::json;
use strato_model::api::{
    AlbumDetail, ArtistDetail, FailureKind, Page, ProblemType, StreamGrant, Track, Upload,
    UploadLimits, UploadSession, UploadStatus, UploadedPart, Visibility,
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alac_ogg_vorbis_and_opus_uploads_become_ready_and_stream_trimmed_to_the_original() {
    let cloud = builder().start().await;
    let dir = tempfile::tempdir().unwrap();
    let api = listener(&cloud, "formats-i").await;
    // Opus is always 48 kHz; the others keep the source's 44.1 kHz.
    let kinds = [
        ("lossless.m4a", "alac", 44_100),
        ("vorbis.ogg", "libvorbis", 44_100),
        ("voice.opus", "libopus", 48_000),
    ];
    for (name, codec, rate) in kinds {
        let file = make_track_with(dir.path(), name, 5.0, false, &["-c:a", codec]);
        let ready = upload(&api, &file, Visibility::Private).await;
        assert_eq!(
            ready.status,
            UploadStatus::Ready,
            "{name}: {:?}",
            ready.failure
        );
        let track = ready.track.expect("a ready upload is a track");
        assert_eq!(
            (
                track.title.as_str(),
                track.album_title.as_str(),
                track.track_number
            ),
            ("Garage Tape", "Home Recordings", 3),
            "{name}: details from its tags"
        );
        assert!(
            (4_950..5_050).contains(&track.duration_ms),
            "{name}: {} ms",
            track.duration_ms
        );

        // Playable: the grant opens the HLS, which decodes, less the grant's delay and
        // padding, to as many samples as the original; and the MP3.
        let grant: StreamGrant = api.json(&format!("/v1/tracks/{}/stream", track.id)).await;
        assert_eq!(grant.sample_rate, rate, "{name}");
        let hls = fetch_variant(&cloud, &grant, &dir.path().join(format!("{name}.hls"))).await;
        let source = ffmpeg_decode(&file, Some(rate), Some(1));
        let decoded = ffmpeg_decode(&hls, Some(rate), Some(1));
        let trim = (grant.encoder_delay_samples + grant.padding_samples) as usize;
        assert_eq!(decoded.len() - trim, source.len(), "{name}");
        let mp3 = cloud.http().get(&grant.mp3_url).send().await.unwrap();
        assert_eq!(mp3.status(), StatusCode::OK, "{name}");
        let mp3 = mp3.bytes().await.unwrap();
        assert!(lame_tag(&mp3).is_some(), "{name}: an MP3 with its LAME tag");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_published_mp3_carries_a_lame_tag_with_its_encoder_delay_and_padding() {
    let cloud = builder().start().await;
    let dir = tempfile::tempdir().unwrap();
    let api = listener(&cloud, "lame-k").await;
    let wav = make_track(dir.path(), "tagged.wav", 6.0, false);
    let track = upload(&api, &wav, Visibility::Private).await.track.unwrap();
    let source_samples = ffmpeg_decode(&wav, None, Some(1)).len() as u64;

    // The stream's MP3 (192k CBR) and the three downloads.
    let grant: StreamGrant = api.json(&format!("/v1/tracks/{}/stream", track.id)).await;
    let mut copies = vec![("stream", grant.mp3_url, "Info")];
    for (quality, kind) in [("low", "Info"), ("normal", "Xing"), ("high", "Info")] {
        let download: serde_json::Value = api
            .json(&format!(
                "/v1/tracks/{}/download?quality={quality}",
                track.id
            ))
            .await;
        copies.push((quality, download["url"].as_str().unwrap().to_owned(), kind));
    }
    for (copy, url, kind) in copies {
        let mp3 = cloud.http().get(&url).send().await.unwrap();
        assert_eq!(mp3.status(), StatusCode::OK, "{copy}");
        let mp3 = mp3.bytes().await.unwrap();
        let tag = lame_tag(&mp3).unwrap_or_else(|| panic!("{copy}: no Xing/Info frame"));
        assert_eq!(tag.kind, kind, "{copy}: {tag:?}");
        assert!(tag.delay > 0 && tag.padding > 0, "{copy}: {tag:?}");
        assert_eq!(
            tag.source_samples(),
            source_samples,
            "{copy}: the frames less the delay and padding are the original: {tag:?}"
        );
        // And a decoder that reads the tag plays exactly the original's length.
        let path = dir.path().join(format!("{copy}.mp3"));
        std::fs::write(&path, &mp3).unwrap();
        let decoded = ffmpeg_decode(&path, None, Some(1));
        assert_eq!(decoded.len() as u64, source_samples, "{copy}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn editing_artist_album_and_track_number_moves_the_track_for_everyone() {
    let cloud = builder().start().await;
    let dir = tempfile::tempdir().unwrap();
    let owner = listener(&cloud, "editor-l").await;
    let fan = listener(&cloud, "fan-l").await;
    let mut ids = Vec::new();
    for name in ["first.flac", "second.flac"] {
        let file = make_track(dir.path(), name, 3.0, false);
        ids.push(upload(&owner, &file, Visibility::Public).await.id);
    }
    let (moved, stayed) = (ids[0].clone(), ids[1].clone());
    let before: Track = fan.json(&format!("/v1/tracks/{moved}")).await;
    let old_album: AlbumDetail = fan.json(&format!("/v1/albums/{}", before.album_id)).await;
    assert_eq!(old_album.tracks.len(), 2);

    let edited: Upload = ok_json(
        owner
            .request(Method::PATCH, &format!("/v1/uploads/{moved}"))
            .json(&json!({"artist": "Night Shift", "album": "Field Notes", "track_number": 7}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(edited.details.album.as_deref(), Some("Field Notes"));

    // As the fan sees it: new details, a new album and artist.
    let after: Track = fan.json(&format!("/v1/tracks/{moved}")).await;
    assert_eq!(
        (
            after.title.as_str(),
            after.artist_name.as_str(),
            after.album_title.as_str(),
            after.track_number
        ),
        ("Garage Tape", "Night Shift", "Field Notes", 7)
    );
    assert_ne!(after.album_id, before.album_id);
    assert_ne!(after.artist_id, before.artist_id);
    let new_album: AlbumDetail = fan.json(&format!("/v1/albums/{}", after.album_id)).await;
    assert_eq!(
        (
            new_album.album.title.as_str(),
            new_album.album.artist_name.as_str()
        ),
        ("Field Notes", "Night Shift")
    );
    assert_eq!(track_ids(&new_album.tracks), [moved.as_str()]);
    let old_album: AlbumDetail = fan.json(&format!("/v1/albums/{}", before.album_id)).await;
    assert_eq!(track_ids(&old_album.tracks), [stayed.as_str()]);
    let artist: ArtistDetail = fan.json(&format!("/v1/artists/{}", after.artist_id)).await;
    assert_eq!(
        artist
            .albums
            .iter()
            .map(|a| a.id.as_str())
            .collect::<Vec<_>>(),
        [after.album_id.as_str()]
    );
}

fn track_ids(tracks: &[Track]) -> Vec<&str> {
    tracks.iter().map(|t| t.id.as_str()).collect()
}
