//! "Stay signed in" through a real Secret Service, the keychain of Linux desktops:
//! gnome-keyring-daemon on a private D-Bus, which `scripts/lib/secret-service.sh` starts
//! around the command (the test command runs the Rust tests under it). Against moto and
//! devcloud: sign in with "stay signed in", restart (a new App on the same data folder), still
//! signed in; forget the account, and its entries are gone. What the keychain holds is read
//! with `secret-tool`, through the Secret Service itself, not through the app's own code.
//!
//! Without a Secret Service these tests fail and say how to run them: a skipped keychain test
//! would look like a passed one.

#![cfg(target_os = "linux")]

use std::sync::Arc;

use strato_cloud::keychain::{Store, TokenStore};
use strato_core::{App, AppEvents, AppSettings, AudioOutput};
use strato_model::ipc::{PlayerStatus, RememberedAccount};
use strato_testkit::{DevCloud, Moto};

struct Quiet;

impl AppEvents for Quiet {
    fn player_status(&self, _: &PlayerStatus) {}
}

fn start_app(cloud: &DevCloud, data_dir: &std::path::Path) -> App {
    let mut settings = AppSettings::new(cloud.api_url(), AudioOutput::Null);
    settings.data_dir = Some(data_dir.to_owned());
    App::start(settings, Arc::new(Quiet)).unwrap()
}

/// Fails, in words, unless a Secret Service answers and the app will use it.
async fn require_secret_service() {
    let status = tokio::task::spawn_blocking(|| TokenStore::native().status().clone())
        .await
        .unwrap();
    assert!(
        status.store == Some(Store::Native),
        "This test needs a Secret Service (the Linux desktop keychain), and none answers ({}). \
         Run it under scripts/lib/secret-service.sh, which starts gnome-keyring-daemon on a \
         private D-Bus: `scripts/lib/secret-service.sh cargo test -p strato-core --test \
         secret_service`.",
        status.reason.unwrap_or_default()
    );
    assert!(
        std::env::var_os("STRATO_KEYCHAIN").is_none_or(|v| v == "native"),
        "STRATO_KEYCHAIN would make the app use another store"
    );
}

/// The secret the Secret Service holds for this entry of the app's, asked with `secret-tool`
/// (keyring names its items by `service` and `username` attributes).
async fn secret_tool_lookup(service: &str, username: &str) -> Option<String> {
    let out = tokio::process::Command::new("secret-tool")
        .args(["lookup", "service", service, "username", username])
        .output()
        .await
        .expect("secret-tool (Debian's libsecret-tools) runs");
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

#[tokio::test]
async fn a_kept_session_lives_in_the_secret_service_across_a_restart_until_forgotten() {
    require_secret_service().await;
    let cloud = DevCloud::start(Moto::start()).await;
    let (username, password) = ("secret-service-listener", "Keyring-Pass-123");
    cloud.cognito().ensure_user(username, password).await;
    let data = tempfile::tempdir().unwrap();
    let scope = cloud.api_url().to_owned();

    let first = start_app(&cloud, data.path());
    let stay = first.stay_signed_in().await;
    assert!(stay.available, "{:?}", stay.reason);
    assert_eq!(
        stay.reason, None,
        "the Secret Service, not the kernel keyring and its caveat"
    );
    let session = first
        .sign_in_with(cloud.api_url(), username, password.into(), true)
        .await
        .unwrap();
    let token_entry = format!("Strato {}", session.service_url);
    let kept = secret_tool_lookup(&token_entry, username)
        .await
        .expect("the refresh token is in the Secret Service");
    assert!(kept.len() > 20, "a refresh token, not an empty entry");
    assert_ne!(kept, password, "the token is kept, never the password");
    assert!(
        secret_tool_lookup("Strato accounts", &scope)
            .await
            .is_some(),
        "the kept accounts' list"
    );
    assert!(
        secret_tool_lookup("Strato last account", &scope)
            .await
            .is_some_and(|last| last.contains(username)),
        "the account to resume"
    );
    drop(first);

    // A restart: a new app on the same data folder resumes from the Secret Service.
    let second = start_app(&cloud, data.path());
    assert_eq!(
        second.restore_session().await.unwrap(),
        Some(session.clone())
    );
    second.catalog_tracks(None).await.unwrap();
    assert_eq!(
        second.remembered_accounts().await,
        [RememberedAccount {
            service_url: session.service_url.clone(),
            username: username.to_owned(),
            current: true,
        }]
    );

    second.forget_account(&session.service_url, username).await;
    assert_eq!(
        secret_tool_lookup(&token_entry, username).await,
        None,
        "the refresh token is gone from the Secret Service"
    );
    assert_eq!(
        secret_tool_lookup("Strato accounts", &scope).await,
        None,
        "no account left to list"
    );
    assert_eq!(
        secret_tool_lookup("Strato last account", &scope).await,
        None,
        "nothing to resume"
    );
    assert_eq!(second.remembered_accounts().await, []);
    drop(second);

    let third = start_app(&cloud, data.path());
    assert_eq!(third.restore_session().await.unwrap(), None);
}
