//! The language and the shortcuts a listener chooses in Settings, end to end: a shortcut
//! rebound works at once and its old keys no longer do; the window speaks German the moment
//! German is chosen, without leaving the screen; both are kept across a restart.

use std::time::Duration;

use anyhow::Result;
use fantoccini::Locator;
use fantoccini::key::Key;
use strato_e2e::ui::{focused_test_id, screenshots, wait_for_focus, wait_for_settings_file};
use strato_e2e::{AppUnderTest, Audio};

const DEMO_USER: &str = "demo";
const DEMO_PASSWORD: &str = "Strato-demo-1";

/// A chord of Ctrl and a character, typed on the element marked `test_id`.
async fn ctrl(app: &AppUnderTest, test_id: &str, character: char) -> Result<()> {
    app.wait_for(test_id)
        .await?
        .send_keys(&format!("{}{character}{}", Key::Control, Key::Null))
        .await?;
    Ok(())
}

async fn heading(app: &AppUnderTest) -> Result<String> {
    Ok(app
        .wait_for("settings-screen")
        .await?
        .find(Locator::Css("h1"))
        .await?
        .text()
        .await?)
}

#[tokio::test]
async fn a_rebound_shortcut_and_the_language_apply_at_once_and_after_a_restart() -> Result<()> {
    let mut app = AppUnderTest::launch(Audio::Silent).await?;
    app.sign_in_and_stay(DEMO_USER, DEMO_PASSWORD).await?;
    app.wait_for("home-screen").await?;
    ctrl(&app, "nav-home", ',').await?;
    app.wait_for("settings-screen").await?;

    // Search moves from Ctrl+K to Ctrl+F.
    app.wait_for("shortcut-keys-search").await?.click().await?;
    ctrl(&app, "shortcut-keys-search", 'f').await?;
    app.wait_for_text("shortcut-keys-search", Duration::from_secs(5), |t| {
        t == "Ctrl+F"
    })
    .await?;
    ctrl(&app, "nav-home", 'k').await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_ne!(
        focused_test_id(&app).await?,
        "search-input",
        "Ctrl+K is search's no more"
    );
    ctrl(&app, "nav-home", 'f').await?;
    wait_for_focus(&app, "search-input").await?;

    // German, at once, on the same screen.
    assert_eq!(heading(&app).await?, "Settings");
    app.wait_for("setting-language")
        .await?
        .find(Locator::Css("option[value='de']"))
        .await?
        .click()
        .await?;
    app.wait_for_text("settings-screen", Duration::from_secs(5), |t| {
        t.starts_with("Einstellungen")
    })
    .await?;
    let lang = app
        .client
        .execute("return document.documentElement.lang", vec![])
        .await?;
    assert_eq!(lang, "de");
    app.wait_for_text("shortcut-keys-search", Duration::from_secs(5), |t| {
        t == "Strg+F"
    })
    .await?;
    app.screenshot(&screenshots()?.join("settings-german.png"))
        .await?;
    wait_for_settings_file(&app, &["\"search\": \"Ctrl+F\"", "\"language\": \"de\""]).await?;

    app.restart().await?;
    app.wait_for("home-screen").await?;
    ctrl(&app, "nav-home", 'f').await?;
    wait_for_focus(&app, "search-input").await?;
    ctrl(&app, "search-input", ',').await?;
    assert_eq!(heading(&app).await?, "Einstellungen");
    app.close().await
}
