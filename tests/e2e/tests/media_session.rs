//! The running app on the desktop's media session (MPRIS), end to end: the window plays an
//! album, and a D-Bus client outside it (busctl, as a desktop's media keys and panel call)
//! reads what plays and pauses it; the window follows.
#![cfg(target_os = "linux")]

use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result, ensure};
use strato_e2e::ui::open_home_album;
use strato_e2e::{AppUnderTest, Audio};

const DEMO_USER: &str = "demo";
const DEMO_PASSWORD: &str = "Strato-demo-1";
const ALBUM: &str = "al-northern-drift";
const MPRIS: [&str; 2] = ["org.mpris.MediaPlayer2.strato", "/org/mpris/MediaPlayer2"];
const PLAYER: &str = "org.mpris.MediaPlayer2.Player";

/// `busctl --user` on the test's session bus (the app's, through `DBUS_SESSION_BUS_ADDRESS`).
fn busctl(args: &[&str]) -> Result<String> {
    let output = Command::new("busctl")
        .arg("--user")
        .args(args)
        .output()
        .context("busctl (systemd's D-Bus tool)")?;
    ensure!(
        output.status.success(),
        "busctl {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(String::from_utf8(output.stdout)?)
}

#[tokio::test]
async fn the_desktop_reads_what_plays_and_pauses_it() -> Result<()> {
    let app = AppUnderTest::launch(Audio::Silent).await?;
    app.sign_in(DEMO_USER, DEMO_PASSWORD).await?;
    app.wait_for("home-screen").await?;
    open_home_album(&app, ALBUM).await?;
    app.wait_for("album-play").await?.click().await?;
    let title = app
        .wait_for_text("now-playing-title", Duration::from_secs(30), |t| {
            !t.is_empty()
        })
        .await?;

    // What plays, as the desktop's panel reads it.
    let [name, path] = MPRIS;
    let mut shown = String::new();
    for _ in 0..100 {
        shown = busctl(&["get-property", name, path, PLAYER, "Metadata"])?;
        if shown.contains(&title) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    ensure!(
        shown.contains(&title),
        "the session shows {shown:?}, not {title:?}"
    );
    ensure!(shown.contains("Northern Drift"), "no album in {shown:?}");
    let status = busctl(&["get-property", name, path, PLAYER, "PlaybackStatus"])?;
    ensure!(status.contains("Playing"), "{status}");

    // A media key: PlayPause from outside pauses the player, and the window shows it.
    busctl(&["call", name, path, PLAYER, "PlayPause"])?;
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
    let status = busctl(&["get-property", name, path, PLAYER, "PlaybackStatus"])?;
    ensure!(status.contains("Paused"), "{status}");
    app.close().await
}
