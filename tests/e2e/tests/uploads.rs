//! The listener's own music in the real window: "Upload music" opens the OS's own file dialog
//! (GTK's, driven with keys typed through XTEST, as `WebDriver` cannot reach a native window),
//! the file chosen is confirmed in the upload sheet with a title of the listener's, sent to
//! devcloud and moto's S3, followed until processed, played, made public and found in
//! Explore and on the listener's page; a playlist holding it shared on that page, opened
//! there read-only and played; kept offline, deleted on another device, its offline copy
//! removed at the next sync with a notice, and the shared playlist showing it as gone.
//! (Files dropped on the window: `upload_drop.rs`.)

use std::time::Duration;

use anyhow::{Context, Result, ensure};
use strato_cloud::{ApiClient, Credentials, ServiceClient};
use strato_e2e::ui::{
    attr, first_clickable, inside, row_menu_action, screenshots, sidebar_row, text, wait_for_css,
    wait_for_route, wait_until,
};
use strato_e2e::window::{AppWindow, type_text};
use strato_e2e::{AppUnderTest, Audio};
use strato_model::api::{AddItems, NewPlaylist};
use strato_testkit::ffmpeg::make_audio_file;

const DEMO_USER: &str = "demo";
const DEMO_PASSWORD: &str = "Strato-demo-1";
/// Processing a short file takes a few seconds; a slow machine may take many more.
const PROCESSED_WITHIN: Duration = Duration::from_secs(120);

/// The playlist another device makes and the window shares.
const SHARED_NAME: &str = "Porch Mix";

/// The upload dialog's title, as the window asks for it in English.
const CHOOSER_TITLE: &str = "Choose music to upload";

/// Chooses `file` in the OS's own file dialog (GTK's, a native window): focused as a window
/// manager would, the path typed into its location field (`/` opens it), then Return.
async fn choose_in_native_dialog(app: &AppUnderTest, file: &std::path::Path) -> Result<()> {
    let dialog =
        AppWindow::wait_titled(app.app_pid()?, CHOOSER_TITLE, Duration::from_secs(20)).await?;
    dialog.focus()?;
    // GTK opens its location field on the first character typed; give it a moment to map.
    type_text("/")?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rest = file
        .to_str()
        .context("a UTF-8 path")?
        .trim_start_matches('/');
    type_text(rest)?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    type_text("\n")?;
    Ok(())
}

#[tokio::test]
async fn a_file_chosen_in_the_os_dialog_is_confirmed_uploaded_processed_played_and_shared()
-> Result<()> {
    let shots = screenshots()?;
    let app = AppUnderTest::launch(Audio::Silent).await?;
    app.sign_in(DEMO_USER, DEMO_PASSWORD).await?;
    app.wait_for("home-screen").await?;

    // A path typed without Shift (see `type_text`): lower case, digits, `/`, `-`, `.`.
    let folder = std::path::PathBuf::from(format!("/tmp/strato-e2e-upload-{}", std::process::id()));
    std::fs::create_dir_all(&folder)?;
    let file = make_audio_file(&folder, "porch-session.flac", 12.0);
    app.wait_for("nav-uploads").await?.click().await?;
    wait_for_route(&app, "uploads").await?;
    app.wait_for("upload-choose").await?.click().await?;
    choose_in_native_dialog(&app, &file).await?;

    // The sheet: what will be sent, private unless chosen, a title typed in.
    let sheet = app.wait_for("upload-sheet").await?;
    let title = app.wait_for("upload-title").await?;
    title.send_keys("Porch Session").await?;
    let visibility = app.wait_for("upload-visibility").await?;
    ensure!(
        visibility.prop("value").await?.as_deref() == Some("private"),
        "a file is private unless the listener says otherwise"
    );
    app.screenshot(&shots.join("window-upload-sheet.png"))
        .await?;
    ensure!(text(&sheet).await?.contains("porch-session.flac"));
    app.wait_for("upload-send").await?.click().await?;

    // "Your uploads": the transfer, then the track, private, once processed.
    wait_for_route(&app, "uploads").await?;
    app.wait_for_text("upload-status", PROCESSED_WITHIN, |t| t == "Private")
        .await?;
    let row = app.wait_for("upload-row").await?;
    ensure!(
        text(&row).await?.contains("Porch Session"),
        "the title typed in"
    );
    app.screenshot(&shots.join("window-uploads.png")).await?;

    // It plays, as any track does.
    row.find(fantoccini::Locator::Css("button.play"))
        .await?
        .click()
        .await?;
    app.wait_for_text("now-playing-title", Duration::from_secs(30), |t| {
        t == "Porch Session"
    })
    .await?;

    // Public: in Explore for everyone, with the listener's page one click away.
    app.wait_for("upload-visibility-toggle")
        .await?
        .click()
        .await?;
    app.wait_for_text("upload-status", Duration::from_secs(20), |t| t == "Public")
        .await?;
    app.wait_for("nav-explore").await?.click().await?;
    wait_for_route(&app, "explore").await?;
    app.wait_for_text("explore-screen", Duration::from_secs(20), |t| {
        t.contains("Porch Session")
    })
    .await?;
    app.screenshot(&shots.join("window-explore.png")).await?;
    app.wait_for("sharer-link").await?.click().await?;
    app.wait_for_text("listener-name", Duration::from_secs(20), |t| t == DEMO_USER)
        .await?;
    app.wait_for_text("listener-screen", Duration::from_secs(20), |t| {
        t.contains("Porch Session")
    })
    .await?;

    let track_id = attr(&app.wait_for("track-row").await?, "data-track-id").await?;
    share_a_playlist(&app, &track_id).await?;
    offline_copy_goes_when_deleted_elsewhere(&app, &track_id).await?;
    let _ = std::fs::remove_dir_all(&folder);
    app.close().await
}

/// Another device makes a playlist of the upload and a catalog track; the window shows it on
/// the listener's page, where it opens read-only and plays. Ends on that playlist's screen.
async fn share_a_playlist(app: &AppUnderTest, upload_id: &str) -> Result<()> {
    let device = another_device(app).await?;
    let catalog = device.tracks(None, 1).await?.items.remove(0);
    let new = NewPlaylist {
        name: SHARED_NAME.to_owned(),
        description: String::new(),
    };
    let playlist = device.create_playlist(&new, None).await?;
    let items = AddItems {
        track_ids: vec![upload_id.to_owned(), catalog.id.clone()],
        position: None,
    };
    device
        .add_playlist_items(&playlist.id, playlist.revision, &items, None)
        .await?;
    // "Sync now" until the playlist is in the sidebar (a press during a pass does nothing).
    wait_until(
        Duration::from_secs(30),
        "the playlist made elsewhere synced",
        async || {
            let rows = app.all("playlist-row").await?;
            if rows.is_empty() {
                let button = app.wait_for("sync-now").await?;
                if button.is_enabled().await? {
                    let _ = button.click().await;
                }
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            Ok(rows.len())
        },
        |rows| *rows > 0,
    )
    .await?;
    // The sidebar's rows are redrawn as sync answers: a click on one just replaced is tried
    // again on the new one.
    wait_until(
        Duration::from_secs(20),
        "the synced playlist opened from the sidebar",
        async || {
            if let Ok(row) = sidebar_row(app, SHARED_NAME).await {
                let _ = row.click().await;
            }
            match app.all("playlist-name").await?.first() {
                Some(name) => Ok(text(name).await.unwrap_or_default()),
                None => Ok(String::new()),
            }
        },
        |name| name == SHARED_NAME,
    )
    .await?;
    app.wait_for("public-toggle").await?.click().await?;
    wait_until(
        Duration::from_secs(20),
        "the playlist shown on the listener's page",
        async || Ok(app.wait_for("public-toggle").await?.prop("checked").await?),
        |checked| checked.as_deref() == Some("true"),
    )
    .await?;
    // The sidebar marks it (its row is redrawn as the answer lands: found afresh).
    app.wait_for("playlist-public").await?;

    app.wait_for("nav-explore").await?.click().await?;
    wait_for_route(app, "explore").await?;
    app.wait_for("sharer-link").await?.click().await?;
    app.wait_for_text("listener-screen", Duration::from_secs(20), |t| {
        t.contains(SHARED_NAME)
    })
    .await?;
    app.screenshot(&screenshots()?.join("window-listener.png"))
        .await?;
    app.wait_for("listener-playlist").await?.click().await?;
    app.wait_for_text("shared-playlist-name", Duration::from_secs(20), |t| {
        t == SHARED_NAME
    })
    .await?;
    let play = format!(
        "[data-testid=\"track-row\"][data-track-id=\"{}\"] [data-testid=\"play-track\"]",
        catalog.id
    );
    first_clickable(app, &play).await?.click().await?;
    app.wait_for_text("now-playing-title", Duration::from_secs(30), |t| {
        t == catalog.title
    })
    .await?;
    Ok(())
}

/// Kept offline from the shared playlist, then deleted on another device: the next sync
/// removes the copy and says so, and the playlist shows the item as no longer available.
async fn offline_copy_goes_when_deleted_elsewhere(
    app: &AppUnderTest,
    track_id: &str,
) -> Result<()> {
    let shots = screenshots()?;
    row_menu_action(app, track_id, "menu-make-offline").await?;
    app.wait_for("nav-downloads").await?.click().await?;
    wait_for_route(app, "downloads").await?;
    let item_css =
        format!("[data-testid=\"download-item\"][data-kind=\"track\"][data-id=\"{track_id}\"]");
    wait_until(
        Duration::from_secs(60),
        "the upload downloaded",
        async || {
            text(&inside(&wait_for_css(app, &item_css).await?, "download-progress").await?).await
        },
        |progress| progress == "Downloaded",
    )
    .await?;
    ensure!(offline_files(app)? == 1, "one file kept offline");
    another_device(app).await?.delete_upload(track_id).await?;
    // "Sync now" is pressed until the notice comes: the button is disabled while a pass runs
    // (one may be under way, for the download's own status), and a press then does nothing.
    wait_until(
        Duration::from_secs(30),
        "the notice of the offline copy removed",
        async || {
            for notice in app.all("sync-notice").await? {
                let words = text(&notice).await.unwrap_or_default();
                if words.contains("“Porch Session” was removed from your offline music") {
                    return Ok(true);
                }
            }
            let button = app.wait_for("sync-now").await?;
            if button.is_enabled().await? {
                let _ = button.click().await;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
            Ok(false)
        },
        |found| *found,
    )
    .await?;
    app.wait_for("downloads-empty").await?;
    app.screenshot(&shots.join("window-offline-removed.png"))
        .await?;
    ensure!(offline_files(app)? == 0, "the file is gone from the disk");

    // Back on the shared playlist: the item is there, no longer available.
    app.wait_for("nav-back").await?.click().await?;
    app.wait_for_text("shared-playlist-name", Duration::from_secs(20), |t| {
        t == SHARED_NAME
    })
    .await?;
    app.wait_for("track-unavailable").await?;
    app.screenshot(&shots.join("window-shared-playlist.png"))
        .await?;

    // The notice, read, goes.
    app.wait_for("dismiss-sync-notice").await?.click().await?;
    wait_until(
        Duration::from_secs(10),
        "the notice dismissed",
        async || app.all("sync-notice").await,
        Vec::is_empty,
    )
    .await?;
    Ok(())
}

/// The files kept offline, of every account (`offline/<account>/<track>.mp3`).
fn offline_files(app: &AppUnderTest) -> Result<usize> {
    let mut count = 0;
    for account in app.data_dir().join("offline").read_dir()? {
        for file in account?.path().read_dir()? {
            count += usize::from(file?.path().extension().is_some_and(|e| e == "mp3"));
        }
    }
    Ok(count)
}

/// The same listener signed in elsewhere: a client of the service of its own.
async fn another_device(app: &AppUnderTest) -> Result<ApiClient> {
    let service = ServiceClient::connect(app.devcloud.api_url()).await?;
    let tokens = service
        .sign_in(&Credentials {
            username: DEMO_USER.to_owned(),
            password: DEMO_PASSWORD.to_owned(),
        })
        .await?;
    Ok(ApiClient::new(service, tokens))
}
