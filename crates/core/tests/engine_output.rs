//! The engine's output over a listening session: a device is closed while nothing plays
//! and opened again, at the same place, on play; a device pulled out hands over to the
//! default and playback returns to it when it is back. Real devcloud and moto, real media,
//! the app's player; a capturing sink that says it costs something at rest, as a device
//! does, and null devices plugged in and out (`strato_audio::NullDevices`).

// Signal arithmetic on sample counts: the values are far inside f64's exact range.
#![allow(clippy::cast_precision_loss)]

mod engine_support;

use std::sync::atomic::Ordering::SeqCst;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use engine_support::{CaptureSink, Captured, app_with, best_lag, catalog, reference_pcm};
use strato_audio::{NullDevices, OUTPUT_REST_AFTER, WATCH_PERIOD};
use strato_core::{App, AppSettings, AudioOutput, DeviceListHandle, StreamFormat};
use strato_model::ipc::{OutputStatus, PlaybackState};
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

/// The names of the devices the app lists.
async fn names(app: &App) -> Vec<String> {
    let listed = app.output_devices().await.unwrap();
    assert!(listed.choosable);
    listed.devices.into_iter().map(|d| d.name).collect()
}

#[tokio::test]
async fn a_device_pulled_out_hands_over_to_the_default_and_playback_returns_when_it_is_back() {
    let cloud = DevCloud::start(Moto::start()).await;
    let tracks = catalog(media_dir());
    // The longest track, so that it plays through the whole unplugging and replugging.
    let track = tracks
        .iter()
        .max_by_key(|t| t.total_samples * 1000 / u64::from(t.sample_rate))
        .unwrap();
    let devices = NullDevices::new(&["Speakers", "USB DAC"]);
    let mut settings = AppSettings::new(
        cloud.api_url(),
        AudioOutput::Devices(DeviceListHandle(Arc::new(devices.clone()))),
    );
    settings.audio_device = Some("USB DAC".into());
    let (app, events) = app_with(settings, cloud.api_url()).await;
    assert_eq!(names(&app).await, ["Speakers", "USB DAC"]);
    let on = |device: &str| OutputStatus::Available {
        device: device.into(),
    };

    app.play_track(&track.id).await.unwrap();
    let before = events
        .wait_until("the chosen device to play", Duration::from_secs(20), |s| {
            s.state == PlaybackState::Playing && s.position_ms >= 2_000 && s.output == on("USB DAC")
        })
        .await;
    let heard_before = events.all().len();
    devices.unplug("USB DAC");
    let standing_in = OutputStatus::StandingIn {
        device: "Speakers".into(),
        wanted: "USB DAC".into(),
    };
    let stood_in = events
        .wait_until("the default to stand in", Duration::from_secs(5), |s| {
            s.state == PlaybackState::Playing
                && s.output == standing_in
                && s.position_ms >= before.position_ms + 500
        })
        .await;
    assert_eq!(
        names(&app).await,
        ["Speakers"],
        "the list still shows the device pulled out"
    );

    devices.plug("USB DAC");
    events
        .wait_until(
            "playback to return to the device",
            WATCH_PERIOD * 3 + Duration::from_secs(2),
            |s| {
                s.state == PlaybackState::Playing
                    && s.output == on("USB DAC")
                    && s.position_ms >= stood_in.position_ms + 500
            },
        )
        .await;
    app.stop();

    // Through both hand-overs the listener stayed where they were in the track: never
    // back to its start, never further back than the audio a device held when pulled out.
    let after_unplug = &events.all()[heard_before..];
    let earliest = after_unplug
        .iter()
        .filter(|s| s.track.as_ref().is_some_and(|t| t.id == track.id))
        .map(|s| s.position_ms)
        .min()
        .unwrap();
    assert!(
        earliest + 600 >= before.position_ms,
        "playback went back to {earliest} ms after the device was pulled out at {} ms",
        before.position_ms
    );
}
