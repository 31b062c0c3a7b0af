//! The listener's account: signing in (SRP by default, see `strato_cloud::auth`), answering
//! the service's challenges, creating an account and resetting a password, staying signed in
//! across restarts through the OS keychain, and signing out everywhere.
//!
//! The keychain holds three kinds of entries, and nothing about the account is written
//! anywhere else: the refresh token per (service URL, username); the kept accounts (service
//! URLs and usernames, no secret) that [`remembered`] lists and [`resume`] switches to; and the
//! "last account" entry that tells [`restore`] which of them to resume at start.

use std::sync::{Arc, OnceLock};

use strato_cloud::auth::account::CodeDelivery as CloudDelivery;
use strato_cloud::keychain::{KeptAccount, TokenStore};
use strato_cloud::{
    ApiClient, Challenge, CloudErrorKind, Credentials, ServiceClient, SignInStep as CloudStep,
    Tokens,
};
pub use strato_model::ipc::StaySignedIn;
use strato_model::ipc::{AppError, ChallengeKind, CodeDelivery, ErrorKind, Session, SignUpOutcome};

use crate::error::from_cloud;

/// A signed-in account: what the UI sees and the client its calls go through.
pub(crate) struct Account {
    pub(crate) session: Session,
    pub(crate) api: Arc<ApiClient>,
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

/// The keychain, probed once per process (probing may cost a D-Bus round trip).
pub(crate) fn token_store() -> &'static TokenStore {
    static STORE: OnceLock<TokenStore> = OnceLock::new();
    STORE.get_or_init(TokenStore::system)
}

pub(crate) fn stay_signed_in() -> StaySignedIn {
    let status = token_store().status();
    StaySignedIn {
        available: status.available(),
        reason: status.reason.clone(),
    }
}

/// The first step of signing in; with `stay_signed_in`, the refresh token is kept in the
/// keychain once signed in (now, or after the challenges). `scope` names this app
/// installation's "last account" entry (see [`TokenStore::remember_account`]).
pub(crate) async fn begin_sign_in(
    scope: &str,
    service_url: &str,
    username: &str,
    password: String,
    stay_signed_in: bool,
) -> Result<Step, AppError> {
    let service = connect(service_url).await?;
    let credentials = Credentials {
        username: username.trim().to_owned(),
        password,
    };
    let step = service
        .begin_sign_in(&credentials)
        .await
        .map_err(|e| from_cloud(&e))?;
    drop(credentials);
    Ok(next_step(scope, service, step, stay_signed_in))
}

/// Answers `pending`'s question: a new password, or a code. The answer may be another
/// challenge (a code after a new password).
pub(crate) async fn answer(scope: &str, pending: Pending, answer: &str) -> Result<Step, AppError> {
    let step = pending
        .service
        .respond_to_challenge(&pending.challenge, answer)
        .await
        .map_err(|e| from_cloud(&e))?;
    Ok(next_step(
        scope,
        pending.service,
        step,
        pending.stay_signed_in,
    ))
}

fn next_step(scope: &str, service: ServiceClient, step: CloudStep, stay_signed_in: bool) -> Step {
    match step {
        CloudStep::SignedIn(tokens) => {
            Step::SignedIn(signed_in(scope, service, tokens, stay_signed_in))
        }
        CloudStep::Challenge(challenge) => Step::Challenge(Box::new(Pending {
            service,
            challenge,
            stay_signed_in,
        })),
    }
}

/// A keychain that fails does not fail the sign-in: the session works, it just is not kept.
fn signed_in(scope: &str, service: ServiceClient, tokens: Tokens, stay_signed_in: bool) -> Account {
    let url = service.url().to_string();
    if stay_signed_in {
        let store = token_store();
        if let Err(err) = store
            .save(&url, &tokens)
            .and_then(|()| store.remember_account(scope, &url, tokens.username()))
        {
            tracing::warn!(error = %err, "could not keep the session in the keychain");
        }
    }
    Account {
        session: Session {
            service_url: url,
            username: tokens.username().to_owned(),
        },
        api: Arc::new(ApiClient::new(service, tokens)),
    }
}

/// Creates an account; a code is sent to `email` to confirm it.
pub(crate) async fn sign_up(
    service_url: &str,
    username: &str,
    password: &str,
    email: &str,
) -> Result<SignUpOutcome, AppError> {
    let service = connect(service_url).await?;
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
    service_url: &str,
    username: &str,
    code: &str,
) -> Result<(), AppError> {
    let service = connect(service_url).await?;
    service
        .confirm_sign_up(username, code)
        .await
        .map_err(|e| from_cloud(&e))
}

pub(crate) async fn resend_confirmation_code(
    service_url: &str,
    username: &str,
) -> Result<CodeDelivery, AppError> {
    let service = connect(service_url).await?;
    service
        .resend_confirmation_code(username)
        .await
        .map(delivery)
        .map_err(|e| from_cloud(&e))
}

pub(crate) async fn forgot_password(
    service_url: &str,
    username: &str,
) -> Result<CodeDelivery, AppError> {
    let service = connect(service_url).await?;
    service
        .forgot_password(username)
        .await
        .map(delivery)
        .map_err(|e| from_cloud(&e))
}

pub(crate) async fn confirm_forgot_password(
    service_url: &str,
    username: &str,
    code: &str,
    new_password: &str,
) -> Result<(), AppError> {
    let service = connect(service_url).await?;
    service
        .confirm_forgot_password(username, code, new_password)
        .await
        .map_err(|e| from_cloud(&e))
}

async fn connect(service_url: &str) -> Result<ServiceClient, AppError> {
    ServiceClient::connect(service_url)
        .await
        .map_err(|e| from_cloud(&e))
}

fn delivery(from: CloudDelivery) -> CodeDelivery {
    CodeDelivery {
        destination: from.destination,
        medium: from.medium,
    }
}

/// Resumes the last kept session, if there is one. A refused refresh token (revoked, or
/// expired) is forgotten and reported in words; being offline keeps it for next time.
pub(crate) async fn restore(scope: &str) -> Result<Option<Account>, AppError> {
    let store = token_store();
    let Some((url, username)) = store.last_account(scope).map_err(|e| from_cloud(&e))? else {
        return Ok(None);
    };
    if store
        .load(&url, &username)
        .map_err(|e| from_cloud(&e))?
        .is_none()
    {
        return Ok(None);
    }
    resume(scope, &url, &username).await.map(Some)
}

/// The account the next start resumes, if one is kept (whether or not the service can be
/// reached to resume it).
pub(crate) fn last_kept(scope: &str) -> Option<(String, String)> {
    let store = token_store();
    let (url, username) = store.last_account(scope).ok()??;
    store.load(&url, &username).ok()??;
    Some((url, username))
}

/// The accounts kept in this app installation's keychain, in the order they were first kept.
/// A keychain that cannot be read lists none: signing in by hand still works.
pub(crate) fn remembered(scope: &str) -> Vec<KeptAccount> {
    token_store().accounts(scope).unwrap_or_else(|err| {
        tracing::warn!(error = %err, "could not list the kept accounts");
        Vec::new()
    })
}

/// Resumes a kept account from its refresh token and notes it as the one to resume at the next
/// start. As in [`restore`]: a refused token is forgotten, being offline keeps it. A token that
/// is gone (removed from the keychain by hand) forgets the account too.
pub(crate) async fn resume(
    scope: &str,
    service_url: &str,
    username: &str,
) -> Result<Account, AppError> {
    let store = token_store();
    let Some(refresh) = store
        .load(service_url, username)
        .map_err(|e| from_cloud(&e))?
    else {
        forget(scope, service_url, username);
        return Err(AppError::new(
            ErrorKind::Auth,
            format!("{username} is no longer kept on this computer. Please sign in again."),
        ));
    };
    let service = connect(service_url).await?;
    match service.resume(username, &refresh).await {
        Ok(tokens) => {
            tracing::info!(username, "session resumed from the keychain");
            if let Err(err) = store.remember_account(scope, service_url, username) {
                tracing::warn!(error = %err, "could not note the account to resume next time");
            }
            Ok(Account {
                session: Session {
                    service_url: service_url.to_owned(),
                    username: username.to_owned(),
                },
                api: Arc::new(ApiClient::new(service, tokens)),
            })
        }
        Err(err) => {
            if err.kind() == CloudErrorKind::Auth {
                forget(scope, service_url, username);
            }
            Err(from_cloud(&err))
        }
    }
}

/// Forgets the account locally at once, and revokes its tokens (`GlobalSignOut`) in the
/// background: signing out must not wait on, or fail with, the network.
pub(crate) fn sign_out(scope: &str, account: Account) -> std::thread::JoinHandle<()> {
    forget(
        scope,
        &account.session.service_url,
        &account.session.username,
    );
    let api = account.api;
    std::thread::Builder::new()
        .name("strato-sign-out".into())
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            match runtime {
                Ok(runtime) => {
                    if let Err(err) = runtime.block_on(api.session().sign_out()) {
                        tracing::info!(error = %err, "could not revoke the session on the service");
                    }
                }
                Err(err) => tracing::warn!(error = %err, "no runtime to revoke the session"),
            }
        })
        .expect("spawning the sign-out thread")
}

/// Forgets the account's keychain entries: its token, its place among the kept accounts and,
/// if it names it, the last-account note (signed out, its session ended, or the listener
/// asked to forget it).
pub(crate) fn forget(scope: &str, service_url: &str, username: &str) {
    let store = token_store();
    if let Err(err) = store
        .forget(service_url, username)
        .and_then(|()| store.forget_account(scope, service_url, username))
    {
        tracing::warn!(error = %err, "could not remove the session from the keychain");
    }
}
