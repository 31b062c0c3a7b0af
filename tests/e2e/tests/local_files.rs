//! Local files in the real window: a folder of tagged FLAC files (made by ffmpeg in the run's
//! scratch folder, with a cover beside them) added from Settings › Local files through GTK's
//! own folder dialog, listed there with its track count; the Local files screen showing the
//! album as a card and its tracks by their tags' titles; the album's page in track order; a
//! track played and heard on the capture device; a file copied into the folder taken in by
//! the watcher and shown without a reload; and that track found by the search box under
//! "On this computer" and played from there. Linux only: GTK's dialog driven through XTEST,
//! and a Unix link to the folder.
#![cfg(target_os = "linux")]

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context as _, Result, ensure};
use fantoccini::Locator;
use fantoccini::elements::Element;
use strato_e2e::list_edits::wait_for_titles;
use strato_e2e::local_music::{AlbumTags, FolderLink, add_folder_in_settings, cover_jpeg};
use strato_e2e::ui::{
    attr, inside, now_playing_title, open_settings, screenshots, scroll_main_to, shown, text,
    wait_for_route,
};
use strato_e2e::{AppUnderTest, Audio};

const DEMO_USER: &str = "demo";
const DEMO_PASSWORD: &str = "Strato-demo-1";
const ALBUM: &str = "Porch Tapes";
const ARTIST: &str = "The Lamplighters";
/// The album's tracks as their tags name them, in track order (files named otherwise, so
/// the titles shown can only come from the tags).
const TRACKS: [(&str, &str); 3] = [
    ("01-a.flac", "Morning Kettle"),
    ("02-b.flac", "Screen Door"),
    ("03-c.flac", "Firefly Waltz"),
];
/// The file copied into the folder while the window shows it.
const LATE: (&str, &str) = ("04-d.flac", "Lantern Song");

/// A FLAC file of `seconds` in `dir`, tagged as track `number` of the album.
fn tagged_flac(dir: &Path, track: (&str, &str), number: usize, seconds: f64) -> PathBuf {
    let album = AlbumTags {
        album: ALBUM,
        artist: ARTIST,
    };
    strato_e2e::local_music::tagged_flac(dir, album, track, number, seconds)
}

/// The album's folder in the run's own scratch folder: its tagged files, a cover, and a file
/// that only looks like audio (listed in Settings as one that cannot be played).
fn make_music(app: &AppUnderTest) -> Result<PathBuf> {
    let music = app.scratch_dir().join("Music").join(ALBUM);
    std::fs::create_dir_all(&music)?;
    for (number, track) in TRACKS.iter().enumerate() {
        tagged_flac(&music, *track, number + 1, 8.0);
    }
    cover_jpeg(&music.join("cover.jpg"))?;
    std::fs::write(music.join("05-broken.flac"), b"not audio at all")?;
    Ok(music)
}

/// Settings › Local files: none yet; the folder chosen in the OS's dialog (through `link`),
/// scanned, listed as itself with its counts and the file that cannot be played, with why.
async fn add_in_settings(app: &AppUnderTest, link: &Path, music: &Path) -> Result<()> {
    open_settings(app).await?;
    app.wait_for_text("local-no-folders", Duration::from_secs(10), |t| {
        t == "No folder added yet."
    })
    .await?;
    add_folder_in_settings(app, link, "3 tracks · 1 cannot be played").await?;
    let failed = app.wait_for("local-failed-summary").await?;
    assert_eq!(text(&failed).await?, "1 file cannot be played.");
    failed.click().await?;
    let broken = text(&app.wait_for("local-failed-file").await?).await?;
    ensure!(
        broken.contains("05-broken.flac"),
        "the file named: {broken}"
    );
    let path = text(&app.wait_for("local-folder-path").await?).await?;
    ensure!(
        Path::new(&path) == music.canonicalize()?,
        "the folder is kept as itself, its link resolved: {path}"
    );
    scroll_main_to(app, "settings-local-files").await?;
    app.screenshot(&screenshots()?.join("window-settings-local-files.png"))
        .await
}

/// The Local files screen: the album as a card, every track by its tag's title; at the
/// window's usual size and at its smallest (that one looked at, not asserted). The card.
async fn open_local_files(app: &AppUnderTest, titles: &[&str]) -> Result<Element> {
    let shots = screenshots()?;
    app.wait_for("nav-local-files").await?.click().await?;
    wait_for_route(app, "local-files").await?;
    wait_for_titles(app, "local-files-screen", "local-track-row", titles).await?;
    let card = app.wait_for("local-album").await?;
    ensure!(text(&card).await?.contains(ALBUM), "the album's card");
    app.wait_for_text("local-files-count", Duration::from_secs(10), |t| {
        t == "3 tracks in 1 folder"
    })
    .await?;
    app.screenshot(&shots.join("window-local-files.png"))
        .await?;
    app.client.set_window_rect(0, 0, 820, 520).await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    app.screenshot(&shots.join("window-local-files-small.png"))
        .await?;
    app.client.set_window_rect(0, 0, 1200, 780).await?;
    Ok(card)
}

/// The album's own page from its card, in track order; its second track played and heard.
async fn play_from_album_page(app: &AppUnderTest, card: &Element, titles: &[&str]) -> Result<()> {
    let album_id = attr(card, "data-id").await?;
    ensure!(
        album_id.starts_with("local-album:"),
        "a local album: {album_id}"
    );
    inside(card, "card-open").await?.click().await?;
    wait_for_route(app, &format!("album/{album_id}")).await?;
    app.wait_for_text("album-title", Duration::from_secs(10), |t| t == ALBUM)
        .await?;
    wait_for_titles(app, "album-screen", "track-row", titles).await?;
    let rows = app
        .client
        .find_all(Locator::Css(
            "[data-testid=\"album-screen\"] [data-testid=\"track-row\"]",
        ))
        .await?;
    let row = rows.get(1).context("the album's second row")?;
    shown(inside(row, "play-track").await?)
        .await?
        .click()
        .await?;
    assert_eq!(
        now_playing_title(app, Duration::from_secs(20)).await?,
        TRACKS[1].1
    );
    app.ensure_heard().await
}

/// The search box finds the late track under "On this computer", and it plays from there.
async fn find_and_play(app: &AppUnderTest) -> Result<()> {
    let search = app.wait_for("search-input").await?;
    search.send_keys("lantern").await?;
    wait_for_titles(app, "search-local-files", "local-track-row", &[LATE.1]).await?;
    let found = app
        .client
        .find(Locator::Css(
            "[data-testid=\"search-local-files\"] [data-testid=\"local-track-row\"]",
        ))
        .await?;
    app.client
        .execute(
            "arguments[0].scrollIntoView({block: 'center'});",
            vec![serde_json::to_value(&found)?],
        )
        .await?;
    app.screenshot(&screenshots()?.join("window-search-local-files.png"))
        .await?;
    shown(inside(&found, "play-track").await?)
        .await?
        .click()
        .await?;
    app.wait_for_text("now-playing-title", Duration::from_secs(20), |t| {
        t == LATE.1
    })
    .await?;
    Ok(())
}

#[tokio::test]
async fn a_folder_added_in_settings_is_listed_played_followed_and_searched() -> Result<()> {
    let app = AppUnderTest::launch(Audio::Capture).await?;
    let music = make_music(&app)?;
    // Typed into the dialog through a link whose path needs no Shift (`type_text`); the app
    // keeps the folder itself.
    let link = FolderLink::new(
        &music,
        PathBuf::from(format!("/tmp/strato-e2e-local-{}", std::process::id())),
    )?;
    app.sign_in(DEMO_USER, DEMO_PASSWORD).await?;
    app.wait_for("home-screen").await?;

    add_in_settings(&app, &link.0, &music).await?;
    let titles: Vec<&str> = TRACKS.iter().map(|(_, title)| *title).collect();
    let card = open_local_files(&app, &titles).await?;
    play_from_album_page(&app, &card, &titles).await?;

    // A file copied into the folder while the window is up: the watcher takes it in.
    let elsewhere = app.scratch_dir().join("incoming");
    std::fs::create_dir_all(&elsewhere)?;
    let late = tagged_flac(&elsewhere, LATE, TRACKS.len() + 1, 8.0);
    std::fs::copy(&late, music.join(LATE.0))?;
    app.wait_for("nav-local-files").await?.click().await?;
    wait_for_route(&app, "local-files").await?;
    let mut all = titles.clone();
    all.push(LATE.1);
    wait_for_titles(&app, "local-files-screen", "local-track-row", &all).await?;

    find_and_play(&app).await?;
    app.close().await
}
