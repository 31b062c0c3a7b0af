//! A whole session with the keyboard alone, in the real window: sign in, search, open an
//! album, select three tracks, add them to a new playlist, reorder one, play, pause and
//! change the volume. No click anywhere: every step is keys sent to the focused element, so
//! a control the keyboard cannot reach, or a trap it cannot leave, fails the walk. On the
//! way: skip to content, and F6 between the sidebar, the screen and the player bar.

use std::time::Duration;

use anyhow::{Context, Result, bail, ensure};
use fantoccini::key::Key;
use strato_e2e::ui::{
    press, screenshots, selected_tracks, wait_for_focus, wait_for_order, wait_until,
    wait_until_synced,
};
use strato_e2e::{AppUnderTest, Audio};

const DEMO_USER: &str = "demo";
const DEMO_PASSWORD: &str = "Strato-demo-1";
/// More Tabs than any screen has stops before the one wanted: beyond, the walk is lost.
const MAX_TABS: usize = 60;

/// Whether the focused element satisfies `predicate`, a JavaScript expression over `el`.
async fn focused_is(app: &AppUnderTest, predicate: &str) -> Result<bool> {
    let answer = app
        .client
        .execute(
            &format!("const el = document.activeElement; return Boolean(el && ({predicate}));"),
            vec![],
        )
        .await?;
    Ok(answer == serde_json::Value::Bool(true))
}

/// Presses `key` until the focused element satisfies `predicate`.
async fn move_until(app: &AppUnderTest, key: Key, predicate: &str) -> Result<()> {
    for _ in 0..MAX_TABS {
        if focused_is(app, predicate).await? {
            return Ok(());
        }
        app.chord(&[key]).await?;
    }
    let at = app
        .client
        .execute(
            "const el = document.activeElement; return el ? el.outerHTML.slice(0, 200) : 'nothing';",
            vec![],
        )
        .await?;
    bail!("{MAX_TABS} presses did not reach {predicate}; the keyboard is on {at}")
}

async fn tab_to(app: &AppUnderTest, predicate: &str) -> Result<()> {
    move_until(app, Key::Tab, predicate).await
}

/// Types `text` into the focused element.
async fn type_text(app: &AppUnderTest, text: &str) -> Result<()> {
    app.client.active_element().await?.send_keys(text).await?;
    Ok(())
}

/// A chord of a modifier and a character (Ctrl+K), on the focused element.
async fn chord_char(app: &AppUnderTest, modifier: Key, character: char) -> Result<()> {
    type_text(app, &format!("{modifier}{character}{}", Key::Null)).await
}

async fn attribute(app: &AppUnderTest, test_id: &str, name: &str) -> Result<String> {
    Ok(app
        .wait_for(test_id)
        .await?
        .attr(name)
        .await?
        .unwrap_or_default())
}

async fn wait_for_label(app: &AppUnderTest, test_id: &str, label: &str) -> Result<()> {
    wait_until(
        Duration::from_secs(10),
        &format!("{test_id} labelled {label}"),
        async || attribute(app, test_id, "aria-label").await,
        |shown| shown == label,
    )
    .await?;
    Ok(())
}

async fn sign_in(app: &AppUnderTest) -> Result<()> {
    app.wait_for("service-url").await?;
    tab_to(app, "el.dataset.testid === 'username'").await?;
    type_text(app, DEMO_USER).await?;
    tab_to(app, "el.dataset.testid === 'password'").await?;
    type_text(app, &format!("{DEMO_PASSWORD}{}", Key::Enter)).await?;
    app.wait_for("home-screen").await?;
    Ok(())
}

/// Searches (Ctrl+K), opens an album from the results and selects its first three tracks
/// (the first row, then Shift+Down twice). Returns the album's title and the tracks.
async fn pick_three_from_an_album(app: &AppUnderTest) -> Result<(String, Vec<String>)> {
    chord_char(app, Key::Control, 'k').await?;
    wait_for_focus(app, "search-input").await?;
    type_text(app, "Drift").await?;
    app.wait_for("search-albums").await?;
    tab_to(
        app,
        "el.matches('[data-testid=search-albums] [data-testid=card-open]')",
    )
    .await?;
    press(app, &[Key::Enter]).await?;
    app.wait_for("album-screen").await?;
    let album = app.wait_for("album-title").await?.text().await?;

    tab_to(
        app,
        "el.matches('[data-testid=album-screen] [data-testid=track-row]')",
    )
    .await?;
    press(app, &[Key::Space, Key::Home]).await?;
    app.chord(&[Key::Shift, Key::Down]).await?;
    app.chord(&[Key::Shift, Key::Down]).await?;
    let picked = selected_tracks(app).await?;
    ensure!(picked.len() == 3, "three tracks selected: {picked:?}");
    Ok((album, picked))
}

#[tokio::test]
async fn a_whole_session_with_the_keyboard_alone() -> Result<()> {
    let app = AppUnderTest::launch(Audio::Silent).await?;
    sign_in(&app).await?;

    // The first Tab of the window offers to skip to the screen, which lands on its heading.
    app.client
        .execute("document.activeElement?.blur(); return true;", vec![])
        .await?;
    press(&app, &[Key::Tab]).await?;
    wait_for_focus(&app, "skip-to-content").await?;
    app.screenshot(&screenshots()?.join("keyboard-skip-link.png"))
        .await?;
    press(&app, &[Key::Enter]).await?;
    ensure!(
        focused_is(&app, "el.tagName === 'H1' && el.closest('main')").await?,
        "skip to content lands on the screen's heading"
    );

    let (album, picked) = pick_three_from_an_album(&app).await?;

    // Add them to a new playlist, from the selection's menu (Shift+F10).
    app.chord(&[Key::Shift, Key::F10]).await?;
    wait_for_focus(&app, "menu-play").await?;
    move_until(
        &app,
        Key::Down,
        "el.dataset.testid === 'menu-add-to-playlist'",
    )
    .await?;
    press(&app, &[Key::Right]).await?;
    wait_for_focus(&app, "menu-new-playlist").await?;
    press(&app, &[Key::Enter]).await?;
    wait_until_synced(&app).await?;

    // Open it from the sidebar (F6 to reach it), and move its first track down one.
    move_until(&app, Key::F6, "el.closest('aside')").await?;
    tab_to(
        &app,
        &format!(
            "el.closest('[data-testid=playlist-row]')?.querySelector('.name')?.textContent === {}",
            serde_json::to_string(&album)?
        ),
    )
    .await?;
    press(&app, &[Key::Enter]).await?;
    wait_for_order(&app, "the new playlist", &picked).await?;
    tab_to(&app, "el.matches('[data-testid=playlist-item]')").await?;
    press(&app, &[Key::Home]).await?;
    app.chord(&[Key::Alt, Key::Down]).await?;
    let moved = vec![picked[1].clone(), picked[0].clone(), picked[2].clone()];
    wait_for_order(&app, "the first track moved down one", &moved).await?;

    // Play from the row under the keyboard, pause with Space.
    press(&app, &[Key::Enter]).await?;
    wait_for_label(&app, "play-pause", "Pause").await?;
    // Out of sight, so read as a screen reader does: its text, not what is drawn.
    let announced = app
        .wait_for("track-announcement")
        .await?
        .prop("textContent")
        .await?
        .unwrap_or_default();
    ensure!(
        announced.starts_with("Now playing: "),
        "the new track is announced: {announced:?}"
    );
    press(&app, &[Key::Space]).await?;
    wait_for_label(&app, "play-pause", "Play").await?;

    // The volume, in the player bar (F6 again).
    move_until(&app, Key::F6, "el.closest('footer')").await?;
    tab_to(&app, "el.dataset.testid === 'volume'").await?;
    press(&app, &[Key::Down, Key::Down, Key::Down]).await?;
    wait_until(
        Duration::from_secs(5),
        "the volume at 85 (three steps of 5)",
        async || {
            app.wait_for("volume")
                .await?
                .prop("value")
                .await
                .context("the volume's value")
        },
        |value| value.as_deref() == Some("85"),
    )
    .await?;
    app.screenshot(&screenshots()?.join("keyboard-volume.png"))
        .await?;
    app.close().await
}
