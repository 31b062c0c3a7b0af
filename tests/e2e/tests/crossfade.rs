//! Crossfade in the real window: chosen on the Settings screen with a loudness target (both
//! kept in the settings file and across a restart),
//! then heard as the listener sees it: the next track starts while the one before still has
//! the crossfade's length to go, except between two tracks of one album played in order,
//! which follow each other at the very end, gaplessly.
//!
//! The Settings screen with the crossfade chosen goes to target/e2e/settings-sound.png.
//!
//! The app plays to a silent sink that keeps real time (`Audio::Silent`), so the position
//! the window shows moves as a listener's would; the test notes the last position shown for
//! each track before the next one's title replaces it.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use fantoccini::Locator;
use strato_e2e::ui::{
    attr, choose, clock_seconds, inside, open_catalog, open_settings, screenshots, text,
    wait_for_settings_file,
};
use strato_e2e::{AppUnderTest, Audio};

const DEMO_USER: &str = "demo";
const DEMO_PASSWORD: &str = "Strato-demo-1";
/// The crossfade chosen, in seconds.
const CROSSFADE: u32 = 6;
/// Two tracks of one album in order (17.5 s, then 20.5 s), then the first of another album.
const PLAYED: [&str; 3] = [
    "tr-static-bloom",
    "tr-low-orbit-lullaby",
    "tr-polar-morning",
];

/// The title of each row of `ids`, and the index of the first, as the catalog lists them.
async fn rows_of(app: &AppUnderTest, ids: &[&str]) -> Result<(usize, Vec<String>)> {
    let rows = app.all("track-row").await?;
    let mut listed = Vec::new();
    for row in &rows {
        listed.push(attr(row, "data-track-id").await?);
    }
    let first = listed
        .iter()
        .position(|id| id == ids[0])
        .context("the first track is not in the catalog")?;
    ensure!(
        listed[first..]
            .iter()
            .take(ids.len())
            .eq(ids.iter().copied()),
        "the catalog lists {:?} after {}",
        &listed[first..first + ids.len().min(listed.len() - first)],
        ids[0]
    );
    let mut titles = Vec::new();
    for row in &rows[first..first + ids.len()] {
        titles.push(text(&row.find(Locator::Css(".title")).await?).await?);
    }
    Ok((first, titles))
}

/// Follows the window while `titles` play in turn: for each but the last, the last
/// position (in whole seconds) shown with its title before the next title came.
async fn last_positions(app: &AppUnderTest, titles: &[String]) -> Result<Vec<u32>> {
    let mut last = vec![0; titles.len() - 1];
    let mut playing = 0;
    let deadline = Instant::now() + Duration::from_secs(90);
    while playing + 1 < titles.len() {
        if Instant::now() > deadline {
            bail!(
                "{:?} never followed {:?}",
                titles[playing + 1],
                titles[playing]
            );
        }
        let title = app.wait_for("now-playing-title").await?.text().await?;
        let position = clock_seconds(&app.wait_for("position").await?.text().await?);
        if title == titles[playing + 1] {
            playing += 1;
        } else if title == titles[playing] {
            last[playing] = last[playing].max(position);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(last)
}

#[tokio::test]
async fn a_crossfade_chosen_in_settings_overlaps_albums_but_not_an_album_in_order() -> Result<()> {
    let mut app = AppUnderTest::launch(Audio::Silent).await?;
    app.sign_in_and_stay(DEMO_USER, DEMO_PASSWORD).await?;
    app.wait_for("home-screen").await?;
    open_settings(&app).await?;
    choose(&app, "setting-crossfade", &CROSSFADE.to_string()).await?;
    // And a loudness target other than the default, kept the same way.
    choose(&app, "setting-loudness-target", "lufs18").await?;
    wait_for_settings_file(
        &app,
        &[
            &format!("\"crossfade_seconds\": {CROSSFADE}"),
            "\"loudness_target\": \"lufs18\"",
        ],
    )
    .await?;
    let select = app.wait_for("setting-crossfade").await?;
    ensure!(select.prop("value").await?.as_deref() == Some("6"));
    app.screenshot(&screenshots()?.join("settings-sound.png"))
        .await?;

    app.wait_for("nav-home").await?.click().await?;
    open_catalog(&app).await?;
    let (first, titles) = rows_of(&app, &PLAYED).await?;
    let rows = app.all("track-row").await?;
    inside(&rows[first], "play-track").await?.click().await?;
    app.wait_for_text("now-playing-title", Duration::from_secs(20), |t| {
        t == titles[0]
    })
    .await?;
    let last = last_positions(&app, &titles).await?;
    eprintln!("the last positions shown before the next track: {last:?}");

    // The first hands over at its end (17.5 s; the window, read a few times a second, may
    // miss its last half second, but a crossfade would have come at 0:11); the second, into
    // another album, six seconds before its end (20.5 s - 6 s: "0:14").
    ensure!(
        last[0] >= 16,
        "the album's next track came at 0:{:02}, before the end",
        last[0]
    );
    ensure!(
        (13..=15).contains(&last[1]),
        "the next album's track came at 0:{:02}, not {CROSSFADE} s before the end",
        last[1]
    );

    // Kept across a restart (which opens where the window was: Settings or the catalog).
    app.restart().await?;
    open_settings(&app).await?;
    let chosen = app
        .wait_for("setting-crossfade")
        .await?
        .prop("value")
        .await?;
    ensure!(
        chosen.as_deref() == Some("6"),
        "after a restart: {chosen:?}"
    );
    let target = app
        .wait_for("setting-loudness-target")
        .await?
        .prop("value")
        .await?;
    ensure!(
        target.as_deref() == Some("lufs18"),
        "the loudness target after a restart: {target:?}"
    );
    app.close().await
}
