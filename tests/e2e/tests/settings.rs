//! The listener's settings, end to end: the volume and the mute set in the window are kept
//! in the settings file of the app's config folder and come back after a restart.

use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use fantoccini::key::Key;
use strato_e2e::{AppUnderTest, Audio};

const DEMO_USER: &str = "demo";
const DEMO_PASSWORD: &str = "Strato-demo-1";

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

    // Saved within a second, before the app is closed (which saves what is left too).
    let file = app.home_dir().join(".config/strato/settings.json");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !std::fs::read_to_string(&file).is_ok_and(|t| t.contains("\"muted\": true")) {
        if Instant::now() > deadline {
            bail!("{} does not say the sound is muted", file.display());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    app.restart().await?;
    app.wait_for("home-screen").await?;
    wait_volume(&app, "0", true).await?;
    app.wait_for("mute").await?.click().await?;
    wait_volume(&app, "80", false).await?;
    app.close().await
}
