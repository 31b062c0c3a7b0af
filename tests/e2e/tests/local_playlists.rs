//! Playlists kept on this computer in the real window: a folder of tagged FLAC files added
//! from Settings › Local files; a playlist on this computer made from a track's menu on the
//! Local files screen ("New playlist on this computer from selection", the account's
//! playlists not offered), another track added to it from its menu; on its own page, in the
//! sidebar's "On this computer", reordered with Alt+Up, played and heard on the capture
//! device; found again, in that order, after the app is restarted; a file deleted on disk
//! shown greyed as "File not found" and counted; and exported as M3U8 through GTK's save
//! dialog, the file naming both files by their paths, in order. And edited as a listener
//! does: a row dragged and the drag undone, two rows taken out by quick Deletes (each the
//! row chosen, the keyboard staying in the list) and the last undone, the playlist deleted
//! (the keyboard on the next screen's heading) and brought back by Undo. Linux only: GTK's
//! dialogs driven through XTEST, and a Unix link to the folder.
#![cfg(target_os = "linux")]

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context as _, Result, ensure};
use fantoccini::Locator;
use fantoccini::elements::Element;
use fantoccini::key::Key;
use strato_e2e::dialogs::save_as;
use strato_e2e::list_edits::{drag, undo, wait_for_notice, wait_for_titles};
use strato_e2e::local_music::{
    AlbumTags, FolderLink, add_folder_in_settings, cover_jpeg, tagged_flac,
};
use strato_e2e::ui::{
    inside, now_playing_title, open_settings, screenshots, shown, text, wait_for_route, wait_until,
};
use strato_e2e::{AppUnderTest, Audio};

const DEMO_USER: &str = "demo";
const DEMO_PASSWORD: &str = "Strato-demo-1";
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
/// Each file's length, in whole seconds (as an M3U's `#EXTINF` gives it).
const SECONDS: u32 = 8;
/// The name "New playlist on this computer from selection" gives one track: its album's.
const PLAYLIST: &str = "Porch Tapes";
/// The save dialog's title (the window's English).
const EXPORT_TITLE: &str = "Export the playlist";

/// Waits until the local playlist's page lists `expected`, in order; `what` says which
/// moment of the test it is, should it not.
async fn wait_for_playlist(app: &AppUnderTest, what: &str, expected: &[&str]) -> Result<()> {
    wait_for_titles(
        app,
        "local-playlist-screen",
        "local-playlist-item",
        expected,
    )
    .await
    .with_context(|| what.to_owned())
}

/// The row titled `title` among the rows marked `row_test_id` shown.
async fn row_titled(app: &AppUnderTest, row_test_id: &str, title: &str) -> Result<Element> {
    wait_until(
        Duration::from_secs(20),
        &format!("a {row_test_id} titled {title:?}"),
        async || {
            for row in app.all(row_test_id).await? {
                let Ok(cell) = row.find(Locator::Css(".title")).await else {
                    continue;
                };
                if text(&cell).await.ok().as_deref() == Some(title) {
                    return Ok(Some(row));
                }
            }
            Ok(None)
        },
        Option::is_some,
    )
    .await?
    .context("checked by wait_until")
}

/// Opens the "Add to playlist" submenu of the Local files row titled `title`, from its "⋯".
async fn add_to_playlist_menu(app: &AppUnderTest, title: &str) -> Result<()> {
    let row = row_titled(app, "local-track-row", title).await?;
    shown(inside(&row, "row-menu").await?)
        .await?
        .click()
        .await?;
    shown(app.wait_for("menu-add-to-playlist").await?)
        .await?
        .click()
        .await?;
    app.wait_for("add-to-playlist-menu").await?;
    Ok(())
}

/// On the Local files screen: a playlist on this computer made of the first track from its
/// menu, where the account's playlists are not offered, and the third added to it.
async fn make_from_local_files(app: &AppUnderTest) -> Result<()> {
    app.wait_for("nav-local-files").await?.click().await?;
    wait_for_route(app, "local-files").await?;
    add_to_playlist_menu(app, TRACKS[0].1).await?;
    ensure!(
        app.all("menu-new-playlist").await?.is_empty(),
        "an account's new playlist offered for a file on this computer"
    );
    shown(app.wait_for("menu-new-local-playlist").await?)
        .await?
        .click()
        .await?;
    wait_for_notice(app, &format!("Made “{PLAYLIST}” with 1 track.")).await?;

    add_to_playlist_menu(app, TRACKS[2].1).await?;
    let mut chosen = None;
    for option in app.all("add-to-playlist-option").await? {
        if text(&option).await? == PLAYLIST {
            chosen = Some(option);
        }
    }
    shown(chosen.context("the playlist on this computer in the menu")?)
        .await?
        .click()
        .await?;
    wait_for_notice(app, &format!("Added “{}” to “{PLAYLIST}”.", TRACKS[2].1)).await
}

/// Opens the playlist from the sidebar's "On this computer"; its route's id.
async fn open_from_sidebar(app: &AppUnderTest) -> Result<String> {
    let row = wait_until(
        Duration::from_secs(20),
        "the playlist in the sidebar's On this computer",
        async || {
            for row in app.all("local-playlist-row").await? {
                let Ok(name) = row.find(Locator::Css(".name")).await else {
                    continue;
                };
                if text(&name).await.ok().as_deref() == Some(PLAYLIST) {
                    return Ok(Some(row));
                }
            }
            Ok(None)
        },
        Option::is_some,
    )
    .await?
    .context("checked by wait_until")?;
    let id = row
        .attr("data-playlist-id")
        .await?
        .context("the row's playlist")?;
    ensure!(id.starts_with("local-playlist:"), "a local playlist: {id}");
    row.click().await?;
    wait_for_route(app, &format!("local-playlist/{id}")).await?;
    app.wait_for_text("playlist-name", Duration::from_secs(10), |t| t == PLAYLIST)
        .await?;
    Ok(id)
}

/// The album's folder in the run's scratch folder, with its cover.
fn make_music(app: &AppUnderTest) -> Result<PathBuf> {
    let music = app.scratch_dir().join("Music").join(TAGS.album);
    std::fs::create_dir_all(&music)?;
    for (number, track) in TRACKS.iter().enumerate() {
        let _ = tagged_flac(&music, TAGS, *track, number + 1, f64::from(SECONDS));
    }
    cover_jpeg(&music.join("cover.jpg"))?;
    Ok(music)
}

/// Exports the playlist shown to `file` (M3U8 by its name) and reads what was written.
async fn export(app: &AppUnderTest, file: &Path) -> Result<String> {
    app.wait_for("export-playlist").await?.click().await?;
    save_as(app, EXPORT_TITLE, file).await?;
    let name = file
        .file_name()
        .and_then(|name| name.to_str())
        .context("a file name")?
        .to_owned();
    app.wait_for_text("playlist-exported", Duration::from_secs(20), |t| {
        t.contains(&name)
    })
    .await?;
    Ok(std::fs::read_to_string(file)?)
}

#[tokio::test]
async fn a_playlist_on_this_computer_is_made_reordered_played_kept_and_exported() -> Result<()> {
    let mut app = AppUnderTest::launch(Audio::Capture).await?;
    let music = make_music(&app)?;
    let pid = std::process::id();
    // Paths typed into GTK's dialogs: only what `type_text` types unshifted.
    let link = FolderLink::new(&music, PathBuf::from(format!("/tmp/strato-e2e-lpm-{pid}")))?;
    let out = PathBuf::from(format!("/tmp/strato-e2e-lp-{pid}"));
    std::fs::create_dir_all(&out)?;
    app.sign_in_and_stay(DEMO_USER, DEMO_PASSWORD).await?;
    app.wait_for("home-screen").await?;
    open_settings(&app).await?;
    add_folder_in_settings(&app, &link.0, "3 tracks").await?;

    make_from_local_files(&app).await?;
    open_from_sidebar(&app).await?;
    let (first, third) = (TRACKS[0].1, TRACKS[2].1);
    wait_for_playlist(&app, "the playlist as made", &[first, third]).await?;
    ensure!(
        text(&app.wait_for("playlist-count").await?).await? == "2 tracks",
        "the count"
    );

    // Alt+Up moves the second up, and the list plays in its new order.
    let row = row_titled(&app, "local-playlist-item", third).await?;
    shown(row.find(Locator::Css(".title")).await?)
        .await?
        .click()
        .await?;
    app.chord(&[Key::Alt, Key::Up]).await?;
    wait_for_playlist(&app, "the playlist after Alt+Up", &[third, first]).await?;
    wait_for_notice(&app, &format!("Moved “{third}” in “{PLAYLIST}”.")).await?;
    app.wait_for("play-playlist").await?.click().await?;
    assert_eq!(
        now_playing_title(&app, Duration::from_secs(20)).await?,
        third
    );
    app.ensure_heard().await?;
    app.wait_for("play-pause").await?.click().await?;

    // Kept on this computer: there again after a restart, in its order.
    app.restart().await?;
    app.wait_for("home-screen").await?;
    open_from_sidebar(&app).await?;
    wait_for_playlist(&app, "the playlist after a restart", &[third, first]).await?;

    // Its first file deleted on disk: the row stays, by its name, greyed and not found.
    let canonical = music.canonicalize()?;
    std::fs::remove_file(music.join(TRACKS[0].0))?;
    wait_until(
        Duration::from_secs(30),
        "the deleted file's row shown as missing",
        async || {
            let row = row_titled(&app, "local-playlist-item", first).await?;
            Ok(row.attr("data-missing").await?.is_some())
        },
        |missing| *missing,
    )
    .await?;
    let row = row_titled(&app, "local-playlist-item", first).await?;
    assert_eq!(
        text(&inside(&row, "file-missing").await?).await?,
        "File not found"
    );
    app.wait_for_text("local-playlist-missing", Duration::from_secs(10), |t| {
        t.contains("1 file not found")
    })
    .await?;
    app.screenshot(&screenshots()?.join("window-local-playlist.png"))
        .await?;

    // Exported: both files, the missing one too, by their paths, in the playlist's order.
    let m3u = export(&app, &out.join("porch.m3u8")).await?;
    let entry = |(file, title): (&str, &str)| {
        format!(
            "#EXTINF:{SECONDS},{artist} - {title}\n#EXTALB:{album}\n{}\n",
            canonical.join(file).display(),
            artist = TAGS.artist,
            album = TAGS.album,
        )
    };
    assert_eq!(
        m3u,
        format!(
            "#EXTM3U\n#PLAYLIST:{PLAYLIST}\n{}{}",
            entry(TRACKS[2]),
            entry(TRACKS[0])
        ),
        "the exported M3U8"
    );
    let _ = std::fs::remove_dir_all(&out);
    app.close().await
}

/// The tag of the focused element, and its text's start (`BODY` when the keyboard fell to
/// the page).
async fn focused(app: &AppUnderTest) -> Result<String> {
    let found = app
        .client
        .execute(
            "const e = document.activeElement; \
             return `${e.tagName} ${(e.textContent || '').trim().slice(0, 40)}`;",
            vec![],
        )
        .await?;
    Ok(found.as_str().unwrap_or_default().to_owned())
}

#[tokio::test]
async fn edits_of_a_playlist_on_this_computer_are_undone_and_a_deleted_one_comes_back() -> Result<()>
{
    let app = AppUnderTest::launch(Audio::Silent).await?;
    let music = make_music(&app)?;
    let link = FolderLink::new(
        &music,
        PathBuf::from(format!("/tmp/strato-e2e-lpe-{}", std::process::id())),
    )?;
    app.sign_in_and_stay(DEMO_USER, DEMO_PASSWORD).await?;
    app.wait_for("home-screen").await?;
    open_settings(&app).await?;
    add_folder_in_settings(&app, &link.0, "3 tracks").await?;
    make_from_local_files(&app).await?;
    add_to_playlist_menu(&app, TRACKS[1].1).await?;
    let option = wait_until(
        Duration::from_secs(10),
        "the playlist in the menu",
        async || {
            for option in app.all("add-to-playlist-option").await? {
                if text(&option).await? == PLAYLIST {
                    return Ok(Some(option));
                }
            }
            Ok(None)
        },
        Option::is_some,
    )
    .await?
    .context("checked by wait_until")?;
    shown(option).await?.click().await?;
    let [(_, a), (_, b), (_, c)] = TRACKS;
    open_from_sidebar(&app).await?;
    wait_for_playlist(&app, "the playlist as made", &[a, c, b]).await?;

    // The first row dragged onto the last: after it. Ctrl+Z puts it back.
    let first = row_titled(&app, "local-playlist-item", a).await?;
    let last = row_titled(&app, "local-playlist-item", b).await?;
    ensure!(drag(&app, &first, &last).await?, "the list took the drop");
    wait_for_playlist(&app, "the playlist after the drag", &[c, b, a]).await?;
    wait_for_notice(&app, &format!("Moved “{a}” in “{PLAYLIST}”.")).await?;
    undo(&app).await?;
    wait_for_playlist(&app, "the drag undone", &[a, c, b]).await?;

    // Delete twice: the chosen row, then the one the keyboard moved to; never another. The
    // keyboard stays in the list. (Two in flight at once: the store's unit tests.)
    shown(
        row_titled(&app, "local-playlist-item", a)
            .await?
            .find(Locator::Css(".title"))
            .await?,
    )
    .await?
    .click()
    .await?;
    app.chord(&[Key::Delete]).await?;
    wait_for_playlist(&app, "the first row taken out", &[c, b]).await?;
    let keyboard = focused(&app).await?;
    ensure!(
        keyboard.contains(c),
        "the keyboard not on the next row: {keyboard}"
    );
    app.chord(&[Key::Delete]).await?;
    wait_for_playlist(&app, "two rows taken out", &[b]).await?;
    wait_for_notice(&app, &format!("Removed “{c}” from “{PLAYLIST}”.")).await?;
    let keyboard = focused(&app).await?;
    ensure!(
        keyboard.contains(b),
        "the keyboard left the list: {keyboard}"
    );
    undo(&app).await?;
    wait_for_playlist(&app, "the last removal undone", &[c, b]).await?;

    // Deleted once confirmed: the screen before it comes back, with the keyboard on its
    // heading; Undo makes it again, with its items, in the sidebar.
    app.wait_for("delete-playlist").await?.click().await?;
    app.wait_for("confirm-delete-playlist")
        .await?
        .click()
        .await?;
    wait_for_notice(&app, &format!("Deleted “{PLAYLIST}”.")).await?;
    let keyboard = wait_until(
        Duration::from_secs(5),
        "the keyboard on the next screen's heading",
        async || focused(&app).await,
        |tag| tag.starts_with('H'),
    )
    .await?;
    ensure!(
        !keyboard.contains(PLAYLIST),
        "still on the deleted page: {keyboard}"
    );
    ensure!(
        app.all("local-playlist-row").await?.is_empty(),
        "the deleted playlist still in the sidebar"
    );
    undo(&app).await?;
    open_from_sidebar(&app).await?;
    wait_for_playlist(&app, "the playlist made again", &[c, b]).await?;
    app.close().await
}
