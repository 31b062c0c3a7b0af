//! The walking skeleton, end to end: sign in, see the catalog, play a track, hear it.

use std::time::Duration;

use anyhow::Result;
use strato_e2e::ui::{clock_seconds, now_playing_title, open_catalog};
use strato_e2e::{AppUnderTest, Audio};

const DEMO_USER: &str = "demo";
const DEMO_PASSWORD: &str = "Strato-demo-1";

#[tokio::test]
async fn signs_in_plays_a_track_and_it_is_heard() -> Result<()> {
    let app = AppUnderTest::launch(Audio::Capture).await?;
    let shots = strato_e2e::ui::screenshots()?;
    app.wait_for("sign-in").await?;
    app.screenshot(&shots.join("sign-in.png")).await?;
    app.sign_in(DEMO_USER, DEMO_PASSWORD).await?;

    app.wait_for("username-label").await?;
    open_catalog(&app).await?;
    let rows = app.all("track-row").await?;
    assert!(rows.len() >= 10, "the catalog shows {} tracks", rows.len());

    let first = &rows[0];
    let title = first.prop("textContent").await?.unwrap_or_default();
    first
        .find(fantoccini::Locator::Css("[data-testid=\"play-track\"]"))
        .await?
        .click()
        .await?;

    let now_playing = now_playing_title(&app, Duration::from_secs(20)).await?;
    assert!(
        title.contains(&now_playing),
        "row {title:?} vs now playing {now_playing:?}"
    );
    // The clock moves (the wait's own condition), and within the track the row listed: the
    // seek bar shows the row's length, and the position never runs past it.
    let position = app
        .wait_for_text("position", Duration::from_secs(30), |t| {
            clock_seconds(t) >= 2
        })
        .await?;
    let duration = app
        .wait_for_text("duration", Duration::from_secs(5), |t| clock_seconds(t) > 0)
        .await?;
    assert!(
        title.contains(&duration),
        "row {title:?} vs the seek bar's length {duration:?}"
    );
    assert!(
        clock_seconds(&position) <= clock_seconds(&duration),
        "position {position} past the length {duration}"
    );

    app.screenshot(&shots.join("playing.png")).await?;

    app.ensure_heard().await?;

    app.close().await
}

#[tokio::test]
async fn a_refused_sign_in_is_explained_in_words() -> Result<()> {
    let app = AppUnderTest::launch(Audio::Capture).await?;
    // An unknown user, not a wrong password: the app signs in with SRP, and moto accepts any
    // SRP signature. Cognito words both refusals the same (crates/cloud/tests/sign_in.rs).
    app.sign_in("nobody-here", "not-the-password").await?;
    let message = app
        .wait_for_text("sign-in-error", Duration::from_secs(20), |t| !t.is_empty())
        .await?;
    assert!(
        message.contains("Incorrect username or password"),
        "shown: {message:?}"
    );
    assert!(
        app.all("home-screen").await?.is_empty() && app.all("track-row").await?.is_empty(),
        "the signed-in window must not show"
    );
    app.close().await
}

#[tokio::test]
async fn no_output_device_is_a_clear_state_not_a_crash() -> Result<()> {
    let app = AppUnderTest::launch(Audio::Missing).await?;
    app.sign_in(DEMO_USER, DEMO_PASSWORD).await?;
    open_catalog(&app).await?;
    let banner = app
        .wait_for_text("output-unavailable", Duration::from_secs(20), |t| {
            !t.is_empty()
        })
        .await?;
    assert!(
        banner.contains("No audio output device"),
        "banner: {banner:?}"
    );

    // Pressing play explains itself and leaves the app usable.
    app.wait_for("play-track").await?.click().await?;
    let error = app
        .wait_for_text("player-error", Duration::from_secs(20), |t| !t.is_empty())
        .await?;
    assert!(error.contains("No audio output device"), "error: {error:?}");
    assert!(!app.all("track-row").await?.is_empty());
    app.close().await
}
