//! Stars in the real window, on a listener's own server (Supysonic, a real `OpenSubsonic`
//! server from the Python registry): a track found by search is starred from its row's menu,
//! and the Starred page in the sidebar lists it (read from the server, as the page is).

use std::time::Duration;

use anyhow::{Context as _, Result};
use fantoccini::Locator;
use strato_e2e::ui::{attr, row_menu_action, screenshots, text, wait_until};
use strato_e2e::{AppUnderTest, Audio};
use strato_testkit::Supysonic;

#[tokio::test]
async fn a_track_starred_from_its_menu_is_on_the_starred_page() -> Result<()> {
    let server = Supysonic::spawn();
    let wanted = &server.albums()[0].tracks[0];

    let app = AppUnderTest::launch(Audio::Silent).await?;
    let address = app.wait_for("service-url").await?;
    address.clear().await?;
    address.send_keys(server.url()).await?;
    app.wait_for("username")
        .await?
        .send_keys(server.username())
        .await?;
    app.wait_for("password")
        .await?
        .send_keys(server.password())
        .await?;
    app.wait_for("sign-in").await?.click().await?;
    app.wait_for("home-screen").await?;

    // Found by its title, starred from its row's menu.
    app.wait_for("search-input")
        .await?
        .send_keys(&wanted.title)
        .await?;
    let track_id = server_row(&app, &wanted.title).await?;
    row_menu_action(&app, &track_id, "menu-star").await?;

    // The Starred page, from the sidebar, lists it.
    app.wait_for("nav-starred").await?.click().await?;
    app.wait_for("starred-screen").await?;
    let row = wait_until(
        Duration::from_secs(20),
        "the starred track on the Starred page",
        async || {
            let css = format!("[data-testid=\"track-row\"][data-track-id=\"{track_id}\"]");
            Ok(app.client.find_all(Locator::Css(&css)).await?.pop())
        },
        Option::is_some,
    )
    .await?
    .context("checked by wait_until")?;
    assert!(text(&row).await?.contains(&wanted.title));
    tokio::time::sleep(Duration::from_secs(1)).await;
    app.screenshot(&screenshots()?.join("subsonic-starred.png"))
        .await?;

    app.close().await
}

/// The id of the search results' track row titled `title`, once the server's answer is in
/// (the rows of this computer's index, drawn first, are replaced by the server's).
async fn server_row(app: &AppUnderTest, title: &str) -> Result<String> {
    let results = app.wait_for("search-results").await?;
    wait_until(
        Duration::from_secs(20),
        "a result row from the server for the title typed",
        async || {
            let source = results.attr("data-source").await?.unwrap_or_default();
            let mut found = None;
            for row in results
                .find_all(Locator::Css("[data-testid=\"track-row\"]"))
                .await?
            {
                if text(&row).await.is_ok_and(|t| t.contains(title)) {
                    found = attr(&row, "data-track-id").await.ok();
                }
            }
            Ok((source, found))
        },
        |(source, found)| source == "catalog" && found.is_some(),
    )
    .await?
    .1
    .context("checked above")
}
