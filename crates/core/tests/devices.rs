//! Two computers of one listener through the App facade, against moto and devcloud: each
//! lists the other and what it plays; playback moved from one to the other carries the
//! queue, the track and the position and pauses the first; the first then steers the second
//! (pause, volume, seek); and a third computer, signed in to another account, neither sees
//! them nor can move its playback to them.

mod app_support;

use std::sync::Arc;

use app_support::eventually;
use strato_core::{App, AppEvents, AppSettings, AudioOutput};
use strato_model::ipc::{DeviceView, PlaybackState, PlayerStatus, RemoteCommand};
use strato_testkit::{DevCloud, Moto};

struct Quiet;

impl AppEvents for Quiet {
    fn player_status(&self, _status: &PlayerStatus) {}
}

/// A computer with Strato running: its own data folder, carrying out other devices' commands.
fn computer(cloud: &DevCloud, dir: &std::path::Path, name: &str) -> Arc<App> {
    let mut settings = AppSettings::new(cloud.api_url(), AudioOutput::Null);
    settings.data_dir = Some(dir.join(name));
    settings.config_dir = Some(dir.join(format!("{name}-config")));
    let app = Arc::new(App::start(settings, Arc::new(Quiet)).unwrap());
    let mut choices = app.settings().settings;
    choices.device_name = Some(name.to_owned());
    app.update_settings(choices).unwrap();
    let serving = Arc::clone(&app);
    tokio::spawn(async move { serving.serve_remote_control().await });
    app
}

fn other(app: &App, name: &str) -> Option<DeviceView> {
    app.devices()
        .devices
        .into_iter()
        .find(|d| d.name == name && !d.this_device)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn playback_moves_between_one_listeners_computers_and_never_to_anothers() {
    let cloud = DevCloud::start(Moto::start()).await;
    let dir = tempfile::tempdir().unwrap();
    let desk = computer(&cloud, dir.path(), "Desk");
    let laptop = computer(&cloud, dir.path(), "Laptop");
    for app in [&desk, &laptop] {
        app.sign_in(cloud.api_url(), "demo", "Strato-demo-1".into())
            .await
            .unwrap();
    }
    eventually("each computer lists the other", || async {
        (other(&desk, "Laptop").is_some() && other(&laptop, "Desk").is_some()).then_some(())
    })
    .await;
    let laptop_id = other(&desk, "Laptop").unwrap().device_id;
    let desk_view = desk.devices();
    assert!(desk_view.reachable);
    assert!(
        desk_view.devices[0].this_device,
        "this computer comes first"
    );
    assert_eq!(desk_view.devices[0].name, "Desk");

    // The desk plays the second of three tracks (the demo's last about 14 s), 2 s in.
    let tracks: Vec<String> = desk
        .search_catalog("a")
        .await
        .unwrap()
        .tracks
        .into_iter()
        .take(3)
        .map(|t| t.id)
        .collect();
    assert_eq!(tracks.len(), 3);
    desk.play_queue_at(tracks.clone(), 1, 2_000).await.unwrap();
    eventually("the desk playing", || async {
        (desk.player_status().state == PlaybackState::Playing).then_some(())
    })
    .await;
    eventually("the laptop sees what the desk plays", || async {
        let playback = other(&laptop, "Desk")?.playback?;
        (playback.playing && playback.track?.track_id == tracks[1]).then_some(())
    })
    .await;

    stranger_cannot_reach(&cloud, dir.path(), &laptop_id).await;

    // The desk moves playback to the laptop: the queue, the track and the position go.
    desk.transfer_playback(&laptop_id).unwrap();
    eventually("the laptop playing the desk's track", || async {
        let status = laptop.player_status();
        (status.state == PlaybackState::Playing
            && status.track.as_ref()?.id == tracks[1]
            && status.position_ms >= 2_000)
            .then_some(())
    })
    .await;
    assert_eq!(desk.player_status().state, PlaybackState::Paused);
    let handed = laptop.queue_page(0, 10);
    let queued: Vec<&str> = handed.entries.iter().map(|e| e.track_id.as_str()).collect();
    assert_eq!(
        queued,
        tracks.iter().map(String::as_str).collect::<Vec<_>>()
    );
    assert_eq!(laptop.queue_view().current, Some(1));

    // The desk steers the laptop from its player bar.
    desk.device_command(&laptop_id, RemoteCommand::Volume { volume: 0.25 })
        .unwrap();
    desk.device_command(&laptop_id, RemoteCommand::Pause)
        .unwrap();
    desk.device_command(&laptop_id, RemoteCommand::Seek { position_ms: 1_000 })
        .unwrap();
    eventually("the laptop paused at the desk's word", || async {
        let status = laptop.player_status();
        (status.state == PlaybackState::Paused
            && (status.volume - 0.25).abs() < 0.01
            && status.position_ms < 2_000)
            .then_some(())
    })
    .await;
    eventually("the desk sees the laptop paused", || async {
        let playback = other(&desk, "Laptop")?.playback?;
        (!playback.playing && (playback.volume - 0.25).abs() < 0.01 && playback.position_ms < 2_000)
            .then_some(())
    })
    .await;

    // And brings playback back.
    desk.take_playback_from(&laptop_id).unwrap();
    eventually("the desk playing again", || async {
        let status = desk.player_status();
        (status.state == PlaybackState::Playing
            && status.track.as_ref()?.id == tracks[1]
            && status.position_ms >= 1_000)
            .then_some(())
    })
    .await;
    assert_eq!(laptop.player_status().state, PlaybackState::Paused);
}

/// A computer signed in to another account, knowing the laptop's id, sees none of the
/// listener's devices and cannot hand the laptop its playback: refused, in words.
async fn stranger_cannot_reach(cloud: &DevCloud, dir: &std::path::Path, laptop_id: &str) {
    cloud
        .cognito()
        .ensure_user("devices-stranger", "Stranger-1!")
        .await;
    let stranger = computer(cloud, dir, "Stranger");
    stranger
        .sign_in(cloud.api_url(), "devices-stranger", "Stranger-1!".into())
        .await
        .unwrap();

    // A stranger who knows the laptop's id cannot hand it anything, and sees neither.
    eventually("the stranger's channel open", || async {
        stranger.devices().reachable.then_some(())
    })
    .await;
    let seen = stranger.devices().devices;
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(seen[0].this_device);
    let stranger_queue = stranger.search_catalog("a").await.unwrap().tracks;
    stranger
        .play_queue(vec![stranger_queue[0].id.clone()], 0)
        .await
        .unwrap();
    eventually("the stranger's queue", || async {
        stranger.queue_view().current.map(|_| ())
    })
    .await;
    stranger.transfer_playback(laptop_id).unwrap();
    eventually("the stranger told it was refused", || async {
        stranger.devices().problem
    })
    .await;
}
