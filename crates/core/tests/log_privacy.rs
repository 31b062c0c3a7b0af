//! The log names accounts by their tag, never by their username: a sign-up, a kept sign-in,
//! a second account, a switch, a resume at start, the offline library (whose file name holds
//! the username) and a sign-out, logged with the app's default filter (which has the account
//! code at `debug`), against moto and devcloud.

use std::sync::Arc;

mod log_capture;

use log_capture::Captured;
use strato_cloud::redact::account_tag;
use strato_core::{App, AppEvents, AppSettings, AudioOutput};
use strato_model::ipc::PlayerStatus;
use strato_testkit::{DevCloud, Moto};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

struct Quiet;

impl AppEvents for Quiet {
    fn player_status(&self, _: &PlayerStatus) {}
}

/// An app as a new process would start it, with an offline library in `data_dir`.
fn start_app(cloud: &DevCloud, data_dir: &std::path::Path) -> App {
    let mut settings = AppSettings::new(cloud.api_url(), AudioOutput::Null);
    settings.data_dir = Some(data_dir.to_owned());
    App::start(settings, Arc::new(Quiet)).unwrap()
}

#[tokio::test]
async fn the_log_names_accounts_by_tag_not_by_username() {
    let log = Captured::default();
    // The one test of this file: the subscriber is the process's, as in the app, so lines
    // from the app's own threads and runtime are caught too.
    tracing_subscriber::registry()
        .with(EnvFilter::new(strato_core::logging::DEFAULT_FILTER))
        .with(
            tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(log.clone()),
        )
        .init();
    let cloud = DevCloud::start(Moto::start()).await;
    let (first, first_password) = ("privacy-first-listener", "First-Pass-123");
    let (second, second_password) = ("privacy-second-listener", "Second-Pass-123");
    cloud.cognito().ensure_user(second, second_password).await;

    let data = tempfile::tempdir().unwrap();
    let app = start_app(&cloud, data.path());
    assert!(
        app.stay_signed_in().await.available,
        "this test needs a keychain"
    );
    app.sign_up(cloud.api_url(), first, first_password, "first@example.com")
        .await
        .unwrap();
    // moto accepts any confirmation code.
    app.confirm_sign_up(cloud.api_url(), first, "123456")
        .await
        .unwrap();
    let kept = app
        .sign_in_with(cloud.api_url(), first, first_password.into(), true)
        .await
        .unwrap();
    app.sign_in_with(cloud.api_url(), second, second_password.into(), true)
        .await
        .unwrap();
    app.switch_account(&kept.service_url, first).await.unwrap();
    drop(app);

    let restarted = start_app(&cloud, data.path());
    let resumed = restarted.restore_session().await.unwrap();
    assert_eq!(resumed.map(|s| s.username).as_deref(), Some(first));
    restarted.sign_out().await;
    // The session may be revoked on a thread of its own; wait for its line.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !log.text().contains("signed out everywhere") && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    let text = log.text();
    // No token either, whatever a message from elsewhere quoted (an emulator's errors do).
    for (n, line) in text.lines().enumerate() {
        assert_eq!(
            strato_cloud::redact::tokens(line),
            line,
            "line {} carries a token",
            n + 1
        );
    }
    for (n, line) in text.lines().enumerate() {
        for name in [first, second] {
            assert!(!line.contains(name), "line {} names {name}: {line}", n + 1);
        }
    }
    for (name, events) in [
        (
            first,
            &[
                "account created",
                "account confirmed",
                "signed in",
                "switched account",
                "offline library open",
                "session resumed from the keychain",
                "signed out everywhere",
            ][..],
        ),
        (second, &["signed in"][..]),
    ] {
        let tag = format!("account={}", account_tag(name));
        for event in events {
            assert!(
                text.lines().any(|l| l.contains(event) && l.contains(&tag)),
                "no {event:?} line with {tag} for {name}:\n{text}"
            );
        }
    }
    // The second account stays kept; leave the keychain as it was found.
    let url = kept.service_url.clone();
    restarted.forget_account(&url, second).await;
}
