//! The streaming engine under network faults and a failing output: real devcloud faults,
//! real media, the app's player and a capturing sink.

// Signal arithmetic on sample counts: the values are far inside f64's exact range.
#![allow(clippy::cast_precision_loss)]

mod engine_support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use engine_support::{
    CaptureSink, Captured, MIN_CORRELATION, albums, app_with, best_lag, catalog, check_gapless,
    correlation, high_quality, reference_pcm, signed_in_app, track_ids,
};
use strato_core::{AppSettings, AudioOutput, StreamFormat};
use strato_model::ipc::PlaybackState;
use strato_testkit::{DevCloud, FaultRule, FaultTarget, Moto, media_dir};

#[tokio::test]
async fn network_faults_are_survived_or_reported_and_the_next_track_plays() {
    let cloud = DevCloud::start(Moto::start()).await;
    let album = albums(&["al-lanterns-over-water"]);
    let ids = track_ids(&album);

    // A connection dropped mid-segment, and the CDN refusing the credentials once: both
    // are recovered from, and the audio is still exact.
    cloud
        .add_fault(&FaultRule {
            drop_after_bytes: Some(5_000),
            times: Some(2),
            ..FaultRule::new(&format!("/media/{}/hls/256k/seg001.ts", ids[0])).on(FaultTarget::Cdn)
        })
        .await;
    cloud
        .add_fault(&FaultRule {
            reject_signatures: true,
            times: Some(1),
            ..FaultRule::new(&format!("/media/{}/hls/256k/seg002.ts", ids[1])).on(FaultTarget::Cdn)
        })
        .await;
    let captured = Arc::new(Mutex::new(Captured::default()));
    let (app, events) = signed_in_app(
        cloud.api_url(),
        StreamFormat::Hls,
        high_quality(),
        &captured,
        false,
    )
    .await;
    app.play_queue(ids.clone(), 0).await.unwrap();
    let ended = events.wait_ended(Duration::from_secs(60)).await;
    assert!(ended.error.is_none(), "{:?}", ended.error);
    check_gapless(
        "with faults",
        &captured.lock().unwrap().streams[0].1,
        &album,
    );
    cloud.clear_faults().await;

    // A segment that is gone: that track stops with words, the next one plays.
    cloud
        .add_fault(&FaultRule {
            error_rate: Some(1.0),
            error_status: Some(404),
            ..FaultRule::new(&format!("/media/{}/hls/256k/seg002.ts", ids[0])).on(FaultTarget::Cdn)
        })
        .await;
    let captured = Arc::new(Mutex::new(Captured::default()));
    let (app, events) = signed_in_app(
        cloud.api_url(),
        StreamFormat::Hls,
        high_quality(),
        &captured,
        false,
    )
    .await;
    app.play_queue(ids[..2].to_vec(), 0).await.unwrap();
    let ended = events.wait_ended(Duration::from_secs(60)).await;
    let errors: Vec<_> = events.all().into_iter().filter_map(|s| s.error).collect();
    assert!(!errors.is_empty(), "the missing segment was not reported");
    assert!(
        errors[0]
            .message
            .chars()
            .next()
            .is_some_and(char::is_uppercase),
        "not a sentence: {:?}",
        errors[0]
    );
    assert_eq!(
        ended.track.map(|t| t.id),
        Some(ids[1].clone()),
        "the next track played"
    );
    drop(app);
}

#[tokio::test]
async fn the_mp3_resumes_a_dropped_download_renews_refused_access_and_seeks_back_from_its_cache() {
    let cloud = DevCloud::start(Moto::start()).await;
    let tracks = catalog(media_dir());
    let track = tracks[0].clone();
    // The first request is refused (the grant is renewed, the fresh signed URL works), the
    // next two break off after 60 kB (the download resumes where it broke).
    cloud
        .add_fault(&FaultRule {
            reject_signatures: true,
            times: Some(1),
            ..FaultRule::new(&format!("/media/{}/mp3/*", track.id)).on(FaultTarget::Cdn)
        })
        .await;
    cloud
        .add_fault(&FaultRule {
            drop_after_bytes: Some(60_000),
            times: Some(3),
            ..FaultRule::new(&format!("/media/{}/mp3/*", track.id)).on(FaultTarget::Cdn)
        })
        .await;
    let captured = Arc::new(Mutex::new(Captured::default()));
    let (app, events) = signed_in_app(
        cloud.api_url(),
        StreamFormat::Mp3,
        high_quality(),
        &captured,
        true,
    )
    .await;
    app.play_track(&track.id).await.unwrap();
    events
        .wait_until("two seconds of playback", Duration::from_secs(20), |s| {
            s.state == PlaybackState::Playing && s.position_ms >= 2_000
        })
        .await;
    let requests_before = mp3_requests(&cloud, &track.id);
    assert!(
        requests_before >= 4,
        "refusal and drops not all recovered from: {requests_before} requests"
    );
    // Back to the start: served from the range cache, no request at all.
    app.seek(500);
    events
        .wait_until("playback after the seek", Duration::from_secs(20), |s| {
            s.state == PlaybackState::Playing && (600..2_000).contains(&s.position_ms)
        })
        .await;
    assert_eq!(
        mp3_requests(&cloud, &track.id),
        requests_before,
        "a backward seek fetched again"
    );
    let ended = events.wait_ended(Duration::from_secs(30)).await;
    assert!(ended.error.is_none(), "{:?}", ended.error);
    // What was heard after the seek is the source from 0.5 s on, to the end.
    let captured = captured.lock().unwrap();
    let heard = &captured.streams.last().unwrap().1;
    let source = reference_pcm(&track);
    let from = usize::try_from(track.sample_rate / 2).unwrap() * 2;
    assert_eq!(heard.len(), source.len() - from, "frames after the seek");
    assert!(correlation(heard, &source[from..]) >= MIN_CORRELATION);
}

/// MP3 requests for `track_id` in devcloud's access log.
fn mp3_requests(cloud: &DevCloud, track_id: &str) -> usize {
    let log = std::fs::read_to_string(cloud.log_path()).unwrap_or_default();
    let needle = format!("/media/{track_id}/mp3/");
    log.lines()
        .filter(|line| line.contains("devcloud::access") && line.contains(&needle))
        .count()
}

#[tokio::test]
async fn an_output_that_goes_away_is_reopened_and_playback_goes_on_where_it_was() {
    let cloud = DevCloud::start(Moto::start()).await;
    let tracks = catalog(media_dir());
    let track = tracks
        .iter()
        .find(|t| t.segment_kind == "ts")
        .unwrap()
        .clone();
    let captured = Arc::new(Mutex::new(Captured::default()));
    let lost_at = 5 * 44_100;
    let mut settings = AppSettings::new(
        cloud.api_url(),
        AudioOutput::Custom(CaptureSink::factory_losing_first_after(&captured, lost_at)),
    );
    settings.hls = high_quality();
    let (app, events) = app_with(settings, cloud.api_url()).await;
    app.play_track(&track.id).await.unwrap();
    let ended = events.wait_ended(Duration::from_secs(60)).await;
    assert!(ended.error.is_none(), "{:?}", ended.error);

    let outputs: Vec<_> = events.all().into_iter().map(|s| s.output).collect();
    assert!(
        outputs
            .iter()
            .any(|o| matches!(o, strato_model::ipc::OutputStatus::Unavailable { .. })),
        "the loss was not reported"
    );
    assert!(matches!(
        outputs.last(),
        Some(strato_model::ipc::OutputStatus::Available { .. })
    ));
    let captured = captured.lock().unwrap();
    let (first, second) = (&captured.streams[0].1, &captured.streams.last().unwrap().1);
    assert_eq!(first.len() as u64, lost_at * 2, "the first device took 5 s");
    // The new device goes on from where the listener was: the source from 5 s to its end.
    let source = reference_pcm(&track);
    let (lag, c) = best_lag(
        &second[..2 * 8192],
        &source,
        i64::try_from(lost_at).unwrap(),
        2 * 2205,
    );
    assert!(
        c > 0.9 && lag.abs() <= 220,
        "resumed {lag} frames off ({c:.3})"
    );
    assert_eq!(
        second.len(),
        source.len() - first.len(),
        "frames after the reopening"
    );
}
