//! Track lists in the real window, shared by the tests of the account's playlists, the queue,
//! local files and the playlists on this computer: the titles a list shows, a drag of rows
//! as the browser fires it, the edit notice's words, and Ctrl+Z.
//!
//! `WebKitWebDriver` accepts pointer drags but `WebKitGTK` starts no HTML drag from them, so
//! a drag is dispatched as the `DragEvent`s a real one fires (`dragstart`, `dragover`,
//! `drop`, `dragend`) on the rows and the sidebar, through the page's own handlers.

use std::time::Duration;

use anyhow::Result;
use fantoccini::elements::Element;
use fantoccini::key::Key;

use crate::AppUnderTest;
use crate::ui::wait_until;

/// The titles of the rows marked `row_test_id` inside the element marked `container`, in
/// order, read in one go (rows read one by one may be redrawn between two reads).
pub async fn row_titles(
    app: &AppUnderTest,
    container: &str,
    row_test_id: &str,
) -> Result<Vec<String>> {
    let found = app
        .client
        .execute(
            &format!(
                "return Array.from(document.querySelectorAll('[data-testid=\"{container}\"] \
                 [data-testid=\"{row_test_id}\"] .title'), (title) => title.textContent.trim());"
            ),
            vec![],
        )
        .await?;
    Ok(serde_json::from_value(found)?)
}

/// Waits until the rows marked `row_test_id` inside `container` are titled `expected`.
pub async fn wait_for_titles(
    app: &AppUnderTest,
    container: &str,
    row_test_id: &str,
    expected: &[&str],
) -> Result<()> {
    wait_until(
        Duration::from_secs(30),
        &format!("{container}'s rows titled {expected:?}"),
        async || row_titles(app, container, row_test_id).await,
        |shown| {
            shown
                .iter()
                .map(String::as_str)
                .eq(expected.iter().copied())
        },
    )
    .await?;
    Ok(())
}

/// Drags the row `from` (and the selection with it) onto `onto`, as the browser would fire
/// it: over the lower half of `onto` when it is a row. Answers whether `onto` took the drop.
pub async fn drag(app: &AppUnderTest, from: &Element, onto: &Element) -> Result<bool> {
    let script = r"
        const [from, onto] = arguments;
        const data = new DataTransfer();
        const box = onto.getBoundingClientRect();
        const at = { clientX: box.left + box.width / 2, clientY: box.top + box.height * 0.75 };
        const fire = (target, type) => {
            const event = new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: data, ...at });
            target.dispatchEvent(event);
            return event.defaultPrevented;
        };
        fire(from, 'dragstart');
        const over = fire(onto, 'dragover');
        const dropped = fire(onto, 'drop');
        fire(from, 'dragend');
        return over && dropped;
    ";
    let answer = app
        .client
        .execute(
            script,
            vec![serde_json::to_value(from)?, serde_json::to_value(onto)?],
        )
        .await?;
    Ok(answer.as_bool() == Some(true))
}

/// Waits until the notice after an edit says `expected`.
pub async fn wait_for_notice(app: &AppUnderTest, expected: &str) -> Result<()> {
    app.wait_for_text("edit-notice-text", Duration::from_secs(20), |t| {
        t == expected
    })
    .await?;
    Ok(())
}

/// Ctrl+Z, as a listener undoes (the key's own character, which `AppUnderTest::chord`'s
/// named keys do not have).
pub async fn undo(app: &AppUnderTest) -> Result<()> {
    use fantoccini::actions::{InputSource, KeyAction, KeyActions};
    let actions = KeyActions::new("keyboard".to_owned())
        .then(KeyAction::Down {
            value: Key::Control.into(),
        })
        .then(KeyAction::Down { value: 'z' })
        .then(KeyAction::Up { value: 'z' })
        .then(KeyAction::Up {
            value: Key::Control.into(),
        });
    app.client.perform_actions(actions).await?;
    app.client.release_actions().await?;
    Ok(())
}
