//! The library in the real window: a playlist made, filled, reordered and renamed reaches the
//! service as shown; search finds a track and plays it.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, ensure};
use fantoccini::Locator;
use fantoccini::key::Key;
use strato_cloud::{ApiClient, Credentials, ServiceClient};
use strato_e2e::ui::{
    add_from_catalog, attr, create_playlist, inside, now_playing_title, open_catalog, shown,
    sidebar_row, text, wait_until, wait_until_synced,
};
use strato_e2e::{AppUnderTest, Audio};

const DEMO_USER: &str = "demo";
const DEMO_PASSWORD: &str = "Strato-demo-1";

/// The track ids of the open playlist's rows, top to bottom.
async fn playlist_order(app: &AppUnderTest) -> Result<Vec<String>> {
    let mut ids = Vec::new();
    for item in app.all("playlist-item").await? {
        ids.push(attr(&item, "data-track-id").await?);
    }
    Ok(ids)
}

/// The service as the demo listener, through the same API client the app's sync uses.
async fn demo_api(app: &AppUnderTest) -> Result<ApiClient> {
    let service = ServiceClient::connect(app.devcloud.api_url()).await?;
    let ready = app.devcloud.config();
    let tokens = service
        .sign_in(&Credentials {
            username: ready
                .demo_username
                .clone()
                .context("devcloud has no demo user")?,
            password: ready
                .demo_password
                .clone()
                .context("devcloud has no demo user")?,
        })
        .await?;
    Ok(ApiClient::new(service, tokens))
}

/// The track id of the focused element, if it is a playlist row.
async fn focused_track(app: &AppUnderTest) -> Result<Option<String>> {
    let focused = app.client.active_element().await?;
    Ok(focused.attr("data-track-id").await?)
}

/// Moves the open playlist's row playing `track_id` with Alt and `arrow`, focusing it first
/// with a click (on the row, not its buttons) unless the keyboard is already on it.
async fn move_with_keyboard(app: &AppUnderTest, track_id: &str, arrow: Key) -> Result<()> {
    if focused_track(app).await?.as_deref() != Some(track_id) {
        app.client
            .find(Locator::Css(&format!(
                "[data-testid=\"playlist-item\"][data-track-id=\"{track_id}\"] .num-col"
            )))
            .await?
            .click()
            .await
            .context("clicking a playlist row")?;
        ensure!(
            focused_track(app).await?.as_deref() == Some(track_id),
            "clicking the row of {track_id} did not focus it"
        );
    }
    app.chord(&[Key::Alt, arrow])
        .await
        .context("pressing Alt and an arrow")
}

/// Renames the open playlist through its header.
async fn rename_open_playlist(app: &AppUnderTest, from: &str, to: &str) -> Result<()> {
    app.wait_for("rename-playlist").await?.click().await?;
    let input = app.wait_for("rename-playlist-input").await?;
    let shown = input.prop("value").await?.unwrap_or_default();
    assert_eq!(shown, from, "the rename field starts from the name");
    let erase = Key::Backspace.to_string().repeat(shown.chars().count());
    input
        .send_keys(&format!("{}{erase}{to}{}", Key::End, Key::Enter))
        .await?;
    app.wait_for_text("playlist-name", Duration::from_secs(10), |t| t == to)
        .await?;
    Ok(())
}

#[tokio::test]
async fn a_playlist_is_made_filled_reordered_and_reaches_the_service() -> Result<()> {
    let started = Instant::now();
    let app = AppUnderTest::launch(Audio::Capture).await?;
    app.sign_in(DEMO_USER, DEMO_PASSWORD).await?;
    open_catalog(&app).await?;

    let name = "Road trip";
    create_playlist(&app, name).await?;
    let added = add_from_catalog(&app, name, 3).await?;

    // Opened once the service has the three: its ids for them replace the local ones, which
    // redraws the rows (and would lose a row's focus mid-move).
    wait_until_synced(&app).await?;
    sidebar_row(&app, name)
        .await?
        .click()
        .await
        .context("opening the playlist")?;
    let order = wait_until(
        Duration::from_secs(10),
        "the open playlist's tracks",
        async || playlist_order(&app).await,
        |ids| ids.len() == 3,
    )
    .await?;
    assert_eq!(order, added, "the playlist as opened");
    let [a, b, c] = [&added[0], &added[1], &added[2]];

    // Reordered with the keyboard: a down twice, then c up once → c, b, a.
    let moves: [(&String, Key, [&String; 3]); 3] = [
        (a, Key::Down, [b, a, c]),
        (a, Key::Down, [b, c, a]),
        (c, Key::Up, [c, b, a]),
    ];
    for (track, arrow, expected) in moves {
        move_with_keyboard(&app, track, arrow).await?;
        let expected: Vec<String> = expected.into_iter().cloned().collect();
        wait_until(
            Duration::from_secs(10),
            "the order after a keyboard move",
            async || playlist_order(&app).await,
            |ids| *ids == expected,
        )
        .await?;
        // The keyboard stays on the row moved, so it can be moved again.
        wait_until(
            Duration::from_secs(5),
            "the focus after a keyboard move",
            async || focused_track(&app).await,
            |focused| focused.as_deref() == Some(track.as_str()),
        )
        .await?;
    }

    let new_name = "Road trip, reversed";
    rename_open_playlist(&app, name, new_name).await?;
    wait_until_synced(&app).await?;
    let ui_order = playlist_order(&app).await?;
    assert_eq!(
        ui_order,
        [c.clone(), b.clone(), a.clone()],
        "the order the window shows"
    );

    // The service's copy, read with a client of its own.
    let api = demo_api(&app).await?;
    let summaries = api.playlists().await?;
    let named: Vec<_> = summaries.iter().filter(|p| p.name == new_name).collect();
    assert_eq!(
        named.len(),
        1,
        "playlists on the service named {new_name:?}: {summaries:#?}"
    );
    assert!(
        summaries.iter().all(|p| p.name != name),
        "the old name is still on the service: {summaries:#?}"
    );
    let remote = api.playlist(&named[0].id).await?;
    assert_eq!(remote.name, new_name);
    let remote_order: Vec<String> = remote.items.iter().map(|i| i.track_id.clone()).collect();
    assert_eq!(
        remote_order, ui_order,
        "the service's track order vs the window's"
    );

    eprintln!("playlist test took {:?}", started.elapsed());
    app.close().await
}

#[tokio::test]
async fn search_finds_tracks_and_plays_one() -> Result<()> {
    let started = Instant::now();
    let app = AppUnderTest::launch(Audio::Capture).await?;
    app.sign_in(DEMO_USER, DEMO_PASSWORD).await?;
    open_catalog(&app).await?;

    // A title from further down the catalog, so the first row cannot pass by accident.
    // The list mounts its rows once it knows its screen (the row with the keyboard first).
    let rows = wait_until(
        Duration::from_secs(10),
        "five catalog rows",
        async || app.all("track-row").await,
        |rows| rows.len() >= 5,
    )
    .await?;
    let wanted = &rows[4];
    let track_id = attr(wanted, "data-track-id").await?;
    let title = text(&wanted.find(Locator::Css(".title")).await?).await?;
    ensure!(!title.is_empty(), "the fifth row has no title");

    app.wait_for("search-input")
        .await?
        .send_keys(&title)
        .await?;
    let results = app.wait_for("search-results").await?;
    let hit = wait_until(
        Duration::from_secs(15),
        "a result row for the title typed",
        async || {
            let source = results.attr("data-source").await?.unwrap_or_default();
            let mut found = None;
            for row in results
                .find_all(Locator::Css("[data-testid=\"track-row\"]"))
                .await?
            {
                // A row the list redrew meanwhile (the local answer replaced by the
                // catalog's) is gone from the page: the next poll finds its successor.
                if attr(&row, "data-track-id").await.ok().as_deref() == Some(track_id.as_str()) {
                    found = Some(row);
                }
            }
            Ok((source, found))
        },
        // The catalog's answer, not only the local index's.
        |(source, found)| source == "catalog" && found.is_some(),
    )
    .await?
    .1
    .context("checked above")?;
    // The catalog's own rows are hidden while searching.
    let visible_rows = app.all("track-row").await?.len();
    let result_rows = results
        .find_all(Locator::Css("[data-testid=\"track-row\"]"))
        .await?
        .len();
    assert_eq!(
        visible_rows, result_rows,
        "rows outside the results are showing"
    );

    shown(inside(&hit, "play-track").await?)
        .await?
        .click()
        .await?;
    let now_playing = now_playing_title(&app, Duration::from_secs(20)).await?;
    assert_eq!(now_playing, title);

    // Escape leaves the search and the catalog is back.
    app.wait_for("search-input")
        .await?
        .send_keys(&Key::Escape.to_string())
        .await?;
    wait_until(
        Duration::from_secs(5),
        "the search results after Escape",
        async || Ok(app.all("search-results").await?.len()),
        |n| *n == 0,
    )
    .await?;
    wait_until(
        Duration::from_secs(10),
        "the catalog's rows back after the search",
        async || Ok(app.all("track-row").await?.len()),
        |n| *n >= 5,
    )
    .await?;

    eprintln!("search test took {:?}", started.elapsed());
    app.close().await
}
