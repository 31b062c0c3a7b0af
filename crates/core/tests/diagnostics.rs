//! Playback quality measured on every play, against moto and devcloud: a track that plays
//! is kept with its wait for the first audio and the output device, a track whose stream
//! the CDN refuses is kept with its error in words, and the Diagnostics view shows the last
//! day hour by hour with the recent errors, as the library keeps them across a restart.

mod app_support;

use std::sync::Arc;

use app_support::eventually;
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
    let tracks: Vec<String> = app
        .search_catalog("a")
        .await
        .unwrap()
        .tracks
        .into_iter()
        .take(2)
        .map(|t| t.id)
        .collect();
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
