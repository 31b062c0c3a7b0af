//! The Equaliser in the real window: opened from the player bar, a graphic preset chosen
//! (the curve the core computes redrawn), a headphone profile imported through GTK's own
//! open dialog (a damaged one refused in words first), and all of it kept for the device
//! across a restart.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context as _, Result};
use strato_e2e::ui::{attr, choose, screenshots, text, wait_for_settings_file, wait_until};
use strato_e2e::window::{AppWindow, type_text};
use strato_e2e::{AppUnderTest, Audio};

const DEMO_USER: &str = "demo";
const DEMO_PASSWORD: &str = "Strato-demo-1";
/// The open dialog's title (the window's English).
const IMPORT_TITLE: &str = "Choose a headphone profile (AutoEQ ParametricEQ.txt)";

const PROFILE: &str = "Preamp: -6.4 dB
Filter 1: ON LSC Fc 105 Hz Gain 6.0 dB Q 0.70
Filter 2: ON PK Fc 180 Hz Gain -2.4 dB Q 0.60
Filter 3: ON PK Fc 1400 Hz Gain 1.8 dB Q 1.50
Filter 4: ON PK Fc 3000 Hz Gain -3.0 dB Q 2.60
Filter 5: ON PK Fc 5500 Hz Gain 4.0 dB Q 4.00
Filter 6: ON PK Fc 8200 Hz Gain -2.5 dB Q 3.00
Filter 7: ON HSC Fc 10000 Hz Gain -3.5 dB Q 0.70
";

async fn curve_label(app: &AppUnderTest) -> Result<String> {
    attr(&app.wait_for("eq-curve").await?, "aria-label").await
}

/// Clicks Import, and types `file`'s path into GTK's open dialog.
async fn import(app: &AppUnderTest, file: &Path) -> Result<()> {
    app.wait_for("eq-import").await?.click().await?;
    let dialog =
        AppWindow::wait_titled(app.app_pid()?, IMPORT_TITLE, Duration::from_secs(20)).await?;
    dialog.focus()?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    // A `/` opens the dialog's location field with it typed; what is typed before the field
    // is up would be lost.
    let path = file.to_str().context("a UTF-8 path")?;
    type_text("/")?;
    tokio::time::sleep(Duration::from_millis(800)).await;
    type_text(&path[1..])?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    type_text("\n")?;
    Ok(())
}

#[tokio::test]
async fn the_equaliser_takes_a_preset_and_a_headphone_profile_and_keeps_them() -> Result<()> {
    let mut app = AppUnderTest::launch(Audio::Silent).await?;
    app.sign_in_and_stay(DEMO_USER, DEMO_PASSWORD).await?;
    app.wait_for("home-screen").await?;

    app.wait_for("equalizer-open").await?.click().await?;
    app.wait_for("equalizer-screen").await?;
    let flat = curve_label(&app).await?;
    assert!(flat.contains("from 0.0 dB to 0.0 dB"), "{flat}");
    app.wait_for("eq-off").await?;

    // A preset switches the equaliser on; the automatic pre-amp takes the boost back.
    choose(&app, "eq-preset", "bass_boost").await?;
    let boosted = wait_until(
        Duration::from_secs(10),
        "the curve showing the bass boost",
        async || curve_label(&app).await,
        |label| label != &flat,
    )
    .await?;
    assert!(
        boosted.contains("to 0.0 dB"),
        "the pre-amp holds the top at 0 dB: {boosted}"
    );
    assert!(app.wait_for("eq-enabled").await?.is_selected().await?);
    // The bass boost's bands (+6 dB at 31 Hz, +5 at 62) add up to more than either.
    let preamp = text(&app.wait_for("eq-preamp-value").await?).await?;
    let db: f32 = preamp.trim_end_matches(" dB").parse()?;
    assert!(db < -6.0, "{preamp}");
    app.screenshot(&screenshots()?.join("equalizer-graphic.png"))
        .await?;

    // Parametric: a damaged profile is refused in words, a good one fills the bands.
    app.wait_for("eq-mode-parametric").await?.click().await?;
    app.wait_for("eq-no-bands").await?;
    let folder = PathBuf::from(format!("/tmp/strato-e2e-eq-{}", std::process::id()));
    std::fs::create_dir_all(&folder)?;
    let damaged = folder.join("damaged.txt");
    std::fs::write(
        &damaged,
        "Preamp: -6 dB\nFilter 1: ON PK Fc 100 Hz Gain loud dB Q 1\n",
    )?;
    import(&app, &damaged).await?;
    let refusal = app
        .wait_for_text("page-error", Duration::from_secs(20), |t| {
            t.contains("line 2")
        })
        .await?;
    assert!(refusal.contains("not a headphone profile"), "{refusal}");

    let good = folder.join("hd-650.txt");
    std::fs::write(&good, PROFILE)?;
    import(&app, &good).await?;
    app.wait_for_text("eq-profile", Duration::from_secs(20), |t| {
        t.contains("hd-650")
    })
    .await?;
    assert_eq!(app.all("eq-band").await?.len(), 7);
    let preamp = text(&app.wait_for("eq-preamp-value").await?).await?;
    assert!(
        preamp.starts_with("-6.4"),
        "the profile's pre-amp: {preamp}"
    );
    app.screenshot(&screenshots()?.join("equalizer-parametric.png"))
        .await?;
    let _ = std::fs::remove_dir_all(&folder);

    // Kept for this device (the system's default) across a restart.
    wait_for_settings_file(
        &app,
        &["\"profile\": \"hd-650\"", "\"mode\": \"parametric\""],
    )
    .await?;
    app.restart().await?;
    app.wait_for("home-screen").await?;
    app.wait_for("equalizer-open").await?.click().await?;
    app.wait_for_text("eq-profile", Duration::from_secs(20), |t| {
        t.contains("hd-650")
    })
    .await?;
    assert_eq!(app.all("eq-band").await?.len(), 7);
    assert!(app.wait_for("eq-enabled").await?.is_selected().await?);
    app.quit().await
}
