//! The further steps Cognito may ask for during sign-in: a new password (for accounts an
//! administrator created with a temporary one) and MFA codes (authenticator app or SMS).
//!
//! A [`Challenge`] carries Cognito's `Session` from one step to the next; it is opaque and
//! short-lived, and `Debug` does not show it.

use std::collections::HashMap;

use aws_sdk_cognitoidentityprovider::types::ChallengeNameType;

use super::errors::{Step, cognito_error};
use super::{SignInStep, step_from};
use crate::{CloudError, CloudErrorKind, ServiceClient};

/// What Cognito asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChallengeKind {
    /// Choose a new password (the current one was temporary).
    NewPasswordRequired,
    /// A code from an authenticator app.
    SoftwareTokenMfa,
    /// A code sent by text message to `destination` (masked, e.g. `+*******1234`).
    SmsMfa { destination: Option<String> },
}

impl ChallengeKind {
    /// A sentence for the listener: "To sign in, ...".
    #[must_use]
    pub fn prompt(&self) -> String {
        match self {
            Self::NewPasswordRequired => "choose a new password.".to_owned(),
            Self::SoftwareTokenMfa => "enter the code from your authenticator app.".to_owned(),
            Self::SmsMfa {
                destination: Some(to),
            } => {
                format!("enter the code sent by text message to {to}.")
            }
            Self::SmsMfa { destination: None } => {
                "enter the code sent to you by text message.".to_owned()
            }
        }
    }
}

/// A sign-in waiting for the listener's answer.
#[derive(Clone)]
pub struct Challenge {
    kind: ChallengeKind,
    /// Cognito's name for the user (the internal id after SRP).
    username: String,
    session: Option<String>,
}

impl std::fmt::Debug for Challenge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Challenge")
            .field("kind", &self.kind)
            .field("username", &self.username)
            .field("session", &self.session.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

impl Challenge {
    #[must_use]
    pub fn kind(&self) -> &ChallengeKind {
        &self.kind
    }

    pub(crate) fn from_cognito(
        name: &ChallengeNameType,
        params: Option<&HashMap<String, String>>,
        session: Option<&str>,
        username: &str,
    ) -> Result<Self, CloudError> {
        let param = |key: &str| params.and_then(|p| p.get(key)).cloned();
        let kind = match name {
            ChallengeNameType::NewPasswordRequired => ChallengeKind::NewPasswordRequired,
            ChallengeNameType::SoftwareTokenMfa => ChallengeKind::SoftwareTokenMfa,
            ChallengeNameType::SmsMfa => ChallengeKind::SmsMfa {
                destination: param("CODE_DELIVERY_DESTINATION"),
            },
            other => {
                // MFA_SETUP, custom challenges, device SRP: not offered by this app's pools.
                return Err(CloudError::new(
                    CloudErrorKind::Auth,
                    format!(
                        "This account needs a sign-in step this app cannot do yet ({}).",
                        other.as_str()
                    ),
                ));
            }
        };
        Ok(Self {
            kind,
            username: param("USERNAME")
                .or_else(|| param("USER_ID_FOR_SRP"))
                .unwrap_or_else(|| username.to_owned()),
            session: session.map(str::to_owned),
        })
    }
}

impl ServiceClient {
    /// Answers a challenge: the new password for [`ChallengeKind::NewPasswordRequired`], the
    /// code for the MFA kinds. The answer may be another challenge (MFA after a new password).
    pub async fn respond_to_challenge(
        &self,
        challenge: &Challenge,
        answer: &str,
    ) -> Result<SignInStep, CloudError> {
        let answer = if challenge.kind == ChallengeKind::NewPasswordRequired {
            answer
        } else {
            answer.trim()
        };
        if answer.is_empty() {
            let what = match challenge.kind {
                ChallengeKind::NewPasswordRequired => "Enter a new password.",
                _ => "Enter the code.",
            };
            return Err(CloudError::new(CloudErrorKind::InvalidInput, what));
        }
        let (name, key) = match challenge.kind {
            ChallengeKind::NewPasswordRequired => {
                (ChallengeNameType::NewPasswordRequired, "NEW_PASSWORD")
            }
            ChallengeKind::SoftwareTokenMfa => (
                ChallengeNameType::SoftwareTokenMfa,
                "SOFTWARE_TOKEN_MFA_CODE",
            ),
            ChallengeKind::SmsMfa { .. } => (ChallengeNameType::SmsMfa, "SMS_MFA_CODE"),
        };
        let out = self
            .cognito_client()
            .respond_to_auth_challenge()
            .client_id(&self.config.cognito.client_id)
            .challenge_name(name)
            .set_session(challenge.session.clone())
            .challenge_responses("USERNAME", &challenge.username)
            .challenge_responses(key, answer)
            .send()
            .await
            .map_err(|e| cognito_error(e, Step::Challenge))?;
        let step = step_from(
            &challenge.username,
            out.challenge_name(),
            out.challenge_parameters(),
            out.session(),
            out.authentication_result(),
            None,
        )?;
        if matches!(step, SignInStep::SignedIn(_)) {
            tracing::info!(
                account = %crate::redact::account_tag(&challenge.username),
                "signed in after a challenge"
            );
        }
        Ok(step)
    }
}
