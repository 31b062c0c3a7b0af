//! What the end-to-end tests do in the window as a listener would: read what an element
//! says, wait for the window to change, make and fill playlists, wait for sync.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use fantoccini::Locator;
use fantoccini::elements::Element;
use fantoccini::key::Key;

use crate::AppUnderTest;

/// What the listener reads in an element.
pub async fn text(element: &Element) -> Result<String> {
    Ok(element
        .prop("textContent")
        .await?
        .unwrap_or_default()
        .trim()
        .to_owned())
}

pub async fn attr(element: &Element, name: &str) -> Result<String> {
    element
        .attr(name)
        .await?
        .with_context(|| format!("no {name} attribute"))
}

/// The one `test_id` element inside `parent`.
pub async fn inside(parent: &Element, test_id: &str) -> Result<Element> {
    Ok(parent
        .find(Locator::Css(&format!("[data-testid=\"{test_id}\"]")))
        .await?)
}

/// Polls `check` every 100 ms until it is true; fails with `what` and the last value seen.
pub async fn wait_until<T: std::fmt::Debug>(
    timeout: Duration,
    what: &str,
    mut read: impl AsyncFnMut() -> Result<T>,
    check: impl Fn(&T) -> bool,
) -> Result<T> {
    let deadline = Instant::now() + timeout;
    loop {
        let value = read().await?;
        if check(&value) {
            return Ok(value);
        }
        if Instant::now() >= deadline {
            bail!("{what}: still {value:?} after {timeout:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The sidebar's row of the playlist named `name`, waiting for it to appear.
pub async fn sidebar_row(app: &AppUnderTest, name: &str) -> Result<Element> {
    wait_until(
        Duration::from_secs(10),
        &format!("a sidebar row for {name:?}"),
        async || {
            for row in app.all("playlist-row").await? {
                // A row redrawn meanwhile (its id changes once synced) is looked up again.
                let Ok(label) = row.find(Locator::Css(".name")).await else {
                    continue;
                };
                if text(&label).await.ok().as_deref() == Some(name) {
                    return Ok(Some(row));
                }
            }
            Ok(None)
        },
        Option::is_some,
    )
    .await?
    .context("checked by wait_until")
}

/// Creates a playlist through the sidebar; it opens, and the catalog is shown again.
pub async fn create_playlist(app: &AppUnderTest, name: &str) -> Result<()> {
    app.wait_for("new-playlist").await?.click().await?;
    app.wait_for("new-playlist-input")
        .await?
        .send_keys(&format!("{name}{}", Key::Enter))
        .await?;
    sidebar_row(app, name).await?;
    app.wait_for_text("playlist-name", Duration::from_secs(10), |t| t == name)
        .await?;
    // Its first sync gives it the service's id (library `rekey`), which redraws every control
    // naming it (edits naming the old id still apply, through the library's id aliases); the
    // test fills it after that so that the rows it then finds stay the rows it uses.
    wait_until_synced(app).await?;
    app.wait_for("nav-catalog").await?.click().await?;
    app.wait_for("track-row").await?;
    Ok(())
}

/// Adds the catalog's first `count` tracks to the playlist `name`, each through its row's
/// menu, waiting for each to be confirmed. Returns their ids.
pub async fn add_from_catalog(app: &AppUnderTest, name: &str, count: usize) -> Result<Vec<String>> {
    let rows = app.all("track-row").await?;
    ensure!(
        rows.len() >= count,
        "the catalog shows {} tracks",
        rows.len()
    );
    let mut added = Vec::new();
    for row in &rows[..count] {
        let track_id = attr(row, "data-track-id").await?;
        let title = text(&row.find(Locator::Css(".title")).await?).await?;
        inside(row, "add-to-playlist")
            .await?
            .click()
            .await
            .context("opening a row's add-to-playlist menu")?;
        app.wait_for("add-to-playlist-menu").await?;
        // By name: the playlist's id changes once the service has it.
        let mut chosen = None;
        for option in app.all("add-to-playlist-option").await? {
            if text(&option).await? == name {
                chosen = Some(option);
            }
        }
        chosen
            .context("the playlist is not in the menu")?
            .click()
            .await
            .context("choosing the playlist")?;
        let expected = format!("Added “{title}” to “{name}”.");
        app.wait_for_text("add-to-playlist-done", Duration::from_secs(10), |t| {
            t == expected
        })
        .await?;
        added.push(track_id);
    }
    Ok(added)
}

/// Waits until the window says everything is synced: idle, "Synced", and no playlist marked
/// as having unsynced changes (the marks come from the library, re-read after each sync).
pub async fn wait_until_synced(app: &AppUnderTest) -> Result<()> {
    wait_until(
        Duration::from_secs(30),
        "the sync status (state, words, playlists marked unsynced)",
        async || {
            let status = app.wait_for("sync-status").await?;
            Ok((
                status.attr("data-state").await?.unwrap_or_default(),
                text(&status).await?,
                app.all("playlist-unsynced").await?.len()
                    + app.all("playlist-unsynced-note").await?.len(),
            ))
        },
        |(state, words, marked)| state == "idle" && words == "Synced" && *marked == 0,
    )
    .await?;
    Ok(())
}
