//! The window while music plays, end to end: minimised (its X11 window unmapped, as a window
//! manager does), the page knows it is hidden and the core stops sending it the position's
//! ticks, while the music plays on; shown again, the bar catches up at once. Also: the app
//! says in its log how the window draws, and on this machine (no GPU under Xvfb) it paints
//! without compositing (`src-tauri/src/webview.rs`).

use std::time::Duration;

use anyhow::{Context, Result};
use strato_e2e::secrets::files_under;
use strato_e2e::ui::{clock_seconds, open_catalog, page_visibility, reset_ipc_meter, wait_until};
use strato_e2e::window::AppWindow;
use strato_e2e::{AppUnderTest, Audio};

const DEMO_USER: &str = "demo";
const DEMO_PASSWORD: &str = "Strato-demo-1";
const WAIT: Duration = Duration::from_secs(20);

/// The player-status events the page received since the meter was reset.
async fn status_events(app: &AppUnderTest) -> Result<u64> {
    let meter = app
        .client
        .execute("return window.__stratoIpcMeter || {};", vec![])
        .await?;
    Ok(meter["event:player-status"]["messages"]
        .as_u64()
        .unwrap_or(0))
}

#[tokio::test]
async fn a_hidden_window_is_not_woken_by_the_clock_and_catches_up_when_shown() -> Result<()> {
    // The silent sink keeps real time: the track plays on while the window is hidden.
    let mut app = AppUnderTest::launch_drawing_as_it_chooses(Audio::Silent).await?;
    app.sign_in(DEMO_USER, DEMO_PASSWORD).await?;
    open_catalog(&app).await?;
    let play = app.wait_for("play-track").await?;
    play.click().await?;
    app.wait_for_text("position", WAIT, |t| clock_seconds(t) >= 1)
        .await?;

    // Shown, the clock's ticks reach the page.
    reset_ipc_meter(&app).await?;
    wait_until(
        WAIT,
        "ticks while shown",
        async || status_events(&app).await,
        |count| *count >= 2,
    )
    .await?;

    let window = AppWindow::find(app.app_pid()?)?;
    window.hide()?;
    wait_until(
        WAIT,
        "the page to know it is hidden",
        async || page_visibility(&app).await,
        |state| state == "hidden",
    )
    .await?;
    let hidden_at = clock_seconds(&app.wait_for("position").await?.text().await?);
    // The page's word reaches the core just after the page hears it.
    tokio::time::sleep(Duration::from_millis(500)).await;
    reset_ipc_meter(&app).await?;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        status_events(&app).await?,
        0,
        "the core kept waking a hidden page with the position"
    );

    // Shown again: the status comes at once, the music having played on meanwhile.
    window.show()?;
    wait_until(
        WAIT,
        "the page to be shown",
        async || page_visibility(&app).await,
        |state| state == "visible",
    )
    .await?;
    let caught_up = app
        .wait_for_text("position", WAIT, |t| clock_seconds(t) >= hidden_at + 3)
        .await?;
    assert!(
        status_events(&app).await? >= 1,
        "shown again at {caught_up} without a status"
    );

    // Quit first, so that everything it logged is on disk.
    app.quit().await?;
    assert_draws_without_compositing(&app)?;
    app.close().await
}

/// The log's word on how the window draws: under Xvfb there is no GPU render node.
fn assert_draws_without_compositing(app: &AppUnderTest) -> Result<()> {
    let mut logs = String::new();
    for file in files_under(&app.log_dir())? {
        logs.push_str(&String::from_utf8_lossy(&std::fs::read(&file)?));
    }
    let line = logs
        .lines()
        .find(|line| line.contains("renderer:"))
        .context("the app did not say how its window draws")?;
    anyhow::ensure!(
        line.contains("painted in software, without compositing")
            && line.contains("composite=false"),
        "on a machine without a GPU: {line}"
    );
    Ok(())
}
