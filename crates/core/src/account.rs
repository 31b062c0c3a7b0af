//! The listener's account: signing in (SRP by default, see `strato_cloud::auth`), answering
//! the service's challenges, creating an account and resetting a password, staying signed in
//! across restarts through the OS keychain, and signing out everywhere.
//!
//! The keychain holds two kinds of entries, and nothing about the account is written
//! anywhere else: the refresh token per (service URL, username), and the "last account"
//! entry (service URL and username, no secret) that tells [`restore`] what to resume.

use std::sync::{Arc, OnceLock};

use strato_cloud::auth::account::CodeDelivery as CloudDelivery;
use strato_cloud::keychain::TokenStore;
use strato_cloud::{
    ApiClient, Challenge, CloudErrorKind, Credentials, ServiceClient, SignInStep as CloudStep,
    Tokens,
};
pub use strato_model::ipc::StaySignedIn;
use strato_model::ipc::{AppError, ChallengeKind, CodeDelivery, Session, SignUpOutcome};

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
    let Some(refresh) = store.load(&url, &username).map_err(|e| from_cloud(&e))? else {
        return Ok(None);
    };
    let service = ServiceClient::connect(&url)
        .await
        .map_err(|e| from_cloud(&e))?;
    match service.resume(&username, &refresh).await {
        Ok(tokens) => {
            tracing::info!(username, "session restored from the keychain");
            Ok(Some(Account {
                session: Session {
                    service_url: url,
                    username,
                },
                api: Arc::new(ApiClient::new(service, tokens)),
            }))
        }
        Err(err) => {
            if err.kind() == CloudErrorKind::Auth {
                forget(scope, &url, &username);
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

/// Forgets the account's keychain entries (its session ended: refresh refused).
pub(crate) fn forget(scope: &str, service_url: &str, username: &str) {
    let store = token_store();
    if let Err(err) = store
        .forget(service_url, username)
        .and_then(|()| store.forget_account(scope, service_url, username))
    {
        tracing::warn!(error = %err, "could not remove the session from the keychain");
    }
}
