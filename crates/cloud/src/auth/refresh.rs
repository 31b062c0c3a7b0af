//! The Cognito calls behind a session's lifetime: `REFRESH_TOKEN_AUTH` and `GlobalSignOut`.

use aws_sdk_cognitoidentityprovider::types::AuthFlowType;

use super::errors::{Step, cognito_error};
use super::{Tokens, tokens_from};
use crate::{CloudError, CloudErrorKind, ServiceClient};

/// A refresh token read back from the keychain. `Debug` never shows it.
#[derive(Clone)]
pub struct RefreshToken(pub(crate) String);

impl std::fmt::Debug for RefreshToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RefreshToken(<redacted>)")
    }
}

impl ServiceClient {
    /// New access token for a session. Cognito (and moto) return no new refresh token here,
    /// so the old one is kept; if a pool rotates them, the new one replaces it.
    pub async fn refresh(&self, tokens: &Tokens) -> Result<Tokens, CloudError> {
        let refresh_token = tokens
            .refresh_token
            .as_deref()
            .ok_or_else(|| CloudError::new(CloudErrorKind::Auth, super::errors::SESSION_ENDED))?;
        self.refresh_with(&tokens.username, refresh_token).await
    }

    /// Signs in again from a refresh token kept in the keychain ("stay signed in").
    pub async fn resume(&self, username: &str, token: &RefreshToken) -> Result<Tokens, CloudError> {
        self.refresh_with(username, &token.0).await
    }

    async fn refresh_with(
        &self,
        username: &str,
        refresh_token: &str,
    ) -> Result<Tokens, CloudError> {
        let out = self
            .cognito_client()
            .initiate_auth()
            .auth_flow(AuthFlowType::RefreshTokenAuth)
            .client_id(&self.config.cognito.client_id)
            .auth_parameters("REFRESH_TOKEN", refresh_token)
            .send()
            .await
            .map_err(|e| cognito_error(e, Step::Refresh))?;
        let result = out.authentication_result().ok_or_else(|| {
            CloudError::new(
                CloudErrorKind::Server,
                "The sign-in service gave no session.",
            )
        })?;
        let tokens = tokens_from(username, result, Some(refresh_token))?;
        tracing::debug!(
            account = %crate::redact::account_tag(username),
            "access token refreshed"
        );
        Ok(tokens)
    }

    /// Signs the account out everywhere: Cognito revokes its refresh tokens.
    pub async fn global_sign_out(&self, tokens: &Tokens) -> Result<(), CloudError> {
        self.cognito_client()
            .global_sign_out()
            .access_token(&tokens.access_token)
            .send()
            .await
            .map_err(|e| cognito_error(e, Step::SignOut))?;
        tracing::info!(
            account = %crate::redact::account_tag(&tokens.username),
            "signed out everywhere"
        );
        Ok(())
    }
}
