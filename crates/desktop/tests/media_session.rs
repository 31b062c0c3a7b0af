//! The OS media session on Linux (MPRIS), end to end on a real session bus: the real app
//! core against devcloud, offered by [`MediaSession`] with [`CoreControls`], and a D-Bus
//! client (zbus, as playerctl or a desktop's panel would call) reading and acting. Runs in
//! `dbus-run-session` (the test command's `scripts/lib/secret-service.sh`).
#![cfg(target_os = "linux")]

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use strato_core::{App, AppEvents, AppSettings, AudioOutput};
use strato_desktop::media_session::{CoreControls, MediaSession, UiThread};
use strato_model::ipc::{PlaybackState, PlayerStatus, QueueView};
use strato_testkit::{DevCloud, Moto};
use zbus::zvariant::{ObjectPath, OwnedValue};

const PLAYER: &str = "org.mpris.MediaPlayer2.Player";
const PATH: &str = "/org/mpris/MediaPlayer2";

/// Tells the media session each status, as the shell's events do.
#[derive(Default)]
struct ToSession(OnceLock<Arc<MediaSession>>);

impl AppEvents for ToSession {
    fn player_status(&self, status: &PlayerStatus) {
        if let Some(session) = self.0.get() {
            session.follow(status);
        }
    }

    fn queue_changed(&self, view: &QueueView) {
        if let Some(session) = self.0.get() {
            session.follow_queue(view);
        }
    }
}

async fn until<T>(what: &str, mut check: impl AsyncFnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn metadata(player: &zbus::Proxy<'_>) -> HashMap<String, OwnedValue> {
    player.get_property("Metadata").await.expect("Metadata")
}

fn text(metadata: &HashMap<String, OwnedValue>, key: &str) -> Option<String> {
    String::try_from(metadata.get(key)?.try_clone().ok()?).ok()
}

#[tokio::test]
async fn the_desktop_sees_what_plays_and_its_calls_act_on_the_player() {
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "needs a session bus: run through scripts/test (dbus-run-session)"
    );
    let cloud = DevCloud::start(Moto::start()).await;
    let events = Arc::new(ToSession::default());
    let data = tempfile::tempdir().unwrap();
    let app = Arc::new(
        App::start(
            AppSettings {
                data_dir: Some(data.path().to_owned()),
                ..AppSettings::new(cloud.api_url(), AudioOutput::Null)
            },
            events.clone(),
        )
        .unwrap(),
    );
    let raised = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = Arc::clone(&raised);
    let name = format!("strato.test{}", std::process::id());
    let session = Arc::new(MediaSession::start(
        &name,
        "Strato",
        "strato",
        Arc::new(CoreControls::new(Arc::clone(&app), move || {
            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        })),
        // MPRIS has a thread of its own: Linux never posts to the UI thread.
        UiThread {
            run: Arc::new(|_| unreachable!("the Linux session posts nothing to the UI thread")),
            window_handle: Arc::new(|| None),
        },
    ));
    session.ready().await.expect("offered on the bus");
    assert!(events.0.set(Arc::clone(&session)).is_ok());

    let bus = zbus::Connection::session().await.unwrap();
    let destination = format!("org.mpris.MediaPlayer2.{name}");
    // Each read asks the bus, as playerctl does: `Position` is never signalled, so a cached
    // copy would stay where it started.
    let player: zbus::Proxy<'_> = zbus::proxy::Builder::new(&bus)
        .destination(destination.clone())
        .unwrap()
        .path(PATH)
        .unwrap()
        .interface(PLAYER)
        .unwrap()
        .cache_properties(zbus::proxy::CacheProperties::No)
        .build()
        .await
        .unwrap();
    let root = zbus::Proxy::new(&bus, destination, PATH, "org.mpris.MediaPlayer2")
        .await
        .unwrap();
    let identity: String = root.get_property("Identity").await.unwrap();
    assert_eq!(identity, "Strato");

    // Metadata follows the track.
    app.sign_in(cloud.api_url(), "demo", "Strato-demo-1".into())
        .await
        .unwrap();
    let tracks = app.album_page("al-northern-drift").await.unwrap().tracks;
    app.play_queue(tracks.iter().map(|t| t.id.clone()).collect(), 0)
        .await
        .unwrap();
    until("the first track's title", async || {
        let shown = metadata(&player).await;
        (text(&shown, "xesam:title").as_deref() == Some(tracks[0].title.as_str())).then_some(())
    })
    .await;
    let shown = metadata(&player).await;
    assert_eq!(
        text(&shown, "xesam:album").as_deref(),
        Some("Northern Drift")
    );
    let length = i64::try_from(shown["mpris:length"].try_clone().unwrap()).unwrap();
    assert_eq!(length, i64::from(tracks[0].duration_ms) * 1000);
    let track_id = ObjectPath::try_from(shown["mpris:trackid"].try_clone().unwrap()).unwrap();
    // The cover, as a file the desktop can show.
    let art = until("the cover's file URL", async || {
        text(&metadata(&player).await, "mpris:artUrl")
    })
    .await;
    let file = url::Url::parse(&art).unwrap().to_file_path().unwrap();
    let cover = std::fs::read(&file).unwrap();
    assert_eq!(cover[..2], [0xFF, 0xD8], "{} is not a JPEG", file.display());
    until("Playing", async || {
        let status: String = player.get_property("PlaybackStatus").await.ok()?;
        (status == "Playing").then_some(())
    })
    .await;
    assert!(player.get_property::<bool>("CanGoNext").await.unwrap());
    assert!(player.get_property::<bool>("CanSeek").await.unwrap());

    // PlayPause from the bus pauses the real player; the session says so.
    player.call_method("PlayPause", &()).await.unwrap();
    until("the player paused", async || {
        (app.player_status().state == PlaybackState::Paused).then_some(())
    })
    .await;
    until("Paused on the bus", async || {
        let status: String = player.get_property("PlaybackStatus").await.ok()?;
        (status == "Paused").then_some(())
    })
    .await;

    seeks_and_says_so(&app, &bus, &player, track_id).await;
    volume_next_and_raise(&app, &player, &root, &tracks, &raised).await;
    app.stop();
}

/// `SetPosition` moves the real player, and the move is signalled.
async fn seeks_and_says_so(
    app: &App,
    bus: &zbus::Connection,
    player: &zbus::Proxy<'_>,
    track_id: ObjectPath<'_>,
) {
    let mut seeked = zbus::MessageStream::for_match_rule(
        zbus::MatchRule::builder()
            .msg_type(zbus::message::Type::Signal)
            .interface(PLAYER)
            .unwrap()
            .member("Seeked")
            .unwrap()
            .build(),
        bus,
        None,
    )
    .await
    .unwrap();
    player
        .call_method("SetPosition", &(track_id, 9_000_000_i64))
        .await
        .unwrap();
    until("the player at 9 s", async || {
        (app.player_status().position_ms.abs_diff(9_000) < 500).then_some(())
    })
    .await;
    let signal = tokio::time::timeout(
        Duration::from_secs(10),
        futures_util::StreamExt::next(&mut seeked),
    )
    .await
    .expect("a Seeked signal")
    .unwrap()
    .unwrap();
    let at: i64 = signal.body().deserialize().unwrap();
    assert!((at - 9_000_000).abs() < 500_000, "Seeked to {at} µs");
    let position: i64 = player.get_property("Position").await.unwrap();
    assert!(
        (position - 9_000_000).abs() < 500_000,
        "Position {position} µs"
    );
}

/// The volume both ways; `Next` from the bus plays the second track; `Raise` reaches the shell.
async fn volume_next_and_raise(
    app: &App,
    player: &zbus::Proxy<'_>,
    root: &zbus::Proxy<'_>,
    tracks: &[strato_model::ipc::Track],
    raised: &std::sync::atomic::AtomicUsize,
) {
    player.set_property("Volume", 0.25_f64).await.unwrap();
    until("the player's volume at 0.25", async || {
        ((app.player_status().volume - 0.25).abs() < 1e-3).then_some(())
    })
    .await;
    app.set_volume(0.6);
    until("Volume 0.6 on the bus", async || {
        let volume: f64 = player.get_property("Volume").await.ok()?;
        ((volume - 0.6).abs() < 1e-3).then_some(())
    })
    .await;

    player.call_method("Next", &()).await.unwrap();
    until("the second track's title", async || {
        let shown = metadata(player).await;
        (text(&shown, "xesam:title").as_deref() == Some(tracks[1].title.as_str())).then_some(())
    })
    .await;
    // True to the queue: the last track has no next, unless the queue repeats.
    player.call_method("Next", &()).await.unwrap();
    until("the last track, with no next", async || {
        let shown = metadata(player).await;
        let last = text(&shown, "xesam:title").as_deref() == Some(tracks[2].title.as_str());
        let next: bool = player.get_property("CanGoNext").await.ok()?;
        (last && !next).then_some(())
    })
    .await;
    assert!(player.get_property::<bool>("CanGoPrevious").await.unwrap());
    player.set_property("LoopStatus", "Playlist").await.unwrap();
    until("a next again, the queue repeating", async || {
        player
            .get_property::<bool>("CanGoNext")
            .await
            .ok()?
            .then_some(())
    })
    .await;

    root.call_method("Raise", &()).await.unwrap();
    until("the window raised", async || {
        (raised.load(std::sync::atomic::Ordering::SeqCst) == 1).then_some(())
    })
    .await;
}
