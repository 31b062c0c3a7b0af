//! "Stay signed in": the refresh token kept in the OS keychain, one entry per service URL and
//! username. Nowhere else: not in `SQLite`, not in a file, not in a log.
//!
//! Stores, by OS: the macOS Keychain, the Windows Credential Manager, and on Linux the Secret
//! Service (GNOME Keyring, `KWallet`) over D-Bus, else the kernel keyring (keyutils), which
//! works headless but forgets its keys when the user logs out or the machine restarts. When
//! none works, sign-in still works for the session and [`KeychainStatus`] says why "stay
//! signed in" is off.
//!
//! Beside the tokens, per app installation ("scope"), two entries that name accounts but hold
//! no secret: the kept accounts (a JSON list of service URL and username) and the last one
//! used, which the app resumes at start. They live here rather than in a file so that no file
//! names an account, and so they last exactly as long as the tokens they point to (the kernel
//! keyring forgets both at logout; a file would outlive its tokens).
//!
//! Every call may block (a D-Bus round trip, a locked keyring's unlock prompt), so the app
//! reaches the store only through [`Keychain`]: one thread that owns it and answers async
//! callers, off the async runtime and off the window's thread.

mod thread;

use std::sync::Arc;

use keyring::Entry;
use keyring::credential::CredentialBuilder;
use serde::{Deserialize, Serialize};

use crate::auth::refresh::RefreshToken;
use crate::{CloudError, CloudErrorKind, Tokens};
pub use thread::Keychain;

/// Which store holds the tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Store {
    /// The OS's own: macOS Keychain, Windows Credential Manager, Linux Secret Service.
    Native,
    /// Linux's kernel keyring (keyutils): headless, kept until logout or restart.
    KernelKeyring,
    /// A store given by the embedder through keyring's own extension point (tests use one
    /// whose calls park, to show what a slow keychain does).
    Custom,
}

/// Whether "stay signed in" can work here, and if not, why, in words for the sign-in form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeychainStatus {
    pub store: Option<Store>,
    /// Set when `store` is `None`; or a caveat about the store (the kernel keyring's).
    pub reason: Option<String>,
}

impl KeychainStatus {
    #[must_use]
    pub fn available(&self) -> bool {
        self.store.is_some()
    }
}

/// An account whose refresh token is kept: what to show in "Continue as …", nothing secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeptAccount {
    pub service_url: String,
    pub username: String,
}

impl KeptAccount {
    fn is(&self, service_url: &str, username: &str) -> bool {
        self.service_url == service_url && self.username == username
    }
}

/// The refresh-token store. Its calls block: see [`Keychain`].
#[derive(Debug, Clone)]
pub struct TokenStore {
    status: KeychainStatus,
    /// Builds the entries of [`Store::Custom`].
    custom: Option<Arc<CredentialBuilder>>,
}

/// Prefixes the service URL in the keychain entry's name, so a person browsing the keychain
/// knows what the entry is.
const ENTRY_PREFIX: &str = "Strato";
/// The entries naming the account to resume, one per scope.
const LAST_ACCOUNT_SERVICE: &str = "last account";
/// The entries listing the kept accounts, one per scope.
const ACCOUNTS_SERVICE: &str = "accounts";
/// The entry used to test a store.
const PROBE_USER: &str = "strato-keychain-probe";
const KERNEL_CAVEAT: &str = "You stay signed in until you log out of this computer or restart it (no system keychain was found).";

impl TokenStore {
    /// The best store this machine has. `STRATO_KEYCHAIN` may force one: `native`, `kernel`
    /// or `none` (for tests and for people who never want tokens kept).
    #[must_use]
    pub fn system() -> Self {
        match std::env::var("STRATO_KEYCHAIN").as_deref() {
            Ok("none") => {
                return Self::unavailable(
                    "Staying signed in is turned off (STRATO_KEYCHAIN=none).",
                );
            }
            Ok("kernel") => return Self::kernel_keyring(),
            Ok("native") => return Self::native(),
            _ => {}
        }
        let native = Self::native();
        if native.status.available() {
            return native;
        }
        let kernel = Self::kernel_keyring();
        if kernel.status.available() {
            return kernel;
        }
        native
    }

    /// The OS's own keychain, if it answers.
    #[must_use]
    pub fn native() -> Self {
        Self::probed(Store::Native, None)
    }

    /// The Linux kernel keyring, if it answers; elsewhere unavailable.
    #[must_use]
    pub fn kernel_keyring() -> Self {
        if cfg!(target_os = "linux") {
            Self::probed(Store::KernelKeyring, Some(KERNEL_CAVEAT.to_owned()))
        } else {
            Self::unavailable("The kernel keyring exists only on Linux.")
        }
    }

    /// No store: "stay signed in" is off, for `reason`.
    #[must_use]
    pub fn unavailable(reason: &str) -> Self {
        Self {
            status: KeychainStatus {
                store: None,
                reason: Some(reason.to_owned()),
            },
            custom: None,
        }
    }

    /// Entries made by `builder` (keyring's extension point for other stores), not probed.
    #[must_use]
    pub fn custom(builder: Box<CredentialBuilder>) -> Self {
        Self {
            status: KeychainStatus {
                store: Some(Store::Custom),
                reason: None,
            },
            custom: Some(Arc::from(builder)),
        }
    }

    fn probed(store: Store, caveat: Option<String>) -> Self {
        let probe = entry(store, "probe", PROBE_USER).and_then(|e| match e.get_password() {
            Ok(_) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(err) => Err(err),
        });
        match probe {
            Ok(()) => Self {
                status: KeychainStatus {
                    store: Some(store),
                    reason: caveat,
                },
                custom: None,
            },
            Err(err) => {
                tracing::info!(?store, error = %err, "keychain unavailable");
                Self::unavailable(&format!(
                    "Staying signed in is unavailable: the system keychain cannot be used ({}).",
                    describe(&err)
                ))
            }
        }
    }

    #[must_use]
    pub fn status(&self) -> &KeychainStatus {
        &self.status
    }

    /// Keeps the session's refresh token for `service_url`.
    pub fn save(&self, service_url: &str, tokens: &Tokens) -> Result<(), CloudError> {
        let Some(refresh) = tokens.refresh_token.as_deref() else {
            return Err(CloudError::new(
                CloudErrorKind::Auth,
                "This session cannot be kept.",
            ));
        };
        let entry = self.entry(service_url, tokens.username())?;
        entry.set_password(refresh).map_err(keychain_error)?;
        tracing::info!(
            service = service_url,
            account = %crate::redact::account_tag(tokens.username()),
            "refresh token kept in the keychain"
        );
        Ok(())
    }

    /// The refresh token kept for `service_url` and `username`, if any.
    pub fn load(
        &self,
        service_url: &str,
        username: &str,
    ) -> Result<Option<RefreshToken>, CloudError> {
        if !self.status.available() {
            return Ok(None);
        }
        match self.entry(service_url, username)?.get_password() {
            Ok(token) => Ok(Some(RefreshToken(token))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(err) => Err(keychain_error(err)),
        }
    }

    /// Keeps another kind of service's secret (a Subsonic server's password or API key,
    /// which it encodes itself) in the entry of `service_url` and `username`, where a Strato
    /// account keeps its refresh token: one entry per account whatever its kind, forgotten by
    /// [`Self::forget`].
    pub fn save_secret(
        &self,
        service_url: &str,
        username: &str,
        secret: &str,
    ) -> Result<(), CloudError> {
        self.entry(service_url, username)?
            .set_password(secret)
            .map_err(keychain_error)?;
        tracing::info!(
            service = service_url,
            account = %crate::redact::account_tag(username),
            "sign-in kept in the keychain"
        );
        Ok(())
    }

    /// What the entry of `service_url` and `username` holds, as kept: a refresh token or
    /// another service's secret ([`Self::save_secret`]).
    pub fn load_secret(
        &self,
        service_url: &str,
        username: &str,
    ) -> Result<Option<String>, CloudError> {
        Ok(self.load(service_url, username)?.map(|token| token.0))
    }

    /// Forgets the entry; forgetting one that is not there is not an error.
    pub fn forget(&self, service_url: &str, username: &str) -> Result<(), CloudError> {
        if !self.status.available() {
            return Ok(());
        }
        match self.entry(service_url, username)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => {
                tracing::info!(
                    service = service_url,
                    account = %crate::redact::account_tag(username),
                    "keychain entry forgotten"
                );
                Ok(())
            }
            Err(err) => Err(keychain_error(err)),
        }
    }

    /// Adds the account to the kept ones (if not there yet) and notes it as the one to resume
    /// at the next start of an app installation identified by `scope` (the app passes its
    /// configured default service URL, which also keeps test apps apart).
    pub fn remember_account(
        &self,
        scope: &str,
        service_url: &str,
        username: &str,
    ) -> Result<(), CloudError> {
        let mut accounts = self.kept_list(scope)?;
        if !accounts.iter().any(|a| a.is(service_url, username)) {
            accounts.push(KeptAccount {
                service_url: service_url.to_owned(),
                username: username.to_owned(),
            });
            self.write_list(scope, &accounts)?;
        }
        self.entry(LAST_ACCOUNT_SERVICE, scope)?
            .set_password(&format!("{service_url}\n{username}"))
            .map_err(keychain_error)
    }

    /// The account [`Self::remember_account`] noted last: (service URL, username).
    pub fn last_account(&self, scope: &str) -> Result<Option<(String, String)>, CloudError> {
        if !self.status.available() {
            return Ok(None);
        }
        match self.entry(LAST_ACCOUNT_SERVICE, scope)?.get_password() {
            Ok(value) => Ok(value
                .split_once('\n')
                .map(|(url, user)| (url.to_owned(), user.to_owned()))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(err) => Err(keychain_error(err)),
        }
    }

    /// Every account [`Self::remember_account`] kept in `scope` and not forgotten since, in
    /// the order they were first kept. Includes the last account of a version that kept only
    /// that one.
    pub fn accounts(&self, scope: &str) -> Result<Vec<KeptAccount>, CloudError> {
        if !self.status.available() {
            return Ok(Vec::new());
        }
        let mut accounts = self.kept_list(scope)?;
        if let Some((url, user)) = self.last_account(scope)?
            && !accounts.iter().any(|a| a.is(&url, &user))
        {
            accounts.insert(
                0,
                KeptAccount {
                    service_url: url,
                    username: user,
                },
            );
        }
        Ok(accounts)
    }

    /// Removes the account from the kept ones, and clears the last-account note if it names
    /// it. The token itself is [`Self::forget`]'s.
    pub fn forget_account(
        &self,
        scope: &str,
        service_url: &str,
        username: &str,
    ) -> Result<(), CloudError> {
        if !self.status.available() {
            return Ok(());
        }
        let mut accounts = self.kept_list(scope)?;
        let before = accounts.len();
        accounts.retain(|a| !a.is(service_url, username));
        if accounts.len() != before {
            self.write_list(scope, &accounts)?;
        }
        let named = self.last_account(scope)?;
        if named.is_some_and(|(url, user)| url == service_url && user == username) {
            self.delete(LAST_ACCOUNT_SERVICE, scope)?;
        }
        Ok(())
    }

    /// The list entry alone; an unreadable one (written by hand, or by a newer version that
    /// changed its shape) counts as empty rather than locking the listener out.
    fn kept_list(&self, scope: &str) -> Result<Vec<KeptAccount>, CloudError> {
        match self.entry(ACCOUNTS_SERVICE, scope)?.get_password() {
            Ok(json) => Ok(serde_json::from_str(&json).unwrap_or_else(|err| {
                tracing::warn!(error = %err, "the kept accounts' list is unreadable; ignoring it");
                Vec::new()
            })),
            Err(keyring::Error::NoEntry) => Ok(Vec::new()),
            Err(err) => Err(keychain_error(err)),
        }
    }

    fn write_list(&self, scope: &str, accounts: &[KeptAccount]) -> Result<(), CloudError> {
        if accounts.is_empty() {
            return self.delete(ACCOUNTS_SERVICE, scope);
        }
        let json = serde_json::to_string(accounts).map_err(|err| {
            CloudError::new(
                CloudErrorKind::Keychain,
                "The kept accounts could not be written.",
            )
            .with_source(err)
        })?;
        self.entry(ACCOUNTS_SERVICE, scope)?
            .set_password(&json)
            .map_err(keychain_error)
    }

    fn delete(&self, service: &str, user: &str) -> Result<(), CloudError> {
        match self.entry(service, user)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(err) => Err(keychain_error(err)),
        }
    }

    fn entry(&self, service_url: &str, username: &str) -> Result<Entry, CloudError> {
        let store = self.status.store.ok_or_else(|| {
            CloudError::new(
                CloudErrorKind::Keychain,
                self.status.reason.clone().unwrap_or_default(),
            )
        })?;
        if let (Store::Custom, Some(builder)) = (store, &self.custom) {
            let service = format!("{ENTRY_PREFIX} {service_url}");
            return builder
                .build(None, &service, username)
                .map(Entry::new_with_credential)
                .map_err(keychain_error);
        }
        entry(store, service_url, username).map_err(keychain_error)
    }
}

fn entry(store: Store, service_url: &str, username: &str) -> keyring::Result<Entry> {
    let service = format!("{ENTRY_PREFIX} {service_url}");
    match store {
        Store::Native => native_entry(&service, username),
        Store::KernelKeyring => kernel_entry(&service, username),
        Store::Custom => Err(keyring::Error::Invalid(
            "store".into(),
            "a custom store needs its credential builder".into(),
        )),
    }
}

/// On Linux the Secret Service explicitly: keyring's default there depends on its features.
#[cfg(target_os = "linux")]
fn native_entry(service: &str, username: &str) -> keyring::Result<Entry> {
    let credential =
        keyring::secret_service::SsCredential::new_with_target(None, service, username)?;
    Ok(Entry::new_with_credential(Box::new(credential)))
}

#[cfg(not(target_os = "linux"))]
fn native_entry(service: &str, username: &str) -> keyring::Result<Entry> {
    Entry::new(service, username)
}

/// The user keyring (`@u`), shared by every thread and process of the user. Not keyring's
/// default, the session keyring: a thread without one gets its own on first use (seen here:
/// each test thread, and so each tokio worker, found a different keyring, and writes failed
/// with `ENOKEY`). Nor its extra link into the persistent keyring, which failed the same way;
/// the user keyring lasts until the user's last process ends, as [`KERNEL_CAVEAT`] says.
#[cfg(target_os = "linux")]
fn kernel_entry(service: &str, username: &str) -> keyring::Result<Entry> {
    use linux_keyutils::{KeyRing, KeyRingIdentifier};
    // Built by hand: keyring's constructor touches the session keyring (creating one for the
    // thread) and links the persistent keyring. Same description format as keyring's.
    let credential = keyring::keyutils::KeyutilsCredential {
        session: KeyRing::from_special_id(KeyRingIdentifier::User, false)
            .map_err(keyring::keyutils::decode_error)?,
        persistent: None,
        description: format!("keyring-rs:{username}@{service}"),
    };
    Ok(Entry::new_with_credential(Box::new(credential)))
}

#[cfg(not(target_os = "linux"))]
fn kernel_entry(_service: &str, _username: &str) -> keyring::Result<Entry> {
    Err(keyring::Error::PlatformFailure(
        "the kernel keyring exists only on Linux".into(),
    ))
}

fn describe(err: &keyring::Error) -> String {
    match err {
        keyring::Error::NoStorageAccess(_) => "it is locked or access was refused".to_owned(),
        keyring::Error::PlatformFailure(inner) => inner.to_string(),
        other => other.to_string(),
    }
}

fn keychain_error(err: keyring::Error) -> CloudError {
    CloudError::new(
        CloudErrorKind::Keychain,
        format!(
            "The system keychain did not keep your sign-in ({}).",
            describe(&err)
        ),
    )
    .with_source(err)
}
