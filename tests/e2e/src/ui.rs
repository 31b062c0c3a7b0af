//! What the end-to-end tests do in the window as a listener would: read what an element
//! says, wait for the window to change, make and fill playlists, wait for sync.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use fantoccini::Locator;
use fantoccini::elements::Element;
use fantoccini::key::Key;

use crate::AppUnderTest;

/// A clock the window shows ("m:ss") in seconds (0 where it does not read as one).
#[must_use]
pub fn clock_seconds(mss: &str) -> u32 {
    let mut parts = mss.trim().rsplit(':');
    let s: u32 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    let m: u32 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    m * 60 + s
}

/// Turns the page's IPC meter (`ui/src/ipc/meter.ts`) on, from zero.
pub async fn reset_ipc_meter(app: &AppUnderTest) -> Result<()> {
    app.client
        .execute("window.__stratoIpcMeter = {};", vec![])
        .await?;
    Ok(())
}

/// The page's `document.visibilityState`: whether it believes it is seen.
pub async fn page_visibility(app: &AppUnderTest) -> Result<String> {
    let state = app
        .client
        .execute("return document.visibilityState;", vec![])
        .await?;
    Ok(state.as_str().unwrap_or("?").to_owned())
}

/// Waits until the player bar shows a track (its title is a link to the album, where
/// nothing playing is plain words) and returns the title.
pub async fn now_playing_title(app: &AppUnderTest, timeout: Duration) -> Result<String> {
    let track = "[data-testid=\"now-playing-title\"] > *";
    let deadline = Instant::now() + timeout;
    loop {
        if let Ok(link) = app.client.find(Locator::Css(track)).await {
            return text(&link).await;
        }
        if Instant::now() > deadline {
            let shown = app.wait_for("now-playing-title").await?.text().await?;
            bail!("no track in the player bar after {timeout:?}: it says {shown:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

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
/// menu ("⋯", then "Add to playlist"), waiting for each to be confirmed. Returns their ids.
pub async fn add_from_catalog(app: &AppUnderTest, name: &str, count: usize) -> Result<Vec<String>> {
    // The list mounts its rows once it knows its screen (the row with the keyboard first).
    let rows = wait_until(
        Duration::from_secs(10),
        &format!("{count} catalog rows"),
        async || app.all("track-row").await,
        |rows| rows.len() >= count,
    )
    .await?;
    let mut added = Vec::new();
    for row in &rows[..count] {
        let track_id = attr(row, "data-track-id").await?;
        let title = text(&row.find(Locator::Css(".title")).await?).await?;
        shown(inside(row, "row-menu").await?)
            .await?
            .click()
            .await
            .context("opening a row's menu")?;
        app.wait_for("menu-add-to-playlist").await?.click().await?;
        app.wait_for("add-to-playlist-menu").await?;
        // By name: the playlist's id changes once the service has it.
        let mut chosen = None;
        for option in app.all("add-to-playlist-option").await? {
            if text(&option).await? == name {
                chosen = Some(option);
            }
        }
        // The submenu shows once placed beside its entry.
        let chosen = shown(chosen.context("the playlist is not in the menu")?).await?;
        chosen.click().await.context("choosing the playlist")?;
        let expected = format!("Added “{title}” to “{name}”.");
        app.wait_for_text("edit-notice-text", Duration::from_secs(10), |t| {
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

/// The window opens on Home after sign-in: opens the catalog from the sidebar and waits for
/// its rows to be shown (the virtual list holds a hidden row while it measures the screen).
pub async fn open_catalog(app: &AppUnderTest) -> Result<()> {
    app.wait_for("home-screen").await?;
    app.wait_for("nav-catalog").await?.click().await?;
    app.wait_for("track-row").await?;
    wait_until(
        Duration::from_secs(10),
        "a catalog row shown",
        async || {
            for row in app.all("track-row").await? {
                if row.is_displayed().await? {
                    return Ok(true);
                }
            }
            Ok(false)
        },
        |shown| *shown,
    )
    .await?;
    Ok(())
}

/// The first element matching `css`, waiting up to 20 s for it to appear.
pub async fn wait_for_css(app: &AppUnderTest, css: &str) -> Result<Element> {
    app.client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(css))
        .await
        .with_context(|| format!("nothing matching {css} appeared"))
}

/// The screen the main area shows: its route's kind (`home`, `album`, `artist`, ...) and,
/// for a page of one thing, its id (`album/al-1`).
pub async fn shown_route(app: &AppUnderTest) -> Result<String> {
    let main = app.client.find(Locator::Css("main#main")).await?;
    let kind = attr(&main, "data-route").await?;
    let id = match kind.as_str() {
        "album" => Some(attr(&app.wait_for("album-screen").await?, "data-album-id").await?),
        "artist" => Some(attr(&app.wait_for("artist-screen").await?, "data-artist-id").await?),
        "local-playlist" => Some(
            attr(
                &app.wait_for("local-playlist-screen").await?,
                "data-playlist-id",
            )
            .await?,
        ),
        _ => None,
    };
    Ok(id.map_or_else(|| kind.clone(), |id| format!("{kind}/{id}")))
}

/// Waits until the main area shows `route` (as [`shown_route`] names it).
pub async fn wait_for_route(app: &AppUnderTest, route: &str) -> Result<()> {
    wait_until(
        Duration::from_secs(10),
        &format!("the screen {route}"),
        async || shown_route(app).await,
        |shown| shown == route,
    )
    .await?;
    Ok(())
}

/// Clicks `element` with `modifiers` held (Control, Shift), as a listener Ctrl- or
/// Shift-clicks: the keys go down, the pointer clicks, the keys come up.
pub async fn click_with(app: &AppUnderTest, element: &Element, modifiers: &[Key]) -> Result<()> {
    use fantoccini::actions::{
        Actions, InputSource, KeyAction, KeyActions, MOUSE_BUTTON_LEFT, MouseActions, PointerAction,
    };
    let idle = Duration::from_millis(0);
    let mut keys = KeyActions::new("keyboard".to_owned());
    let mut mouse = MouseActions::new("mouse".to_owned());
    // One tick per step: each key goes down while the pointer waits, and so on.
    for &key in modifiers {
        keys = keys.then(KeyAction::Down { value: key.into() });
        mouse = mouse.pause(idle);
    }
    for action in [
        PointerAction::MoveToElement {
            element: element.clone(),
            duration: None,
            x: 0.0,
            y: 0.0,
        },
        PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        },
        PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        },
    ] {
        keys = keys.pause(idle);
        mouse = mouse.then(action);
    }
    for &key in modifiers.iter().rev() {
        keys = keys.then(KeyAction::Up { value: key.into() });
        mouse = mouse.pause(idle);
    }
    app.client
        .perform_actions(Actions::from(keys).and(mouse))
        .await?;
    app.client.release_actions().await?;
    Ok(())
}

/// Presses keys one after the other on the focused element.
pub async fn press(app: &AppUnderTest, keys: &[Key]) -> Result<()> {
    for &key in keys {
        app.chord(&[key]).await?;
    }
    Ok(())
}

/// Waits until the focused element is the one marked `test_id`.
pub async fn wait_for_focus(app: &AppUnderTest, test_id: &str) -> Result<()> {
    wait_until(
        Duration::from_secs(5),
        &format!("the keyboard on {test_id}"),
        async || focused_test_id(app).await,
        |focused| focused == test_id,
    )
    .await?;
    Ok(())
}

/// The `data-testid` of the focused element (empty when it has none).
pub async fn focused_test_id(app: &AppUnderTest) -> Result<String> {
    let focused = app.client.active_element().await?;
    Ok(focused.attr("data-testid").await?.unwrap_or_default())
}

/// The track ids of the selected rows of the track list shown, top to bottom (read in one
/// go, so a row redrawn meanwhile is not a stale element).
pub async fn selected_tracks(app: &AppUnderTest) -> Result<Vec<String>> {
    let ids = app
        .client
        .execute(
            "return Array.from(document.querySelectorAll(\
             '[data-testid=\"track-list\"] [role=\"row\"][aria-selected=\"true\"]'), \
             (row) => row.dataset.trackId);",
            vec![],
        )
        .await?;
    Ok(serde_json::from_value(ids)?)
}

/// `element` once it is shown: a virtual list's rows are in the page with `visibility:
/// hidden` until it has measured them (a frame or so), and a click before that finds nothing
/// to click. (`WebDriver`'s own "is displayed" answers false for some visible cells.)
pub async fn shown(element: Element) -> Result<Element> {
    let script = "const box = arguments[0].getBoundingClientRect();\n\
                  return getComputedStyle(arguments[0]).visibility === 'visible' \
                  && box.width > 0 && box.height > 0;";
    wait_until(
        Duration::from_secs(5),
        "the element shown",
        async || {
            let answer = element
                .clone()
                .client()
                .execute(script, vec![serde_json::to_value(&element)?])
                .await?;
            Ok(answer.as_bool() == Some(true))
        },
        |shown| *shown,
    )
    .await?;
    Ok(element)
}

/// Whether a click at the middle of `element` lands on it, as `WebDriver` requires. A virtual
/// list takes no clicks while it scrolls (virtua sets `pointer-events: none` until 150 ms after
/// the last scroll event), and holds a hidden row while it measures the screen.
pub async fn clickable(app: &AppUnderTest, element: &Element) -> Result<bool> {
    let hit = app
        .client
        .execute(
            "const e = arguments[0]; const r = e.getBoundingClientRect();\n\
             const at = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);\n\
             return at !== null && (at === e || e.contains(at));",
            vec![serde_json::to_value(element)?],
        )
        .await?;
    Ok(hit.as_bool() == Some(true))
}

/// Clicks the middle of `element` as a mouse does, where it is on screen. `WebDriver`'s element
/// click, and a pointer moved to an element, first scroll it into view, and inside a virtual
/// list a scroll turns clicks off for a moment.
pub async fn mouse_click(app: &AppUnderTest, element: &Element) -> Result<()> {
    use fantoccini::actions::{InputSource, MOUSE_BUTTON_LEFT, MouseActions, PointerAction};
    let middle = app
        .client
        .execute(
            "const r = arguments[0].getBoundingClientRect();\n\
             return [Math.round(r.x + r.width / 2), Math.round(r.y + r.height / 2)];",
            vec![serde_json::to_value(element)?],
        )
        .await?;
    let [x, y]: [f64; 2] = serde_json::from_value(middle)?;
    let actions = MouseActions::new("mouse".to_owned())
        .then(PointerAction::MoveTo {
            duration: None,
            x,
            y,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    app.client.perform_actions(actions).await?;
    app.client.release_actions().await?;
    Ok(())
}

/// The first element matching `css` that a click lands on, waiting for one.
pub async fn first_clickable(app: &AppUnderTest, css: &str) -> Result<Element> {
    wait_for_css(app, css).await?;
    wait_until(
        Duration::from_secs(10),
        &format!("{css} to take a click"),
        async || {
            for element in app.client.find_all(Locator::Css(css)).await? {
                if clickable(app, &element).await? {
                    return Ok(Some(element));
                }
            }
            Ok(None)
        },
        Option::is_some,
    )
    .await?
    .context("checked by wait_until")
}

/// Runs the menu entry `entry` ("menu-play-next", "menu-make-offline") of the shown list's
/// row of `track_id`, from the row's menu button, and waits for the menu to close.
pub async fn row_menu_action(app: &AppUnderTest, track_id: &str, entry: &str) -> Result<()> {
    // The list may still be measuring the screen, or scrolling: the button, once it takes a click.
    let css = format!(
        "[data-testid=\"track-row\"][data-track-id=\"{track_id}\"] [data-testid=\"row-menu\"]"
    );
    first_clickable(app, &css).await?.click().await?;
    // The menu is placed (clamped to the window) once measured, hidden until then: a click
    // before that would land on what is under the item's first place.
    wait_until(
        Duration::from_secs(20),
        "the row's menu placed",
        async || {
            let menu = app.wait_for("track-menu").await?;
            Ok(menu.attr("style").await?.unwrap_or_default())
        },
        |style| style.contains("visibility: visible"),
    )
    .await?;
    app.wait_for(entry).await?.click().await?;
    wait_until(
        Duration::from_secs(20),
        "the row's menu closed",
        async || app.all("track-menu").await,
        Vec::is_empty,
    )
    .await?;
    Ok(())
}

/// Where the tests' screenshots go (`target/e2e`), made if missing.
pub fn screenshots() -> Result<std::path::PathBuf> {
    let dir = strato_testkit::workspace_root().join("target/e2e");
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// The track ids of the open playlist's rows, top to bottom, read in one go (rows read one
/// by one may be redrawn between two reads while an edit lands).
pub async fn playlist_order(app: &AppUnderTest) -> Result<Vec<String>> {
    let ids = app
        .client
        .execute(
            "return Array.from(document.querySelectorAll('[data-testid=\"playlist-item\"]'), \
             (row) => row.dataset.trackId);",
            vec![],
        )
        .await?;
    Ok(serde_json::from_value(ids)?)
}

/// Waits until the open playlist's rows are `expected`, in order.
pub async fn wait_for_order(app: &AppUnderTest, what: &str, expected: &[String]) -> Result<()> {
    wait_until(
        Duration::from_secs(10),
        what,
        async || playlist_order(app).await,
        |ids| ids == expected,
    )
    .await?;
    Ok(())
}

/// Scrolls the main area so that the element marked `test_id` is at its top, under the
/// sticky top bar.
pub async fn scroll_main_to(app: &AppUnderTest, test_id: &str) -> Result<()> {
    app.client
        .execute(
            &format!(
                "document.querySelector('[data-testid=\"{test_id}\"]').scrollIntoView({{block: 'start'}});"
            ),
            vec![],
        )
        .await?;
    // The sticky top bar covers what is scrolled under it: leave it room.
    app.client
        .execute("document.getElementById('main').scrollBy(0, -72);", vec![])
        .await?;
    Ok(())
}

/// Opens Settings with its shortcut (Ctrl+,), from the sidebar.
pub async fn open_settings(app: &AppUnderTest) -> Result<()> {
    app.wait_for("nav-home")
        .await?
        .send_keys(&format!("{},{}", Key::Control, Key::Null))
        .await?;
    app.wait_for("settings-screen").await?;
    Ok(())
}

/// Chooses the option `value` of the select marked `test_id`.
pub async fn choose(app: &AppUnderTest, test_id: &str, value: &str) -> Result<()> {
    app.wait_for(test_id)
        .await?
        .find(Locator::Css(&format!("option[value='{value}']")))
        .await?
        .click()
        .await?;
    Ok(())
}

/// Waits until the app's settings file holds each of `texts` (saved within a second of a
/// change; the driver's restart kills the app, so a test waits before restarting).
pub async fn wait_for_settings_file(app: &AppUnderTest, texts: &[&str]) -> Result<()> {
    let file = app.home_dir().join(".config/strato/settings.json");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !std::fs::read_to_string(&file).is_ok_and(|t| texts.iter().all(|text| t.contains(text))) {
        if Instant::now() > deadline {
            bail!("{} does not hold {texts:?}", file.display());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}

/// Opens the album `album_id` from Home's "New albums" shelf and waits for its page.
pub async fn open_home_album(app: &AppUnderTest, album_id: &str) -> Result<()> {
    let card = wait_for_css(
        app,
        &format!(
            "[data-testid=\"home-new-albums\"] [data-testid=\"album-card\"][data-id=\"{album_id}\"]"
        ),
    )
    .await?;
    inside(&card, "card-open").await?.click().await?;
    wait_for_route(app, &format!("album/{album_id}")).await
}
