//! Signing in, the account's challenges, creating an account and resetting its password,
//! the kept accounts and switching between them, and signing out: the app's side of
//! [`Accounts`](crate::account::Accounts), which swaps the session and its library.

use std::sync::atomic::Ordering;

use strato_model::ipc::{
    AppError, CodeDelivery, ErrorKind, RememberedAccount, Session, SignInChallenge, SignInStep,
    SignUpOutcome,
};

use super::{App, SignedIn, lock};
use crate::account::{Account, StaySignedIn, Step};

impl App {
    /// Signs in for this run only; see [`Self::sign_in_with`].
    pub async fn sign_in(
        &self,
        service_url: &str,
        username: &str,
        password: String,
    ) -> Result<Session, AppError> {
        self.sign_in_with(service_url, username, password, false)
            .await
    }

    /// Signs in (SRP unless `STRATO_AUTH_FLOW=password`). With `stay_signed_in`, and a
    /// keychain ([`Self::stay_signed_in`]), the session is kept across restarts. An account
    /// that needs a further step fails with its prompt; see [`Self::begin_sign_in`].
    pub async fn sign_in_with(
        &self,
        service_url: &str,
        username: &str,
        password: String,
        stay_signed_in: bool,
    ) -> Result<Session, AppError> {
        match self
            .begin_sign_in(service_url, username, password, stay_signed_in)
            .await?
        {
            SignInStep::SignedIn { session } => Ok(session),
            SignInStep::Challenge { challenge } => {
                lock(&self.challenge).take();
                Err(AppError::new(ErrorKind::Auth, challenge.prompt))
            }
        }
    }

    /// Signs in, or stops at a challenge (a new password, an MFA code) to answer with
    /// [`Self::answer_challenge`]. With `stay_signed_in` the session is kept in the keychain
    /// once signed in.
    pub async fn begin_sign_in(
        &self,
        service_url: &str,
        username: &str,
        password: String,
        stay_signed_in: bool,
    ) -> Result<SignInStep, AppError> {
        lock(&self.challenge).take();
        let step = self
            .accounts
            .begin_sign_in(service_url, username, password, stay_signed_in)
            .await?;
        Ok(self.step(step).await)
    }

    /// Signs in to a Subsonic server with an API key made on it (`OpenSubsonic`'s
    /// `apiKeyAuthentication`): no name or password, the account is the key's owner. With
    /// `stay_signed_in` the key is kept in the keychain, and only there.
    pub async fn sign_in_with_api_key(
        &self,
        service_url: &str,
        api_key: String,
        stay_signed_in: bool,
    ) -> Result<Session, AppError> {
        lock(&self.challenge).take();
        let account = self
            .accounts
            .sign_in_with_api_key(service_url, api_key, stay_signed_in)
            .await?;
        Ok(self.set_account(account).await)
    }

    /// Answers the challenge named `challenge_id`. A wrong answer keeps the challenge, so the
    /// listener can try again; the answer may be a further challenge.
    pub async fn answer_challenge(
        &self,
        challenge_id: &str,
        answer: &str,
    ) -> Result<SignInStep, AppError> {
        let pending = lock(&self.challenge)
            .as_ref()
            .filter(|(id, _)| id == challenge_id)
            .map(|(_, pending)| pending.clone())
            .ok_or_else(|| {
                AppError::new(
                    ErrorKind::Auth,
                    "This sign-in step is no longer open. Please sign in again.",
                )
            })?;
        let step = self.accounts.answer(pending, answer).await?;
        {
            let mut current = lock(&self.challenge);
            if current.as_ref().is_some_and(|(id, _)| id == challenge_id) {
                current.take();
            }
        }
        Ok(self.step(step).await)
    }

    async fn step(&self, step: Step) -> SignInStep {
        match step {
            Step::SignedIn(account) => SignInStep::SignedIn {
                session: self.set_account(account).await,
            },
            Step::Challenge(pending) => {
                let id = format!(
                    "challenge-{}",
                    self.challenge_ids.fetch_add(1, Ordering::Relaxed) + 1
                );
                let challenge = SignInChallenge {
                    id: id.clone(),
                    kind: pending.kind(),
                    prompt: pending.prompt(),
                };
                *lock(&self.challenge) = Some((id, *pending));
                SignInStep::Challenge { challenge }
            }
        }
    }

    /// Creates an account on `service_url`; a code is sent to `email` to confirm it with
    /// [`Self::confirm_sign_up`]. Does not sign in.
    pub async fn sign_up(
        &self,
        service_url: &str,
        username: &str,
        password: &str,
        email: &str,
    ) -> Result<SignUpOutcome, AppError> {
        self.accounts
            .sign_up(service_url, username, password, email)
            .await
    }

    /// Confirms a new account with the code it was sent. Does not sign in.
    pub async fn confirm_sign_up(
        &self,
        service_url: &str,
        username: &str,
        code: &str,
    ) -> Result<(), AppError> {
        self.accounts
            .confirm_sign_up(service_url, username, code)
            .await
    }

    /// Sends a new confirmation code for an account not yet confirmed.
    pub async fn resend_confirmation_code(
        &self,
        service_url: &str,
        username: &str,
    ) -> Result<CodeDelivery, AppError> {
        self.accounts
            .resend_confirmation_code(service_url, username)
            .await
    }

    /// Starts a password reset: a code is sent to the account's contact.
    pub async fn forgot_password(
        &self,
        service_url: &str,
        username: &str,
    ) -> Result<CodeDelivery, AppError> {
        self.accounts.forgot_password(service_url, username).await
    }

    /// Sets a new password with the code [`Self::forgot_password`] sent. Does not sign in.
    pub async fn confirm_forgot_password(
        &self,
        service_url: &str,
        username: &str,
        code: &str,
        new_password: &str,
    ) -> Result<(), AppError> {
        self.accounts
            .confirm_forgot_password(service_url, username, code, new_password)
            .await
    }

    /// The accounts kept on this computer ("stay signed in"), the signed-in one marked
    /// `current`. A session signed in for this run only is not among them.
    pub async fn remembered_accounts(&self) -> Vec<RememberedAccount> {
        let kept = self.accounts.remembered().await;
        let current = self.session();
        kept.into_iter()
            .map(|kept| RememberedAccount {
                current: current.as_ref().is_some_and(|s| {
                    s.service_url == kept.service_url && s.username == kept.username
                }),
                service_url: kept.service_url,
                username: kept.username,
            })
            .collect()
    }

    /// Signs in as a kept account, from its keychain token: playback stops and the session is
    /// swapped. The account left stays kept (a session signed in for this run only ends). The
    /// next start resumes the account switched to. On failure the current session stays; a
    /// refused token is forgotten, as at start. Switching to the current account does nothing.
    pub async fn switch_account(
        &self,
        service_url: &str,
        username: &str,
    ) -> Result<Session, AppError> {
        if let Some(session) = self
            .session()
            .filter(|s| s.service_url == service_url && s.username == username)
        {
            return Ok(session);
        }
        let account = self.accounts.resume(service_url, username).await?;
        tracing::info!(
            account = %strato_cloud::redact::account_tag(username),
            "switched account"
        );
        Ok(self.set_account(account).await)
    }

    /// Forgets a kept account: its token and its place in the list. Local only: its tokens
    /// are not revoked on the service (that needs [`Self::sign_out`]). Forgetting the signed-in
    /// account keeps it signed in for this run.
    pub async fn forget_account(&self, service_url: &str, username: &str) {
        self.accounts.forget(service_url, username).await;
    }

    /// Makes `account` the signed-in one. Another account's playback and caches end with it.
    pub(super) async fn set_account(&self, account: Account) -> Session {
        let session = account.session.clone();
        lock(&self.offline_session).take();
        let connection = account.connection.clone();
        let previous = lock(&self.session).replace(SignedIn {
            session: session.clone(),
            connection: account.connection,
        });
        if previous.is_some_and(|p| p.session != session) {
            self.end_queue();
            self.opener.set_connection(None);
            lock(&self.tracks).clear();
            lock(&self.covers).clear();
        }
        self.open_library(&session).await;
        self.follow_for_scrobbling(&session, Some(&connection))
            .await;
        session
    }

    /// Whether "stay signed in" can be offered, and if not, why.
    pub async fn stay_signed_in(&self) -> StaySignedIn {
        self.accounts.stay_signed_in().await
    }

    /// Ends the session here at once, forgets it in the keychain, and revokes it on the
    /// service (`GlobalSignOut`) in the background.
    pub async fn sign_out(&self) {
        self.stop_scrobbling();
        self.end_queue();
        self.opener.set_connection(None);
        let offline = lock(&self.offline_session).take();
        let signed_in = lock(&self.session).take();
        lock(&self.tracks).clear();
        lock(&self.covers).clear();
        if let Some(library) = lock(&self.library).take() {
            library.go_offline();
        }
        if let Some(offline) = offline {
            // Its tokens cannot be revoked without the service; forgetting them here is
            // what signing out can do.
            self.accounts
                .forget(&offline.service_url, &offline.username)
                .await;
        }
        if let Some(SignedIn {
            session,
            connection,
        }) = signed_in
        {
            drop(
                self.accounts
                    .sign_out(Account {
                        session,
                        connection,
                    })
                    .await,
            );
        }
        tracing::info!("signed out");
    }
}
