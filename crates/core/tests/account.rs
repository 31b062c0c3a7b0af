//! Signing in and staying signed in across restarts, through the machine's real keychain
//! (under the test command, the Secret Service of `scripts/lib/secret-service.sh`; without
//! it, the kernel keyring), against moto and devcloud; and which addresses sign-in trusts.

use std::sync::Arc;
use std::time::{Duration, Instant};

use strato_core::{App, AppEvents, AppSettings, AudioOutput};
use strato_model::ipc::{ChallengeKind, ErrorKind, PlayerStatus, RememberedAccount, SignInStep};
use strato_testkit::{DevCloud, FaultRule, FaultTarget, Moto};

struct Quiet;

impl AppEvents for Quiet {
    fn player_status(&self, _: &PlayerStatus) {}
}

/// An app as a new process would start it: only the settings are shared.
fn start_app(cloud: &DevCloud) -> App {
    App::start(
        AppSettings::new(cloud.api_url(), AudioOutput::Null),
        Arc::new(Quiet),
    )
    .unwrap()
}

/// A listener of the test's own. The tests of this file run at once against one emulator
/// and its one pool; signing out revokes every refresh token of the user, so a test that
/// signs out must not take the sessions of the others with it.
async fn own_listener(cloud: &DevCloud, username: &str) -> (String, String) {
    let password = "Listener-Pass-123";
    cloud.cognito().ensure_user(username, password).await;
    (username.to_owned(), password.to_owned())
}

#[tokio::test]
async fn a_kept_session_is_restored_at_start_and_sign_out_forgets_it() {
    let cloud = DevCloud::start(Moto::start()).await;
    let (username, password) = own_listener(&cloud, "kept-restored").await;
    let first = start_app(&cloud);
    let stay = first.stay_signed_in().await;
    assert!(
        stay.available,
        "this test needs a keychain: {:?}",
        stay.reason
    );

    // Without "stay signed in" nothing is kept.
    first
        .sign_in(cloud.api_url(), &username, password.clone())
        .await
        .unwrap();
    drop(first);
    assert_eq!(start_app(&cloud).restore_session().await.unwrap(), None);

    let second = start_app(&cloud);
    let session = second
        .sign_in_with(cloud.api_url(), &username, password, true)
        .await
        .unwrap();
    drop(second);

    let third = start_app(&cloud);
    let restored = third.restore_session().await.unwrap().expect("restored");
    assert_eq!(restored, session);
    assert_eq!(third.session(), Some(session));
    third.catalog_tracks(None).await.unwrap();

    third.sign_out().await;
    assert_eq!(third.session(), None);
    assert_eq!(start_app(&cloud).restore_session().await.unwrap(), None);
}

#[tokio::test]
async fn a_session_revoked_elsewhere_is_explained_once_and_forgotten() {
    let cloud = DevCloud::start(Moto::start()).await;
    let (username, password) = own_listener(&cloud, "revoked-elsewhere").await;
    let app = start_app(&cloud);
    app.sign_in_with(cloud.api_url(), &username, password, true)
        .await
        .unwrap();
    drop(app);
    cloud
        .cognito()
        .sdk()
        .admin_user_global_sign_out()
        .user_pool_id(&cloud.config().user_pool_id)
        .username(&username)
        .send()
        .await
        .unwrap();

    let app = start_app(&cloud);
    let err = app.restore_session().await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Auth);
    assert_eq!(err.message, "Your session has ended. Please sign in again.");
    assert_eq!(app.session(), None);
    assert_eq!(app.restore_session().await.unwrap(), None, "forgotten");
}

#[tokio::test]
async fn sign_out_revokes_the_session_on_the_service() {
    let cloud = DevCloud::start(Moto::start()).await;
    let (username, password) = own_listener(&cloud, "signs-out").await;
    let app = start_app(&cloud);
    app.sign_in_with(cloud.api_url(), &username, password, true)
        .await
        .unwrap();
    // Keep a copy of the keychain entry as an attacker with the old token would.
    let kept = strato_cloud::keychain::TokenStore::system()
        .load(&app.session().unwrap().service_url, &username)
        .unwrap()
        .expect("kept");
    app.sign_out().await;
    let service = strato_cloud::ServiceClient::connect(cloud.api_url())
        .await
        .unwrap();
    // GlobalSignOut runs in the background: wait for it to land.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match service.resume(&username, &kept).await {
            Err(err) if err.kind() == strato_cloud::CloudErrorKind::Auth => break,
            _ if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(50)).await,
            other => panic!("the old refresh token still works: {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_temporary_password_is_replaced_through_the_challenge_and_the_session_kept() {
    let cloud = DevCloud::start(Moto::start()).await;
    cloud
        .cognito()
        .sdk()
        .admin_create_user()
        .user_pool_id(&cloud.config().user_pool_id)
        .username("invited")
        .temporary_password("Temp-Pass-123")
        .send()
        .await
        .unwrap();
    let app = start_app(&cloud);

    // The plain sign-in explains the step in words.
    let err = app
        .sign_in(cloud.api_url(), "invited", "Temp-Pass-123".into())
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Auth);
    assert_eq!(err.message, "To sign in, choose a new password.");

    let step = app
        .begin_sign_in(cloud.api_url(), "invited", "Temp-Pass-123".into(), true)
        .await
        .unwrap();
    let SignInStep::Challenge { challenge } = step else {
        panic!("expected a challenge, got {step:?}");
    };
    assert_eq!(challenge.kind, ChallengeKind::NewPassword);
    assert_eq!(challenge.prompt, "To sign in, choose a new password.");
    assert_eq!(app.session(), None);

    // A stale id is refused; an empty answer keeps the challenge open for another try.
    let stale = app
        .answer_challenge("challenge-0", "Brand-New-Pass-456")
        .await
        .unwrap_err();
    assert_eq!(stale.kind, ErrorKind::Auth);
    let empty = app.answer_challenge(&challenge.id, "").await.unwrap_err();
    assert_eq!(empty.kind, ErrorKind::InvalidInput);

    let step = app
        .answer_challenge(&challenge.id, "Brand-New-Pass-456")
        .await
        .unwrap();
    let SignInStep::SignedIn { session } = step else {
        panic!("expected to be signed in, got {step:?}");
    };
    assert_eq!(app.session(), Some(session.clone()));
    app.catalog_tracks(None).await.unwrap();
    // Answered: the challenge is closed.
    assert_eq!(
        app.answer_challenge(&challenge.id, "Brand-New-Pass-456")
            .await
            .unwrap_err()
            .kind,
        ErrorKind::Auth
    );
    drop(app);

    // "Stay signed in" held through the challenge.
    let next = start_app(&cloud);
    assert_eq!(next.restore_session().await.unwrap(), Some(session));
    next.sign_out().await;
}

#[tokio::test]
async fn restore_returns_the_current_session_when_already_signed_in() {
    let cloud = DevCloud::start(Moto::start()).await;
    let (username, password) = own_listener(&cloud, "already-signed-in").await;
    let app = start_app(&cloud);
    let session = app
        .sign_in(cloud.api_url(), &username, password)
        .await
        .unwrap();
    // The window reloaded: it asks again and finds the same session, without the keychain.
    assert_eq!(app.restore_session().await.unwrap(), Some(session));
}

#[tokio::test]
async fn a_session_ended_while_running_signs_out_and_forgets_the_kept_entry() {
    let cloud = DevCloud::start(Moto::start()).await;
    let (username, password) = own_listener(&cloud, "ended-while-running").await;
    let app = start_app(&cloud);
    app.sign_in_with(cloud.api_url(), &username, password, true)
        .await
        .unwrap();
    cloud
        .cognito()
        .sdk()
        .admin_user_global_sign_out()
        .user_pool_id(&cloud.config().user_pool_id)
        .username(&username)
        .send()
        .await
        .unwrap();
    // The access token still verifies; a 401 makes the client refresh, which is refused.
    cloud
        .add_fault(&FaultRule {
            error_rate: Some(1.0),
            error_status: Some(401),
            times: Some(1),
            ..FaultRule::new("/v1/tracks").on(FaultTarget::Api)
        })
        .await;

    let err = app.catalog_tracks(None).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Auth);
    assert_eq!(err.message, "Your session has ended. Please sign in again.");
    assert_eq!(app.session(), None, "back to sign-in");
    assert_eq!(
        app.catalog_tracks(None).await.unwrap_err().kind,
        ErrorKind::NotSignedIn
    );
    drop(app);
    assert_eq!(
        start_app(&cloud).restore_session().await.unwrap(),
        None,
        "the keychain entry is forgotten"
    );
}

#[tokio::test]
async fn sign_up_then_confirm_then_sign_in_through_the_app() {
    let cloud = DevCloud::start(Moto::start()).await;
    let app = start_app(&cloud);
    let outcome = app
        .sign_up(
            cloud.api_url(),
            "app-newcomer",
            "Fresh-Pass-123",
            "newcomer@example.com",
        )
        .await
        .unwrap();
    assert!(!outcome.confirmed);
    // moto accepts any confirmation code (see crates/cloud/tests/sign_in.rs).
    app.confirm_sign_up(cloud.api_url(), "app-newcomer", "123456")
        .await
        .unwrap();
    let session = app
        .sign_in(cloud.api_url(), "app-newcomer", "Fresh-Pass-123".into())
        .await
        .unwrap();
    assert_eq!(session.username, "app-newcomer");
    app.catalog_tracks(None).await.unwrap();
}

fn remembered(service_url: &str, username: &str, current: bool) -> RememberedAccount {
    RememberedAccount {
        service_url: service_url.to_owned(),
        username: username.to_owned(),
        current,
    }
}

#[tokio::test]
async fn kept_accounts_are_listed_switched_between_and_forgotten() {
    let cloud = DevCloud::start(Moto::start()).await;
    let (ana, ana_password) = own_listener(&cloud, "ana").await;
    let (ben, ben_password) = ("second-listener", "Second-Pass-123");
    cloud.user_access_token(ben, ben_password).await;
    let app = start_app(&cloud);
    assert_eq!(app.remembered_accounts().await, []);

    let first = app
        .sign_in_with(cloud.api_url(), &ana, ana_password, true)
        .await
        .unwrap();
    // Adding another account signs it in beside the first, which stays kept.
    let second = app
        .sign_in_with(cloud.api_url(), ben, ben_password.into(), true)
        .await
        .unwrap();
    let url = first.service_url.clone();
    assert_eq!(second.service_url, url);
    assert_eq!(
        app.remembered_accounts().await,
        [remembered(&url, &ana, false), remembered(&url, ben, true)]
    );

    // Back and forth: the session and the API calls follow.
    let switched = app.switch_account(&url, &ana).await.unwrap();
    assert_eq!(switched, first);
    assert_eq!(app.session(), Some(first.clone()));
    app.catalog_tracks(None).await.unwrap();
    assert_eq!(
        app.remembered_accounts().await,
        [remembered(&url, &ana, true), remembered(&url, ben, false)]
    );
    assert_eq!(app.switch_account(&url, ben).await.unwrap(), second);
    app.catalog_tracks(None).await.unwrap();
    assert_eq!(
        app.switch_account(&url, ben).await.unwrap(),
        second,
        "switching to the current account changes nothing"
    );
    drop(app);

    // A restart resumes the account switched to last, and still lists both.
    let restarted = start_app(&cloud);
    assert_eq!(
        restarted.restore_session().await.unwrap(),
        Some(second.clone())
    );
    assert_eq!(
        restarted.remembered_accounts().await,
        [remembered(&url, &ana, false), remembered(&url, ben, true)]
    );

    // Forgetting one removes its token: it can no longer be switched to, and the current
    // session is untouched.
    restarted.forget_account(&url, &ana).await;
    assert_eq!(
        restarted.remembered_accounts().await,
        [remembered(&url, ben, true)]
    );
    assert!(
        strato_cloud::keychain::TokenStore::system()
            .load(&url, &ana)
            .unwrap()
            .is_none()
    );
    let err = restarted.switch_account(&url, &ana).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Auth);
    assert_eq!(restarted.session(), Some(second.clone()));
    drop(restarted);

    let again = start_app(&cloud);
    assert_eq!(
        again.remembered_accounts().await,
        [remembered(&url, ben, false)]
    );
    assert_eq!(again.restore_session().await.unwrap(), Some(second));
    // Signing out forgets the account too.
    again.sign_out().await;
    assert_eq!(again.remembered_accounts().await, []);
}

#[tokio::test]
async fn switching_away_from_a_session_not_kept_ends_it_and_keeps_the_others() {
    let cloud = DevCloud::start(Moto::start()).await;
    let (ana, ana_password) = own_listener(&cloud, "kept-ana").await;
    let (ben, ben_password) = ("third-listener", "Third-Pass-123");
    cloud.user_access_token(ben, ben_password).await;
    let app = start_app(&cloud);
    let kept = app
        .sign_in_with(cloud.api_url(), &ana, ana_password, true)
        .await
        .unwrap();
    let url = kept.service_url.clone();
    app.sign_in(cloud.api_url(), ben, ben_password.into())
        .await
        .unwrap();
    // Signed in for this run only: not listed, and the kept one is not current.
    assert_eq!(
        app.remembered_accounts().await,
        [remembered(&url, &ana, false)]
    );
    assert_eq!(app.switch_account(&url, &ana).await.unwrap(), kept);
    assert_eq!(
        app.remembered_accounts().await,
        [remembered(&url, &ana, true)]
    );
    app.sign_out().await;
}

#[tokio::test]
async fn plain_http_beyond_this_computer_needs_the_developer_setting() {
    let strict = App::start(
        AppSettings::new("http://127.0.0.1:9", AudioOutput::Null),
        Arc::new(Quiet),
    )
    .unwrap();
    assert!(!strict.service_trust().allow_insecure);
    let refused = strict
        .sign_in("http://music.invalid", "ana", "pw".into())
        .await
        .unwrap_err();
    assert_eq!(refused.kind, ErrorKind::InvalidInput);
    assert_eq!(
        refused.message,
        "Strato signs in only over a secure connection: use https://music.invalid (plain http \
         is accepted only for a service on this computer)."
    );

    let mut settings = AppSettings::new("http://127.0.0.1:9", AudioOutput::Null);
    settings.allow_insecure_services = true;
    let developer = App::start(settings, Arc::new(Quiet)).unwrap();
    assert!(developer.service_trust().allow_insecure);
    // Let through to the network, where the name (reserved, RFC 6761) does not resolve.
    let unreachable = developer
        .sign_in("http://music.invalid", "ana", "pw".into())
        .await
        .unwrap_err();
    assert_eq!(unreachable.kind, ErrorKind::Network, "{unreachable:?}");
}
