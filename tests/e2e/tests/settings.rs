//! The listener's settings, end to end: the volume and the mute set in the window, and the
//! choices made on the Settings screen (opened with Ctrl+, and from the account menu), are
//! kept in the settings file of the app's config folder and come back after a restart.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use fantoccini::Locator;
use fantoccini::key::Key;
use strato_e2e::ui::{choose, open_catalog, open_settings, screenshots, wait_for_settings_file};
use strato_e2e::{AppUnderTest, Audio};

const DEMO_USER: &str = "demo";
const DEMO_PASSWORD: &str = "Strato-demo-1";

/// Waits until the button marked `test_id` is pressed.
async fn wait_pressed(app: &AppUnderTest, test_id: &str) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let pressed = app.wait_for(test_id).await?.attr("aria-pressed").await?;
        if pressed.as_deref() == Some("true") {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("{test_id} is not pressed: aria-pressed={pressed:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn volume_shown(app: &AppUnderTest) -> Result<(String, Option<String>)> {
    let slider = app.wait_for("volume").await?;
    let value = slider.prop("value").await?.unwrap_or_default();
    let pressed = app.wait_for("mute").await?.attr("aria-pressed").await?;
    Ok((value, pressed))
}

async fn wait_volume(app: &AppUnderTest, value: &str, muted: bool) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(10);
    let want = (value.to_owned(), Some(muted.to_string()));
    loop {
        let shown = volume_shown(app).await?;
        if shown == want {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("the volume shows {shown:?}, not {want:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn the_volume_and_the_mute_are_kept_across_a_restart() -> Result<()> {
    let mut app = AppUnderTest::launch(Audio::Silent).await?;
    app.sign_in_and_stay(DEMO_USER, DEMO_PASSWORD).await?;
    app.wait_for("home-screen").await?;
    wait_volume(&app, "100", false).await?;

    let slider = app.wait_for("volume").await?;
    let down = Key::Down.to_string();
    slider.send_keys(&down.repeat(4)).await?;
    wait_volume(&app, "80", false).await?;
    app.wait_for("mute").await?.click().await?;
    wait_volume(&app, "0", true).await?;

    // Shuffle and repeat, kept with the account's queue.
    for button in ["shuffle", "repeat"] {
        app.wait_for(button).await?.click().await?;
        wait_pressed(&app, button).await?;
    }

    // Saved within a second. The restart below ends the WebDriver session, which can end
    // the app before a save still pending lands: wait for all three (waiting for the mute
    // alone once let the restart come before the repeat was saved).
    wait_for_settings_file(
        &app,
        &[
            "\"muted\": true",
            "\"shuffle\": true",
            "\"repeat\": \"all\"",
        ],
    )
    .await?;

    app.restart().await?;
    app.wait_for("home-screen").await?;
    wait_volume(&app, "0", true).await?;
    for button in ["shuffle", "repeat"] {
        wait_pressed(&app, button).await?;
    }
    app.wait_for("mute").await?.click().await?;
    wait_volume(&app, "80", false).await?;
    app.close().await
}

async fn chosen(app: &AppUnderTest, test_id: &str) -> Result<String> {
    Ok(app
        .wait_for(test_id)
        .await?
        .prop("value")
        .await?
        .unwrap_or_default())
}

/// Settings opens with Ctrl+, and from the account menu; what is chosen there is in the
/// settings file at once and on the screen again after a restart.
#[tokio::test]
async fn settings_chosen_on_the_screen_are_kept_across_a_restart() -> Result<()> {
    let mut app = AppUnderTest::launch(Audio::Silent).await?;
    app.sign_in_and_stay(DEMO_USER, DEMO_PASSWORD).await?;
    app.wait_for("home-screen").await?;
    open_settings(&app).await?;
    assert_eq!(chosen(&app, "setting-replay-gain").await?, "track");
    choose(&app, "setting-replay-gain", "album").await?;
    choose(&app, "setting-streaming-quality", "low").await?;
    wait_for_settings_file(&app, &["\"streaming\": \"low\""]).await?;
    app.screenshot(&screenshots()?.join("settings.png")).await?;

    app.restart().await?;
    app.wait_for("home-screen").await?;
    app.wait_for("account-menu").await?.click().await?;
    app.wait_for("open-settings").await?.click().await?;
    app.wait_for("settings-screen").await?;
    assert_eq!(chosen(&app, "setting-replay-gain").await?, "album");
    assert_eq!(chosen(&app, "setting-streaming-quality").await?, "low");
    // The environment fixes the data folder in these tests: the screen says so.
    let note = app.wait_for("override-data_dir").await?.text().await?;
    assert_eq!(note, "Set by STRATO_DATA_DIR for this run");
    app.close().await
}

/// The output device is chosen from the devices there are (the system's default first, as a
/// choice of its own), plays at once, and is chosen again after a restart.
#[tokio::test]
async fn the_output_device_is_chosen_from_the_list_and_kept_across_a_restart() -> Result<()> {
    let mut app = AppUnderTest::launch(Audio::SilentDevices).await?;
    app.sign_in_and_stay(DEMO_USER, DEMO_PASSWORD).await?;
    app.wait_for("home-screen").await?;
    open_settings(&app).await?;
    let select = app.wait_for("setting-output-device").await?;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let options = app
            .client
            .execute(
                "return Array.from(document.querySelectorAll('[data-testid=setting-output-device] option'), (o) => o.textContent);",
                vec![],
            )
            .await?;
        if options == serde_json::json!(["System default (Speakers)", "Speakers", "USB DAC"]) {
            break;
        }
        if Instant::now() > deadline {
            bail!("the device list shows {options}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(select.prop("value").await?.as_deref(), Some(""));
    choose(&app, "setting-output-device", "USB DAC").await?;
    wait_for_settings_file(&app, &["\"device\": \"USB DAC\""]).await?;

    app.wait_for("nav-home").await?.click().await?;
    open_catalog(&app).await?;
    app.wait_for("track-row")
        .await?
        .find(Locator::Css("[data-testid=\"play-track\"]"))
        .await?
        .click()
        .await?;
    open_settings(&app).await?;
    app.wait_for_text("output-playing-through", Duration::from_secs(20), |t| {
        t == "Playing through USB DAC"
    })
    .await?;

    app.restart().await?;
    app.wait_for("home-screen").await?;
    open_settings(&app).await?;
    assert_eq!(chosen(&app, "setting-output-device").await?, "USB DAC");
    app.close().await
}

/// About says the version and where the logs are, opens the log folder in the desktop's
/// file manager, and lists the licences of what Strato is built from.
#[tokio::test]
async fn about_shows_the_version_opens_the_log_folder_and_lists_the_licences() -> Result<()> {
    let app = AppUnderTest::launch(Audio::Silent).await?;
    app.sign_in(DEMO_USER, DEMO_PASSWORD).await?;
    app.wait_for("home-screen").await?;
    open_settings(&app).await?;
    // The version and the commit it was built from: "0.1.0 (6c72b71a6ba7)".
    app.wait_for_text("about-version", Duration::from_secs(10), |t| {
        t.starts_with(concat!(env!("CARGO_PKG_VERSION"), " (")) && t.ends_with(')')
    })
    .await?;
    let logs = app.wait_for("about-log-dir").await?.text().await?;
    assert_eq!(PathBuf::from(&logs), app.log_dir());

    app.wait_for("open-log-folder").await?.click().await?;
    let deadline = Instant::now() + Duration::from_secs(10);
    while app.opened().is_empty() {
        if Instant::now() > deadline {
            bail!("the log folder was not handed to the desktop's opener");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(app.opened(), [logs]);
    assert!(app.all("about-error").await?.is_empty());

    app.wait_for("about-licences")
        .await?
        .find(Locator::Css("summary"))
        .await?
        .click()
        .await?;
    let count = app
        .wait_for_text("about-licences-count", Duration::from_secs(10), |t| {
            t.contains("Rust crates")
        })
        .await?;
    assert!(count.starts_with("Strato is built from "), "{count}");
    app.screenshot(&screenshots()?.join("settings-about.png"))
        .await?;
    app.close().await
}

/// A save that fails is said wherever the listener is, not only on the Settings screen, and
/// unsaid once a save succeeds again.
#[tokio::test]
async fn a_settings_save_that_fails_is_said_in_the_whole_window() -> Result<()> {
    let shots = screenshots()?;
    let app = AppUnderTest::launch(Audio::Silent).await?;
    app.sign_in(DEMO_USER, DEMO_PASSWORD).await?;
    app.wait_for("home-screen").await?;
    wait_volume(&app, "100", false).await?;

    // The settings file's place taken by a folder: nothing can be saved there.
    let file = app.home_dir().join(".config/strato/settings.json");
    if file.is_file() {
        std::fs::remove_file(&file)?;
    }
    std::fs::create_dir_all(file.join("in-the-way"))?;
    let slider = app.wait_for("volume").await?;
    slider.send_keys(&Key::Down.to_string()).await?;
    wait_volume(&app, "95", false).await?;
    app.wait_for_text("settings-problem-words", Duration::from_secs(10), |t| {
        t.contains("could not be saved")
    })
    .await?;
    app.screenshot(&shots.join("settings-problem.png")).await?;

    // Room again: the next change is kept, and the window stops saying it.
    std::fs::remove_dir_all(&file)?;
    slider.send_keys(&Key::Down.to_string()).await?;
    wait_volume(&app, "90", false).await?;
    wait_for_settings_file(&app, &["\"volume\": 0.9"]).await?;
    let deadline = Instant::now() + Duration::from_secs(10);
    while !app.all("settings-problem").await?.is_empty() {
        if Instant::now() > deadline {
            bail!("the problem is still said after a save succeeded");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app.close().await
}
