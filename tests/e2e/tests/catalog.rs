//! The catalog screen, end to end: after sign-in it lists the service's catalog in its order
//! (walked into the account's library in the background, read from there a page at a time),
//! with its total; after a restart with the service stopped it still lists the same tracks,
//! saying it is offline. Screenshots of both go to target/e2e/. A track made available
//! offline from its row's menu is downloaded, and the same menu, which asks the core since
//! the catalog's rows do not say, then offers to remove the download.
//!
//! "Stay signed in" needs a keychain: run under `scripts/lib/secret-service.sh`.

use std::time::Duration;

use anyhow::{Context, Result};
use strato_cloud::{ApiClient, Credentials, ServiceClient};
use strato_e2e::ui::{
    attr, first_clickable, inside, open_catalog, row_menu_action, text, wait_for_css,
    wait_for_route, wait_until,
};
use strato_e2e::{AppUnderTest, Audio};

const DEMO_USER: &str = "demo";
const DEMO_PASSWORD: &str = "Strato-demo-1";

/// The service's whole listing, read as the demo listener with the app's own API client.
async fn service_listing(app: &AppUnderTest) -> Result<Vec<String>> {
    let service = ServiceClient::connect(app.devcloud.api_url()).await?;
    let ready = app.devcloud.config();
    let tokens = service
        .sign_in(&Credentials {
            username: ready.demo_username.clone().context("no demo user")?,
            password: ready.demo_password.clone().context("no demo user")?,
        })
        .await?;
    let api = ApiClient::new(service, tokens);
    let mut ids = Vec::new();
    let mut cursor = None;
    loop {
        let page = api.tracks(cursor.as_deref(), 200).await?;
        ids.extend(page.items.into_iter().map(|t| t.id));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return Ok(ids),
        }
    }
}

/// The track ids of the catalog's rows in the window, top to bottom (those mounted: the
/// list is virtualised), once there are at least `at_least`.
async fn shown_rows(app: &AppUnderTest, at_least: usize) -> Result<Vec<String>> {
    let rows = wait_until(
        Duration::from_secs(20),
        &format!("{at_least} catalog rows"),
        async || app.all("track-row").await,
        |rows| rows.len() >= at_least,
    )
    .await?;
    let mut ids = Vec::new();
    for row in rows {
        ids.push(attr(&row, "data-track-id").await?);
    }
    Ok(ids)
}

#[tokio::test]
async fn the_catalog_lists_the_service_s_tracks_and_still_does_offline_after_a_restart()
-> Result<()> {
    let mut app = AppUnderTest::launch(Audio::Silent).await?;
    let listing = service_listing(&app).await?;
    let total = format!("{} tracks", listing.len());
    app.sign_in_and_stay(DEMO_USER, DEMO_PASSWORD).await?;
    open_catalog(&app).await?;

    // The whole catalog counted, once its walk has read it all.
    app.wait_for_text("catalog-count", Duration::from_secs(20), |t| t == total)
        .await?;
    app.wait_for_text("catalog-refreshing", Duration::from_secs(20), str::is_empty)
        .await?;
    let online = shown_rows(&app, 3).await?;
    assert_eq!(
        online[..],
        listing[..online.len()],
        "the rows follow the service's order"
    );
    assert!(app.all("catalog-notice").await?.is_empty());
    let shots = strato_e2e::ui::screenshots()?;
    app.screenshot(&shots.join("catalog.png")).await?;

    // On a plane: the service is gone, the app starts again on the kept account.
    std::sync::Arc::get_mut(&mut app.devcloud)
        .expect("this app's devcloud is its own")
        .stop();
    app.restart().await?;
    open_catalog(&app).await?;
    let offline = shown_rows(&app, online.len()).await?;
    assert_eq!(offline, online, "the same rows, from this computer");
    let count = app.wait_for("catalog-count").await?;
    assert_eq!(
        count.prop("textContent").await?.unwrap_or_default().trim(),
        total
    );
    let notice = app
        .wait_for_text("catalog-notice", Duration::from_secs(20), |t| {
            t.contains("offline")
        })
        .await?;
    assert_eq!(
        notice,
        "You are offline: this is the catalog as Strato last listed it."
    );
    app.screenshot(&shots.join("catalog-offline.png")).await?;

    // Asked to refresh offline, it says why it cannot.
    app.wait_for("catalog-refresh").await?.click().await?;
    app.wait_for_text("catalog-notice", Duration::from_secs(20), |t| {
        !t.contains("as Strato last listed it")
    })
    .await?;
    assert_eq!(shown_rows(&app, online.len()).await?, online);
    app.close().await
}

#[tokio::test]
async fn a_track_kept_offline_from_the_catalog_s_menu_has_its_download_removed_there() -> Result<()>
{
    let app = AppUnderTest::launch(Audio::Silent).await?;
    app.sign_in(DEMO_USER, DEMO_PASSWORD).await?;
    open_catalog(&app).await?;
    let rows = wait_until(
        Duration::from_secs(20),
        "three rows of the catalog",
        async || app.all("track-row").await,
        |rows| rows.len() >= 3,
    )
    .await?;
    let track_id = attr(&rows[1], "data-track-id").await?;

    row_menu_action(&app, &track_id, "menu-make-offline").await?;
    app.wait_for("nav-downloads").await?.click().await?;
    wait_for_route(&app, "downloads").await?;
    let item_css =
        format!("[data-testid=\"download-item\"][data-kind=\"track\"][data-id=\"{track_id}\"]");
    wait_until(
        Duration::from_secs(60),
        "the track downloaded",
        async || {
            text(&inside(&wait_for_css(&app, &item_css).await?, "download-progress").await?).await
        },
        |progress| progress == "Downloaded",
    )
    .await?;

    // Back in the catalog, the row's menu knows it is downloaded.
    app.wait_for("nav-catalog").await?.click().await?;
    wait_for_route(&app, "catalog").await?;
    row_menu_action(&app, &track_id, "menu-remove-download").await?;
    app.wait_for("nav-downloads").await?.click().await?;
    wait_for_route(&app, "downloads").await?;
    app.wait_for("downloads-empty").await?;
    // A track that is not downloaded is not offered a removal.
    app.wait_for("nav-catalog").await?.click().await?;
    wait_for_route(&app, "catalog").await?;
    let css = format!(
        "[data-testid=\"track-row\"][data-track-id=\"{track_id}\"] [data-testid=\"row-menu\"]"
    );
    first_clickable(&app, &css).await?.click().await?;
    app.wait_for("menu-make-offline").await?;
    anyhow::ensure!(
        app.all("menu-remove-download").await?.is_empty(),
        "a removal offered for a track not downloaded"
    );
    app.close().await
}
