//! The engine's output over a listening session: a device is closed while nothing plays
//! and opened again, at the same place, on play. Real devcloud and moto, real media, the
//! app's player, a capturing sink that says it costs something at rest, as a device does.

// Signal arithmetic on sample counts: the values are far inside f64's exact range.
#![allow(clippy::cast_precision_loss)]

mod engine_support;

use std::sync::atomic::Ordering::SeqCst;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use engine_support::{CaptureSink, Captured, app_with, best_lag, catalog, reference_pcm};
use strato_audio::OUTPUT_REST_AFTER;
use strato_core::{AppSettings, AudioOutput, StreamFormat};
use strato_model::ipc::PlaybackState;
use strato_testkit::{DevCloud, Moto, media_dir};

/// A little longer than the engine waits before closing a silent output.
fn past_rest() -> Duration {
    OUTPUT_REST_AFTER + Duration::from_millis(1_500)
}

#[tokio::test]
async fn a_paused_device_is_closed_after_a_few_seconds_and_plays_on_from_the_same_place() {
    let cloud = DevCloud::start(Moto::start()).await;
    let tracks = catalog(media_dir());
    let track = tracks.iter().find(|t| t.segment_kind == "ts").unwrap();
    let source = reference_pcm(track);
    let captured = Arc::new(Mutex::new(Captured::default()));
    let mut settings = AppSettings::new(
        cloud.api_url(),
        AudioOutput::Custom(CaptureSink::device_factory(&captured)),
    );
    settings.stream_format = StreamFormat::Hls;
    let (app, events) = app_with(settings, cloud.api_url()).await;

    app.play_track(&track.id).await.unwrap();
    events
        .wait_until("two seconds of playback", Duration::from_secs(20), |s| {
            s.state == PlaybackState::Playing && s.position_ms >= 2_000
        })
        .await;
    app.pause();
    events
        .wait_until("the pause", Duration::from_secs(5), |s| {
            s.state == PlaybackState::Paused
        })
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    // Where the device stopped (the first paused report may precede its last frames).
    let paused = events.last().unwrap();
    assert_eq!(
        captured.lock().unwrap().sinks_open.load(SeqCst),
        1,
        "the device was closed at once: a short pause must keep it"
    );
    tokio::time::sleep(past_rest()).await;
    {
        let captured = captured.lock().unwrap();
        assert_eq!(
            (captured.sinks_made, captured.sinks_open.load(SeqCst)),
            (1, 0),
            "paused for {past:?}, the device is still open (made, open)",
            past = past_rest()
        );
    }
    let resting = events.last().unwrap();
    assert_eq!(
        (resting.state, resting.position_ms),
        (PlaybackState::Paused, paused.position_ms),
        "closing the device moved the listener"
    );

    app.resume();
    events
        .wait_until("playback after the pause", Duration::from_secs(5), |s| {
            s.state == PlaybackState::Playing && s.position_ms >= paused.position_ms + 500
        })
        .await;
    let (made, heard) = {
        let captured = captured.lock().unwrap();
        let heard = captured.streams.last().unwrap().1.clone();
        (captured.sinks_made, heard)
    };
    assert_eq!(made, 2, "play did not open the device again");
    // What the new stream plays first is the source where the listener paused: nothing
    // the old device held but had not played is lost, and nothing is heard twice.
    let expected = i64::from(paused.position_ms) * i64::from(track.sample_rate) / 1000;
    let (lag, c) = best_lag(&heard[..2 * 8192], &source, expected, 2 * 2205);
    let err_ms = lag as f64 * 1000.0 / f64::from(track.sample_rate);
    assert!(
        c > 0.9 && err_ms.abs() <= 5.0,
        "after the rest, playback went on {err_ms:.2} ms from where it paused ({c:.3})"
    );

    // Stopped, the same.
    app.stop();
    tokio::time::sleep(past_rest()).await;
    assert_eq!(
        captured.lock().unwrap().sinks_open.load(SeqCst),
        0,
        "stopped for {:?}, the device is still open",
        past_rest()
    );
}

/// An output that costs nothing at rest (a file, the null sink) stays open: reopening a
/// WAV file would start it afresh.
#[tokio::test]
async fn an_output_that_costs_nothing_idle_stays_open_through_a_long_pause() {
    let cloud = DevCloud::start(Moto::start()).await;
    let tracks = catalog(media_dir());
    let captured = Arc::new(Mutex::new(Captured::default()));
    let mut settings = AppSettings::new(
        cloud.api_url(),
        AudioOutput::Custom(CaptureSink::factory(&captured, true)),
    );
    settings.stream_format = StreamFormat::Hls;
    let (app, events) = app_with(settings, cloud.api_url()).await;
    app.play_track(&tracks[0].id).await.unwrap();
    events
        .wait_until("a second of playback", Duration::from_secs(20), |s| {
            s.state == PlaybackState::Playing && s.position_ms >= 1_000
        })
        .await;
    app.pause();
    tokio::time::sleep(past_rest()).await;
    let captured = captured.lock().unwrap();
    assert_eq!(
        (captured.sinks_made, captured.sinks_open.load(SeqCst)),
        (1, 1),
        "an output that costs nothing at rest was closed (made, open)"
    );
}
