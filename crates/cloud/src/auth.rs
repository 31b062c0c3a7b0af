//! Signing in with Amazon Cognito.
//!
//! This walking skeleton uses `USER_PASSWORD_AUTH`; SRP, challenges, refresh and the keychain
//! come with the account work. Tokens stay in memory.

use std::time::{Duration, SystemTime};

use aws_sdk_cognitoidentityprovider as cognito;
use cognito::error::{DisplayErrorContext, SdkError};
use cognito::operation::initiate_auth::InitiateAuthError;
use cognito::types::AuthFlowType;

use crate::{CloudError, CloudErrorKind, ServiceClient};

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

/// The tokens of a signed-in session. `Debug` never shows them.
#[derive(Clone)]
pub struct Tokens {
    pub(crate) access_token: String,
    pub(crate) refresh_token: Option<String>,
    pub(crate) expires_at: SystemTime,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens")
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
}

impl ServiceClient {
    /// Signs in with the service's Cognito user pool.
    pub async fn sign_in(&self, credentials: &Credentials) -> Result<Tokens, CloudError> {
        if credentials.username.trim().is_empty() || credentials.password.is_empty() {
            return Err(CloudError::new(
                CloudErrorKind::InvalidInput,
                "Enter your username and password.",
            ));
        }
        let client = self.cognito_client();
        let result = client
            .initiate_auth()
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .client_id(&self.config.cognito.client_id)
            .auth_parameters("USERNAME", credentials.username.trim())
            .auth_parameters("PASSWORD", &credentials.password)
            .send()
            .await
            .map_err(map_initiate_auth_error)?;
        if let Some(challenge) = result.challenge_name() {
            return Err(CloudError::new(
                CloudErrorKind::Auth,
                format!(
                    "This account needs a step this version cannot do yet ({}).",
                    challenge.as_str()
                ),
            ));
        }
        let auth = result.authentication_result().ok_or_else(|| {
            CloudError::new(
                CloudErrorKind::Server,
                "The sign-in service gave no session.",
            )
        })?;
        let access_token = auth.access_token().ok_or_else(|| {
            CloudError::new(
                CloudErrorKind::Server,
                "The sign-in service gave no access token.",
            )
        })?;
        let lifetime = u64::try_from(auth.expires_in()).unwrap_or(0);
        tracing::info!(username = %credentials.username.trim(), "signed in");
        Ok(Tokens {
            access_token: access_token.to_owned(),
            refresh_token: auth.refresh_token().map(str::to_owned),
            expires_at: SystemTime::now() + Duration::from_secs(lifetime),
        })
    }

    fn cognito_client(&self) -> cognito::Client {
        let cfg = &self.config.cognito;
        let mut builder = cognito::Config::builder()
            .behavior_version(cognito::config::BehaviorVersion::latest())
            .region(cognito::config::Region::new(cfg.region.clone()));
        if let Some(endpoint) = &cfg.endpoint {
            builder = builder.endpoint_url(endpoint);
        }
        cognito::Client::from_conf(builder.build())
    }
}

fn map_initiate_auth_error(err: SdkError<InitiateAuthError>) -> CloudError {
    tracing::debug!(error = %DisplayErrorContext(&err), "sign-in failed");
    let (kind, message) = match &err {
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) => (
            CloudErrorKind::Offline,
            "Could not reach the sign-in service. Check your connection.",
        ),
        SdkError::ServiceError(service) => match service.err() {
            // The same words for both, so the form does not reveal which usernames exist.
            InitiateAuthError::NotAuthorizedException(_)
            | InitiateAuthError::UserNotFoundException(_) => {
                (CloudErrorKind::Auth, "Incorrect username or password.")
            }
            InitiateAuthError::UserNotConfirmedException(_) => (
                CloudErrorKind::Auth,
                "This account is not confirmed yet. Confirm it with the code you were sent.",
            ),
            InitiateAuthError::PasswordResetRequiredException(_) => (
                CloudErrorKind::Auth,
                "Your password must be reset before you can sign in.",
            ),
            InitiateAuthError::TooManyRequestsException(_) => (
                CloudErrorKind::Auth,
                "Too many sign-in attempts. Wait a few minutes and try again.",
            ),
            _ => (
                CloudErrorKind::Server,
                "The sign-in service had a problem. Try again later.",
            ),
        },
        _ => (
            CloudErrorKind::Server,
            "The sign-in service had a problem. Try again later.",
        ),
    };
    CloudError::new(kind, message).with_source(err)
}
