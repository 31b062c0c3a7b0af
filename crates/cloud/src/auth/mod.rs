//! Signing in with Amazon Cognito, and keeping the session's tokens fresh.
//!
//! - Sign-in is `USER_SRP_AUTH` by default ([`srp`]: the password never leaves the machine);
//!   `USER_PASSWORD_AUTH` is a fallback chosen with [`AuthFlow`] (env `STRATO_AUTH_FLOW`).
//! - A sign-in may stop at a [`Challenge`] (new password, MFA code): see [`challenges`].
//! - Sign-up, confirmation and password reset are in [`account`].
//! - [`AuthSession`] holds a signed-in session's tokens and refreshes them, once for all
//!   concurrent callers; [`refresh`] has the Cognito calls.
//!
//! Tokens and passwords live in memory only; every type holding one redacts it in `Debug`.

pub mod account;
pub mod challenges;
pub(crate) mod errors;
pub mod refresh;
pub(crate) mod session;
pub mod srp;

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use aws_sdk_cognitoidentityprovider as cognito;
use cognito::types::{AuthFlowType, AuthenticationResultType, ChallengeNameType};

pub use challenges::{Challenge, ChallengeKind};
pub use session::{AuthSession, DEFAULT_REFRESH_MARGIN};

use crate::{CloudError, CloudErrorKind, ServiceClient};
use errors::{Step, cognito_error};
use srp::{PasswordVerifierChallenge, SrpClient};

/// What the listener typed to sign in. `Debug` never shows the password.
pub struct Credentials {
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// How the password is proven to Cognito.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AuthFlow {
    /// `USER_SRP_AUTH`: a zero-knowledge proof; the password is never sent.
    #[default]
    Srp,
    /// `USER_PASSWORD_AUTH`: the password is sent over TLS. For pools whose app client does
    /// not allow SRP.
    Password,
}

impl AuthFlow {
    /// `STRATO_AUTH_FLOW=password` selects [`AuthFlow::Password`]; anything else SRP.
    #[must_use]
    pub fn from_env() -> Self {
        match std::env::var("STRATO_AUTH_FLOW").as_deref() {
            Ok("password" | "PASSWORD" | "USER_PASSWORD_AUTH") => Self::Password,
            _ => Self::Srp,
        }
    }
}

/// The tokens of a signed-in session. `Debug` never shows them.
#[derive(Clone)]
pub struct Tokens {
    pub(crate) username: String,
    pub(crate) access_token: String,
    pub(crate) refresh_token: Option<String>,
    pub(crate) expires_at: SystemTime,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens")
            .field("username", &self.username)
            .field("access_token", &"<redacted>")
            .field("has_refresh_token", &self.refresh_token.is_some())
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

impl Tokens {
    #[must_use]
    pub fn expires_at(&self) -> SystemTime {
        self.expires_at
    }

    /// The username the session belongs to.
    #[must_use]
    pub fn username(&self) -> &str {
        &self.username
    }

    #[must_use]
    pub fn has_refresh_token(&self) -> bool {
        self.refresh_token.is_some()
    }

    /// The bearer token. For tests that check it is never logged; never log it.
    #[doc(hidden)]
    #[must_use]
    pub fn access_token_for_tests(&self) -> &str {
        &self.access_token
    }

    /// The refresh token. For tests that check it is never logged; never log it.
    #[doc(hidden)]
    #[must_use]
    pub fn refresh_token_for_tests(&self) -> Option<&str> {
        self.refresh_token.as_deref()
    }
}

/// Where a sign-in step left the listener.
#[derive(Debug)]
pub enum SignInStep {
    SignedIn(Tokens),
    /// Cognito wants more: answer with [`ServiceClient::respond_to_challenge`].
    Challenge(Challenge),
}

impl ServiceClient {
    /// Signs in, failing with [`CloudErrorKind::Auth`] if Cognito asks for a further step.
    /// Front ends that can ask the listener for a code use [`Self::begin_sign_in`].
    pub async fn sign_in(&self, credentials: &Credentials) -> Result<Tokens, CloudError> {
        match self.begin_sign_in(credentials).await? {
            SignInStep::SignedIn(tokens) => Ok(tokens),
            SignInStep::Challenge(challenge) => Err(CloudError::new(
                CloudErrorKind::Auth,
                format!("To sign in, {}", challenge.kind().prompt()),
            )),
        }
    }

    /// The first step of signing in, with this service's [`AuthFlow`].
    pub async fn begin_sign_in(&self, credentials: &Credentials) -> Result<SignInStep, CloudError> {
        let username = credentials.username.trim();
        if username.is_empty() || credentials.password.is_empty() {
            return Err(CloudError::new(
                CloudErrorKind::InvalidInput,
                "Enter your username and password.",
            ));
        }
        let step = match self.auth_flow {
            AuthFlow::Srp => self.sign_in_srp(username, &credentials.password).await?,
            AuthFlow::Password => {
                let out = self
                    .cognito_client()
                    .initiate_auth()
                    .auth_flow(AuthFlowType::UserPasswordAuth)
                    .client_id(&self.config.cognito.client_id)
                    .auth_parameters("USERNAME", username)
                    .auth_parameters("PASSWORD", &credentials.password)
                    .send()
                    .await
                    .map_err(|e| cognito_error(e, Step::SignIn))?;
                step_from(
                    username,
                    out.challenge_name(),
                    out.challenge_parameters(),
                    out.session(),
                    out.authentication_result(),
                    None,
                )?
            }
        };
        if matches!(step, SignInStep::SignedIn(_)) {
            tracing::info!(
                account = %crate::redact::account_tag(username),
                flow = ?self.auth_flow,
                "signed in"
            );
        }
        Ok(step)
    }

    async fn sign_in_srp(&self, username: &str, password: &str) -> Result<SignInStep, CloudError> {
        let srp = SrpClient::new(&self.config.cognito.user_pool_id).map_err(srp_error)?;
        let client = self.cognito_client();
        let started = client
            .initiate_auth()
            .auth_flow(AuthFlowType::UserSrpAuth)
            .client_id(&self.config.cognito.client_id)
            .auth_parameters("USERNAME", username)
            .auth_parameters("SRP_A", srp.public_a_hex())
            .send()
            .await
            .map_err(|e| cognito_error(e, Step::SignIn))?;
        if started.challenge_name() != Some(&ChallengeNameType::PasswordVerifier) {
            return step_from(
                username,
                started.challenge_name(),
                started.challenge_parameters(),
                started.session(),
                started.authentication_result(),
                None,
            );
        }
        let params = started.challenge_parameters().cloned().unwrap_or_default();
        let param = |name: &'static str| {
            params
                .get(name)
                .map(String::as_str)
                .ok_or_else(|| srp_error(srp::SrpError::Parameter(name)))
        };
        let user_id = param("USER_ID_FOR_SRP")?;
        let challenge = PasswordVerifierChallenge {
            user_id_for_srp: user_id,
            salt_hex: param("SALT")?,
            srp_b_hex: param("SRP_B")?,
            secret_block_b64: param("SECRET_BLOCK")?,
        };
        let claim = srp
            .password_claim(&challenge, password)
            .map_err(srp_error)?;
        // Cognito names the user by its internal id from here on.
        let internal = params.get("USERNAME").map_or(user_id, String::as_str);
        let out = client
            .respond_to_auth_challenge()
            .client_id(&self.config.cognito.client_id)
            .challenge_name(ChallengeNameType::PasswordVerifier)
            .set_session(started.session().map(str::to_owned))
            .challenge_responses("USERNAME", internal)
            .challenge_responses("PASSWORD_CLAIM_SECRET_BLOCK", challenge.secret_block_b64)
            .challenge_responses("PASSWORD_CLAIM_SIGNATURE", claim.signature)
            .challenge_responses("TIMESTAMP", claim.timestamp)
            .send()
            .await
            .map_err(|e| cognito_error(e, Step::SignIn))?;
        step_from(
            internal,
            out.challenge_name(),
            out.challenge_parameters(),
            out.session(),
            out.authentication_result(),
            None,
        )
    }

    pub(crate) fn cognito_client(&self) -> cognito::Client {
        // Always an explicit endpoint: the configuration's own only where `Trust` allowed it.
        let config = cognito::Config::builder()
            .behavior_version(cognito::config::BehaviorVersion::latest())
            .region(cognito::config::Region::new(
                self.config.cognito.region.clone(),
            ))
            .endpoint_url(&self.cognito_endpoint)
            .build();
        cognito::Client::from_conf(config)
    }
}

/// Turns an `InitiateAuth` or `RespondToAuthChallenge` answer into a step.
pub(crate) fn step_from(
    username: &str,
    challenge: Option<&ChallengeNameType>,
    params: Option<&HashMap<String, String>>,
    session: Option<&str>,
    result: Option<&AuthenticationResultType>,
    previous_refresh: Option<&str>,
) -> Result<SignInStep, CloudError> {
    if let Some(name) = challenge {
        return Challenge::from_cognito(name, params, session, username).map(SignInStep::Challenge);
    }
    let result = result.ok_or_else(|| {
        CloudError::new(
            CloudErrorKind::Server,
            "The sign-in service gave no session.",
        )
    })?;
    tokens_from(username, result, previous_refresh).map(SignInStep::SignedIn)
}

/// Tokens from an authentication result. Refreshes return no new refresh token, so the
/// previous one is kept.
pub(crate) fn tokens_from(
    username: &str,
    result: &AuthenticationResultType,
    previous_refresh: Option<&str>,
) -> Result<Tokens, CloudError> {
    let access_token = result.access_token().ok_or_else(|| {
        CloudError::new(
            CloudErrorKind::Server,
            "The sign-in service gave no access token.",
        )
    })?;
    let lifetime = u64::try_from(result.expires_in()).unwrap_or(0);
    Ok(Tokens {
        username: username.to_owned(),
        access_token: access_token.to_owned(),
        refresh_token: result
            .refresh_token()
            .or(previous_refresh)
            .map(str::to_owned),
        expires_at: SystemTime::now() + Duration::from_secs(lifetime),
    })
}

fn srp_error(err: srp::SrpError) -> CloudError {
    CloudError::new(
        CloudErrorKind::Server,
        "The sign-in service sent a challenge this app cannot answer safely.",
    )
    .with_source(err)
}
