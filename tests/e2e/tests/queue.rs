//! The queue in the real window: the catalog played as the queue, one track put to play
//! next and another added twice (two entries of one track), an entry moved with Alt+Down,
//! another removed with Delete, one dragged down, an entry played from the panel so that
//! "played", "now playing" and "next up" each hold something, and what the panel says will
//! play next; then a restart brings back the same entries (their ids too) in the same
//! places, and "Save as playlist" makes a playlist of them. The screenshot of the panel open
//! goes to target/e2e/queue-panel.png.
//!
//! A second test selects several entries (Ctrl-click, Shift-click), moves them as one block
//! with Alt+Home, removes them with Delete, and clears a selection with Escape; the panel
//! with two entries selected goes to target/e2e/queue-selection.png.
//!
//! The app plays to a silent sink that keeps real time (`Audio::Silent`), and is paused
//! while the queue is edited, so the track heard does not move under the test.

use std::time::Duration;

use anyhow::{Context, Result, ensure};
use fantoccini::Locator;
use fantoccini::elements::Element;
use fantoccini::key::Key;
use strato_e2e::list_edits::drag;
use strato_e2e::ui::{
    attr, click_with, inside, open_catalog, row_menu_action, screenshots, sidebar_row, text,
    wait_until,
};
use strato_e2e::{AppUnderTest, Audio};

const DEMO_USER: &str = "demo";
const DEMO_PASSWORD: &str = "Strato-demo-1";
const WAIT: Duration = Duration::from_secs(20);

/// One entry of the queue panel, as it shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Shown {
    /// Its place in the queue (1-based, `aria-posinset`).
    place: u32,
    section: String,
    entry_id: String,
    track_id: String,
    queued: bool,
}

/// The entries the open panel shows, in queue order.
async fn shown(app: &AppUnderTest) -> Result<Vec<Shown>> {
    let panel = app.wait_for("queue-panel").await?;
    let mut entries = Vec::new();
    for row in panel.find_all(Locator::Css("[role=\"listitem\"]")).await? {
        // A row read before its entry arrived has no button yet: not shown.
        let Ok(item) = inside(&row, "queue-item").await else {
            continue;
        };
        entries.push(Shown {
            place: attr(&row, "aria-posinset").await?.parse()?,
            section: attr(&item, "data-section").await?,
            entry_id: attr(&item, "data-entry-id").await?,
            track_id: attr(&item, "data-track-id").await?,
            queued: item.attr("data-queued").await?.is_some(),
        });
    }
    entries.sort_by_key(|entry| entry.place);
    Ok(entries)
}

/// Waits until the panel's entries satisfy `check`.
async fn wait_for_queue(
    app: &AppUnderTest,
    what: &str,
    check: impl Fn(&[Shown]) -> bool,
) -> Result<Vec<Shown>> {
    wait_until(
        WAIT,
        what,
        async || shown(app).await,
        |entries| check(entries),
    )
    .await
}

fn tracks_of<'a>(entries: &'a [Shown], section: &str) -> Vec<&'a str> {
    entries
        .iter()
        .filter(|entry| entry.section == section)
        .map(|entry| entry.track_id.as_str())
        .collect()
}

/// The panel's entry button of `entry_id`.
async fn entry_button(app: &AppUnderTest, entry_id: &str) -> Result<Element> {
    let css = format!("[data-testid=\"queue-item\"][data-entry-id=\"{entry_id}\"]");
    app.client
        .find(Locator::Css(&css))
        .await
        .with_context(|| format!("no queue entry {entry_id} shown"))
}

/// Gives the keyboard's focus to the entry `entry_id` (as Tab and the arrows would reach it;
/// a click would play it).
async fn focus_entry(app: &AppUnderTest, entry_id: &str) -> Result<()> {
    let button = entry_button(app, entry_id).await?;
    app.client
        .execute(
            "arguments[0].focus();",
            vec![serde_json::to_value(&button)?],
        )
        .await?;
    let focused = app.client.active_element().await?;
    ensure!(
        focused.attr("data-entry-id").await?.as_deref() == Some(entry_id),
        "entry {entry_id} did not take the focus"
    );
    Ok(())
}

/// Pauses, and waits until the window shows it paused.
async fn pause(app: &AppUnderTest) -> Result<()> {
    let button = app.wait_for("play-pause").await?;
    button.click().await?;
    wait_until(
        WAIT,
        "the play button after pausing",
        async || attr(&app.wait_for("play-pause").await?, "aria-label").await,
        |label| label == "Play",
    )
    .await?;
    Ok(())
}

async fn open_panel(app: &AppUnderTest) -> Result<()> {
    let toggle = app.wait_for("queue-toggle").await?;
    if toggle.attr("aria-expanded").await?.as_deref() != Some("true") {
        toggle.click().await?;
    }
    app.wait_for("queue-panel").await?;
    Ok(())
}

#[tokio::test]
async fn the_queue_is_edited_in_the_panel_and_survives_a_restart() -> Result<()> {
    let mut app = AppUnderTest::launch(Audio::Silent).await?;
    app.sign_in_and_stay(DEMO_USER, DEMO_PASSWORD).await?;
    open_catalog(&app).await?;
    // The catalog's rows arrive as its pages are read.
    let rows = wait_until(
        WAIT,
        "ten rows of the catalog",
        async || app.all("track-row").await,
        |rows| rows.len() >= 10,
    )
    .await?;
    let mut ids = Vec::new();
    let mut titles = Vec::new();
    for row in &rows {
        ids.push(attr(row, "data-track-id").await?);
        titles.push(text(&row.find(Locator::Css(".title")).await?).await?);
    }

    // The catalog, played from its first track, is the queue.
    inside(&rows[0], "play-track").await?.click().await?;
    app.wait_for_text("now-playing-title", WAIT, |t| t == titles[0])
        .await?;
    pause(&app).await?;

    let before = edit_the_queue(&app, &ids, &titles).await?;
    app.screenshot(&screenshots()?.join("queue-panel.png"))
        .await?;

    // A restart brings the same queue back: entries, ids, places and the track heard.
    app.restart().await?;
    app.wait_for_text("username-label", WAIT, |t| t == DEMO_USER)
        .await?;
    app.wait_for_text("now-playing-title", WAIT, |t| t == titles[5])
        .await?;
    open_panel(&app).await?;
    // The first places (what played, what plays, the start of next up) are on screen both
    // times; the panel draws the rest as it scrolls.
    let first = |entries: &[Shown]| -> Vec<Shown> {
        entries.iter().filter(|e| e.place <= 6).cloned().collect()
    };
    let after = wait_for_queue(&app, "the queue after a restart", |entries| {
        first(entries).len() == 6
    })
    .await?;
    assert_eq!(first(&after), first(&before));

    // "Save as playlist", named in the panel: a playlist of the queue, in the sidebar.
    app.wait_for("queue-save").await?.click().await?;
    let name = app.wait_for("queue-save-name").await?;
    name.clear().await?;
    name.send_keys(&format!("Road trip{}", Key::Enter)).await?;
    app.wait_for_text("queue-saved", WAIT, |t| {
        t.starts_with("Saved as “Road trip”.")
    })
    .await?;
    sidebar_row(&app, "Road trip").await?;
    app.close().await
}

/// "Play next" on the sixth track, "Add to queue" twice on the eighth, from their rows'
/// menus; opens the panel and answers the three entries they made, in order.
async fn queue_from_the_menu(
    app: &AppUnderTest,
    ids: &[String],
    titles: &[String],
) -> Result<[Shown; 3]> {
    row_menu_action(app, &ids[5], "menu-play-next").await?;
    row_menu_action(app, &ids[7], "menu-add-to-queue").await?;
    row_menu_action(app, &ids[7], "menu-add-to-queue").await?;

    open_panel(app).await?;
    let entries = wait_for_queue(app, "the queued tracks in next up", |entries| {
        tracks_of(entries, "next").starts_with(&[&ids[5], &ids[7], &ids[7], &ids[1]])
    })
    .await?;
    assert_eq!(tracks_of(&entries, "now"), [ids[0].as_str()]);
    assert!(tracks_of(&entries, "played").is_empty());
    let next: Vec<&Shown> = entries.iter().filter(|e| e.section == "next").collect();
    let (play_next, first_copy, second_copy) = (next[0].clone(), next[1].clone(), next[2].clone());
    assert_ne!(
        first_copy.entry_id, second_copy.entry_id,
        "the same track queued twice is two entries"
    );
    assert!(play_next.queued && first_copy.queued && second_copy.queued);
    assert!(
        !next[3].queued,
        "the catalog's own entries are not marked queued"
    );
    let said = text(&app.wait_for("queue-plays-next").await?).await?;
    assert!(
        said.starts_with(&format!("Plays next: {}", titles[5])),
        "the panel says {said:?}"
    );
    Ok([play_next, first_copy, second_copy])
}

/// Alt+Down, Delete, a drag and Enter in the panel, checking what it shows after each;
/// answers the entries shown at the end.
async fn edit_the_queue(
    app: &AppUnderTest,
    ids: &[String],
    titles: &[String],
) -> Result<Vec<Shown>> {
    let [play_next, first_copy, second_copy] = queue_from_the_menu(app, ids, titles).await?;
    let count = text(&app.wait_for("queue-count").await?).await?;

    // Alt+Down moves the "play next" entry below the first copy; it keeps the focus.
    focus_entry(app, &play_next.entry_id).await?;
    app.chord(&[Key::Alt, Key::Down]).await?;
    let entries = wait_for_queue(app, "the entry moved down", |entries| {
        tracks_of(entries, "next").starts_with(&[&ids[7], &ids[5], &ids[7]])
    })
    .await?;
    assert_eq!(entries[1].entry_id, first_copy.entry_id);
    app.wait_for_text("queue-plays-next", WAIT, |t| {
        t.starts_with(&format!("Plays next: {}", titles[7]))
    })
    .await?;
    wait_until(
        WAIT,
        "the focus on the moved entry",
        async || {
            Ok(app
                .client
                .active_element()
                .await?
                .attr("data-entry-id")
                .await?)
        },
        |focused| focused.as_deref() == Some(play_next.entry_id.as_str()),
    )
    .await?;

    // Delete removes the second copy; the first stays.
    focus_entry(app, &second_copy.entry_id).await?;
    app.chord(&[Key::Delete]).await?;
    let entries = wait_for_queue(app, "the second copy removed", |entries| {
        entries.iter().all(|e| e.entry_id != second_copy.entry_id)
    })
    .await?;
    assert_eq!(
        tracks_of(&entries, "next")[..3],
        [ids[7].as_str(), ids[5].as_str(), ids[1].as_str()]
    );
    let fewer = text(&app.wait_for("queue-count").await?).await?;
    assert_ne!(fewer, count, "the count still says {count}");

    // Dragged over the lower half of the next entry's row, the "play next" entry drops
    // after it.
    let row_of = |entry_id: &str| {
        format!(
            "[role=\"listitem\"]:has([data-testid=\"queue-item\"][data-entry-id=\"{entry_id}\"])"
        )
    };
    let from = app
        .client
        .find(Locator::Css(&row_of(&play_next.entry_id)))
        .await?;
    let onto_id = entries
        .iter()
        .find(|e| e.track_id == ids[1])
        .context("the catalog's second track in next up")?
        .entry_id
        .clone();
    let onto = app.client.find(Locator::Css(&row_of(&onto_id))).await?;
    ensure!(drag(app, &from, &onto).await?, "the panel took the drop");
    wait_for_queue(app, "the entry dragged down", |entries| {
        tracks_of(entries, "next").starts_with(&[&ids[7], &ids[1], &ids[5], &ids[2]])
    })
    .await?;

    // Enter plays the "play next" entry from the panel: what came before it has played.
    focus_entry(app, &play_next.entry_id).await?;
    app.chord(&[Key::Enter]).await?;
    app.wait_for_text("now-playing-title", WAIT, |t| t == titles[5])
        .await?;
    pause(app).await?;
    let before = wait_for_queue(app, "played, now playing and next up", |entries| {
        tracks_of(entries, "now") == [ids[5].as_str()]
    })
    .await?;
    assert_eq!(
        tracks_of(&before, "played"),
        [ids[0].as_str(), ids[7].as_str(), ids[1].as_str()]
    );
    assert_eq!(tracks_of(&before, "next")[0], ids[2].as_str());
    let headings = app.all("queue-heading").await?;
    let mut sections = Vec::new();
    for heading in &headings {
        sections.push(attr(heading, "data-section").await?);
    }
    assert_eq!(sections, ["played", "now", "next"]);
    app.wait_for_text("queue-plays-next", WAIT, |t| {
        t.starts_with(&format!("Plays next: {}", titles[2]))
    })
    .await?;
    Ok(before)
}

/// The entries of "next up" selected, by entry id, in queue order.
async fn selected_entries(app: &AppUnderTest) -> Result<Vec<String>> {
    let css = "[data-testid=\"queue-item\"][data-selected]";
    let mut ids = Vec::new();
    for item in app.client.find_all(Locator::Css(css)).await? {
        ids.push(attr(&item, "data-entry-id").await?);
    }
    Ok(ids)
}

async fn wait_for_selected(app: &AppUnderTest, what: &str, expected: &[&str]) -> Result<()> {
    wait_until(
        WAIT,
        what,
        async || selected_entries(app).await,
        |ids| ids == expected,
    )
    .await?;
    Ok(())
}

#[tokio::test]
async fn several_entries_are_selected_moved_and_removed_together() -> Result<()> {
    let app = AppUnderTest::launch(Audio::Silent).await?;
    app.sign_in_and_stay(DEMO_USER, DEMO_PASSWORD).await?;
    open_catalog(&app).await?;
    let rows = wait_until(
        WAIT,
        "the catalog's rows",
        async || app.all("track-row").await,
        |rows| rows.len() >= 10,
    )
    .await?;
    let first_title = text(&rows[0].find(Locator::Css(".title")).await?).await?;
    inside(&rows[0], "play-track").await?.click().await?;
    app.wait_for_text("now-playing-title", WAIT, |t| t == first_title)
        .await?;
    pause(&app).await?;
    open_panel(&app).await?;
    let entries = wait_for_queue(&app, "six entries in next up", |entries| {
        tracks_of(entries, "next").len() >= 6
    })
    .await?;
    let next: Vec<Shown> = entries
        .into_iter()
        .filter(|entry| entry.section == "next")
        .collect();
    let id = |n: usize| next[n].entry_id.as_str();
    let next_ids = |entries: &[Shown]| -> Vec<String> {
        entries
            .iter()
            .filter(|entry| entry.section == "next")
            .map(|entry| entry.entry_id.clone())
            .collect()
    };

    // Ctrl-click selects the second and the fourth of next up; nothing plays.
    click_with(&app, &entry_button(&app, id(1)).await?, &[Key::Control]).await?;
    click_with(&app, &entry_button(&app, id(3)).await?, &[Key::Control]).await?;
    wait_for_selected(&app, "two entries selected", &[id(1), id(3)]).await?;
    app.wait_for_text("queue-selected-count", WAIT, |t| t == "2 selected")
        .await?;
    app.wait_for_text("now-playing-title", WAIT, |t| t == first_title)
        .await?;

    // Alt+Home moves both to the top of next up, together and in their order.
    focus_entry(&app, id(3)).await?;
    app.chord(&[Key::Alt, Key::Home]).await?;
    wait_for_queue(&app, "the selection moved to the top", |entries| {
        next_ids(entries).starts_with(&[
            id(1).to_owned(),
            id(3).to_owned(),
            id(0).to_owned(),
            id(2).to_owned(),
            id(4).to_owned(),
        ])
    })
    .await?;

    // Shift-click selects from the last entry toggled (the fourth, now second) to the first.
    click_with(&app, &entry_button(&app, id(0)).await?, &[Key::Shift]).await?;
    wait_for_selected(&app, "a range from the anchor", &[id(3), id(0)]).await?;
    app.screenshot(&screenshots()?.join("queue-selection.png"))
        .await?;

    // Delete removes the selection; the rest keeps its order.
    focus_entry(&app, id(0)).await?;
    app.chord(&[Key::Delete]).await?;
    let entries = wait_for_queue(&app, "the selection removed", |entries| {
        next_ids(entries).starts_with(&[id(1).to_owned(), id(2).to_owned(), id(4).to_owned()])
    })
    .await?;
    ensure!(
        entries
            .iter()
            .all(|entry| entry.entry_id != id(0) && entry.entry_id != id(3)),
        "removed entries still shown: {entries:?}"
    );
    wait_for_selected(&app, "nothing selected after the removal", &[]).await?;

    // Escape clears a selection and leaves the panel open.
    click_with(&app, &entry_button(&app, id(4)).await?, &[Key::Control]).await?;
    wait_for_selected(&app, "one entry selected", &[id(4)]).await?;
    focus_entry(&app, id(4)).await?;
    app.chord(&[Key::Escape]).await?;
    wait_for_selected(&app, "the selection cleared", &[]).await?;
    app.wait_for("queue-panel").await?;
    app.close().await
}
