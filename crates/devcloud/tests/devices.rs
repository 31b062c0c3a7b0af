//! Your devices on the live channel: each connection registers a device, every connection of
//! the listener hears the list and what each plays, commands reach the one device they name,
//! and nothing crosses to another account: a stranger neither sees the listener's devices nor
//! steers them, even knowing their ids.

mod common;

use strato_model::api::{
    DeviceCommand, DevicePlayback, LiveEvent, LiveRequest, MAX_HANDOVER_TRACKS, NowPlaying,
    live_close,
};

use common::live::{Socket, closed, hello, next, nothing_else, open, say};
use common::uploads::listener;
use common::{Api, builder};

async fn register(socket: &mut Socket, device_id: &str, name: &str) {
    let request = LiveRequest::RegisterDevice {
        device_id: device_id.into(),
        name: name.into(),
        os: "linux".into(),
    };
    say(socket, &request).await;
}

/// The next list of devices, as `(id, name)` pairs with what each plays.
async fn devices(socket: &mut Socket) -> Vec<(String, Option<DevicePlayback>)> {
    match next(socket).await {
        LiveEvent::Devices { devices } => devices
            .into_iter()
            .map(|d| (d.device_id, d.playback))
            .collect(),
        other => panic!("not a list of devices: {other:?}"),
    }
}

fn ids(list: &[(String, Option<DevicePlayback>)]) -> Vec<&str> {
    list.iter().map(|(id, _)| id.as_str()).collect()
}

async fn command(socket: &mut Socket, to: &str, command: DeviceCommand) {
    say(
        socket,
        &LiveRequest::Command {
            to: to.into(),
            command,
        },
    )
    .await;
}

async fn refused(socket: &mut Socket, device: &str) -> String {
    match next(socket).await {
        LiveEvent::CommandRefused { to, reason } => {
            assert_eq!(to, device);
            reason
        }
        other => panic!("not a refusal: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn devices_are_listed_and_steered_within_one_account_and_never_across() {
    let cloud = builder().start().await;
    let demo = Api::demo(&cloud).await;
    let other = listener(&cloud, "other-devices").await;
    let mut laptop = open(cloud.api_url(), Some(&demo.token)).await.unwrap();
    let mut desktop = open(cloud.api_url(), Some(&demo.token)).await.unwrap();
    let mut stranger = open(cloud.api_url(), Some(&other.token)).await.unwrap();
    for socket in [&mut laptop, &mut desktop, &mut stranger] {
        hello(socket).await;
    }

    // Registering: every connection of the listener hears the list.
    register(&mut laptop, "laptop", "Laptop").await;
    for socket in [&mut laptop, &mut desktop] {
        assert_eq!(ids(&devices(socket).await), ["laptop"]);
    }
    register(&mut desktop, "desktop", "Desktop").await;
    for socket in [&mut laptop, &mut desktop] {
        assert_eq!(ids(&devices(socket).await), ["desktop", "laptop"]);
    }
    // What a device plays reaches the others.
    let playing = DevicePlayback {
        track: Some(NowPlaying {
            track_id: "tr-1".into(),
            title: "Morning".into(),
            artist: "Strato Demo".into(),
            duration_ms: 180_000,
        }),
        playing: true,
        position_ms: 42_000,
        volume_percent: 80,
    };
    say(
        &mut desktop,
        &LiveRequest::Playback {
            playback: Some(playing.clone()),
        },
    )
    .await;
    for socket in [&mut laptop, &mut desktop] {
        let list = devices(socket).await;
        assert_eq!(list[0], ("desktop".to_owned(), Some(playing.clone())));
        assert_eq!(list[1].1, None);
    }

    // A command reaches the device it names, and only that one.
    command(&mut laptop, "desktop", DeviceCommand::Pause).await;
    assert_eq!(
        next(&mut desktop).await,
        LiveEvent::Command {
            from: "laptop".into(),
            command: DeviceCommand::Pause
        }
    );
    nothing_else(&mut laptop).await;

    // Another account: its own list only, and the listener's devices hear nothing of it.
    register(&mut stranger, "stranger-pc", "Stranger").await;
    assert_eq!(ids(&devices(&mut stranger).await), ["stranger-pc"]);
    // Knowing the listener's device ids steers nothing: refused, and not delivered.
    let take_over = DeviceCommand::TakeOver {
        queue: vec!["tr-1".into()],
        index: 0,
        position_ms: 0,
    };
    command(&mut stranger, "desktop", take_over.clone()).await;
    assert!(
        refused(&mut stranger, "desktop")
            .await
            .contains("no device")
    );
    command(&mut laptop, "stranger-pc", take_over).await;
    assert!(
        refused(&mut laptop, "stranger-pc")
            .await
            .contains("no device")
    );
    nothing_else(&mut desktop).await;
    nothing_else(&mut laptop).await;

    // A hand-over too long to carry is refused in words.
    let too_long = DeviceCommand::TakeOver {
        queue: vec!["tr-1".into(); MAX_HANDOVER_TRACKS + 1],
        index: 0,
        position_ms: 0,
    };
    command(&mut laptop, "desktop", too_long).await;
    assert!(refused(&mut laptop, "desktop").await.contains("500"));

    // A device that goes leaves the list of those that stay.
    desktop.close(None).await.unwrap();
    assert_eq!(ids(&devices(&mut laptop).await), ["laptop"]);
    nothing_else(&mut stranger).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_without_a_device_steers_nothing_and_a_bad_id_is_closed() {
    let cloud = builder().start().await;
    let demo = Api::demo(&cloud).await;
    let mut desk = open(cloud.api_url(), Some(&demo.token)).await.unwrap();
    let mut anonymous = open(cloud.api_url(), Some(&demo.token)).await.unwrap();
    hello(&mut desk).await;
    hello(&mut anonymous).await;
    register(&mut desk, "desk", "Desk").await;
    assert_eq!(ids(&devices(&mut desk).await), ["desk"]);
    assert_eq!(ids(&devices(&mut anonymous).await), ["desk"]);

    command(&mut anonymous, "desk", DeviceCommand::Play).await;
    assert!(refused(&mut anonymous, "desk").await.contains("register"));
    nothing_else(&mut desk).await;

    register(&mut anonymous, "not an id", "Bad").await;
    let (code, reason) = closed(&mut anonymous).await;
    assert_eq!(code, live_close::UNREADABLE);
    assert!(reason.contains("device id"), "{reason}");
}
