//! What the benchmark measures inside the page, with the page's own clock
//! (`performance.now()` and `requestAnimationFrame`), so `WebDriver`'s round trips do not
//! count.

use std::time::Duration;

use anyhow::{Context, Result};
use serde_json::{Value, json};
use strato_e2e::AppUnderTest;

/// Clicks the sidebar row of the playlist `name` and answers, in milliseconds, when its
/// first rows have been painted: rows in the DOM, then one frame, then the task after it
/// (which runs once that frame has been presented).
const OPEN_PLAYLIST: &str = r#"
const [name, done] = arguments;
const row = [...document.querySelectorAll('[data-testid="playlist-row"]')]
  .find((r) => r.querySelector('.name')?.textContent === name);
if (!row) { done({ error: `no sidebar row for ${name}` }); return; }
const started = performance.now();
row.click();
const shown = () => {
  const screen = document.querySelector('[data-testid="playlist-screen"]');
  const title = screen?.querySelector('[data-testid="playlist-name"]')?.textContent;
  // A virtual list's rows stay hidden until it has measured them: shown means visible.
  const rows = screen ? [...screen.querySelectorAll('[data-testid="playlist-item"]')] : [];
  return title?.trim() === name && rows.some((r) => getComputedStyle(r).visibility !== 'hidden');
};
const check = () => {
  if (shown()) {
    requestAnimationFrame(() => setTimeout(() => done({
      ms: performance.now() - started,
      rows: document.querySelectorAll('[data-testid="playlist-screen"] [data-testid="playlist-item"]').length,
    }), 0));
  } else if (performance.now() - started > 60000) {
    done({ error: 'the playlist did not show within 60 s' });
  } else {
    requestAnimationFrame(check);
  }
};
requestAnimationFrame(check);
"#;

/// Scrolls the playlist's list from top to bottom a page per frame and answers every
/// frame's length in milliseconds (from one `requestAnimationFrame` to the next), with the
/// number of rows in the DOM at the end.
const SCROLL_BY_PAGE: &str = r#"
const done = arguments[0];
const screen = document.querySelector('[data-testid="playlist-screen"]');
// The element that scrolls the rows: the nearest scrolling ancestor of a row.
let scroller = screen?.querySelector('[data-testid="playlist-item"]');
while (scroller && !(/(auto|scroll)/.test(getComputedStyle(scroller).overflowY)
    && scroller.scrollHeight > scroller.clientHeight + 100)) {
  scroller = scroller.parentElement;
}
if (!scroller) { done({ error: 'no scrolling list in the playlist screen' }); return; }
scroller.scrollTop = 0;
const frames = [];
let last = null;
const step = (now) => {
  if (last !== null) frames.push(now - last);
  last = now;
  const end = scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - 1;
  if (end || frames.length > 5000) {
    done({ frames, rows: screen.querySelectorAll('[data-testid="playlist-item"]').length,
           height: scroller.scrollHeight, page: scroller.clientHeight });
    return;
  }
  scroller.scrollTop += scroller.clientHeight;
  requestAnimationFrame(step);
};
requestAnimationFrame(step);
"#;

/// The command alone that reads the playlist `name` (no store, no rendering): milliseconds
/// from the call to the answer parsed, and the answer's size in bytes of JSON, so the open
/// time above can be split into the core's and IPC's share and the page's.
const READ_PLAYLIST: &str = r#"
const [name, done] = arguments;
const row = [...document.querySelectorAll('[data-testid="playlist-row"]')]
  .find((r) => r.querySelector('.name')?.textContent === name);
if (!row) { done({ error: `no sidebar row for ${name}` }); return; }
const started = performance.now();
window.__TAURI_INTERNALS__.invoke('playlist', { id: row.dataset.playlistId }).then(
  (answer) => {
    const ms = performance.now() - started;
    done({ ms, bytes: new TextEncoder().encode(JSON.stringify(answer)).length });
  },
  (error) => done({ error: String(error?.message ?? error) }),
);
"#;

/// The same frames with nothing scrolling: the page's own frame clock, as a reference.
const IDLE_FRAMES: &str = r"
const [count, done] = arguments;
const frames = [];
let last = null;
const step = (now) => {
  if (last !== null) frames.push(now - last);
  last = now;
  if (frames.length >= count) { done({ frames }); return; }
  requestAnimationFrame(step);
};
requestAnimationFrame(step);
";

async fn run(app: &AppUnderTest, script: &str, args: Vec<Value>) -> Result<Value> {
    let answer = app.client.execute_async(script, args).await?;
    if let Some(error) = answer.get("error").and_then(Value::as_str) {
        anyhow::bail!("{error}");
    }
    Ok(answer)
}

fn numbers(value: &Value) -> Vec<f64> {
    value
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_f64).collect())
        .unwrap_or_default()
}

/// Milliseconds from the click on the playlist `name` to its first rows painted.
pub async fn open_playlist(app: &AppUnderTest, name: &str) -> Result<f64> {
    let answer = run(app, OPEN_PLAYLIST, vec![json!(name)]).await?;
    answer["ms"].as_f64().context("no time in the answer")
}

/// The `playlist` command's time for `name` in milliseconds, and its answer's bytes.
pub async fn read_playlist(app: &AppUnderTest, name: &str) -> Result<(f64, u64)> {
    let answer = run(app, READ_PLAYLIST, vec![json!(name)]).await?;
    Ok((
        answer["ms"].as_f64().context("no time in the answer")?,
        answer["bytes"].as_u64().unwrap_or(0),
    ))
}

/// The frames of a scroll from top to bottom, a page at a time, and the rows in the DOM.
pub async fn scroll_by_page(app: &AppUnderTest) -> Result<(Vec<f64>, u64)> {
    // A thousand pages or so: longer than WebDriver's default 30 s for a script.
    app.client
        .update_timeouts(fantoccini::wd::TimeoutConfiguration::new(
            Some(Duration::from_secs(300)),
            Some(Duration::from_secs(300)),
            Some(Duration::ZERO),
        ))
        .await?;
    let answer = run(app, SCROLL_BY_PAGE, vec![]).await?;
    Ok((
        numbers(&answer["frames"]),
        answer["rows"].as_u64().unwrap_or(0),
    ))
}

/// `count` frames of the page standing still.
pub async fn idle_frames(app: &AppUnderTest, count: u32) -> Result<Vec<f64>> {
    let answer = run(app, IDLE_FRAMES, vec![json!(count)]).await?;
    Ok(numbers(&answer["frames"]))
}

/// The meter's bytes since [`reset_meter`], all events and answers together, and per name.
pub async fn meter_bytes(app: &AppUnderTest) -> Result<(u64, Vec<(String, u64, u64)>)> {
    let counts = app
        .client
        .execute("return window.__stratoIpcMeter || {};", vec![])
        .await?;
    let mut total = 0;
    let mut by_name = Vec::new();
    if let Some(map) = counts.as_object() {
        for (name, entry) in map {
            let bytes = entry["bytes"].as_u64().unwrap_or(0);
            let messages = entry["messages"].as_u64().unwrap_or(0);
            total += bytes;
            by_name.push((name.clone(), messages, bytes));
        }
    }
    by_name.sort_by_key(|entry| std::cmp::Reverse(entry.2));
    Ok((total, by_name))
}

/// The elements and images in the page: what a long session must not pile up.
pub async fn dom_counts(app: &AppUnderTest) -> Result<(u64, u64)> {
    let counts = app
        .client
        .execute(
            "return [document.getElementsByTagName('*').length, document.images.length];",
            vec![],
        )
        .await?;
    Ok((
        counts[0].as_u64().unwrap_or(0),
        counts[1].as_u64().unwrap_or(0),
    ))
}

/// Presses the now-playing bar's play/pause button from a script (the window may be hidden).
pub async fn press_play_pause(app: &AppUnderTest) -> Result<()> {
    app.client
        .execute(
            "document.querySelector('[data-testid=\"play-pause\"]').click();",
            vec![],
        )
        .await?;
    Ok(())
}
