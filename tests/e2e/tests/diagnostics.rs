//! The Diagnostics screen in the real window: after a track played (and was skipped), its
//! wait for the first sound shows in the last day's chart, opened from Settings › About.

use std::time::Duration;

use anyhow::Result;
use fantoccini::Locator;
use strato_e2e::ui::{attr, inside, open_catalog, open_settings, screenshots, text, wait_until};
use strato_e2e::{AppUnderTest, Audio};

const WAIT: Duration = Duration::from_secs(30);

#[tokio::test]
async fn a_play_shows_in_the_last_days_chart() -> Result<()> {
    let app = AppUnderTest::launch(Audio::Silent).await?;
    app.sign_in("demo", "Strato-demo-1").await?;
    open_catalog(&app).await?;
    let rows = wait_until(
        WAIT,
        "the catalog's rows",
        async || app.all("track-row").await,
        |rows| rows.len() >= 2,
    )
    .await?;
    let title = text(&rows[0].find(Locator::Css(".title")).await?).await?;
    inside(&rows[0], "play-track").await?.click().await?;
    app.wait_for_text("now-playing-title", WAIT, |t| t == title)
        .await?;
    wait_until(
        WAIT,
        "the first track playing",
        async || attr(&app.wait_for("play-pause").await?, "aria-label").await,
        |label| label == "Pause",
    )
    .await?;
    // Skipped: its play is over, and kept.
    app.wait_for("next").await?.click().await?;

    open_settings(&app).await?;
    app.wait_for("open-diagnostics").await?.click().await?;
    app.wait_for("diagnostics-screen").await?;
    let values = wait_until(
        WAIT,
        "the wait for the first sound charted",
        // The screen reads the library again every few seconds while it is open.
        async || match app.all("chart-first-audio").await?.first() {
            Some(chart) => attr(chart, "data-values").await,
            None => Ok(String::new()),
        },
        |values| {
            values
                .split(',')
                .any(|v| v.parse::<u32>().is_ok_and(|ms| ms > 0))
        },
    )
    .await?;
    assert_eq!(values.split(',').count(), 24, "{values}");
    // A play and a skip on loopback: no stall (opening the next track is not one).
    let stalls = attr(&app.wait_for("chart-stalls").await?, "data-values").await?;
    assert!(
        stalls.split(',').all(|v| v.is_empty() || v == "0"),
        "{stalls}"
    );
    let output = app
        .wait_for_text("diagnostics-output", WAIT, |t| !t.is_empty())
        .await?;
    assert!(output.contains("null"), "{output}");
    app.wait_for("diagnostics-no-errors").await?;
    app.screenshot(&screenshots()?.join("window-diagnostics.png"))
        .await?;
    app.close().await
}
