//! The track lists in the real window: rows picked with Ctrl- and Shift-clicks, the context
//! menu opened and driven by the keyboard to add them to a playlist, a right-click to remove
//! one, Ctrl+Z to bring it back (and the service ends up with what the window shows); a
//! selection moved within a playlist (Alt+arrow and a drag) and dropped onto a sidebar
//! playlist, each move undone; "Play next" and "Add to queue" from the menu. The screenshot
//! of a multi-selection with its menu open goes to target/e2e/multi-select-menu.png.
//! Drags are fired as the browser fires them (see `strato_e2e::list_edits`).

use std::time::Duration;

use anyhow::{Context, Result, ensure};
use fantoccini::Locator;
use fantoccini::elements::Element;
use fantoccini::key::Key;
use strato_cloud::{ApiClient, Credentials, ServiceClient};
use strato_e2e::list_edits::{drag, undo, wait_for_notice};
use strato_e2e::ui::{
    add_from_catalog, attr, click_with, create_playlist, inside, open_catalog, press, screenshots,
    selected_tracks, shown, sidebar_row, text, wait_for_focus, wait_for_order, wait_until,
    wait_until_synced,
};
use strato_e2e::{AppUnderTest, Audio};

const DEMO_USER: &str = "demo";
const DEMO_PASSWORD: &str = "Strato-demo-1";

/// The catalog's rows as (track id, title), top to bottom, once at least ten are shown (the
/// list mounts its rows once it knows its screen, the row with the keyboard first).
async fn catalog_rows(app: &AppUnderTest) -> Result<Vec<(String, String)>> {
    let shown = wait_until(
        Duration::from_secs(10),
        "ten catalog rows",
        async || app.all("track-row").await,
        |rows| rows.len() >= 10,
    )
    .await?;
    let mut rows = Vec::new();
    for row in shown {
        let title = text(&row.find(Locator::Css(".title")).await?).await?;
        rows.push((attr(&row, "data-track-id").await?, title));
    }
    Ok(rows)
}

/// The title cell of the row of `track_id` in the list shown: a plain cell, so a click there
/// selects rather than following a link or pressing a button.
async fn title_cell(app: &AppUnderTest, track_id: &str) -> Result<Element> {
    let css = format!("[data-testid=\"track-list\"] [data-track-id=\"{track_id}\"] .title");
    let cell = app
        .client
        .find(Locator::Css(&css))
        .await
        .with_context(|| format!("no row of {track_id} in the list shown"))?;
    shown(cell).await
}

/// The row of `track_id` in the list shown.
async fn track_row(app: &AppUnderTest, track_id: &str) -> Result<Element> {
    let css = format!("[data-testid=\"track-list\"] [role=\"row\"][data-track-id=\"{track_id}\"]");
    app.client
        .find(Locator::Css(&css))
        .await
        .with_context(|| format!("no row of {track_id} in the list shown"))
}

/// A right-click on `element`, as a mouse's right button gives it.
async fn right_click(app: &AppUnderTest, element: &Element) -> Result<()> {
    use fantoccini::actions::{InputSource, MOUSE_BUTTON_RIGHT, MouseActions, PointerAction};
    let actions = MouseActions::new("mouse".to_owned())
        .then(PointerAction::MoveToElement {
            element: element.clone(),
            duration: None,
            x: 0.0,
            y: 0.0,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_RIGHT,
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_RIGHT,
        });
    app.client.perform_actions(actions).await?;
    app.client.release_actions().await?;
    Ok(())
}

/// The service as the demo listener, through the same API client the app's sync uses.
async fn demo_api(app: &AppUnderTest) -> Result<ApiClient> {
    let service = ServiceClient::connect(app.devcloud.api_url()).await?;
    let ready = app.devcloud.config();
    let tokens = service
        .sign_in(&Credentials {
            username: ready.demo_username.clone().context("no demo user")?,
            password: ready.demo_password.clone().context("no demo user")?,
        })
        .await?;
    Ok(ApiClient::new(service, tokens))
}

/// The service's copy of the playlist named `name`: its track ids in order.
async fn service_order(app: &AppUnderTest, name: &str) -> Result<Vec<String>> {
    let api = demo_api(app).await?;
    let summaries = api.playlists().await?;
    let found = summaries
        .iter()
        .find(|playlist| playlist.name == name)
        .with_context(|| format!("no playlist {name:?} on the service: {summaries:#?}"))?;
    let remote = api.playlist(&found.id).await?;
    Ok(remote.items.into_iter().map(|item| item.track_id).collect())
}

#[tokio::test]
async fn picked_rows_go_to_a_playlist_by_keyboard_and_a_removal_is_undone() -> Result<()> {
    let app = AppUnderTest::launch(Audio::Capture).await?;
    app.sign_in(DEMO_USER, DEMO_PASSWORD).await?;
    open_catalog(&app).await?;
    let name = "Picks";
    create_playlist(&app, name).await?;
    let rows = catalog_rows(&app).await?;
    let id = |index: usize| rows[index].0.clone();

    // Click, Shift-click for a range from it, then Ctrl-clicks to take one out and add one.
    title_cell(&app, &id(1))
        .await?
        .click()
        .await
        .context("clicking a row")?;
    click_with(&app, &title_cell(&app, &id(3)).await?, &[Key::Shift])
        .await
        .context("Shift-clicking a row")?;
    ensure!(
        selected_tracks(&app).await? == [id(1), id(2), id(3)],
        "Shift-click selects the range from the row clicked"
    );
    click_with(&app, &title_cell(&app, &id(2)).await?, &[Key::Control]).await?;
    click_with(&app, &title_cell(&app, &id(5)).await?, &[Key::Control]).await?;
    let picked = [id(1), id(3), id(5)];
    ensure!(
        selected_tracks(&app).await? == picked,
        "after Ctrl-clicks: {:?}",
        selected_tracks(&app).await?
    );

    // Shift+F10 opens the menu on the selection, its first entry under the keyboard.
    app.chord(&[Key::Shift, Key::F10]).await?;
    wait_for_focus(&app, "menu-play").await?;
    press(&app, &[Key::Down, Key::Down, Key::Down]).await?;
    wait_for_focus(&app, "menu-add-to-playlist").await?;
    press(&app, &[Key::Right]).await?;
    wait_for_focus(&app, "menu-new-playlist").await?;
    press(&app, &[Key::Down]).await?;
    wait_for_focus(&app, "add-to-playlist-option").await?;
    let option = app.client.active_element().await?;
    ensure!(text(&option).await? == name, "the entry under the keyboard");
    ensure!(
        selected_tracks(&app).await? == picked,
        "the menu keeps the selection"
    );
    app.screenshot(&screenshots()?.join("multi-select-menu.png"))
        .await?;
    press(&app, &[Key::Enter]).await?;
    wait_for_notice(&app, &format!("Added 3 tracks to “{name}”.")).await?;
    ensure!(
        app.all("track-menu").await?.is_empty(),
        "the menu closed once chosen"
    );

    // In the playlist, a right-click on a row selects it and offers to remove it. Opened once
    // the service has the three: its ids for them replace the local ones, redrawing the rows.
    wait_until_synced(&app).await?;
    sidebar_row(&app, name)
        .await?
        .click()
        .await
        .context("opening the playlist")?;
    wait_for_order(&app, "the playlist as filled", &picked).await?;
    right_click(&app, &title_cell(&app, &id(3)).await?)
        .await
        .context("right-clicking a row")?;
    ensure!(
        selected_tracks(&app).await? == [id(3)],
        "a right-click selects the row it is on"
    );
    app.wait_for("menu-remove-from-playlist")
        .await?
        .click()
        .await
        .context("choosing Remove")?;
    wait_for_order(
        &app,
        "the playlist without the removed row",
        &[id(1), id(5)],
    )
    .await?;
    let title = &rows[3].1;
    wait_for_notice(&app, &format!("Removed “{title}” from “{name}”.")).await?;

    // Ctrl+Z puts it back where it was, and the service gets the playlist as shown.
    undo(&app).await?;
    wait_for_order(&app, "the playlist after Ctrl+Z", &picked).await?;
    wait_for_notice(&app, &format!("Undone: Removed “{title}” from “{name}”.")).await?;
    wait_until_synced(&app).await?;
    ensure!(
        service_order(&app, name).await? == picked,
        "the service's copy"
    );
    app.close().await
}

#[tokio::test]
async fn a_selection_moves_within_a_playlist_and_drops_onto_another_each_undone() -> Result<()> {
    let app = AppUnderTest::launch(Audio::Capture).await?;
    app.sign_in(DEMO_USER, DEMO_PASSWORD).await?;
    open_catalog(&app).await?;
    create_playlist(&app, "Later").await?;
    create_playlist(&app, "Mix").await?;
    let mix = add_from_catalog(&app, "Mix", 4).await?;
    let rows = catalog_rows(&app).await?;
    let id = |index: usize| rows[index].0.clone();

    // Two catalog rows dragged onto "Later" in the sidebar.
    title_cell(&app, &id(6)).await?.click().await?;
    click_with(&app, &title_cell(&app, &id(7)).await?, &[Key::Shift]).await?;
    let row = track_row(&app, &id(6)).await?;
    ensure!(
        drag(&app, &row, &sidebar_row(&app, "Later").await?).await?,
        "the sidebar playlist took the drop"
    );
    wait_for_notice(&app, "Added 2 tracks to “Later”.").await?;

    // Ids given by the service redraw the rows: moved once they are in.
    wait_until_synced(&app).await?;
    sidebar_row(&app, "Mix").await?.click().await?;
    wait_for_order(&app, "Mix as filled", &mix).await?;
    let [a, b, c, d] = [&mix[0], &mix[1], &mix[2], &mix[3]].map(String::clone);

    // Alt+Down moves the two selected rows together, and Ctrl+Z moves them back.
    title_cell(&app, &a).await?.click().await?;
    click_with(&app, &title_cell(&app, &b).await?, &[Key::Shift]).await?;
    app.chord(&[Key::Alt, Key::Down]).await?;
    let moved_down = [c.clone(), a.clone(), b.clone(), d.clone()];
    wait_for_order(&app, "Mix after Alt+Down", &moved_down).await?;
    wait_for_notice(&app, "Moved 2 tracks in “Mix”.").await?;
    undo(&app).await?;
    wait_for_order(&app, "Mix after Ctrl+Z", &mix).await?;

    // Dragged below the last row: one edit, undone as one.
    let first = track_row(&app, &a).await?;
    let last = track_row(&app, &d).await?;
    ensure!(
        selected_tracks(&app).await? == [a.clone(), b.clone()],
        "the selection kept through the moves"
    );
    ensure!(drag(&app, &first, &last).await?, "the list took the drop");
    wait_for_order(&app, "Mix after the drag", &[c.clone(), d.clone(), a, b]).await?;
    undo(&app).await?;
    wait_for_order(&app, "Mix after undoing the drag", &mix).await?;

    wait_until_synced(&app).await?;
    ensure!(
        service_order(&app, "Mix").await? == mix,
        "Mix on the service"
    );
    ensure!(
        service_order(&app, "Later").await? == [id(6), id(7)],
        "Later on the service"
    );
    app.close().await
}

#[tokio::test]
async fn play_next_and_add_to_queue_from_the_menu() -> Result<()> {
    let app = AppUnderTest::launch(Audio::Capture).await?;
    app.sign_in(DEMO_USER, DEMO_PASSWORD).await?;
    open_catalog(&app).await?;
    let rows = catalog_rows(&app).await?;
    // The catalog plays from its first row; paused, so nothing moves on meanwhile.
    shown(inside(&track_row(&app, &rows[0].0).await?, "play-track").await?)
        .await?
        .click()
        .await?;
    app.wait_for_text("now-playing-title", Duration::from_secs(20), |t| {
        t == rows[0].1
    })
    .await?;
    let play_pause = app.wait_for("play-pause").await?;
    wait_until(
        Duration::from_secs(20),
        "the track playing",
        async || Ok(play_pause.attr("aria-label").await?),
        |label| label.as_deref() == Some("Pause"),
    )
    .await?;
    play_pause.click().await?;

    // "Play next" on the ninth row: Next plays it, before the second.
    right_click(&app, &title_cell(&app, &rows[8].0).await?).await?;
    app.wait_for("menu-play-next").await?.click().await?;
    // "Add to queue" on the tenth, from the keyboard: queued after the ninth.
    title_cell(&app, &rows[9].0).await?.click().await?;
    app.chord(&[Key::Shift, Key::F10]).await?;
    wait_for_focus(&app, "menu-play").await?;
    press(&app, &[Key::Down, Key::Down]).await?;
    wait_for_focus(&app, "menu-add-to-queue").await?;
    press(&app, &[Key::Enter]).await?;

    app.wait_for("queue-toggle").await?.click().await?;
    let queued = wait_until(
        Duration::from_secs(10),
        "the queue's entries added from the menu",
        async || {
            let mut queued = Vec::new();
            for item in app.all("queue-item").await? {
                if item.attr("data-queued").await?.is_some() {
                    queued.push(attr(&item, "data-track-id").await?);
                }
            }
            Ok(queued)
        },
        |queued| queued.len() == 2,
    )
    .await?;
    ensure!(
        queued == [rows[8].0.clone(), rows[9].0.clone()],
        "queued in the order they play: {queued:?}"
    );
    app.wait_for("next").await?.click().await?;
    app.wait_for_text("now-playing-title", Duration::from_secs(20), |t| {
        t == rows[8].1
    })
    .await?;
    app.close().await
}
