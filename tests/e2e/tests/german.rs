//! The window in German, end to end: on every main screen (sign-in, Home, an album, an
//! artist, search results, the catalog, Downloads, History, the queue, a playlist, Settings)
//! no line of the page and no label, title or placeholder is a sentence of the English
//! catalogue that German words differently. Screenshots of the main screens go to
//! `target/e2e/*-german.png` (some are in docs/).

use std::collections::BTreeSet;
use std::time::Duration;

use anyhow::{Context, Result, ensure};
use fantoccini::key::Key;
use strato_e2e::ui::{
    first_clickable, now_playing_title, open_home_album, screenshots, wait_for_css,
};
use strato_e2e::{AppUnderTest, Audio};

const DEMO_USER: &str = "demo";
const DEMO_PASSWORD: &str = "Strato-demo-1";
const ALBUM: &str = "al-northern-drift";

/// The English catalogue's plain sentences (no placeholders) that German words otherwise:
/// any of them on a German screen is a string that escaped the catalogue.
fn english_only() -> Result<BTreeSet<String>> {
    let messages = strato_testkit::workspace_root().join("ui/messages");
    let read = |name: &str| -> Result<serde_json::Map<String, serde_json::Value>> {
        let path = messages.join(name);
        let text = std::fs::read_to_string(&path).with_context(|| path.display().to_string())?;
        Ok(serde_json::from_str(&text)?)
    };
    let (en, de) = (read("en.json")?, read("de.json")?);
    // A word both languages use ("Pause", "Album") is German too wherever it stands.
    let german: BTreeSet<&str> = de.values().filter_map(serde_json::Value::as_str).collect();
    Ok(en
        .iter()
        .filter_map(|(key, value)| {
            let english = value.as_str()?;
            let differs = de.get(key)?.as_str()? != english && !german.contains(english);
            (differs && !english.contains('{') && english.chars().count() >= 4)
                .then(|| english.to_owned())
        })
        .collect())
}

/// What the page says: its lines, and every label, title and placeholder.
const PAGE_WORDS: &str = r"
    const words = document.body.innerText.split('\n').map((line) => line.trim());
    for (const element of document.querySelectorAll('[aria-label], [title], [placeholder]')) {
        for (const name of ['aria-label', 'title', 'placeholder']) {
            const value = element.getAttribute(name);
            if (value) words.push(value.trim());
        }
    }
    return words.filter((word) => word.length > 0);
";

/// Fails naming the English left on `screen`.
async fn speaks_german(app: &AppUnderTest, english: &BTreeSet<String>, screen: &str) -> Result<()> {
    let words = app.client.execute(PAGE_WORDS, vec![]).await?;
    let words: Vec<String> = serde_json::from_value(words)?;
    ensure!(
        words.len() > 5,
        "{screen}: hardly any words on the page ({words:?})"
    );
    let left: BTreeSet<&String> = words
        .iter()
        .filter(|word| english.contains(*word))
        .collect();
    ensure!(left.is_empty(), "{screen} shows English: {left:?}");
    Ok(())
}

async fn open(app: &AppUnderTest, nav: &str, screen: &str) -> Result<()> {
    app.wait_for(nav).await?.click().await?;
    app.wait_for(screen).await?;
    // What a screen loads (its rows, its status) shows a moment after it opens.
    tokio::time::sleep(Duration::from_millis(500)).await;
    Ok(())
}

#[tokio::test]
async fn every_main_screen_speaks_german() -> Result<()> {
    let english = english_only()?;
    ensure!(
        english.len() > 100,
        "only {} sentences to look for",
        english.len()
    );
    let shots = screenshots()?;
    let app =
        AppUnderTest::launch_with_settings(Audio::Silent, serde_json::json!({"language": "de"}))
            .await?;
    app.wait_for("sign-in").await?;
    speaks_german(&app, &english, "sign-in").await?;
    app.sign_in(DEMO_USER, DEMO_PASSWORD).await?;
    app.wait_for("home-screen").await?;
    // Its shelves filled: the new albums' cards are there.
    wait_for_css(
        &app,
        "[data-testid=\"home-new-albums\"] [data-testid=\"album-card\"]",
    )
    .await?;
    speaks_german(&app, &english, "Home").await?;
    app.screenshot(&shots.join("home-german.png")).await?;

    open_home_album(&app, ALBUM).await?;
    app.wait_for("track-row").await?;
    app.wait_for("album-play").await?.click().await?;
    now_playing_title(&app, Duration::from_secs(30)).await?;
    speaks_german(&app, &english, "an album, playing").await?;
    app.screenshot(&shots.join("album-german.png")).await?;

    first_clickable(
        &app,
        "[data-testid=\"album-screen\"] header [data-testid=\"artist-link\"]",
    )
    .await?
    .click()
    .await?;
    app.wait_for("artist-screen").await?;
    speaks_german(&app, &english, "an artist").await?;

    let input = app.wait_for("search-input").await?;
    input.send_keys("Aurora").await?;
    app.wait_for("search-results").await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    speaks_german(&app, &english, "search results").await?;
    input.send_keys(&Key::Escape.to_string()).await?;

    open(&app, "nav-catalog", "track-row").await?;
    speaks_german(&app, &english, "the catalog").await?;
    open(&app, "nav-downloads", "downloads-screen").await?;
    speaks_german(&app, &english, "Downloads").await?;
    open(&app, "nav-history", "history-screen").await?;
    speaks_german(&app, &english, "History").await?;
    open(&app, "queue-toggle", "queue-panel").await?;
    speaks_german(&app, &english, "the queue").await?;
    app.screenshot(&shots.join("queue-german.png")).await?;
    app.wait_for("queue-toggle").await?.click().await?;

    app.wait_for("new-playlist").await?.click().await?;
    app.wait_for("new-playlist-input")
        .await?
        .send_keys(&format!("Abendrunde{}", Key::Enter))
        .await?;
    app.wait_for_text("playlist-name", Duration::from_secs(10), |t| {
        t == "Abendrunde"
    })
    .await?;
    speaks_german(&app, &english, "a playlist").await?;
    strato_e2e::ui::open_settings(&app).await?;
    speaks_german(&app, &english, "Settings").await?;
    app.client
        .execute(
            "document.getElementById('settings-account').scrollIntoView({block: 'center'})",
            vec![],
        )
        .await?;
    app.screenshot(&shots.join("settings-account-german.png"))
        .await?;
    app.close().await
}
