//! The listener's account: signing in (SRP by default, see `strato_cloud::auth`), answering
//! the service's challenges, creating an account and resetting a password, staying signed in
//! across restarts through the OS keychain, and signing out everywhere.
//!
//! The keychain holds three kinds of entries, and nothing about the account is written
//! anywhere else: the refresh token per (service URL, username); the kept accounts (service
//! URLs and usernames, no secret) that [`Accounts::remembered`] lists and [`Accounts::resume`]
//! switches to; and the "last account" entry that tells [`Accounts::restore`] which of them to
//! resume at start.
//!
//! Every keychain call goes through the keychain's own thread ([`Keychain`]): a slow or
//! locked keychain makes these calls wait, never a tokio worker or the window's thread.
//! Which service addresses are trusted with a password is [`Trust`]'s to say.
//!
//! An account is on the Strato cloud or on a Subsonic server ([`Connection`]); signing in
//! finds which from the address (`subsonic.rs`), or is a Subsonic one when it comes with an
//! API key, and everything after holds the account whatever its kind.

mod connection;
mod subsonic;

use std::sync::Arc;

use strato_cloud::auth::account::CodeDelivery as CloudDelivery;
use strato_cloud::keychain::{KeptAccount, Keychain, TokenStore};
use strato_cloud::{
    ApiClient, Challenge, CloudError, CloudErrorKind, Credentials, ServiceClient,
    SignInStep as CloudStep, Tokens, Trust,
};
use strato_model::ipc::ServiceKind;
pub use strato_model::ipc::StaySignedIn;
use strato_model::ipc::{AppError, ChallengeKind, CodeDelivery, ErrorKind, Session, SignUpOutcome};

use crate::error::from_cloud;

pub(crate) use connection::{Connection, features_offline};

/// A signed-in account: what the UI sees and the client its calls go through.
pub(crate) struct Account {
    pub(crate) session: Session,
    pub(crate) connection: Connection,
}

/// What an account's keychain entry holds.
enum KeptSecret {
    /// A Strato account's refresh token.
    Token(strato_cloud::auth::refresh::RefreshToken),
    /// A Subsonic server's password.
    SubsonicPassword(String),
    /// An API key for a Subsonic server (`OpenSubsonic`'s `apiKeyAuthentication`).
    SubsonicApiKey(String),
}

/// Where a sign-in step left the listener.
pub(crate) enum Step {
    SignedIn(Account),
    /// Boxed: a challenge carries a whole service client.
    Challenge(Box<Pending>),
}

/// A sign-in waiting for the listener's answer. Holds Cognito's challenge session, which
/// stays on this side: the UI only sees the kind and a prompt.
#[derive(Clone)]
pub(crate) struct Pending {
    service: ServiceClient,
    challenge: Challenge,
    stay_signed_in: bool,
}

impl Pending {
    pub(crate) fn kind(&self) -> ChallengeKind {
        match self.challenge.kind() {
            strato_cloud::ChallengeKind::NewPasswordRequired => ChallengeKind::NewPassword,
            strato_cloud::ChallengeKind::SmsMfa { destination } => ChallengeKind::SmsCode {
                destination: destination.clone(),
            },
            // SoftwareTokenMfa, and any kind added later that asks for a code.
            _ => ChallengeKind::AuthenticatorCode,
        }
    }

    pub(crate) fn prompt(&self) -> String {
        format!("To sign in, {}", self.challenge.kind().prompt())
    }
}

/// How long a sign-in waits for the keychain to keep its session: far longer than a keychain
/// that answers by itself takes, short enough that an unlock prompt nobody answers does not
/// hold the sign-in. The keeping goes on after that, on the keychain's thread; the calls after
/// it (a restart's restore, the list of kept accounts) run once it is done.
const KEEP_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Signing in and the kept accounts of one app installation.
pub(crate) struct Accounts {
    /// Names this installation's kept accounts and "last account" entry (see
    /// `TokenStore::remember_account`): the configured default service URL.
    scope: String,
    trust: Trust,
    keychain: Keychain,
}

impl Accounts {
    pub(crate) fn new(scope: &str, trust: Trust) -> Self {
        Self {
            scope: scope.to_owned(),
            trust,
            keychain: Keychain::system().clone(),
        }
    }

    /// Whether service addresses are checked (see [`Trust`]).
    pub(crate) fn trust(&self) -> &Trust {
        &self.trust
    }

    /// Whether "stay signed in" can be offered, and if not, why.
    pub(crate) async fn stay_signed_in(&self) -> StaySignedIn {
        match self.keychain.call(|store| Ok(store.status().clone())).await {
            Ok(status) => StaySignedIn {
                available: status.available(),
                reason: status.reason,
            },
            Err(err) => StaySignedIn {
                available: false,
                reason: Some(err.to_string()),
            },
        }
    }

    /// The first step of signing in; with `stay_signed_in`, the refresh token is kept in the
    /// keychain once signed in (now, or after the challenges). The address says which kind
    /// of service it is (see `subsonic.rs`).
    pub(crate) async fn begin_sign_in(
        &self,
        service_url: &str,
        username: &str,
        password: String,
        stay_signed_in: bool,
    ) -> Result<Step, AppError> {
        if subsonic::names_the_api(service_url) {
            return self
                .sign_in_subsonic(service_url, username, password, stay_signed_in, None)
                .await
                .map(Step::SignedIn);
        }
        let service = match ServiceClient::connect_with(service_url, &self.trust).await {
            Ok(service) => service,
            Err(err) if subsonic::may_be_subsonic(&err) => {
                return self
                    .sign_in_subsonic(service_url, username, password, stay_signed_in, Some(&err))
                    .await
                    .map(Step::SignedIn);
            }
            Err(err) => return Err(from_cloud(&err)),
        };
        let credentials = Credentials {
            username: username.trim().to_owned(),
            password,
        };
        let step = service
            .begin_sign_in(&credentials)
            .await
            .map_err(|e| from_cloud(&e))?;
        drop(credentials);
        Ok(self.next_step(service, step, stay_signed_in).await)
    }

    /// Signs in to the Subsonic server at `service_url` with an API key made on it, as the
    /// key's owner; with `stay_signed_in`, the key is kept in the keychain. Only a Subsonic
    /// server takes a key: the address is not asked whether it is a Strato service.
    pub(crate) async fn sign_in_with_api_key(
        &self,
        service_url: &str,
        api_key: String,
        stay_signed_in: bool,
    ) -> Result<Account, AppError> {
        self.sign_in_subsonic_key(service_url, api_key, stay_signed_in)
            .await
    }

    /// Answers `pending`'s question: a new password, or a code. The answer may be another
    /// challenge (a code after a new password).
    pub(crate) async fn answer(&self, pending: Pending, answer: &str) -> Result<Step, AppError> {
        let step = pending
            .service
            .respond_to_challenge(&pending.challenge, answer)
            .await
            .map_err(|e| from_cloud(&e))?;
        Ok(self
            .next_step(pending.service, step, pending.stay_signed_in)
            .await)
    }

    async fn next_step(
        &self,
        service: ServiceClient,
        step: CloudStep,
        stay_signed_in: bool,
    ) -> Step {
        match step {
            CloudStep::SignedIn(tokens) => {
                Step::SignedIn(self.signed_in(service, tokens, stay_signed_in).await)
            }
            CloudStep::Challenge(challenge) => Step::Challenge(Box::new(Pending {
                service,
                challenge,
                stay_signed_in,
            })),
        }
    }

    /// A keychain that fails does not fail the sign-in: the session works, it just is not
    /// kept.
    async fn signed_in(
        &self,
        service: ServiceClient,
        tokens: Tokens,
        stay_signed_in: bool,
    ) -> Account {
        let url = service.url().to_string();
        if stay_signed_in {
            let (scope, kept_url, kept) = (self.scope.clone(), url.clone(), tokens.clone());
            self.keep(move |store| {
                store.save(&kept_url, &kept)?;
                store.remember_account(&scope, &kept_url, kept.username())
            })
            .await;
        }
        let username = tokens.username().to_owned();
        let connection = Connection::Strato(Arc::new(ApiClient::new(service, tokens)));
        Account {
            session: connection.session(&url, &username),
            connection,
        }
    }

    /// Keeps a sign-in in the keychain, waiting at most [`KEEP_WAIT`]. A keychain that fails
    /// does not fail the sign-in: the session works, it just is not kept.
    async fn keep(
        &self,
        keeping: impl FnOnce(&TokenStore) -> Result<(), CloudError> + Send + 'static,
    ) {
        match tokio::time::timeout(KEEP_WAIT, self.keychain.call(keeping)).await {
            Ok(Ok(())) => {}
            Ok(Err(err)) => {
                tracing::warn!(error = %err, "could not keep the session in the keychain");
            }
            Err(_) => tracing::warn!(
                "the keychain is slow to answer (locked?); the session is kept once it does"
            ),
        }
    }

    /// Creates an account; a code is sent to `email` to confirm it.
    pub(crate) async fn sign_up(
        &self,
        service_url: &str,
        username: &str,
        password: &str,
        email: &str,
    ) -> Result<SignUpOutcome, AppError> {
        let service = self.connect(service_url).await?;
        let outcome = service
            .sign_up(username, password, email)
            .await
            .map_err(|e| from_cloud(&e))?;
        Ok(SignUpOutcome {
            confirmed: outcome.confirmed,
            delivery: delivery(outcome.delivery),
        })
    }

    pub(crate) async fn confirm_sign_up(
        &self,
        service_url: &str,
        username: &str,
        code: &str,
    ) -> Result<(), AppError> {
        let service = self.connect(service_url).await?;
        service
            .confirm_sign_up(username, code)
            .await
            .map_err(|e| from_cloud(&e))
    }

    pub(crate) async fn resend_confirmation_code(
        &self,
        service_url: &str,
        username: &str,
    ) -> Result<CodeDelivery, AppError> {
        let service = self.connect(service_url).await?;
        service
            .resend_confirmation_code(username)
            .await
            .map(delivery)
            .map_err(|e| from_cloud(&e))
    }

    pub(crate) async fn forgot_password(
        &self,
        service_url: &str,
        username: &str,
    ) -> Result<CodeDelivery, AppError> {
        let service = self.connect(service_url).await?;
        service
            .forgot_password(username)
            .await
            .map(delivery)
            .map_err(|e| from_cloud(&e))
    }

    pub(crate) async fn confirm_forgot_password(
        &self,
        service_url: &str,
        username: &str,
        code: &str,
        new_password: &str,
    ) -> Result<(), AppError> {
        let service = self.connect(service_url).await?;
        service
            .confirm_forgot_password(username, code, new_password)
            .await
            .map_err(|e| from_cloud(&e))
    }

    async fn connect(&self, service_url: &str) -> Result<ServiceClient, AppError> {
        ServiceClient::connect_with(service_url, &self.trust)
            .await
            .map_err(|e| from_cloud(&e))
    }

    /// Resumes the last kept session, if there is one. A refused refresh token (revoked, or
    /// expired) is forgotten and reported in words; being offline keeps it for next time.
    pub(crate) async fn restore(&self) -> Result<Option<Account>, AppError> {
        let Some((url, username, _)) = self.kept_entry().await.map_err(|e| from_cloud(&e))? else {
            return Ok(None);
        };
        self.resume(&url, &username).await.map(Some)
    }

    /// The account the next start resumes, if one is kept (whether or not the service can be
    /// reached to resume it): service URL, username, and the kind of its service.
    pub(crate) async fn last_kept(&self) -> Option<(String, String, ServiceKind)> {
        self.kept_entry().await.ok().flatten()
    }

    /// The last account noted, if its sign-in is still kept.
    async fn kept_entry(&self) -> Result<Option<(String, String, ServiceKind)>, CloudError> {
        let scope = self.scope.clone();
        self.keychain
            .call(move |store| {
                let Some((url, username)) = store.last_account(&scope)? else {
                    return Ok(None);
                };
                Ok(kept_secret(store, &url, &username)?.map(|secret| {
                    let kind = match secret {
                        KeptSecret::Token(_) => ServiceKind::Strato,
                        KeptSecret::SubsonicPassword(_) | KeptSecret::SubsonicApiKey(_) => {
                            ServiceKind::OpenSubsonic
                        }
                    };
                    (url, username, kind)
                }))
            })
            .await
    }

    /// The accounts kept in this app installation's keychain, in the order they were first
    /// kept. A keychain that cannot be read lists none: signing in by hand still works.
    pub(crate) async fn remembered(&self) -> Vec<KeptAccount> {
        let scope = self.scope.clone();
        self.keychain
            .call(move |store| store.accounts(&scope))
            .await
            .unwrap_or_else(|err| {
                tracing::warn!(error = %err, "could not list the kept accounts");
                Vec::new()
            })
    }

    /// Resumes a kept account from its refresh token and notes it as the one to resume at the
    /// next start. As in [`Self::restore`]: a refused token is forgotten, being offline keeps
    /// it. A token that is gone (removed from the keychain by hand) forgets the account too.
    pub(crate) async fn resume(
        &self,
        service_url: &str,
        username: &str,
    ) -> Result<Account, AppError> {
        let (url, user) = (service_url.to_owned(), username.to_owned());
        let kept = self
            .keychain
            .call(move |store| kept_secret(store, &url, &user))
            .await
            .map_err(|e| from_cloud(&e))?;
        let refresh = match kept {
            Some(KeptSecret::Token(refresh)) => Some(refresh),
            Some(KeptSecret::SubsonicPassword(password)) => {
                let credentials = strato_subsonic::Credentials::password(username, password);
                return self
                    .resume_subsonic(service_url, username, credentials)
                    .await;
            }
            Some(KeptSecret::SubsonicApiKey(key)) => {
                let credentials = strato_subsonic::Credentials::api_key(key);
                return self
                    .resume_subsonic(service_url, username, credentials)
                    .await;
            }
            None => None,
        };
        let Some(refresh) = refresh else {
            self.forget(service_url, username).await;
            return Err(AppError::new(
                ErrorKind::Auth,
                format!("{username} is no longer kept on this computer. Please sign in again."),
            ));
        };
        let service = self.connect(service_url).await?;
        match service.resume(username, &refresh).await {
            Ok(tokens) => {
                self.note_resumed(service_url, username).await;
                let connection = Connection::Strato(Arc::new(ApiClient::new(service, tokens)));
                Ok(Account {
                    session: connection.session(service_url, username),
                    connection,
                })
            }
            Err(err) => {
                if err.kind() == CloudErrorKind::Auth {
                    self.forget(service_url, username).await;
                }
                Err(from_cloud(&err))
            }
        }
    }

    /// Notes a resumed account as the one to resume at the next start.
    async fn note_resumed(&self, service_url: &str, username: &str) {
        tracing::info!(
            account = %strato_cloud::redact::account_tag(username),
            "session resumed from the keychain"
        );
        let (scope, url, user) = (
            self.scope.clone(),
            service_url.to_owned(),
            username.to_owned(),
        );
        let noted = self
            .keychain
            .call(move |store| store.remember_account(&scope, &url, &user))
            .await;
        if let Err(err) = noted {
            tracing::warn!(error = %err, "could not note the account to resume next time");
        }
    }

    /// Forgets the account locally, and revokes a Strato account's tokens (`GlobalSignOut`)
    /// in the background: signing out must not wait on, or fail with, the network. (A
    /// Subsonic server keeps no session to revoke: forgetting its password is signing out.)
    pub(crate) async fn sign_out(&self, account: Account) -> Option<std::thread::JoinHandle<()>> {
        self.forget(&account.session.service_url, &account.session.username)
            .await;
        let Connection::Strato(api) = account.connection else {
            return None;
        };
        let revoking = std::thread::Builder::new()
            .name("strato-sign-out".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                match runtime {
                    Ok(runtime) => {
                        // The service ends every session and tells the other devices at
                        // once; Cognito's own revocation is for a service without it.
                        match runtime.block_on(api.sign_out_everywhere()) {
                            Ok(()) => runtime.block_on(api.session().end_revoked()),
                            Err(err) => {
                                tracing::info!(error = %err, "the service could not sign out everywhere");
                                if let Err(err) = runtime.block_on(api.session().sign_out()) {
                            tracing::info!(error = %err, "could not revoke the session on the service");
                        }
                            }
                        }
                    }
                    Err(err) => tracing::warn!(error = %err, "no runtime to revoke the session"),
                }
            })
            .expect("spawning the sign-out thread");
        Some(revoking)
    }

    /// Forgets the account's keychain entries: its token, its place among the kept accounts
    /// and, if it names it, the last-account note (signed out, its session ended, or the
    /// listener asked to forget it).
    pub(crate) async fn forget(&self, service_url: &str, username: &str) {
        let (scope, url, user) = (
            self.scope.clone(),
            service_url.to_owned(),
            username.to_owned(),
        );
        if let Err(err) = self
            .keychain
            .call(move |store| forget_entries(store, &scope, &url, &user))
            .await
        {
            tracing::warn!(error = %err, "could not remove the session from the keychain");
        }
    }

    /// [`Self::forget`] without waiting for it, for callers that cannot wait. Keychain calls
    /// run in order, so any later one (a restore, the list of kept accounts) sees it done.
    pub(crate) fn forget_soon(&self, service_url: &str, username: &str) {
        let (scope, url, user) = (
            self.scope.clone(),
            service_url.to_owned(),
            username.to_owned(),
        );
        let sent = self.keychain.send(move |store| {
            if let Err(err) = forget_entries(store, &scope, &url, &user) {
                tracing::warn!(error = %err, "could not remove the session from the keychain");
            }
        });
        if let Err(err) = sent {
            tracing::warn!(error = %err, "could not remove the session from the keychain");
        }
    }
}

fn forget_entries(
    store: &TokenStore,
    scope: &str,
    service_url: &str,
    username: &str,
) -> Result<(), CloudError> {
    store.forget(service_url, username)?;
    store.forget_account(scope, service_url, username)
}

/// What the entry of `service_url` and `username` keeps, by its kind.
fn kept_secret(
    store: &TokenStore,
    service_url: &str,
    username: &str,
) -> Result<Option<KeptSecret>, CloudError> {
    let Some(value) = store.load_secret(service_url, username)? else {
        return Ok(None);
    };
    if let Some(password) = subsonic::kept_password(&value) {
        return Ok(Some(KeptSecret::SubsonicPassword(password.to_owned())));
    }
    if let Some(key) = subsonic::kept_api_key(&value) {
        return Ok(Some(KeptSecret::SubsonicApiKey(key.to_owned())));
    }
    Ok(store.load(service_url, username)?.map(KeptSecret::Token))
}

fn delivery(from: CloudDelivery) -> CodeDelivery {
    CodeDelivery {
        destination: from.destination,
        medium: from.medium,
    }
}
