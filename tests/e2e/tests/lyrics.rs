//! The lyrics panel in the real window: a track played from the catalog, its synced lyrics
//! from an LRCLIB-compatible service (the test kit's validating peer, named by
//! `STRATO_LRCLIB_URL`), the line being sung followed as the track plays, and a line clicked
//! playing from it.

use std::fmt::Write as _;
use std::time::Duration;

use anyhow::{Context as _, Result};
use strato_e2e::ui::{
    attr, clock_seconds, inside, now_playing_title, open_catalog, screenshots, shown, text,
    wait_until,
};
use strato_e2e::{AppUnderTest, Audio};
use strato_testkit::{LrclibEndpoint, LrclibRecord};

const DEMO_USER: &str = "demo";
const DEMO_PASSWORD: &str = "Strato-demo-1";
/// Seconds between two lines of the lyrics made for the test.
const LINE_SECS: u64 = 2;

/// A catalog track's title, artist, album and length, as LRCLIB matches them.
fn catalog_entry(id: &str) -> Result<(String, String, String, u64)> {
    let catalog: serde_json::Value = serde_json::from_slice(&std::fs::read(
        strato_testkit::media_dir().join("catalog.json"),
    )?)?;
    let named = |kind: &str, field: &str, id: &serde_json::Value| -> Result<String> {
        Ok(catalog[kind]
            .as_array()
            .context("a list")?
            .iter()
            .find(|e| &e["id"] == id)
            .and_then(|e| e[field].as_str())
            .with_context(|| format!("{kind} {id}"))?
            .to_owned())
    };
    let track = catalog["tracks"]
        .as_array()
        .context("tracks")?
        .iter()
        .find(|t| t["id"] == id)
        .with_context(|| format!("track {id} in the catalog"))?;
    Ok((
        track["title"].as_str().context("title")?.to_owned(),
        named("artists", "name", &track["artist_id"])?,
        named("albums", "title", &track["album_id"])?,
        track["duration_ms"].as_u64().context("length")?,
    ))
}

/// Lyrics with a line every [`LINE_SECS`] up to the track's last seconds.
fn lrc_for(duration_ms: u64) -> (String, usize) {
    let mut lrc = String::new();
    let mut count = 0;
    let mut at = 0;
    while at + LINE_SECS * 1000 < duration_ms {
        count += 1;
        let _ = writeln!(
            lrc,
            "[{:02}:{:02}.00]Line {count}",
            at / 60_000,
            at / 1000 % 60
        );
        at += LINE_SECS * 1000;
    }
    (lrc, count)
}

/// The index of the line marked as sung, if any.
async fn sung(app: &AppUnderTest) -> Result<Option<usize>> {
    for (index, line) in app.all("lyrics-line").await?.iter().enumerate() {
        if line.attr("aria-current").await?.as_deref() == Some("true") {
            return Ok(Some(index));
        }
    }
    Ok(None)
}

#[tokio::test]
async fn the_lyrics_follow_the_track_and_a_line_clicked_plays_from_it() -> Result<()> {
    let lrclib = LrclibEndpoint::start().await;
    let app =
        AppUnderTest::launch_with_env(Audio::Silent, None, &[("STRATO_LRCLIB_URL", lrclib.url())])
            .await?;
    app.sign_in(DEMO_USER, DEMO_PASSWORD).await?;
    open_catalog(&app).await?;
    let row = app.wait_for("track-row").await?;
    let track_id = attr(&row, "data-track-id").await?;
    let (title, artist, album, duration_ms) = catalog_entry(&track_id)?;
    let (lrc, count) = lrc_for(duration_ms);
    assert!(count >= 4, "the first track is too short for the test");
    #[allow(clippy::cast_precision_loss)]
    lrclib.add(LrclibRecord::synced(
        &title,
        &artist,
        &album,
        duration_ms as f64 / 1000.0,
        &lrc,
    ));

    shown(inside(&row, "play-track").await?)
        .await?
        .click()
        .await?;
    assert_eq!(
        now_playing_title(&app, Duration::from_secs(20)).await?,
        title
    );
    app.wait_for("lyrics-toggle").await?.click().await?;
    app.wait_for("lyrics-panel").await?;
    let lines = wait_until(
        Duration::from_secs(20),
        "the lyrics' lines",
        async || app.all("lyrics-line").await.map(|lines| lines.len()),
        |shown| *shown == count,
    )
    .await?;
    assert_eq!(lines, count);
    let source = text(&app.wait_for("lyrics-source").await?).await?;
    assert_eq!(source, "Lyrics from LRCLIB");

    // The sung line moves on as the track plays.
    wait_until(
        Duration::from_secs(20),
        "the second line sung",
        async || sung(&app).await,
        |at| at.is_some_and(|at| at >= 1),
    )
    .await?;

    // A line near the end, clicked: playback goes there, and that line is the one sung.
    let target = count - 2;
    let line = app
        .all("lyrics-line")
        .await?
        .into_iter()
        .nth(target)
        .context("the line")?;
    let at_ms: u32 = attr(&line, "data-at-ms").await?.parse()?;
    line.click().await?;
    app.wait_for_text("position", Duration::from_secs(10), |t| {
        clock_seconds(t) >= at_ms / 1000
    })
    .await?;
    wait_until(
        Duration::from_secs(10),
        "the clicked line sung",
        async || sung(&app).await,
        |at| at.is_some_and(|at| at >= target),
    )
    .await?;
    // Following the song scrolls the panel alone: the window stays where it was.
    let window_top = app
        .client
        .execute(
            "return document.querySelector('[data-testid=\"search-input\"]')\
             .getBoundingClientRect().top;",
            vec![],
        )
        .await?
        .as_f64()
        .context("a number")?;
    assert!(
        window_top >= 0.0,
        "the window scrolled under the lyrics: the search box is at {window_top}"
    );
    app.screenshot(&screenshots()?.join("lyrics.png")).await?;

    let asked = lrclib.requests();
    assert_eq!(asked.len(), 1, "looked up once: {asked:?}");
    assert_eq!(asked[0].query["track_name"], title);
    app.close().await
}
