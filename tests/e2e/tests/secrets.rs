//! Nothing secret is left on disk, and no username in the logs, after a whole session in the
//! real app: signed in with "Stay signed in", a track played, a playlist edited and synced,
//! made available offline and downloaded, then signed out.
//!
//! What is secret, and how the test knows it: the password is the test's own (a new listener
//! with a password holding spaces and URL-special characters, so its encoded shapes differ
//! from it). Tokens and CDN signatures differ at every sign-in and grant, so the test asks the
//! issuers, not a client of its own: moto's record of every access, id and refresh token its
//! user pool issued (including refreshes, read before signing out since a global sign-out
//! drops access tokens from it), and devcloud's record of every CDN signature and signed
//! cookie policy it handed out. A client's own sign-in would only prove its own tokens absent.
//!
//! Where: everything the app and `WebKitGTK` wrote. The app runs with `HOME` and the `XDG_*`
//! folders in the test's folder, so the scan covers its data folder (the library databases,
//! their WAL files, the downloads), its log folder, the home (settings, the webview's
//! storage and caches) and tauri-driver's log (the app's stderr). Each file is searched as
//! bytes for every shape of every secret (as is, percent- and form-encoded, JSON-escaped,
//! UTF-16, hex, inside base64 at any alignment, a JWT's signature alone): once while the app
//! still runs, once after it quit.
//!
//! The logs (the default filter: `STRATO_LOG` is not set) must not carry the username either,
//! but must carry its account tag, which shows the sign-in was logged at all.
//!
//! Before signing out, Settings › Privacy › "Export diagnostics" saves a zip through GTK's
//! own save dialog (typed into through XTEST, as a person types); it is opened and every file
//! in it unpacked into the home, so the same scan searches it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, ensure};
use strato_e2e::issued::IssuedTokens;
use strato_e2e::secrets::{Hit, SecretScan, files_under};
use strato_e2e::ui::{
    add_from_catalog, clock_seconds, create_playlist, now_playing_title, open_catalog,
    open_settings, sidebar_row, wait_until, wait_until_synced,
};
use strato_e2e::window::{AppWindow, press_key, type_text};
use strato_e2e::{AppUnderTest, Audio, issued};

const PLAYLIST: &str = "For the road";
/// The save dialog's title (the window's English).
const SAVE_TITLE: &str = "Save Strato's diagnostics";
/// Where the export's files are unpacked, under the home the scan searches.
const EXPORTED: &str = "exported-diagnostics";

/// A few hex digits no other run shares, so the username cannot be found by chance.
fn nonce() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("{:08x}{:05x}", nanos, std::process::id() & 0xf_ffff)
}

fn listed(hits: &[Hit]) -> String {
    hits.iter().fold(String::new(), |mut out, hit| {
        let _ = writeln!(out, "  {hit}");
        out
    })
}

/// Signs in (kept), plays a track, makes and syncs a playlist, keeps it offline until its
/// track is downloaded.
async fn a_whole_session(app: &AppUnderTest, username: &str, password: &str) -> Result<()> {
    app.sign_in_and_stay(username, password).await?;
    open_catalog(app).await?;

    // Play: a stream grant (signed cookies and a signed URL), HLS through the CDN.
    app.wait_for("play-track").await?.click().await?;
    now_playing_title(app, Duration::from_secs(20)).await?;
    app.wait_for_text("position", Duration::from_secs(30), |t| {
        clock_seconds(t) >= 1
    })
    .await?;

    // Edit a playlist and let it sync, then keep it offline until its track is downloaded.
    create_playlist(app, PLAYLIST).await?;
    add_from_catalog(app, PLAYLIST, 1).await?;
    wait_until_synced(app).await?;
    sidebar_row(app, PLAYLIST)
        .await?
        .click()
        .await
        .context("opening the playlist")?;
    app.wait_for("offline-toggle").await?.click().await?;
    wait_until(
        Duration::from_secs(60),
        "the playlist's tracks kept offline",
        async || {
            let mut states = Vec::new();
            for mark in app.all("offline-state").await? {
                states.push(mark.attr("data-state").await?.unwrap_or_default());
            }
            Ok(states)
        },
        |states| !states.is_empty() && states.iter().all(|s| s == "available"),
    )
    .await?;
    Ok(())
}

/// Settings › Privacy › Export diagnostics, saved through GTK's save dialog to a fresh
/// folder, then unpacked into the home's [`EXPORTED`] folder; the names of its files.
async fn export_diagnostics(app: &AppUnderTest) -> Result<Vec<String>> {
    const END: u32 = 0xff57;
    const BACKSPACE: u32 = 0xff08;
    open_settings(app).await?;
    let export = app.wait_for("export-diagnostics").await?;
    // Into the middle of the screen, clear of the player bar.
    app.client
        .execute(
            "arguments[0].scrollIntoView({block: 'center'})",
            vec![serde_json::to_value(&export)?],
        )
        .await?;
    export.click().await?;
    let pid = app.app_pid()?;
    let dialog = AppWindow::wait_titled(pid, SAVE_TITLE, Duration::from_secs(20)).await?;
    dialog.focus()?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    // The name field holds a suggested name: cleared, then a whole path typed (lower case,
    // digits, `/`, `-`, `.`: what `type_text` types without Shift).
    let folder = PathBuf::from(format!("/tmp/strato-e2e-export-{}", std::process::id()));
    std::fs::create_dir_all(&folder)?;
    let zip = folder.join("diagnostics.zip");
    press_key(END)?;
    for _ in 0..64 {
        press_key(BACKSPACE)?;
    }
    type_text(zip.to_str().context("a UTF-8 path")?)?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    type_text("\n")?;
    app.wait_for_text("export-saved", Duration::from_secs(30), |t| {
        t.contains("diagnostics.zip")
    })
    .await?;

    let mut archive = zip::ZipArchive::new(std::fs::File::open(&zip)?)?;
    let into = app.home_dir().join(EXPORTED);
    archive.extract(&into)?;
    let names = archive.file_names().map(str::to_owned).collect();
    let _ = std::fs::remove_dir_all(&folder);
    Ok(names)
}

/// Signs out, and returns what the issuers handed out: tokens read before signing out (it
/// drops access tokens from moto's record) and after, and the CDN signatures.
async fn sign_out_and_read_issued(app: &AppUnderTest) -> Result<(IssuedTokens, Vec<String>)> {
    let mut tokens = issued::tokens(&app.devcloud).await?;
    app.wait_for("sign-out").await?.click().await?;
    app.wait_for("sign-in").await?;
    tokens.extend(issued::tokens(&app.devcloud).await?);
    let signatures = issued::cdn_signatures(&app.devcloud).await?;
    ensure!(
        !tokens.access.is_empty() && !tokens.id.is_empty() && !tokens.refresh.is_empty(),
        "moto recorded no tokens of some kind: {} access, {} id, {} refresh",
        tokens.access.len(),
        tokens.id.len(),
        tokens.refresh.len()
    );
    // At least a stream grant's URL signature, its cookie policy and signature, and a
    // download's URL signature.
    ensure!(
        signatures.len() >= 4,
        "devcloud issued only {} signatures",
        signatures.len()
    );
    Ok((tokens, signatures))
}

/// The scan read what matters: the library, the download, the log, the webview's storage.
fn assert_searched_what_matters(files: &[PathBuf], home: &Path) {
    let named = |pred: &dyn Fn(&str) -> bool| {
        files
            .iter()
            .any(|f| f.file_name().and_then(|n| n.to_str()).is_some_and(pred))
    };
    let extension =
        |f: &PathBuf, ext: &str| f.extension().is_some_and(|e| e.eq_ignore_ascii_case(ext));
    assert!(
        named(&|n| n.starts_with("library-")) && files.iter().any(|f| extension(f, "sqlite3")),
        "no library database searched"
    );
    assert!(
        files.iter().any(|f| extension(f, "mp3")),
        "no downloaded track searched"
    );
    assert!(
        named(&|n| n.starts_with("strato.log.")),
        "no log file searched"
    );
    assert!(
        files.iter().any(|f| f.starts_with(home)),
        "nothing in the home searched"
    );
    let exported = home.join(EXPORTED);
    for name in ["settings.json", "plays.json", "devices.json", "README.txt"] {
        assert!(
            files.contains(&exported.join(name)),
            "the exported {name} not searched"
        );
    }
    assert!(
        files.iter().any(|f| f.starts_with(exported.join("logs"))
            && f.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("strato.log."))),
        "no exported log searched"
    );
}

/// No line of the logs (nor of the app's stderr) holds the username, and the sign-in is
/// there under the account's tag.
fn assert_logs_name_the_account_by_tag(app: &AppUnderTest, username: &str) -> Result<()> {
    let tag = strato_cloud::redact::account_tag(username);
    let mut logged = String::new();
    for file in files_under(&app.log_dir())?
        .into_iter()
        .chain([app.driver_log()])
    {
        let text = String::from_utf8_lossy(&std::fs::read(&file)?).into_owned();
        for (n, line) in text.lines().enumerate() {
            assert!(
                !line.contains(username),
                "the username in {} line {}: {line}",
                file.display(),
                n + 1
            );
        }
        logged.push_str(&text);
    }
    assert!(
        logged
            .lines()
            .any(|l| l.contains("signed in") && l.contains(&format!("account={tag}"))),
        "the sign-in is not in the logs under the account's tag {tag}"
    );
    Ok(())
}

#[tokio::test]
async fn a_whole_session_leaves_no_secret_on_disk_and_no_username_in_the_logs() -> Result<()> {
    let mut app = AppUnderTest::launch(Audio::Capture).await?;
    let nonce = nonce();
    let username = format!("listener-{nonce}");
    let password = format!("Leak test {nonce}/+&%Aa1");
    app.devcloud
        .cognito()
        .ensure_user(&username, &password)
        .await;

    a_whole_session(&app, &username, &password).await?;
    let exported = export_diagnostics(&app).await?;
    assert!(
        exported.iter().any(|n| n.starts_with("logs/strato.log.")),
        "the export holds the logs: {exported:?}"
    );
    let (tokens, signatures) = sign_out_and_read_issued(&app).await?;

    let mut secrets: Vec<(&str, &str)> = vec![("the password", &password)];
    secrets.extend(
        tokens
            .access
            .iter()
            .map(|t| ("an access token", t.as_str())),
    );
    secrets.extend(tokens.id.iter().map(|t| ("an id token", t.as_str())));
    secrets.extend(
        tokens
            .refresh
            .iter()
            .map(|t| ("a refresh token", t.as_str())),
    );
    secrets.extend(
        signatures
            .iter()
            .map(|s| ("a CDN signature or policy", s.as_str())),
    );
    let scan = SecretScan::new(secrets)?;
    let roots = [
        app.data_dir(),
        app.log_dir(),
        app.home_dir(),
        app.driver_log(),
    ];
    eprintln!(
        "searching for {} shapes of {} tokens, {} signatures and the password",
        scan.shape_count(),
        tokens.access.len() + tokens.id.len() + tokens.refresh.len(),
        signatures.len()
    );

    let (hits, _) = scan.scan(&roots)?;
    assert!(
        hits.is_empty(),
        "secrets on disk while the app runs:\n{}",
        listed(&hits)
    );
    app.quit().await?;
    let (hits, files) = scan.scan(&roots)?;
    assert!(
        hits.is_empty(),
        "secrets on disk after the app quit:\n{}",
        listed(&hits)
    );
    eprintln!("searched {} files", files.len());
    assert_searched_what_matters(&files, &app.home_dir());
    assert_logs_name_the_account_by_tag(&app, &username)?;
    app.close().await
}
