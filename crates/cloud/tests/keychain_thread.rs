//! The keychain's own thread ([`Keychain`]): a keychain call that blocks (a locked keyring
//! waiting for its unlock prompt, a slow D-Bus) leaves the caller's runtime free, calls run
//! in the order they were sent, and one that panics fails alone.
//!
//! The store here is keyring's extension point filled with an in-memory credential whose
//! reads can be parked at a gate: the OS keychains cannot be made to block on cue. What a real
//! store does is tested in `keychain.rs` and `crates/core/tests/secret_service.rs`.

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use keyring::credential::{Credential, CredentialApi, CredentialBuilderApi};
use strato_cloud::CloudErrorKind;
use strato_cloud::keychain::{KeptAccount, Keychain, Store, TokenStore};

/// Entries by (service, user), shared by every credential the builder makes.
type Entries = Arc<Mutex<HashMap<(String, String), Vec<u8>>>>;

/// Parks reads while closed; tells the test when a read arrived.
#[derive(Default)]
struct Gate {
    closed: Mutex<bool>,
    opened: Condvar,
    arrived: tokio::sync::Notify,
}

/// Longer than any test here waits for anything: if a read is still parked then, the gate
/// lets it fail rather than hang the test run.
const SAFETY_NET: Duration = Duration::from_secs(30);

impl Gate {
    fn close(&self) {
        *self.closed.lock().unwrap() = true;
    }

    fn open(&self) {
        *self.closed.lock().unwrap() = false;
        self.opened.notify_all();
    }

    fn pass(&self) -> keyring::Result<()> {
        let closed = self.closed.lock().unwrap();
        if *closed {
            self.arrived.notify_one();
        }
        let (still_closed, waited) = self
            .opened
            .wait_timeout_while(closed, SAFETY_NET, |closed| *closed)
            .unwrap();
        drop(still_closed);
        if waited.timed_out() {
            return Err(keyring::Error::PlatformFailure(
                "the test never opened the gate".into(),
            ));
        }
        Ok(())
    }
}

struct Builder {
    entries: Entries,
    gate: Arc<Gate>,
}

impl CredentialBuilderApi for Builder {
    fn build(
        &self,
        _target: Option<&str>,
        service: &str,
        user: &str,
    ) -> keyring::Result<Box<Credential>> {
        Ok(Box::new(Parked {
            key: (service.to_owned(), user.to_owned()),
            entries: Arc::clone(&self.entries),
            gate: Arc::clone(&self.gate),
        }))
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

#[derive(Debug)]
struct Parked {
    key: (String, String),
    entries: Entries,
    gate: Arc<Gate>,
}

impl std::fmt::Debug for Gate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Gate")
    }
}

impl CredentialApi for Parked {
    fn set_secret(&self, secret: &[u8]) -> keyring::Result<()> {
        self.entries
            .lock()
            .unwrap()
            .insert(self.key.clone(), secret.to_vec());
        Ok(())
    }

    fn get_secret(&self) -> keyring::Result<Vec<u8>> {
        self.gate.pass()?;
        self.entries
            .lock()
            .unwrap()
            .get(&self.key)
            .cloned()
            .ok_or(keyring::Error::NoEntry)
    }

    fn delete_credential(&self) -> keyring::Result<()> {
        self.entries
            .lock()
            .unwrap()
            .remove(&self.key)
            .map(drop)
            .ok_or(keyring::Error::NoEntry)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

fn keychain() -> (Keychain, Arc<Gate>) {
    let gate = Arc::new(Gate::default());
    let builder = Builder {
        entries: Arc::default(),
        gate: Arc::clone(&gate),
    };
    let keychain = Keychain::start(move || TokenStore::custom(Box::new(builder)));
    (keychain, gate)
}

const SCOPE: &str = "http://127.0.0.1:8787";
const URL: &str = "https://music.example.com/";

fn kept(username: &str) -> KeptAccount {
    KeptAccount {
        service_url: URL.to_owned(),
        username: username.to_owned(),
    }
}

/// One runtime thread: a keychain call that blocked it would stop everything else here.
#[tokio::test(flavor = "current_thread")]
async fn a_parked_keychain_call_leaves_the_runtime_free() {
    let (keychain, gate) = keychain();
    keychain
        .call(|store| store.remember_account(SCOPE, URL, "ana"))
        .await
        .unwrap();
    assert_eq!(
        keychain
            .call(|store| Ok(store.status().store))
            .await
            .unwrap(),
        Some(Store::Custom)
    );

    gate.close();
    let arrived = gate.arrived.notified();
    let pending = tokio::spawn({
        let keychain = keychain.clone();
        async move { keychain.call(|store| store.accounts(SCOPE)).await }
    });
    // The keychain thread is inside the read, parked at the gate.
    arrived.await;

    // Meanwhile this runtime's only thread runs a timer and another task to their end.
    let other = tokio::spawn(async {
        tokio::time::sleep(Duration::from_millis(1)).await;
        "the other task ran"
    });
    assert_eq!(other.await.unwrap(), "the other task ran");
    assert!(
        !pending.is_finished(),
        "the keychain call is still parked, and nothing waited for it"
    );

    gate.open();
    assert_eq!(pending.await.unwrap().unwrap(), [kept("ana")]);
}

#[tokio::test]
async fn calls_run_in_the_order_they_were_sent() {
    let (keychain, _gate) = keychain();
    for user in ["ana", "ben", "cleo"] {
        keychain
            .send(move |store| store.remember_account(SCOPE, URL, user).unwrap())
            .unwrap();
    }
    keychain
        .send(|store| store.forget_account(SCOPE, URL, "ben").unwrap())
        .unwrap();
    // Sent without waiting, yet each read-modify-write of the list saw the one before.
    assert_eq!(
        keychain.call(|store| store.accounts(SCOPE)).await.unwrap(),
        [kept("ana"), kept("cleo")]
    );
}

#[tokio::test]
async fn a_call_that_panics_fails_alone() {
    let (keychain, _gate) = keychain();
    let err = keychain
        .call(|_| -> Result<(), strato_cloud::CloudError> { panic!("a bug in a keychain call") })
        .await
        .unwrap_err();
    assert_eq!(err.kind(), CloudErrorKind::Keychain);
    keychain
        .call(|store| store.remember_account(SCOPE, URL, "ana"))
        .await
        .expect("the thread goes on");
    assert_eq!(
        keychain.call(|store| store.accounts(SCOPE)).await.unwrap(),
        [kept("ana")]
    );
}
