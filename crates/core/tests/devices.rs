//! Two computers of one listener through the App facade, against moto and devcloud: each
//! lists the other and what it plays; playback moved from one to the other carries the
//! queue, the track and the position and pauses the first; the first then steers the second
//! (pause, volume, seek); and a third computer, signed in to another account, neither sees
//! them nor can move its playback to them. A hand-over holding a track the receiver cannot
//! have leaves it out; one that fails there, or that the service refuses, leaves playback
//! going where it was.

mod app_support;

use std::sync::Arc;

use app_support::{eventually, some_tracks};
use strato_core::{App, AppEvents, AppSettings, AudioOutput};
use strato_model::api::{DeviceCommand, LiveEvent, LiveRequest};
use strato_model::ipc::{DeviceView, PlaybackState, PlayerStatus, RemoteCommand};
use strato_testkit::{DevCloud, Moto};

struct Quiet;

impl AppEvents for Quiet {
    fn player_status(&self, _status: &PlayerStatus) {}
}

/// The player's states as the window would hear them, in order.
#[derive(Default)]
struct States(std::sync::Mutex<Vec<PlaybackState>>);

impl AppEvents for States {
    fn player_status(&self, status: &PlayerStatus) {
        let mut seen = self.0.lock().unwrap();
        if seen.last() != Some(&status.state) {
            seen.push(status.state);
        }
    }
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
    let tracks = some_tracks(&desk, 3).await;
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

/// Another device of the listener's, as a plain client on the live channel: registered as
/// "Phone", it sends what it likes.
async fn phone(cloud: &DevCloud) -> strato_cloud::LiveConnection {
    let service = strato_cloud::ServiceClient::connect(cloud.api_url())
        .await
        .unwrap();
    let tokens = service
        .sign_in(&strato_cloud::Credentials {
            username: "demo".into(),
            password: "Strato-demo-1".into(),
        })
        .await
        .unwrap();
    let api = strato_cloud::ApiClient::new(service, tokens);
    let mut live = api.open_live().await.unwrap();
    live.send(&LiveRequest::RegisterDevice {
        device_id: "phone".into(),
        name: "Phone".into(),
        os: "android".into(),
    })
    .await
    .unwrap();
    live
}

/// The next command the phone is sent, skipping other news.
async fn next_command(phone: &mut strato_cloud::LiveConnection) -> DeviceCommand {
    let heard = async {
        loop {
            if let LiveEvent::Command { command, .. } = phone.next().await.unwrap() {
                return command;
            }
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(30), heard)
        .await
        .expect("a command within 30 s")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hand_over_leaves_out_what_cannot_be_had_and_one_that_fails_plays_on_where_it_was() {
    let cloud = DevCloud::start(Moto::start()).await;
    let dir = tempfile::tempdir().unwrap();
    let laptop = computer(&cloud, dir.path(), "Laptop");
    laptop
        .sign_in(cloud.api_url(), "demo", "Strato-demo-1".into())
        .await
        .unwrap();
    let tracks = some_tracks(&laptop, 3).await;
    let mut phone = phone(&cloud).await;
    let laptop_id = eventually("the laptop registered", || async {
        laptop.devices().devices.first()?.device_id.clone().into()
    })
    .await;

    // The phone hands over a queue holding a track gone from the service: the laptop
    // plays the rest, from the same track.
    let queue = vec![
        tracks[0].clone(),
        "tr-gone-from-the-service".to_owned(),
        tracks[1].clone(),
        tracks[2].clone(),
    ];
    let take_over = |index: u32| LiveRequest::Command {
        to: laptop_id.clone(),
        command: DeviceCommand::TakeOver {
            queue: queue.clone(),
            index,
            position_ms: 1_000,
        },
    };
    phone.send(&take_over(2)).await.unwrap();
    eventually("the laptop playing the phone's track", || async {
        let status = laptop.player_status();
        (status.state == PlaybackState::Playing && status.track.as_ref()?.id == tracks[1])
            .then_some(())
    })
    .await;
    let queued: Vec<String> = laptop
        .queue_page(0, 10)
        .entries
        .into_iter()
        .map(|e| e.track_id)
        .collect();
    assert_eq!(queued, tracks);
    assert_eq!(laptop.queue_view().current, Some(1));

    // Handed the gone track itself to play: the laptop cannot, and tells the phone to play
    // on (it paused for the hand-over).
    phone.send(&take_over(1)).await.unwrap();
    assert_eq!(next_command(&mut phone).await, DeviceCommand::Play);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hand_over_the_service_refuses_resumes_playback_here() {
    let cloud = DevCloud::start(Moto::start()).await;
    let dir = tempfile::tempdir().unwrap();
    let states = Arc::new(States::default());
    let mut settings = AppSettings::new(cloud.api_url(), AudioOutput::Null);
    settings.data_dir = Some(dir.path().join("desk"));
    settings.config_dir = Some(dir.path().join("desk-config"));
    let desk = Arc::new(App::start(settings, Arc::clone(&states) as Arc<dyn AppEvents>).unwrap());
    let serving = Arc::clone(&desk);
    tokio::spawn(async move { serving.serve_remote_control().await });
    desk.sign_in(cloud.api_url(), "demo", "Strato-demo-1".into())
        .await
        .unwrap();
    let track = desk.search_catalog("a").await.unwrap().tracks[0].id.clone();
    eventually("the desk's channel open", || async {
        desk.devices().reachable.then_some(())
    })
    .await;
    desk.play_queue(vec![track], 0).await.unwrap();
    eventually("the desk playing", || async {
        (desk.player_status().state == PlaybackState::Playing).then_some(())
    })
    .await;

    // A device that closed Strato a moment ago, as the menu still showed it.
    states.0.lock().unwrap().clear();
    desk.transfer_playback("closed-a-moment-ago").unwrap();
    let problem = eventually("the refusal told", || async { desk.devices().problem }).await;
    assert!(
        problem.message.ends_with("Playback goes on here."),
        "{problem:?}"
    );
    eventually(
        "the desk paused for the hand-over, then playing again",
        || async {
            let seen = states.0.lock().unwrap().clone();
            let paused = seen.iter().position(|s| *s == PlaybackState::Paused)?;
            seen[paused..]
                .contains(&PlaybackState::Playing)
                .then_some(())
        },
    )
    .await;
}
