//! The running app on the desktop's media session (MPRIS), end to end: the window plays an
//! album, and a D-Bus client outside it (as a desktop's media keys and panel call) reads
//! what plays and pauses it; the window follows.
#![cfg(target_os = "linux")]

use std::collections::HashMap;
use std::time::Duration;

use anyhow::{Context, Result, ensure};
use strato_e2e::ui::{now_playing_title, open_home_album};
use strato_e2e::{AppUnderTest, Audio};
use zbus::zvariant::OwnedValue;

const DEMO_USER: &str = "demo";
const DEMO_PASSWORD: &str = "Strato-demo-1";
const ALBUM: &str = "al-northern-drift";
const MPRIS: [&str; 2] = ["org.mpris.MediaPlayer2.strato", "/org/mpris/MediaPlayer2"];
const PLAYER: &str = "org.mpris.MediaPlayer2.Player";

/// The app's player on the session bus (`DBUS_SESSION_BUS_ADDRESS`, the test command's
/// private one), each read asking the app as a desktop's panel does (no cached copies).
async fn mpris_player(bus: &zbus::Connection) -> Result<zbus::Proxy<'static>> {
    let [name, path] = MPRIS;
    Ok(zbus::proxy::Builder::new(bus)
        .destination(name)?
        .path(path)?
        .interface(PLAYER)?
        .cache_properties(zbus::proxy::CacheProperties::No)
        .build()
        .await?)
}

/// The title and album the session shows now.
async fn shown(player: &zbus::Proxy<'_>) -> Result<(String, String)> {
    let metadata: HashMap<String, OwnedValue> = player.get_property("Metadata").await?;
    let text = |key: &str| {
        metadata
            .get(key)
            .and_then(|v| v.try_clone().ok())
            .and_then(|v| String::try_from(v).ok())
            .unwrap_or_default()
    };
    Ok((text("xesam:title"), text("xesam:album")))
}

#[tokio::test]
async fn the_desktop_reads_what_plays_and_pauses_it() -> Result<()> {
    let app = AppUnderTest::launch(Audio::Silent).await?;
    app.sign_in(DEMO_USER, DEMO_PASSWORD).await?;
    app.wait_for("home-screen").await?;
    open_home_album(&app, ALBUM).await?;
    app.wait_for("album-play").await?.click().await?;
    let title = now_playing_title(&app, Duration::from_secs(30)).await?;

    // What plays, as the desktop's panel reads it.
    let bus = zbus::Connection::session()
        .await
        .context("the session bus (the test command runs in dbus-run-session)")?;
    let player = mpris_player(&bus).await?;
    let mut seen = (String::new(), String::new());
    for _ in 0..100 {
        // Until the app has taken its name, the call fails: asked again.
        if let Ok(now) = shown(&player).await {
            seen = now;
        }
        if seen.0 == title {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    ensure!(seen.0 == title, "the session shows {seen:?}, not {title:?}");
    ensure!(seen.1 == "Northern Drift", "the album shown: {seen:?}");
    let status: String = player.get_property("PlaybackStatus").await?;
    ensure!(status == "Playing", "{status}");

    // A media key: PlayPause from outside pauses the player, and the window shows it.
    player.call_method("PlayPause", &()).await?;
    let mut label = String::new();
    for _ in 0..100 {
        label = app
            .wait_for("play-pause")
            .await?
            .attr("aria-label")
            .await?
            .unwrap_or_default();
        if label == "Play" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    ensure!(
        label == "Play",
        "the play button says {label:?} after PlayPause from the bus"
    );
    let status: String = player.get_property("PlaybackStatus").await?;
    ensure!(status == "Paused", "{status}");
    app.close().await
}
