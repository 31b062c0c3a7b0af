//! A listener's own music server in the real window: Supysonic (a real OpenSubsonic-speaking
//! server from the Python registry, with a folder of tagged files made from the demo media)
//! signed in to by its address on the sign-in screen, the window showing only what the
//! server offers, a track found by search, played from the server and heard.

use std::time::Duration;

use anyhow::{Context as _, Result, bail};
use fantoccini::Locator;
use fantoccini::elements::Element;
use strato_e2e::ui::{
    clock_seconds, inside, now_playing_title, screenshots, shown, text, wait_until,
};
use strato_e2e::{AppUnderTest, Audio};
use strato_testkit::{FolderFormat, Supysonic};

#[tokio::test]
async fn signs_in_to_a_subsonic_server_finds_a_track_and_it_is_heard() -> Result<()> {
    let server = Supysonic::start();
    let album = server
        .albums()
        .iter()
        .find(|album| album.format == FolderFormat::Mp3)
        .context("the folder has an MP3 album")?;
    let wanted = &album.tracks[0];

    let app = AppUnderTest::launch(Audio::Capture).await?;
    // The address the listener types, in place of the Strato service's.
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

    let name = app.wait_for("username-label").await?;
    assert_eq!(text(&name).await?, server.username());
    app.wait_for("home-screen").await?;
    // What a Subsonic server cannot fill is not offered; its music is kept offline as the
    // cloud's is.
    for missing in ["nav-uploads", "nav-explore", "nav-catalog"] {
        if !app.all(missing).await?.is_empty() {
            bail!("{missing} is offered for a Subsonic server");
        }
    }
    assert_eq!(app.all("nav-home").await?.len(), 1);
    assert_eq!(app.all("nav-downloads").await?.len(), 1);
    // The server's albums on the home page, with the covers it has.
    app.wait_for("album-card").await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    app.screenshot(&screenshots()?.join("subsonic-home.png"))
        .await?;

    // Found by its title as a listener searches, and played from its row.
    app.wait_for("search-input")
        .await?
        .send_keys(&wanted.title)
        .await?;
    let row = find_row(&app, &wanted.title).await?;
    shown(inside(&row, "play-track").await?)
        .await?
        .click()
        .await?;

    let now_playing = now_playing_title(&app, Duration::from_secs(30)).await?;
    assert_eq!(now_playing, wanted.title);
    app.wait_for_text("position", Duration::from_secs(30), |t| {
        clock_seconds(t) >= 2
    })
    .await?;
    app.screenshot(&screenshots()?.join("subsonic-playing.png"))
        .await?;

    app.ensure_heard().await?;
    app.close().await
}

/// The search results' track row whose text holds `title`, once the server's answer is in
/// (the rows of this computer's index, drawn first, are replaced by the server's).
async fn find_row(app: &AppUnderTest, title: &str) -> Result<Element> {
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
                // A row redrawn meanwhile is gone from the page: the next poll finds its
                // successor.
                if text(&row).await.is_ok_and(|t| t.contains(title)) {
                    found = Some(row);
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
