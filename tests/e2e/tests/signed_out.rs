//! The window of a listener without an account, in the real app: launched with no session
//! kept, the sign-in screen's "Play music on this computer" opens the main window signed out
//! at Local files, offering only what needs no account (no Home, no account menu, no
//! account's playlists); a folder of tagged FLAC files added from Settings › Local files,
//! reached from the sidebar, where nothing is refused for want of an account; a playlist kept
//! on this computer made from the sidebar, its page opened; the folder's tracks listed on
//! Local files, one played and heard on the capture device, another found by the search box,
//! which searches only the files here; the window opening there again after a restart; and
//! "Sign in" bringing the sign-in screen back, with the way to the music here. Linux only:
//! GTK's folder dialog driven through XTEST, and a Unix link to the folder.
#![cfg(target_os = "linux")]

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context as _, Result, ensure};
use fantoccini::Locator;
use fantoccini::key::Key;
use strato_e2e::list_edits::wait_for_titles;
use strato_e2e::local_music::{
    AlbumTags, FolderLink, add_folder_in_settings, cover_jpeg, tagged_flac,
};
use strato_e2e::ui::{
    inside, now_playing_title, screenshots, scroll_main_to, shown, shown_route, text,
    wait_for_route,
};
use strato_e2e::{AppUnderTest, Audio};

const TAGS: AlbumTags<'static> = AlbumTags {
    album: "Porch Tapes",
    artist: "The Lamplighters",
};
/// The album's files and their titles (named otherwise, so titles come from the tags).
const TRACKS: [(&str, &str); 3] = [
    ("01-a.flac", "Morning Kettle"),
    ("02-b.flac", "Screen Door"),
    ("03-c.flac", "Firefly Waltz"),
];

/// Each file's length: the one played still plays when the window is photographed.
const SECONDS: f64 = 30.0;
/// The playlist kept on this computer made from the sidebar.
const PLAYLIST: &str = "Porch favourites";

/// The album's folder in the run's scratch folder, with its cover.
fn make_music(app: &AppUnderTest) -> Result<PathBuf> {
    let music = app.scratch_dir().join("Music").join(TAGS.album);
    std::fs::create_dir_all(&music)?;
    for (number, track) in TRACKS.iter().enumerate() {
        let _ = tagged_flac(&music, TAGS, *track, number + 1, SECONDS);
    }
    cover_jpeg(&music.join("cover.jpg"))?;
    Ok(music)
}

/// The `data-testid`s of the sidebar's screens, top to bottom.
async fn sidebar_screens(app: &AppUnderTest) -> Result<Vec<String>> {
    let found = app
        .client
        .execute(
            "return Array.from(document.querySelectorAll('aside nav [data-testid^=\"nav-\"]'), \
             (link) => link.dataset.testid);",
            vec![],
        )
        .await?;
    Ok(serde_json::from_value(found)?)
}

/// The sign-in screen's way to the music here: the main window signed out, at Local files,
/// with none of an account's screens, menus or playlists.
async fn play_on_this_computer(app: &AppUnderTest) -> Result<()> {
    let action = app.wait_for("play-on-this-computer").await?;
    ensure!(
        text(&action).await? == "Play music on this computer",
        "the action's words"
    );
    app.screenshot(&screenshots()?.join("window-sign-in-this-computer.png"))
        .await?;
    action.click().await?;
    wait_for_route(app, "local-files").await?;
    app.wait_for("local-files-empty").await?;
    assert_eq!(sidebar_screens(app).await?, ["nav-local-files"]);
    for absent in [
        "account-menu",
        "sign-out",
        "new-playlist",
        "import-playlist",
    ] {
        ensure!(
            app.all(absent).await?.is_empty(),
            "{absent} shown without an account"
        );
    }
    app.wait_for("new-local-playlist").await?;
    app.wait_for_text("signed-out-footer", Duration::from_secs(5), |t| {
        t.starts_with("Not signed in")
    })
    .await?;
    Ok(())
}

/// Settings signed out: nothing in it refused for want of an account, and its Account group
/// says there is none, with the way to sign in.
async fn settings_ask_no_account(app: &AppUnderTest) -> Result<()> {
    let alerts = app
        .client
        .execute(
            "return Array.from(document.querySelectorAll('[data-testid=\"settings-screen\"] \
             [role=\"alert\"]'), (alert) => alert.textContent.trim());",
            vec![],
        )
        .await?;
    let alerts: Vec<String> = serde_json::from_value(alerts)?;
    ensure!(alerts.is_empty(), "Settings refused something: {alerts:?}");
    app.wait_for_text("settings-account-none", Duration::from_secs(5), |t| {
        t.starts_with("Not signed in")
    })
    .await?;
    app.wait_for("settings-sign-in").await?;
    scroll_main_to(app, "settings-account-none").await?;
    app.screenshot(&screenshots()?.join("window-settings-signed-out.png"))
        .await
}

/// A playlist kept on this computer, made from the sidebar's "On this computer": its page
/// opens.
async fn make_a_playlist(app: &AppUnderTest) -> Result<()> {
    app.wait_for("new-local-playlist").await?.click().await?;
    app.wait_for("new-local-playlist-input")
        .await?
        .send_keys(&format!("{PLAYLIST}{}", Key::Enter))
        .await?;
    app.wait_for_text("playlist-name", Duration::from_secs(10), |t| t == PLAYLIST)
        .await?;
    let route = shown_route(app).await?;
    ensure!(
        route.starts_with("local-playlist/local-playlist:"),
        "the playlist's page: {route}"
    );
    app.wait_for_text("local-playlist-row", Duration::from_secs(10), |t| {
        t.contains(PLAYLIST)
    })
    .await?;
    Ok(())
}

/// Local files lists the album by its tags; the second track played from its row is heard.
async fn play_a_file(app: &AppUnderTest) -> Result<()> {
    app.wait_for("nav-local-files").await?.click().await?;
    wait_for_route(app, "local-files").await?;
    let all: Vec<&str> = TRACKS.iter().map(|(_, title)| *title).collect();
    wait_for_titles(app, "local-files-screen", "local-track-row", &all).await?;
    let rows = app
        .client
        .find_all(Locator::Css(
            "[data-testid=\"local-files-screen\"] [data-testid=\"local-track-row\"]",
        ))
        .await?;
    let row = rows.get(1).context("the second row")?;
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

/// The search box finds a file here by its tags, asking no catalog.
async fn search_the_files_here(app: &AppUnderTest) -> Result<()> {
    let search = app.wait_for("search-input").await?;
    ensure!(
        search.attr("placeholder").await?.as_deref() == Some("Search the music on this computer"),
        "the search box's words"
    );
    search.send_keys("firefly").await?;
    wait_for_titles(app, "search-local-files", "local-track-row", &[TRACKS[2].1]).await?;
    ensure!(
        app.all("search-error").await?.is_empty(),
        "the search said it failed"
    );
    app.chord(&[Key::Escape]).await?;
    wait_for_route(app, "local-files").await
}

#[tokio::test]
async fn the_music_on_this_computer_plays_without_an_account() -> Result<()> {
    let mut app = AppUnderTest::launch(Audio::Capture).await?;
    let music = make_music(&app)?;
    // Typed into the dialog through a link whose path needs no Shift.
    let link = FolderLink::new(
        &music,
        PathBuf::from(format!("/tmp/strato-e2e-signed-out-{}", std::process::id())),
    )?;

    // No session kept: the sign-in screen, and below it the music here.
    app.wait_for("sign-in").await?;
    play_on_this_computer(&app).await?;

    // Settings, from the sidebar's footer: a folder added.
    app.wait_for("open-settings").await?.click().await?;
    app.wait_for("settings-screen").await?;
    add_folder_in_settings(&app, &link.0, "3 tracks").await?;
    settings_ask_no_account(&app).await?;

    make_a_playlist(&app).await?;
    play_a_file(&app).await?;
    app.screenshot(&screenshots()?.join("window-signed-out.png"))
        .await?;
    app.wait_for("play-pause").await?.click().await?;
    search_the_files_here(&app).await?;

    // Remembered: the next start opens there, not at sign-in.
    app.restart().await?;
    app.wait_for("local-files-screen").await?;
    wait_for_route(&app, "local-files").await?;
    ensure!(
        app.all("sign-in").await?.is_empty(),
        "the sign-in screen after a restart"
    );

    // "Sign in": the sign-in screen again, with the way back.
    app.wait_for("sidebar-sign-in").await?.click().await?;
    app.wait_for("sign-in").await?;
    app.wait_for("play-on-this-computer").await?;
    app.close().await
}
