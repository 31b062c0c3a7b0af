//! The Diagnostics screen in the real window: after a track played (and was skipped), its
//! wait for the first sound shows in the last day's chart, opened from Settings › About; and
//! with "Send anonymous playback reports" turned on in Settings › Privacy (off until then),
//! the play reaches the service as counts at the next sync, nothing of the track with it.

use std::time::Duration;

use anyhow::Result;
use fantoccini::Locator;
use strato_e2e::ui::{
    attr, inside, open_catalog, open_settings, screenshots, text, wait_for_css, wait_until,
};
use strato_e2e::{AppUnderTest, Audio};

const WAIT: Duration = Duration::from_secs(30);

/// The second track plays on: the way its sound goes, as it really is (the null output takes
/// the music's own rate, so Strato does not convert it).
async fn assert_signal_path_shown(app: &AppUnderTest) -> Result<()> {
    let signal = app
        .wait_for_text("diagnostics-signal", WAIT, |t| t.contains("kHz"))
        .await?;
    assert!(
        signal.starts_with("Now: ") && signal.contains("kHz stereo to the device"),
        "{signal}"
    );
    assert!(signal.contains("Strato does not convert it"), "{signal}");
    // At the default loudness target (-14 LUFS) the limiter guards the output, and says so.
    let limiter = app.wait_for("diagnostics-limiter").await?.text().await?;
    assert!(limiter.contains("true-peak limiter"), "{limiter}");
    Ok(())
}

#[tokio::test]
async fn a_play_shows_in_the_last_days_chart() -> Result<()> {
    let app = AppUnderTest::launch(Audio::Silent).await?;
    app.sign_in("demo", "Strato-demo-1").await?;
    open_settings(&app).await?;
    let reports = app.wait_for("setting-share-playback-reports").await?;
    anyhow::ensure!(
        reports.prop("checked").await?.as_deref() == Some("false"),
        "playback reports are off until the listener turns them on"
    );
    reports.click().await?;
    wait_for_css(&app, "[data-testid=setting-share-playback-reports]:checked").await?;
    app.client
        .execute(
            "document.getElementById('settings-privacy').scrollIntoView({block: 'center'})",
            vec![],
        )
        .await?;
    app.screenshot(&screenshots()?.join("window-settings-privacy.png"))
        .await?;
    app.wait_for("nav-home").await?.click().await?;
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
    assert_signal_path_shown(&app).await?;
    app.wait_for("diagnostics-no-errors").await?;
    app.screenshot(&screenshots()?.join("window-diagnostics.png"))
        .await?;

    // The play goes to the service with the next sync pass, as counts.
    let reported = wait_until(
        WAIT,
        "the play reported to the service",
        async || {
            if let Ok(sync) = app.wait_for("sync-now").await {
                // Disabled while a pass runs: the next press or pass will do.
                let _ = sync.click().await;
            }
            Ok(app.devcloud.telemetry_received().await)
        },
        |batches| !batches.is_empty(),
    )
    .await?;
    let plays: u32 = reported
        .iter()
        .flat_map(|b| &b.hours)
        .map(|h| h.plays)
        .sum();
    assert!(plays >= 1, "{reported:?}");
    let sent = serde_json::to_string(&reported)?;
    assert!(
        !sent.contains(&title),
        "the track's title reached a report: {sent}"
    );
    app.close().await
}
