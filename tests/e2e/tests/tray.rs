//! The tray, end to end, with the desktop's side played by a panel on the session bus
//! (`strato_e2e::tray`): the icon's menu says what plays and pauses it, hides and shows the
//! window; with "close to the tray" on, closing the window (as a window manager's close
//! button asks) leaves the music playing; Quit ends the app, and it comes back where it was.
#![cfg(target_os = "linux")]

use std::time::{Duration, Instant};

use anyhow::{Result, bail, ensure};
use strato_e2e::tray::{TrayHost, TrayMenu};
use strato_e2e::ui::{open_home_album, open_settings, wait_for_settings_file};
use strato_e2e::window::AppWindow;
use strato_e2e::{AppUnderTest, Audio};

const DEMO_USER: &str = "demo";
const DEMO_PASSWORD: &str = "Strato-demo-1";
const WAIT: Duration = Duration::from_secs(30);
/// A short wait for the effect of one key press.
const STEP: Duration = Duration::from_secs(2);
/// The play key of a keyboard (X11's keysym).
const XF86_AUDIO_PLAY: u32 = 0x1008_FF14;

/// Presses `keysym` until `done` says it took effect: the grab is made on the app's own
/// thread shortly after the setting is saved, so an early press may reach no one.
async fn press_key_until<F: std::future::Future<Output = bool>>(
    keysym: u32,
    mut done: impl FnMut() -> F,
) -> Result<()> {
    let deadline = Instant::now() + WAIT;
    loop {
        strato_e2e::window::press_key(keysym)?;
        if done().await {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("the key {keysym:#x} changed nothing");
        }
    }
}

/// Clicks the menu's entry `label` once it shows it, enabled.
async fn choose(menu: &TrayMenu, label: &str) -> Result<()> {
    let entry = menu.wait_for(label, WAIT).await?;
    ensure!(entry.enabled, "{label:?} is greyed out");
    menu.click(&entry).await
}

/// What the player bar's play button offers: "Play" while paused, "Pause" while playing.
async fn wait_for_offer(app: &AppUnderTest, offer: &str) -> Result<()> {
    let deadline = Instant::now() + WAIT;
    loop {
        let button = app.wait_for("play-pause").await?;
        let label = button.attr("aria-label").await?.unwrap_or_default();
        if label == offer {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("the play button still offers {label:?}, not {offer:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn wait_for_window(window: &AppWindow, shown: bool) -> Result<()> {
    let deadline = Instant::now() + WAIT;
    while window.is_shown()? != shown {
        if Instant::now() > deadline {
            bail!(
                "the window is still {}",
                if shown { "hidden" } else { "shown" }
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}

#[tokio::test]
async fn the_tray_menu_plays_hides_keeps_and_quits() -> Result<()> {
    let host = TrayHost::start().await?;
    let mut app = AppUnderTest::launch(Audio::Silent).await?;
    app.sign_in(DEMO_USER, DEMO_PASSWORD).await?;
    app.wait_for("home-screen").await?;
    open_home_album(&app, "al-northern-drift").await?;
    app.wait_for("album-play").await?.click().await?;
    app.wait_for_text("now-playing-title", WAIT, |t| t == "Polar Morning")
        .await?;

    // What plays, and pause, from the menu.
    let menu = host.menu(WAIT).await?;
    menu.wait_for("Polar Morning — Aurora Lane", WAIT).await?;
    choose(&menu, "Pause").await?;
    wait_for_offer(&app, "Play").await?;
    choose(&menu, "Play").await?;
    wait_for_offer(&app, "Pause").await?;

    // Hide and show.
    let window = AppWindow::find_titled(app.app_pid()?, Some("Strato"))?;
    choose(&menu, "Hide Strato").await?;
    wait_for_window(&window, false).await?;
    choose(&menu, "Show Strato").await?;
    wait_for_window(&window, true).await?;

    // The media keys, taken by Strato once asked (with the window hidden, as they would be
    // pressed over another app): the play key pauses and plays, the next key skips.
    open_settings(&app).await?;
    app.wait_for("setting-take-media-keys")
        .await?
        .click()
        .await?;
    wait_for_settings_file(&app, &["\"take_media_keys\": true"]).await?;
    choose(&menu, "Hide Strato").await?;
    wait_for_window(&window, false).await?;
    press_key_until(XF86_AUDIO_PLAY, || async {
        menu.wait_for("Play", STEP).await.is_ok()
    })
    .await?;
    press_key_until(XF86_AUDIO_PLAY, || async {
        menu.wait_for("Pause", STEP).await.is_ok()
    })
    .await?;
    choose(&menu, "Show Strato").await?;
    wait_for_window(&window, true).await?;

    // Closed to the tray, the music plays on.
    open_settings(&app).await?;
    let keep = app.wait_for("setting-close-to-tray").await?;
    keep.click().await?;
    wait_for_settings_file(&app, &["\"close_to_tray\": true"]).await?;
    app.client
        .execute(
            "arguments[0].scrollIntoView({block: 'center'})",
            vec![serde_json::to_value(&keep)?],
        )
        .await?;
    let shots = strato_e2e::ui::screenshots()?;
    app.screenshot(&shots.join("settings-desktop.png")).await?;
    window.close()?;
    wait_for_window(&window, false).await?;
    let pid = app.app_pid()?;
    menu.wait_for("Show Strato", WAIT).await?;
    menu.wait_for("Pause", WAIT).await?;
    let playing = menu
        .entries()
        .await?
        .into_iter()
        .find(|entry| entry.label.ends_with("— Aurora Lane"))
        .map(|entry| entry.label)
        .unwrap_or_default();
    let title = playing.trim_end_matches(" — Aurora Lane").to_owned();
    ensure!(!title.is_empty(), "the menu names no track");

    // Quit: the app ends, and starts again where it was, paused.
    choose(&menu, "Quit Strato").await?;
    app.wait_until_ended().await?;
    ensure!(
        std::fs::metadata(format!("/proc/{pid}")).is_err(),
        "the app's process is still there"
    );
    app.restart().await?;
    app.sign_in(DEMO_USER, DEMO_PASSWORD).await?;
    app.wait_for_text("now-playing-title", WAIT, |t| t == title)
        .await?;
    wait_for_offer(&app, "Play").await?;
    app.close().await
}

#[tokio::test]
async fn closing_the_window_quits_and_keeps_the_place() -> Result<()> {
    let mut app = AppUnderTest::launch(Audio::Silent).await?;
    app.sign_in(DEMO_USER, DEMO_PASSWORD).await?;
    app.wait_for("home-screen").await?;
    open_home_album(&app, "al-northern-drift").await?;
    app.wait_for("album-play").await?.click().await?;
    app.wait_for_text("now-playing-title", WAIT, |t| t == "Polar Morning")
        .await?;
    app.wait_for("next").await?.click().await?;
    app.wait_for_text("now-playing-title", WAIT, |t| t == "Drift Ice")
        .await?;

    // Closed as a window manager's close button asks: Strato quits, as most apps do.
    AppWindow::find_titled(app.app_pid()?, Some("Strato"))?.close()?;
    app.wait_until_ended().await?;
    app.restart().await?;
    app.sign_in(DEMO_USER, DEMO_PASSWORD).await?;
    app.wait_for_text("now-playing-title", WAIT, |t| t == "Drift Ice")
        .await?;
    wait_for_offer(&app, "Play").await?;
    app.close().await
}
