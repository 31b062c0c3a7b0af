//! Creating an account and recovering a password: sign-up, confirmation code, new code,
//! forgot password and its confirmation. None of these sign in; the caller signs in after.

use super::errors::{Step, cognito_error};
use crate::{CloudError, CloudErrorKind, ServiceClient};

/// Where Cognito sent a code (masked), for "We sent a code to j***@e***".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeDelivery {
    pub destination: Option<String>,
    /// `EMAIL` or `SMS`.
    pub medium: Option<String>,
}

impl CodeDelivery {
    fn from_cognito(
        details: Option<&aws_sdk_cognitoidentityprovider::types::CodeDeliveryDetailsType>,
    ) -> Self {
        Self {
            destination: details.and_then(|d| d.destination()).map(str::to_owned),
            medium: details
                .and_then(|d| d.delivery_medium())
                .map(|m| m.as_str().to_owned()),
        }
    }
}

/// The outcome of [`ServiceClient::sign_up`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignUp {
    /// `false` until the code is confirmed with [`ServiceClient::confirm_sign_up`].
    pub confirmed: bool,
    pub delivery: CodeDelivery,
}

impl ServiceClient {
    /// Creates an account. Its email address is also its contact for codes.
    pub async fn sign_up(
        &self,
        username: &str,
        password: &str,
        email: &str,
    ) -> Result<SignUp, CloudError> {
        let username = username.trim();
        if username.is_empty() || password.is_empty() || email.trim().is_empty() {
            return Err(CloudError::new(
                CloudErrorKind::InvalidInput,
                "Enter a username, a password and an email address.",
            ));
        }
        let email_attribute = aws_sdk_cognitoidentityprovider::types::AttributeType::builder()
            .name("email")
            .value(email.trim())
            .build()
            .map_err(|e| {
                CloudError::new(
                    CloudErrorKind::InvalidInput,
                    "That email address cannot be used.",
                )
                .with_source(e)
            })?;
        let out = self
            .cognito_client()
            .sign_up()
            .client_id(&self.config.cognito.client_id)
            .username(username)
            .password(password)
            .user_attributes(email_attribute)
            .send()
            .await
            .map_err(|e| cognito_error(e, Step::SignUp))?;
        tracing::info!(
            account = %crate::redact::account_tag(username),
            confirmed = out.user_confirmed(),
            "account created"
        );
        Ok(SignUp {
            confirmed: out.user_confirmed(),
            delivery: CodeDelivery::from_cognito(out.code_delivery_details()),
        })
    }

    /// Confirms a new account with the code it was sent.
    pub async fn confirm_sign_up(&self, username: &str, code: &str) -> Result<(), CloudError> {
        let code = non_empty_code(code)?;
        self.cognito_client()
            .confirm_sign_up()
            .client_id(&self.config.cognito.client_id)
            .username(username.trim())
            .confirmation_code(code)
            .send()
            .await
            .map_err(|e| cognito_error(e, Step::Confirm))?;
        tracing::info!(
            account = %crate::redact::account_tag(username),
            "account confirmed"
        );
        Ok(())
    }

    /// Sends a new confirmation code for an unconfirmed account.
    pub async fn resend_confirmation_code(
        &self,
        username: &str,
    ) -> Result<CodeDelivery, CloudError> {
        let out = self
            .cognito_client()
            .resend_confirmation_code()
            .client_id(&self.config.cognito.client_id)
            .username(username.trim())
            .send()
            .await
            .map_err(|e| cognito_error(e, Step::Confirm))?;
        Ok(CodeDelivery::from_cognito(out.code_delivery_details()))
    }

    /// Starts a password reset: Cognito sends a code to the account's contact.
    pub async fn forgot_password(&self, username: &str) -> Result<CodeDelivery, CloudError> {
        let out = self
            .cognito_client()
            .forgot_password()
            .client_id(&self.config.cognito.client_id)
            .username(username.trim())
            .send()
            .await
            .map_err(|e| cognito_error(e, Step::ResetPassword))?;
        tracing::info!(
            account = %crate::redact::account_tag(username),
            "password reset requested"
        );
        Ok(CodeDelivery::from_cognito(out.code_delivery_details()))
    }

    /// Sets a new password with the code from [`Self::forgot_password`].
    pub async fn confirm_forgot_password(
        &self,
        username: &str,
        code: &str,
        new_password: &str,
    ) -> Result<(), CloudError> {
        let code = non_empty_code(code)?;
        if new_password.is_empty() {
            return Err(CloudError::new(
                CloudErrorKind::InvalidInput,
                "Enter a new password.",
            ));
        }
        self.cognito_client()
            .confirm_forgot_password()
            .client_id(&self.config.cognito.client_id)
            .username(username.trim())
            .confirmation_code(code)
            .password(new_password)
            .send()
            .await
            .map_err(|e| cognito_error(e, Step::ResetPassword))?;
        tracing::info!(
            account = %crate::redact::account_tag(username),
            "password reset"
        );
        Ok(())
    }
}

fn non_empty_code(code: &str) -> Result<&str, CloudError> {
    let code = code.trim();
    if code.is_empty() {
        return Err(CloudError::new(
            CloudErrorKind::InvalidInput,
            "Enter the code.",
        ));
    }
    Ok(code)
}
