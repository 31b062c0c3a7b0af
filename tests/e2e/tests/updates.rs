//! Updates of Strato itself, end to end: the app's updater against devcloud's update server
//! (`/updates/...` on its CDN), with releases signed by the test run's own key
//! (`strato_e2e::updates`).
//!
//! - A newer version published before the app starts is found by the check at start, shown
//!   with its notes, downloaded and its signature verified (this debug build is no package,
//!   so it then says how it is updated instead of offering the restart; installing is
//!   tested on the installed `.deb`, `scripts/lib/install-test.sh`).
//! - A tampered package, a manifest replaying an old release under a new version, and a
//!   manifest that is not one are each refused in words, and nothing is offered to install.
//! - Nothing newer, and no network, are silent: no offer, no error, until the listener asks.

use std::time::Duration;

use anyhow::{Result, ensure};
use strato_e2e::ui::{open_settings, screenshots, text, wait_until};
use strato_e2e::updates::{Release, platform, publish, write_manifest, write_manifest_text};
use strato_e2e::{AppUnderTest, Audio};

const DEMO_USER: &str = "demo";
const DEMO_PASSWORD: &str = "Strato-demo-1";
/// The check at start comes ten seconds after it; then the server answers.
const AT_START: Duration = Duration::from_secs(40);
const WAIT: Duration = Duration::from_secs(30);

/// A package's bytes: a few megabytes, so that the download takes more than one read.
fn package() -> Vec<u8> {
    (0..3_000_000_u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect()
}

fn release(version: &str) -> Release<'_> {
    Release {
        version,
        notes: "Crossfade between albums.\nA faster start.",
        file: "strato_next.bin",
        platforms: vec![platform(None)],
    }
}

/// Waits for the sidebar's offer to be in `phase`.
async fn wait_for_phase(app: &AppUnderTest, phase: &str, within: Duration) -> Result<()> {
    let offer = app.wait_for("update-offer").await?;
    wait_until(
        within,
        &format!("the update's phase, awaiting {phase}"),
        async || Ok(offer.attr("data-phase").await?),
        |shown| shown.as_deref() == Some(phase),
    )
    .await?;
    Ok(())
}

#[tokio::test]
async fn an_update_found_at_start_is_downloaded_and_verified() -> Result<()> {
    let app = AppUnderTest::launch(Audio::Silent).await?;
    publish(app.devcloud.data_dir(), &release("0.2.0"), &package())?;
    app.sign_in(DEMO_USER, DEMO_PASSWORD).await?;
    app.wait_for("home-screen").await?;

    // Found by the check at start, with what changed.
    app.wait_for_text("update-title", AT_START, |t| {
        t == "Strato 0.2.0 is available"
    })
    .await?;
    let notes = app.wait_for("update-notes").await?;
    notes.click().await?;
    ensure!(
        text(&notes).await?.contains("A faster start."),
        "the notes are shown"
    );
    app.screenshot(&screenshots()?.join("update-available.png"))
        .await?;

    app.wait_for("update-download").await?.click().await?;
    wait_for_phase(&app, "ready", WAIT).await?;
    ensure!(
        app.all("update-error").await?.is_empty(),
        "a verified package raises no error"
    );
    // A build from source cannot replace itself, and says so instead of offering to.
    let words = text(&app.wait_for("update-cannot-install").await?).await?;
    ensure!(words.contains("downloaded and verified"), "{words}");
    ensure!(app.all("update-restart").await?.is_empty());

    open_settings(&app).await?;
    app.wait_for_text("about-update-status", WAIT, |t| {
        t == "Strato 0.2.0 is ready"
    })
    .await?;
    app.close().await
}

#[tokio::test]
async fn a_tampered_package_or_manifest_is_refused_in_words() -> Result<()> {
    // Checks only when asked: the test decides when the server is read.
    let settings = serde_json::json!({ "desktop": { "check_for_updates": false } });
    let app = AppUnderTest::launch_with_env(Audio::Silent, Some(settings), &[]).await?;
    let data = app.devcloud.data_dir().to_owned();
    let genuine = package();
    publish(&data, &release("0.2.0"), &genuine)?;
    // The package changed after it was signed (one byte).
    let mut tampered = genuine.clone();
    tampered[1_000_000] ^= 0x01;
    std::fs::write(data.join("updates/strato_next.bin"), &tampered)?;

    app.sign_in(DEMO_USER, DEMO_PASSWORD).await?;
    open_settings(&app).await?;
    app.wait_for_text("about-update-status", WAIT, |t| t == "Not checked yet")
        .await?;
    app.wait_for("check-for-updates").await?.click().await?;
    app.wait_for_text("update-title", WAIT, |t| t == "Strato 0.2.0 is available")
        .await?;
    app.wait_for("update-download").await?.click().await?;
    refused_as_unverified(&app).await?;

    // The genuine package of 0.2.0, announced as 0.3.0: its signature is good, but for
    // another version, as when an old release is replayed to hold a listener back.
    std::fs::write(data.join("updates/strato_next.bin"), &genuine)?;
    let replayed = strato_e2e::updates::manifest(
        &release("0.3.0"),
        &strato_e2e::updates::ReleaseKey::of_this_run().sign(&genuine, "0.2.0")?,
    );
    write_manifest(&data, &replayed)?;
    app.wait_for("check-for-updates").await?.click().await?;
    app.wait_for_text("update-title", WAIT, |t| t == "Strato 0.3.0 is available")
        .await?;
    app.wait_for("update-download").await?.click().await?;
    refused_as_unverified(&app).await?;
    app.screenshot(&screenshots()?.join("update-refused.png"))
        .await?;

    // A manifest that is not one.
    write_manifest_text(&data, "{\"version\": \"0.4.0\", \"platforms\": ")?;
    app.wait_for("check-for-updates").await?.click().await?;
    app.wait_for_text("about-update-status", WAIT, |t| {
        t == "The update server's answer could not be read, so nothing was downloaded."
    })
    .await?;
    ensure!(
        app.all("update-restart").await?.is_empty(),
        "nothing was ever offered to install"
    );
    app.close().await
}

/// The download was refused: words in the sidebar, and the offer back as it was.
async fn refused_as_unverified(app: &AppUnderTest) -> Result<()> {
    let error = app.wait_for("update-error").await?;
    ensure!(
        error.attr("data-kind").await?.as_deref() == Some("untrusted"),
        "refused as unverified"
    );
    let words = text(&error).await?;
    ensure!(
        words.contains("could not be verified as Strato's, so it was not installed"),
        "{words}"
    );
    wait_for_phase(app, "available", WAIT).await?;
    ensure!(app.all("update-restart").await?.is_empty());
    Ok(())
}

#[tokio::test]
async fn no_update_and_no_network_are_silent() -> Result<()> {
    // Nothing newer: the check at start says so in About, and nothing else.
    let app = AppUnderTest::launch(Audio::Silent).await?;
    app.sign_in(DEMO_USER, DEMO_PASSWORD).await?;
    open_settings(&app).await?;
    app.wait_for_text("about-update-status", AT_START, |t| {
        t == "Strato is up to date"
    })
    .await?;
    // About is the screen's last group: its scroller to the end (the window itself never
    // scrolls).
    app.client
        .execute(
            "const main = document.getElementById('main'); main.scrollTop = main.scrollHeight",
            vec![],
        )
        .await?;
    app.screenshot(&screenshots()?.join("update-about.png"))
        .await?;
    ensure!(
        app.all("update-offer").await?.is_empty(),
        "nothing is offered"
    );
    app.close().await?;

    // No server: the check at start fails without a word.
    let nowhere = format!(
        "http://127.0.0.1:{}/updates/{{{{target}}}}/{{{{arch}}}}/{{{{current_version}}}}",
        closed_port()?
    );
    let app =
        AppUnderTest::launch_with_env(Audio::Silent, None, &[("STRATO_UPDATES_URL", nowhere)])
            .await?;
    app.sign_in(DEMO_USER, DEMO_PASSWORD).await?;
    open_settings(&app).await?;
    let log_dir = app.log_dir();
    wait_until(
        AT_START,
        "the check at start, failed, in the log",
        async || Ok(logged(&log_dir, "the update check failed")),
        |found| *found,
    )
    .await?;
    ensure!(
        text(&app.wait_for("about-update-status").await?).await? == "Not checked yet",
        "an automatic check without a network says nothing"
    );
    ensure!(app.all("update-offer").await?.is_empty());
    // Asked for, it says why there is no answer.
    app.wait_for("check-for-updates").await?.click().await?;
    app.wait_for_text("about-update-status", WAIT, |t| {
        t == "The update server could not be reached. Check the connection and try again."
    })
    .await?;
    app.close().await
}

/// A port nothing listens on (bound, then let go).
fn closed_port() -> Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

/// Whether any of the app's log files holds `words`.
fn logged(log_dir: &std::path::Path, words: &str) -> bool {
    std::fs::read_dir(log_dir).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|entry| std::fs::read_to_string(entry.path()).is_ok_and(|log| log.contains(words)))
    })
}

/// The installed `.deb` (`STRATO_E2E_APP=/usr/bin/strato`) finds its next version, installs
/// it through the system's package manager (`dpkg`, with root asked for as a desktop asks:
/// pkexec, then a password dialog, then sudo), and restarts into it. The script checks the
/// installed version afterwards.
#[tokio::test]
#[ignore = "needs the installed .deb and its next version: scripts/lib/install-test.sh runs it"]
async fn the_installed_package_updates_itself_and_restarts() -> Result<()> {
    let next = std::env::var_os("STRATO_E2E_NEXT_DEB")
        .ok_or_else(|| anyhow::anyhow!("STRATO_E2E_NEXT_DEB names no package"))?;
    let package = std::fs::read(&next)?;
    let mut app = AppUnderTest::launch(Audio::Silent).await?;
    let next_release = Release {
        version: "0.1.1",
        notes: "The next version, to install.",
        file: "strato_next_amd64.deb",
        platforms: vec![platform(Some("deb")), platform(None)],
    };
    publish(app.devcloud.data_dir(), &next_release, &package)?;
    app.sign_in(DEMO_USER, DEMO_PASSWORD).await?;
    app.wait_for_text("update-title", AT_START, |t| {
        t == "Strato 0.1.1 is available"
    })
    .await?;
    app.wait_for("update-download").await?.click().await?;
    // A debug package is large, and its signature is checked over all of it.
    wait_for_phase(&app, "ready", Duration::from_secs(180)).await?;
    let old = app.app_pid()?;
    app.wait_for("update-restart").await?.click().await?;
    app.wait_until_process_ended(old, Duration::from_secs(120))
        .await?;
    // Started again: the new process of the installed binary.
    let started = wait_until(
        WAIT,
        "Strato started again",
        async || Ok(app.app_pid().ok()),
        |pid| pid.is_some_and(|pid| pid != old),
    )
    .await?
    .unwrap_or_default();
    let exe = std::fs::read_link(format!("/proc/{started}/exe"))?;
    ensure!(
        exe == std::path::Path::new("/usr/bin/strato"),
        "restarted as {}",
        exe.display()
    );
    app.close().await
}
