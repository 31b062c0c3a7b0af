//! Playback quality measured on every play, against moto and devcloud: a track that plays
//! is kept with its wait for the first audio and the output device, a track whose stream
//! the CDN refuses is kept with its error in words, and the Diagnostics view shows the last
//! day hour by hour with the recent errors, as the library keeps them across a restart; and
//! plays are reported to the service (counts, no tracks) only while the listener allows it.

mod app_support;

use std::sync::Arc;

use app_support::{eventually, some_tracks};
use strato_audio::{NullSink, Pacing};
use strato_core::{App, AppEvents, AppSettings, AudioOutput, SinkFactory};
use strato_model::ipc::{ErrorKind, PlaybackState, PlayerStatus};
use strato_testkit::{DevCloud, FaultRule, FaultTarget, Moto};

struct Quiet;

impl AppEvents for Quiet {
    fn player_status(&self, _status: &PlayerStatus) {}
}

fn app(cloud: &DevCloud, dir: &std::path::Path) -> App {
    // Unpaced: a track plays as fast as it decodes.
    let output = AudioOutput::Custom(SinkFactory(Arc::new(|| {
        Ok(Box::new(NullSink::new(Pacing::Unpaced)) as Box<dyn strato_audio::Sink>)
    })));
    let mut settings = AppSettings::new(cloud.api_url(), output);
    settings.data_dir = Some(dir.to_path_buf());
    App::start(settings, Arc::new(Quiet)).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_play_is_measured_and_the_last_day_shows_with_its_errors() {
    let cloud = DevCloud::start(Moto::start()).await;
    let dir = tempfile::tempdir().unwrap();
    let app = app(&cloud, dir.path());
    app.sign_in(cloud.api_url(), "demo", "Strato-demo-1".into())
        .await
        .unwrap();
    let tracks = some_tracks(&app, 2).await;
    // The second track's stream is refused at the CDN, every time.
    cloud
        .add_fault(&FaultRule {
            error_rate: Some(1.0),
            error_status: Some(404),
            ..FaultRule::new(&format!("/media/{}/**", tracks[1])).on(FaultTarget::Cdn)
        })
        .await;

    app.play_queue(tracks.clone(), 0).await.unwrap();
    let view = eventually("both plays kept", || async {
        let view = app.diagnostics().await.ok()?;
        let plays: u32 = view.hours.iter().map(|h| h.plays).sum();
        (plays >= 2 && !view.recent_errors.is_empty()).then_some(view)
    })
    .await;
    assert_eq!(view.hours.len(), 24);
    let now = view.hours.last().unwrap();
    let wait = now
        .median_first_audio_ms
        .expect("the first track's wait for its first audio");
    assert!(wait < 30_000, "{wait} ms");
    let problem = &view.recent_errors[0];
    assert_eq!(problem.track_id, tracks[1]);
    assert!(problem.title.is_some(), "the title from the library");
    assert!(
        matches!(
            problem.error.kind,
            ErrorKind::NotFound | ErrorKind::Forbidden | ErrorKind::Server
        ),
        "{:?}",
        problem.error
    );
    assert!(
        problem
            .error
            .message
            .chars()
            .next()
            .is_some_and(char::is_uppercase)
    );
    assert_eq!(view.output_device.as_deref(), Some("null"));
    eventually("the queue's end", || async {
        matches!(
            app.player_status().state,
            PlaybackState::Ended | PlaybackState::Idle | PlaybackState::Error
        )
        .then_some(())
    })
    .await;
    drop(app);

    // Kept in the library: another run of the app reads the same day.
    let again = self::app(&cloud, dir.path());
    again
        .sign_in(cloud.api_url(), "demo", "Strato-demo-1".into())
        .await
        .unwrap();
    let kept = again.diagnostics().await.unwrap();
    assert_eq!(kept.hours.iter().map(|h| h.plays).sum::<u32>(), 2);
    assert_eq!(kept.recent_errors.len(), 1);
}

/// Plays `track` to the end of the queue.
async fn play_through(app: &App, track: &str) {
    app.play_queue(vec![track.to_owned()], 0).await.unwrap();
    eventually("the queue's end", || async {
        matches!(
            app.player_status().state,
            PlaybackState::Ended | PlaybackState::Idle
        )
        .then_some(())
    })
    .await;
}

fn reporting(app: &App, on: bool) {
    let mut choices = app.settings().settings;
    choices.share_playback_reports = on;
    app.update_settings(choices).unwrap();
}

/// The plays the service has been told of, in every batch it took.
async fn plays_reported(cloud: &DevCloud) -> Vec<u32> {
    cloud
        .telemetry_received()
        .await
        .iter()
        .map(|batch| batch.hours.iter().map(|h| h.plays).sum())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plays_are_reported_only_while_the_listener_allows_it() {
    let cloud = DevCloud::start(Moto::start()).await;
    let dir = tempfile::tempdir().unwrap();
    let app = app(&cloud, dir.path());
    assert!(
        !app.settings().settings.share_playback_reports,
        "off unless turned on"
    );
    reporting(&app, true);
    app.sign_in(cloud.api_url(), "demo", "Strato-demo-1".into())
        .await
        .unwrap();
    let tracks = some_tracks(&app, 3).await;

    play_through(&app, &tracks[0]).await;
    let reported = eventually("the play reported after a sync pass", || async {
        app.sync_now().await.ok()?;
        let reported = plays_reported(&cloud).await;
        (!reported.is_empty()).then_some(reported)
    })
    .await;
    assert_eq!(reported, [1]);
    let sent = serde_json::to_string(&cloud.telemetry_received().await).unwrap();
    assert!(
        !sent.contains(&tracks[0]),
        "no track reaches a report: {sent}"
    );

    // Turned off: the next play is kept for the Diagnostics screen only.
    reporting(&app, false);
    play_through(&app, &tracks[1]).await;
    drop(app);

    // Another run, reporting on again: only what is measured from now on goes.
    let again = self::app(&cloud, dir.path());
    reporting(&again, true);
    again
        .sign_in(cloud.api_url(), "demo", "Strato-demo-1".into())
        .await
        .unwrap();
    play_through(&again, &tracks[2]).await;
    let reported = eventually("the new play reported", || async {
        again.sync_now().await.ok()?;
        let reported = plays_reported(&cloud).await;
        (reported.len() >= 2).then_some(reported)
    })
    .await;
    assert_eq!(reported, [1, 1], "the play made while off never went");
    let kept = again.diagnostics().await.unwrap();
    assert_eq!(kept.hours.iter().map(|h| h.plays).sum::<u32>(), 3);
}
