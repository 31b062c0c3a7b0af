//! Downloads and storage on the Settings screen, end to end: the space an album kept offline
//! takes, shown as a bar against the limit; the data folder moved to a folder typed in, its
//! library and downloads with it and the old files gone; the move kept across a restart.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result, ensure};
use strato_e2e::ui::{attr, open_home_album, open_settings, screenshots, text};
use strato_e2e::{AppUnderTest, Audio};

const DEMO_USER: &str = "demo";
const DEMO_PASSWORD: &str = "Strato-demo-1";
const ALBUM: &str = "al-tidepool-sessions";

/// Strato's files under `dir`, counted.
fn files_under(dir: &Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |entries| {
        entries
            .filter_map(Result::ok)
            .map(|e| {
                if e.path().is_dir() {
                    files_under(&e.path())
                } else {
                    1
                }
            })
            .sum()
    })
}

fn has_library(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries
            .filter_map(Result::ok)
            .any(|e| e.file_name().to_string_lossy().ends_with(".sqlite3"))
    })
}

/// Keeps the album offline from its page; the files downloaded.
async fn keep_album_offline(app: &AppUnderTest) -> Result<usize> {
    open_home_album(app, ALBUM).await?;
    app.wait_for("album-offline").await?.click().await?;
    app.wait_for_text("album-offline-state", Duration::from_secs(60), |t| {
        t == "Available offline"
    })
    .await?;
    Ok(files_under(&app.data_dir().join("offline")))
}

#[tokio::test]
async fn the_data_folder_moves_from_settings_with_its_downloads_and_stays_moved() -> Result<()> {
    let shots = screenshots()?;
    let mut app = AppUnderTest::launch_in_system_data_folder(Audio::Silent).await?;
    app.sign_in_and_stay(DEMO_USER, DEMO_PASSWORD).await?;
    app.wait_for("home-screen").await?;
    let old = app.data_dir();

    let downloads = keep_album_offline(&app).await?;
    ensure!(
        downloads >= 2,
        "{downloads} downloaded files in {}",
        old.display()
    );

    // Settings shows the space they take, and where they are.
    open_settings(&app).await?;
    app.wait_for_text("setting-data-dir", Duration::from_secs(10), |t| {
        t.contains(old.to_str().unwrap_or_default())
    })
    .await?;
    let bar = app.wait_for("storage-bar").await?;
    let used: u64 = attr(&bar, "aria-valuenow").await?.parse()?;
    ensure!(used > 0, "the bar shows nothing used");
    let offline = text(&app.wait_for("storage-offline").await?).await?;
    ensure!(
        !offline.ends_with(" 0 B"),
        "offline music shows {offline:?}"
    );
    let clear = app.wait_for("clear-cache").await?;
    ensure!(
        clear.prop("disabled").await?.as_deref() == Some("true"),
        "nothing in the cache, yet clearing it is offered"
    );
    app.client
        .execute(
            "document.getElementById('settings-storage').scrollIntoView({block: 'center'})",
            vec![],
        )
        .await?;
    app.screenshot(&shots.join("settings-storage.png")).await?;

    // Moved to a folder typed in: copied, checked, switched to, the old files deleted.
    let new = app.scratch_dir().join("Music library");
    app.wait_for("move-to")
        .await?
        .send_keys(new.to_str().context("a UTF-8 path")?)
        .await?;
    app.wait_for("move-data-dir").await?.click().await?;
    app.wait_for_text("storage-outcome", Duration::from_secs(60), |t| {
        t.starts_with("Moved ")
    })
    .await?;
    app.wait_for_text("setting-data-dir", Duration::from_secs(10), |t| {
        t.contains(new.to_str().unwrap_or_default())
    })
    .await?;
    ensure!(
        app.all("storage-failure").await?.is_empty(),
        "a failure shown after the move"
    );
    ensure!(has_library(&new), "no library in {}", new.display());
    ensure!(
        files_under(&new.join("offline")) == downloads,
        "the downloads did not all move"
    );
    ensure!(
        !has_library(&old),
        "the old library is still in {}",
        old.display()
    );
    ensure!(
        files_under(&old.join("offline")) == 0,
        "old downloads left behind"
    );

    // After a restart the album is still offline, from the new folder.
    app.restart().await?;
    app.wait_for("home-screen").await?;
    open_settings(&app).await?;
    app.wait_for_text("setting-data-dir", Duration::from_secs(10), |t| {
        t.contains(new.to_str().unwrap_or_default())
    })
    .await?;
    let used_after: u64 = attr(&app.wait_for("storage-bar").await?, "aria-valuenow")
        .await?
        .parse()?;
    ensure!(
        used_after == used,
        "{used_after} bytes used after the move, {used} before"
    );
    ensure!(
        !has_library(&old),
        "a library was made again in the old folder"
    );
    app.close().await
}
