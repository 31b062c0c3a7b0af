//! One Strato per listener, end to end: with the window open, a second launch with a
//! `strato://` link, `strato play` with a playlist file, and a link Strato cannot open are
//! each handed to the running window, which opens and plays what they name (or says why it
//! cannot); the second processes end at once, and no second library is opened.
#![cfg(target_os = "linux")]

use std::time::Duration;

use anyhow::{Result, ensure};
use strato_e2e::{AppUnderTest, Audio};
use strato_testkit::media_dir;

const DEMO_USER: &str = "demo";
const DEMO_PASSWORD: &str = "Strato-demo-1";
const WAIT: Duration = Duration::from_secs(30);

/// How many times an app of this run started its core (each logs it once).
fn cores_started(app: &AppUnderTest) -> Result<usize> {
    let mut count = 0;
    for entry in std::fs::read_dir(app.log_dir())? {
        let text = std::fs::read_to_string(entry?.path())?;
        count += text.matches("Strato started").count();
    }
    Ok(count)
}

fn ended_well(output: &std::process::Output, what: &str) -> Result<String> {
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    ensure!(
        output.status.success(),
        "{what} ended with {}: {stderr}",
        output.status
    );
    Ok(stderr)
}

#[tokio::test]
async fn a_second_launch_hands_its_link_or_files_to_the_open_window() -> Result<()> {
    let app = AppUnderTest::launch(Audio::Silent).await?;
    app.sign_in(DEMO_USER, DEMO_PASSWORD).await?;
    app.wait_for("home-screen").await?;
    let first = app.app_pid()?;

    // A link from a web page or a chat, as the desktop opens it: `strato <link>`.
    let output = app.launch_again(&["strato://album/al-northern-drift?play"])?;
    ended_well(&output, "the second launch")?;
    app.wait_for("album-screen").await?;
    app.wait_for_text("album-title", WAIT, |t| t == "Northern Drift")
        .await?;
    let album_first = "Polar Morning";
    app.wait_for_text("now-playing-title", WAIT, |t| t == album_first)
        .await?;
    let shots = strato_e2e::ui::screenshots()?;
    app.screenshot(&shots.join("launch-link.png")).await?;

    // `strato play` from a terminal with a playlist file, by a relative name.
    let media = media_dir().join("media");
    let lists = app.scratch_dir();
    std::fs::create_dir_all(&lists)?;
    std::fs::write(
        lists.join("evening.m3u"),
        format!(
            "#EXTM3U\n#EXTINF:30,Low orbit\n{}\n{}\n",
            media.join("tr-low-orbit-lullaby/mp3/high.mp3").display(),
            media.join("tr-low-tide-lanterns/mp3/vbr.mp3").display(),
        ),
    )?;
    let list = lists.join("evening.m3u");
    let output = app.launch_again(&["play", list.to_str().unwrap_or_default()])?;
    let said = ended_well(&output, "strato play")?;
    ensure!(said.contains("open Strato window"), "it said: {said}");
    app.wait_for_text("now-playing-title", WAIT, |t| t == "high")
        .await?;
    app.screenshot(&shots.join("launch-files.png")).await?;

    // A link Strato cannot open: the window says so, in words.
    let output = app.launch_again(&["strato://artist/ar-aurora-lane"])?;
    ended_well(&output, "the launch with a wrong link")?;
    app.wait_for_text("player-error", WAIT, |t| {
        t.contains("not a link Strato can open")
    })
    .await?;

    // Still the one app, with the one core and library it started with.
    ensure!(app.app_pid()? == first, "the first app was replaced");
    ensure!(
        cores_started(&app)? == 1,
        "a second launch started a core of its own"
    );
    app.close().await
}
