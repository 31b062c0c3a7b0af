//! Cognito calls tests need: signing in with a password, and creating extra users and app
//! clients in the emulator's pool.

use aws_sdk_cognitoidentityprovider as cip;
use cip::config::{BehaviorVersion, Credentials, Region};
use cip::error::DisplayErrorContext;
use cip::types::{AuthFlowType, ExplicitAuthFlowsType, MessageActionType};

/// An admin view of the emulator's user pool.
#[derive(Debug, Clone)]
pub struct CognitoAdmin {
    client: cip::Client,
    pool_id: String,
}

impl CognitoAdmin {
    /// A client for the Cognito API at `endpoint` (the emulator), acting on `pool_id`.
    #[must_use]
    pub fn new(endpoint: &str, region: &str, pool_id: &str) -> Self {
        let config = cip::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(region.to_owned()))
            .credentials_provider(Credentials::new("testkit", "testkit", None, None, "static"))
            .endpoint_url(endpoint)
            .build();
        Self {
            client: cip::Client::from_conf(config),
            pool_id: pool_id.to_owned(),
        }
    }

    /// The SDK client, for anything else.
    #[must_use]
    pub fn sdk(&self) -> &cip::Client {
        &self.client
    }

    /// An access token for `username` through the app client `client_id` (`USER_PASSWORD_AUTH`).
    ///
    /// # Panics
    /// If sign-in fails.
    pub async fn access_token(&self, client_id: &str, username: &str, password: &str) -> String {
        let output = self
            .client
            .initiate_auth()
            .client_id(client_id)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", username)
            .auth_parameters("PASSWORD", password)
            .send()
            .await
            .unwrap_or_else(|e| panic!("signing in {username}: {}", DisplayErrorContext(&e)));
        output
            .authentication_result()
            .and_then(|r| r.access_token())
            .unwrap_or_else(|| panic!("signing in {username}: no access token in the answer"))
            .to_owned()
    }

    /// Creates a confirmed user with a permanent password (or resets an existing one's).
    ///
    /// # Panics
    /// If the emulator refuses.
    pub async fn ensure_user(&self, username: &str, password: &str) {
        let created = self
            .client
            .admin_create_user()
            .user_pool_id(&self.pool_id)
            .username(username)
            .message_action(MessageActionType::Suppress)
            .send()
            .await;
        if let Err(error) = created {
            let exists = error.as_service_error().is_some_and(
                cip::operation::admin_create_user::AdminCreateUserError::is_username_exists_exception,
            );
            assert!(
                exists,
                "creating user {username}: {}",
                DisplayErrorContext(&error)
            );
        }
        self.client
            .admin_set_user_password()
            .user_pool_id(&self.pool_id)
            .username(username)
            .password(password)
            .permanent(true)
            .send()
            .await
            .unwrap_or_else(|e| {
                panic!("setting {username}'s password: {}", DisplayErrorContext(&e))
            });
    }

    /// Adds a user to a group of the pool (which must exist).
    ///
    /// # Panics
    /// If the emulator refuses.
    pub async fn add_to_group(&self, username: &str, group: &str) {
        self.client
            .admin_add_user_to_group()
            .user_pool_id(&self.pool_id)
            .username(username)
            .group_name(group)
            .send()
            .await
            .unwrap_or_else(|e| {
                panic!("adding {username} to {group}: {}", DisplayErrorContext(&e))
            });
    }

    /// Creates another app client without a secret (password sign-in allowed) and returns its
    /// id: tokens from it are for a different `client_id`.
    ///
    /// # Panics
    /// If the emulator refuses.
    pub async fn create_app_client(&self, name: &str) -> String {
        let output = self
            .client
            .create_user_pool_client()
            .user_pool_id(&self.pool_id)
            .client_name(name)
            .generate_secret(false)
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
            .send()
            .await
            .unwrap_or_else(|e| panic!("creating app client {name}: {}", DisplayErrorContext(&e)));
        output
            .user_pool_client()
            .and_then(|c| c.client_id())
            .expect("the new app client has an id")
            .to_owned()
    }
}
