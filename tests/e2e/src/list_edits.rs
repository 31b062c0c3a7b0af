//! Editing track lists in the real window, shared by the tests of the account's playlists
//! and of those on this computer: a drag of rows as the browser fires it, and the edit
//! notice's words.
//!
//! `WebKitWebDriver` accepts pointer drags but `WebKitGTK` starts no HTML drag from them, so
//! a drag is dispatched as the `DragEvent`s a real one fires (`dragstart`, `dragover`,
//! `drop`, `dragend`) on the rows and the sidebar, through the page's own handlers.

use std::time::Duration;

use anyhow::Result;
use fantoccini::elements::Element;
use fantoccini::key::Key;

use crate::AppUnderTest;

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
