//! A listener's devices through the live follower, against devcloud: each registers on its
//! own, sees the others and what they play, a hand-over reaches the device it names, a new
//! name is registered again, and a device of another account neither sees the listener's
//! devices nor steers them (its command is refused, and never delivered).

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use strato_cloud::ApiClient;
use strato_model::api::{Device, DeviceCommand, DevicePlayback, NowPlaying};
use strato_sync::{
    CommandNotSent, DevicePresence, LibraryHandle, LiveFollower, LiveNews, LiveSchedule,
    PlaylistSync, SyncLoop, SyncSchedule,
};
use strato_testkit::{DevCloud, Moto};
use support::{demo_api, listener_api};

/// What a device heard of the others.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Heard {
    Devices(Vec<Device>),
    Command {
        from: String,
        command: DeviceCommand,
    },
    Refused {
        to: String,
    },
}

struct TestDevice {
    name: tokio::sync::watch::Sender<String>,
    playback: tokio::sync::watch::Sender<Option<DevicePlayback>>,
    heard: Arc<Mutex<Vec<Heard>>>,
    live: LiveFollower,
    _sync: SyncLoop,
}

impl TestDevice {
    fn start(api: &ApiClient, dir: &std::path::Path, id: &str) -> Self {
        let library = LibraryHandle::new(
            strato_library::Library::open(dir.join(format!("{id}.sqlite3"))).unwrap(),
        );
        let sync = PlaylistSync::new(api.clone(), library);
        let runtime = tokio::runtime::Handle::current();
        let schedule = SyncSchedule {
            period: Duration::from_secs(3600),
            live_period: Duration::from_secs(3600),
            ..SyncSchedule::default()
        };
        let sync_loop = SyncLoop::spawn_on(&runtime, sync.clone(), schedule, |_| {});
        let (name, names) = tokio::sync::watch::channel(format!("{id} computer"));
        let (playback, playbacks) = tokio::sync::watch::channel(None);
        let presence = DevicePresence {
            device_id: id.to_owned(),
            os: "linux".into(),
            name: names,
            playback: playbacks,
        };
        let heard = Arc::new(Mutex::new(Vec::new()));
        let into = Arc::clone(&heard);
        let live = LiveFollower::spawn_on(
            &runtime,
            (api.clone(), sync, sync_loop.trigger()),
            LiveSchedule::default(),
            Some(presence),
            move |news| {
                let heard = match news {
                    LiveNews::Devices(devices) => Heard::Devices(devices),
                    LiveNews::Command { from, command } => Heard::Command { from, command },
                    LiveNews::CommandRefused { to, .. } => Heard::Refused { to },
                    _ => return,
                };
                into.lock().unwrap().push(heard);
            },
        );
        Self {
            name,
            playback,
            heard,
            live,
            _sync: sync_loop,
        }
    }

    /// Waits until what was heard satisfies `done`; fails after 30 s saying what was heard.
    async fn until(&self, what: &str, done: impl Fn(&[Heard]) -> bool) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            if done(&self.heard.lock().unwrap()) {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{what}: not within 30 s; heard {:?}",
                self.heard.lock().unwrap()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The last list of devices heard.
    fn devices(&self) -> Vec<Device> {
        last_devices(&self.heard.lock().unwrap())
    }

    fn commands(&self) -> Vec<(String, DeviceCommand)> {
        self.heard
            .lock()
            .unwrap()
            .iter()
            .filter_map(|h| match h {
                Heard::Command { from, command } => Some((from.clone(), command.clone())),
                _ => None,
            })
            .collect()
    }

    /// Sends `command`, once the channel is open.
    async fn send(&self, to: &str, command: DeviceCommand) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            match self.live.send_command(to.to_owned(), command.clone()) {
                Ok(()) => return,
                Err(CommandNotSent::NotConnected) if tokio::time::Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                Err(error) => panic!("not sent: {error:?}"),
            }
        }
    }
}

fn last_devices(heard: &[Heard]) -> Vec<Device> {
    heard
        .iter()
        .rev()
        .find_map(|h| match h {
            Heard::Devices(devices) => Some(devices.clone()),
            _ => None,
        })
        .unwrap_or_default()
}

fn ids(devices: &[Device]) -> Vec<&str> {
    devices.iter().map(|d| d.device_id.as_str()).collect()
}

#[tokio::test]
async fn devices_see_each_other_hand_over_and_a_stranger_reaches_none_of_them() {
    let cloud = DevCloud::start(Moto::start()).await;
    let dir = tempfile::tempdir().unwrap();
    let demo = demo_api(&cloud).await;
    let desk = TestDevice::start(&demo, dir.path(), "desk");
    let laptop = TestDevice::start(&demo, dir.path(), "laptop");
    let stranger = TestDevice::start(&listener_api(&cloud, "stranger").await, dir.path(), "away");

    for device in [&desk, &laptop] {
        device
            .until("both devices listed", |heard| {
                ids(&last_devices(heard)) == ["desk", "laptop"]
            })
            .await;
    }
    stranger
        .until("its own device listed", |heard| {
            ids(&last_devices(heard)) == ["away"]
        })
        .await;

    // What the laptop plays reaches the desk.
    let playing = DevicePlayback {
        track: Some(NowPlaying {
            track_id: "tr-1".into(),
            title: "Morning".into(),
            artist: "Strato Demo".into(),
            duration_ms: 180_000,
        }),
        playing: true,
        position_ms: 12_000,
        volume_percent: 70,
    };
    laptop.playback.send_replace(Some(playing.clone()));
    desk.until("the laptop's playback", |heard| {
        last_devices(heard)
            .iter()
            .any(|d| d.device_id == "laptop" && d.playback.as_ref() == Some(&playing))
    })
    .await;

    // A hand-over from the desk reaches the laptop.
    let take_over = DeviceCommand::TakeOver {
        queue: vec!["tr-1".into(), "tr-2".into()],
        index: 1,
        position_ms: 30_000,
    };
    desk.send("laptop", take_over.clone()).await;
    laptop
        .until("the hand-over", |heard| {
            heard.iter().any(|h| matches!(h, Heard::Command { .. }))
        })
        .await;

    // The stranger knows the laptop's id, and is refused; the laptop hears nothing of it:
    // the desk's next command is the laptop's next.
    stranger.send("laptop", DeviceCommand::Pause).await;
    stranger
        .until("the refusal", |heard| {
            heard.contains(&Heard::Refused {
                to: "laptop".into(),
            })
        })
        .await;
    desk.send("laptop", DeviceCommand::Play).await;
    laptop
        .until("the desk's play", |heard| {
            heard
                .iter()
                .filter(|h| matches!(h, Heard::Command { .. }))
                .count()
                >= 2
        })
        .await;
    assert_eq!(
        laptop.commands(),
        [
            ("desk".to_owned(), take_over),
            ("desk".to_owned(), DeviceCommand::Play)
        ]
    );
    assert_eq!(ids(&stranger.devices()), ["away"]);

    // A new name is registered again and shown to the others.
    laptop.name.send_replace("Laptop upstairs".into());
    desk.until("the new name", |heard| {
        last_devices(heard)
            .iter()
            .any(|d| d.device_id == "laptop" && d.name == "Laptop upstairs")
    })
    .await;

    // A device that goes leaves the others' list.
    drop(laptop);
    desk.until("the laptop gone", |heard| {
        ids(&last_devices(heard)) == ["desk"]
    })
    .await;
    assert!(desk.devices().iter().all(|d| d.device_id != "away"));
}
