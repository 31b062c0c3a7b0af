//! "Stay signed in" through a real store: the Linux kernel keyring (keyutils), which works
//! headless, without D-Bus (the Secret Service is in `crates/core/tests/secret_service.rs`).
//! Sign in, keep the refresh token, read it back, resume the session from it, forget it.

#![cfg(target_os = "linux")]

use strato_cloud::keychain::{KeptAccount, Store, TokenStore};
use strato_cloud::{ApiClient, CloudErrorKind, Credentials, ServiceClient};
use strato_testkit::{DevCloud, Moto};

#[tokio::test]
async fn the_refresh_token_survives_in_the_kernel_keyring_and_resumes_the_session() {
    let store = TokenStore::kernel_keyring();
    assert_eq!(
        store.status().store,
        Some(Store::KernelKeyring),
        "{:?}",
        store.status()
    );
    assert!(
        store.status().reason.is_some(),
        "the kernel keyring's caveat is told"
    );

    let cloud = DevCloud::start(Moto::start()).await;
    let service = ServiceClient::connect(cloud.api_url()).await.unwrap();
    let ready = cloud.config();
    let username = ready.demo_username.clone().unwrap();
    let tokens = service
        .sign_in(&Credentials {
            username: username.clone(),
            password: ready.demo_password.clone().unwrap(),
        })
        .await
        .unwrap();
    // One entry per (service URL, username): a unique URL keeps parallel runs apart.
    let url = service.url().to_string();
    assert!(store.load(&url, &username).unwrap().is_none());
    store.save(&url, &tokens).unwrap();

    // A new process would start here: only the URL and username are known.
    let kept = store.load(&url, &username).unwrap().expect("kept");
    assert!(!format!("{kept:?}").contains(tokens.refresh_token_for_tests().unwrap()));
    let resumed = service.resume(&username, &kept).await.unwrap();
    ApiClient::new(service.clone(), resumed.clone())
        .home()
        .await
        .unwrap();
    assert!(store.load(&url, "someone-else").unwrap().is_none());

    store.forget(&url, &username).unwrap();
    assert!(store.load(&url, &username).unwrap().is_none());
    store
        .forget(&url, &username)
        .expect("forgetting twice is fine");

    // A kept token that was revoked since resumes into words, not a crash.
    service.global_sign_out(&resumed).await.unwrap();
    let err = service.resume(&username, &kept).await.unwrap_err();
    assert_eq!(err.kind(), CloudErrorKind::Auth);
    assert_eq!(
        err.to_string(),
        "Your session has ended. Please sign in again."
    );
}

#[test]
fn without_a_keychain_staying_signed_in_is_off_with_a_reason() {
    let store = TokenStore::unavailable("no keychain here");
    assert!(!store.status().available());
    assert_eq!(store.status().reason.as_deref(), Some("no keychain here"));
    assert!(store.load("http://x.example/", "u").unwrap().is_none());
    store.forget("http://x.example/", "u").unwrap();
}

#[test]
fn the_secret_service_without_a_session_bus_is_reported_not_fatal() {
    // Without a session D-Bus (outside scripts/lib/secret-service.sh) the native store says
    // why it is off. Where a Secret Service runs, it is simply available: the round trip
    // through one is crates/core/tests/secret_service.rs.
    let store = TokenStore::native();
    if !store.status().available() {
        let reason = store.status().reason.clone().unwrap();
        assert!(
            reason.starts_with("Staying signed in is unavailable"),
            "{reason}"
        );
    }
}

fn kept(service_url: &str, username: &str) -> KeptAccount {
    KeptAccount {
        service_url: service_url.to_owned(),
        username: username.to_owned(),
    }
}

#[test]
fn kept_accounts_are_listed_once_each_in_their_scope_and_forgotten_one_by_one() {
    let store = TokenStore::kernel_keyring();
    // A scope of its own keeps parallel runs apart.
    let scope = format!("test-scope-{}", std::process::id());
    let other_scope = format!("{scope}-other");
    let (a, b) = ("http://a.example/", "http://b.example/");
    assert_eq!(store.accounts(&scope).unwrap(), []);

    store.remember_account(&scope, a, "ana").unwrap();
    store.remember_account(&scope, b, "ana").unwrap();
    store.remember_account(&scope, a, "ana").unwrap();
    store.remember_account(&other_scope, a, "ben").unwrap();
    assert_eq!(
        store.accounts(&scope).unwrap(),
        [kept(a, "ana"), kept(b, "ana")],
        "once each, in the order first kept"
    );
    assert_eq!(
        store.last_account(&scope).unwrap(),
        Some((a.into(), "ana".into()))
    );
    assert_eq!(store.accounts(&other_scope).unwrap(), [kept(a, "ben")]);

    store.forget_account(&scope, a, "ana").unwrap();
    assert_eq!(store.accounts(&scope).unwrap(), [kept(b, "ana")]);
    assert_eq!(
        store.last_account(&scope).unwrap(),
        None,
        "it was the last one"
    );
    store.forget_account(&scope, b, "ana").unwrap();
    store
        .forget_account(&scope, b, "ana")
        .expect("forgetting twice is fine");
    assert_eq!(store.accounts(&scope).unwrap(), []);
    store.forget_account(&other_scope, a, "ben").unwrap();
    assert_eq!(store.accounts(&other_scope).unwrap(), []);
}
