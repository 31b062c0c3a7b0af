//! Your devices, across two app processes of one listener on one devcloud: the desk plays a
//! track and moves it to the laptop from the "Devices" menu (the laptop plays it, the desk
//! pauses), the desk's player bar then steers the laptop (pause, seek, next, previous,
//! volume), and "This computer" brings playback back; the laptop renamed in its Settings
//! shows under its new name in the desk's menu. Screenshots of the menu and of the bar
//! steering the laptop go to the README.

use std::time::Duration;

use anyhow::{Context, Result};
use fantoccini::Locator;
use fantoccini::key::Key;
use serde_json::json;
use strato_e2e::ui::{
    attr, clock_seconds, inside, open_catalog, open_settings, screenshots, text, wait_until,
};
use strato_e2e::{AppUnderTest, Audio};

const DEMO_USER: &str = "demo";
const DEMO_PASSWORD: &str = "Strato-demo-1";
const WAIT: Duration = Duration::from_secs(30);

async fn play_label(app: &AppUnderTest) -> Result<String> {
    attr(&app.wait_for("play-pause").await?, "aria-label").await
}

async fn until_label(app: &AppUnderTest, what: &str, label: &str) -> Result<()> {
    wait_until(WAIT, what, async || play_label(app).await, |l| l == label).await?;
    Ok(())
}

/// Opens the desk's "Devices" menu and waits for the row of the device named `name`.
async fn device_row(app: &AppUnderTest, name: &str) -> Result<fantoccini::elements::Element> {
    let toggle = app.wait_for("devices-toggle").await?;
    if toggle.attr("aria-expanded").await?.as_deref() != Some("true") {
        toggle.click().await?;
    }
    app.wait_for("devices-menu").await?;
    let css = format!("[data-testid=\"device-row\"][data-device-name=\"{name}\"]");
    wait_until(
        WAIT,
        &format!("the row of {name}"),
        async || Ok(app.client.find_all(Locator::Css(&css)).await?),
        |rows| !rows.is_empty(),
    )
    .await?
    .into_iter()
    .next()
    .context("no row")
}

#[tokio::test]
async fn playback_moves_to_the_laptop_is_steered_from_the_desk_and_comes_back() -> Result<()> {
    let shots = screenshots()?;
    let desk =
        AppUnderTest::launch_with_settings(Audio::Silent, json!({"device_name": "Desk"})).await?;
    let laptop =
        AppUnderTest::launch_beside(&desk, Audio::Silent, Some(json!({"device_name": "Laptop"})))
            .await?;
    desk.sign_in(DEMO_USER, DEMO_PASSWORD).await?;
    laptop.sign_in(DEMO_USER, DEMO_PASSWORD).await?;

    // The desk plays the catalog from its first track.
    open_catalog(&desk).await?;
    let rows = wait_until(
        WAIT,
        "two rows of the catalog",
        async || desk.all("track-row").await,
        |rows| rows.len() >= 2,
    )
    .await?;
    let mut titles = Vec::new();
    for row in &rows[..2] {
        titles.push(text(&row.find(Locator::Css(".title")).await?).await?);
    }
    inside(&rows[0], "play-track").await?.click().await?;
    desk.wait_for_text("now-playing-title", WAIT, |t| t == titles[0])
        .await?;
    until_label(&desk, "the desk playing", "Pause").await?;

    // The laptop is in the desk's menu; choosing it moves playback there.
    let row = device_row(&desk, "Laptop").await?;
    desk.screenshot(&shots.join("window-devices.png")).await?;
    row.click().await?;
    laptop
        .wait_for_text("now-playing-title", WAIT, |t| t == titles[0])
        .await?;
    until_label(&laptop, "the laptop playing the desk's track", "Pause").await?;
    desk.wait_for_text("remote-banner", WAIT, |t| t.contains("Laptop"))
        .await?;
    let remote = desk.wait_for("remote-player").await?;
    assert_eq!(attr(&remote, "data-device-name").await?, "Laptop");

    // The desk's bar steers the laptop: pause, back to the start, next, previous, volume.
    // The bar sends what its button shows: it must have heard that the laptop plays first
    // (until then it shows "Play", and a click there asks the laptop to play).
    until_label(&desk, "the desk's bar showing the laptop playing", "Pause").await?;
    desk.wait_for("play-pause").await?.click().await?;
    until_label(&laptop, "the laptop paused from the desk", "Play").await?;
    until_label(&desk, "the desk's bar showing the laptop paused", "Play").await?;
    desk.wait_for("seek-bar")
        .await?
        .send_keys(&Key::Home.to_string())
        .await?;
    wait_until(
        WAIT,
        "the laptop back at the start",
        async || laptop.wait_for_text("position", WAIT, |_| true).await,
        |shown| clock_seconds(shown) == 0,
    )
    .await?;
    desk.wait_for("next").await?.click().await?;
    laptop
        .wait_for_text("now-playing-title", WAIT, |t| t == titles[1])
        .await?;
    desk.wait_for_text("now-playing-title", WAIT, |t| t == titles[1])
        .await?;
    desk.wait_for("prev").await?.click().await?;
    laptop
        .wait_for_text("now-playing-title", WAIT, |t| t == titles[0])
        .await?;
    let volume = desk.wait_for("remote-volume").await?;
    desk.client
        .execute(
            "const input = arguments[0]; input.value = '30';\n\
             input.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![serde_json::to_value(&volume)?],
        )
        .await?;
    wait_until(
        WAIT,
        "the laptop's volume set from the desk",
        async || Ok(laptop.wait_for("volume").await?.prop("value").await?),
        |value| value.as_deref() == Some("30"),
    )
    .await?;
    desk.screenshot(&shots.join("window-devices-remote.png"))
        .await?;

    // "This computer" brings playback back to the desk; the laptop pauses.
    let here = device_row(&desk, "Desk").await?;
    assert_eq!(attr(&here, "data-this-device").await?, "true");
    here.click().await?;
    desk.wait_for_text("now-playing-title", WAIT, |t| t == titles[0])
        .await?;
    until_label(&desk, "the desk playing again", "Pause").await?;
    until_label(&laptop, "the laptop paused", "Play").await?;
    assert!(desk.all("remote-player").await?.is_empty());

    renamed_in_settings(&desk, &laptop).await?;

    laptop.close().await?;
    desk.close().await
}

/// The laptop renamed in its Settings: the desk's menu shows the new name.
async fn renamed_in_settings(desk: &AppUnderTest, laptop: &AppUnderTest) -> Result<()> {
    open_settings(laptop).await?;
    let name = laptop.wait_for("setting-device-name").await?;
    name.clear().await?;
    name.send_keys(&format!("Studio{}", Key::Tab)).await?;
    device_row(desk, "Studio").await?;
    laptop
        .client
        .execute(
            "arguments[0].scrollIntoView({block: 'center'})",
            vec![serde_json::to_value(&name)?],
        )
        .await?;
    laptop
        .screenshot(&screenshots()?.join("window-settings-device-name.png"))
        .await?;
    Ok(())
}
