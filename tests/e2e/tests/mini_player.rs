//! The mini-player, end to end: opened from the player bar, a small window kept above the
//! others showing what plays, its buttons acting on the one player; closed and opened again
//! where it was; and the main window's size and place kept across a restart.
#![cfg(target_os = "linux")]

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use fantoccini::wd::WindowHandle;
use strato_e2e::ui::open_home_album;
use strato_e2e::window::AppWindow;
use strato_e2e::{AppUnderTest, Audio};

const DEMO_USER: &str = "demo";
const DEMO_PASSWORD: &str = "Strato-demo-1";
const WAIT: Duration = Duration::from_secs(30);
/// The mini-player's window title.
const MINI_TITLE: &str = "Strato mini player";

/// The window handle that is not `main`, once there is one.
async fn other_window(app: &AppUnderTest, main: &WindowHandle) -> Result<WindowHandle> {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(other) = app
            .client
            .windows()
            .await?
            .into_iter()
            .find(|handle| handle != main)
        {
            return Ok(other);
        }
        if Instant::now() > deadline {
            bail!("no second window");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn wait_for_offer(app: &AppUnderTest, test_id: &str, offer: &str) -> Result<()> {
    let deadline = Instant::now() + WAIT;
    loop {
        let label = app
            .wait_for(test_id)
            .await?
            .attr("aria-label")
            .await?
            .unwrap_or_default();
        if label == offer {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("{test_id} still offers {label:?}, not {offer:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The current window's page seen or not, as the page learns it when its window is
/// minimised or restored (`document.hidden` and its `visibilitychange` event).
async fn page_seen(app: &AppUnderTest, seen: bool) -> Result<()> {
    app.client
        .execute(
            "Object.defineProperty(document, 'hidden', { configurable: true, get: () => !arguments[0] });\
             document.dispatchEvent(new Event('visibilitychange'));",
            vec![serde_json::Value::Bool(seen)],
        )
        .await?;
    Ok(())
}

async fn window_count(app: &AppUnderTest, count: usize) -> Result<()> {
    let deadline = Instant::now() + WAIT;
    while app.client.windows().await?.len() != count {
        if Instant::now() > deadline {
            bail!("there are not {count} windows");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}

#[tokio::test]
async fn the_mini_player_plays_on_top_and_both_windows_keep_their_place() -> Result<()> {
    let mut app = AppUnderTest::launch(Audio::Silent).await?;
    app.sign_in(DEMO_USER, DEMO_PASSWORD).await?;
    app.wait_for("home-screen").await?;
    open_home_album(&app, "al-northern-drift").await?;
    app.wait_for("album-play").await?.click().await?;
    app.wait_for_text("now-playing-title", WAIT, |t| t == "Polar Morning")
        .await?;
    let main = app.client.window().await?;

    // Opened from the player bar: a small window, above the others, showing what plays.
    app.wait_for("mini-player-toggle").await?.click().await?;
    let mini = other_window(&app, &main).await?;
    app.client.switch_to_window(mini.clone()).await?;
    app.wait_for_text("mini-title", WAIT, |t| t == "Polar Morning")
        .await?;
    app.wait_for_text("mini-artist", WAIT, |t| t == "Aurora Lane")
        .await?;
    let (_, _, width, height) = app.client.get_window_rect().await?;
    ensure!(width < 500 && height < 200, "not small: {width} x {height}");
    let pid = app.app_pid()?;
    let deadline = Instant::now() + WAIT;
    let kept_above = loop {
        if let Ok(window) = AppWindow::find_titled(pid, Some(MINI_TITLE))
            && window.is_kept_above()?
        {
            break true;
        }
        if Instant::now() > deadline {
            break false;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    ensure!(
        kept_above,
        "the mini-player is not kept above other windows"
    );
    let shots = strato_e2e::ui::screenshots()?;
    app.screenshot(&shots.join("mini-player.png")).await?;

    // The main window's page hidden (minimised, on another workspace: its page says so): the
    // mini-player, still seen, still follows the track's position.
    app.client.switch_to_window(main.clone()).await?;
    page_seen(&app, false).await?;
    app.client.switch_to_window(mini.clone()).await?;
    let before = app
        .wait_for_text("position", WAIT, |t| !t.is_empty())
        .await?;
    app.wait_for_text("position", WAIT, |t| !t.is_empty() && t != before)
        .await
        .context("the mini-player's position stood still with the main window hidden")?;
    app.client.switch_to_window(main.clone()).await?;
    page_seen(&app, true).await?;
    app.client.switch_to_window(mini.clone()).await?;

    // Its buttons act on the one player: the main window shows it paused.
    app.wait_for("mini-play-pause").await?.click().await?;
    wait_for_offer(&app, "mini-play-pause", "Play").await?;
    app.client.switch_to_window(main.clone()).await?;
    wait_for_offer(&app, "play-pause", "Play").await?;

    // Moved and resized, closed, opened again: where it was.
    app.client.switch_to_window(mini).await?;
    app.client.set_window_rect(60, 70, 420, 150).await?;
    let placed = app.client.get_window_rect().await?;
    app.client.switch_to_window(main.clone()).await?;
    app.wait_for("mini-player-toggle").await?.click().await?;
    window_count(&app, 1).await?;
    app.wait_for("mini-player-toggle").await?.click().await?;
    let mini = other_window(&app, &main).await?;
    app.client.switch_to_window(mini.clone()).await?;
    app.wait_for("mini-title").await?;
    let again = app.client.get_window_rect().await?;
    ensure!(again == placed, "reopened at {again:?}, left at {placed:?}");

    // Back to the full window from the mini-player: it closes (the click may then have no
    // window to answer from; the count of windows says whether it worked).
    let _ = app.wait_for("mini-back").await?.click().await;
    window_count(&app, 1).await?;
    app.client.switch_to_window(main).await?;

    // The main window's size and place, across a restart (closed as a window manager does:
    // Strato quits and keeps them).
    app.client.set_window_rect(30, 40, 1100, 720).await?;
    let placed = app.client.get_window_rect().await?;
    AppWindow::find_titled(app.app_pid()?, Some("Strato"))?.close()?;
    app.wait_until_ended().await?;
    app.restart().await?;
    app.wait_for("username")
        .await
        .context("the app after the restart")?;
    let again = app.client.get_window_rect().await?;
    ensure!(again == placed, "started at {again:?}, left at {placed:?}");
    app.close().await
}
