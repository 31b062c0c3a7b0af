//! The library in the real window: a playlist made, filled, reordered and renamed reaches the
//! service as shown; search finds a track and plays it.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use fantoccini::Locator;
use fantoccini::elements::Element;
use fantoccini::key::Key;
use strato_cloud::{ApiClient, Credentials, ServiceClient};
use strato_e2e::{AppUnderTest, Audio};

const DEMO_USER: &str = "demo";
const DEMO_PASSWORD: &str = "Strato-demo-1";

/// What the listener reads in an element.
async fn text(element: &Element) -> Result<String> {
    Ok(element
        .prop("textContent")
        .await?
        .unwrap_or_default()
        .trim()
        .to_owned())
}

async fn attr(element: &Element, name: &str) -> Result<String> {
    element
        .attr(name)
        .await?
        .with_context(|| format!("no {name} attribute"))
}

/// The one `test_id` element inside `parent`.
async fn inside(parent: &Element, test_id: &str) -> Result<Element> {
    Ok(parent
        .find(Locator::Css(&format!("[data-testid=\"{test_id}\"]")))
        .await?)
}

/// The track ids of the open playlist's rows, top to bottom.
async fn playlist_order(app: &AppUnderTest) -> Result<Vec<String>> {
    let mut ids = Vec::new();
    for item in app.all("playlist-item").await? {
        ids.push(attr(&item, "data-track-id").await?);
    }
    Ok(ids)
}

/// Polls `check` every 100 ms until it is true; fails with `what` and the last value seen.
async fn wait_until<T: std::fmt::Debug>(
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
async fn sidebar_row(app: &AppUnderTest, name: &str) -> Result<Element> {
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

/// Creates a playlist through the sidebar; it opens, and the catalog is shown again.
async fn create_playlist(app: &AppUnderTest, name: &str) -> Result<()> {
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
async fn add_from_catalog(app: &AppUnderTest, name: &str, count: usize) -> Result<Vec<String>> {
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

/// Waits until the window says everything is synced: idle, "Synced", and no playlist marked
/// as having unsynced changes (the marks come from the library, re-read after each sync).
async fn wait_until_synced(app: &AppUnderTest) -> Result<()> {
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

#[tokio::test]
async fn a_playlist_is_made_filled_reordered_and_reaches_the_service() -> Result<()> {
    let started = Instant::now();
    let app = AppUnderTest::launch(Audio::Capture).await?;
    app.sign_in(DEMO_USER, DEMO_PASSWORD).await?;
    app.wait_for("track-row").await?;

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
    app.wait_for("track-row").await?;

    // A title from further down the catalog, so the first row cannot pass by accident.
    let rows = app.all("track-row").await?;
    ensure!(rows.len() >= 5, "the catalog shows {} tracks", rows.len());
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
                if attr(&row, "data-track-id").await? == track_id {
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

    inside(&hit, "play-track").await?.click().await?;
    let now_playing = app
        .wait_for_text("now-playing-title", Duration::from_secs(20), |t| {
            !t.is_empty()
        })
        .await?;
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
    ensure!(
        app.all("track-row").await?.len() >= 5,
        "the catalog did not come back"
    );

    eprintln!("search test took {:?}", started.elapsed());
    app.close().await
}
