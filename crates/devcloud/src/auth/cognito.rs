//! Provisioning a Cognito emulator (moto) with what the app expects: a user pool `strato-dev`,
//! an app client `strato-desktop` without a secret, and a confirmed demo user.
//!
//! Idempotent: existing resources are reused by name. Several devclouds starting against one
//! emulator at once are serialised by a file lock, so they cannot race into duplicates.
//!
//! moto issues real RS256 tokens, but it does not check SRP proofs or confirmation codes; only
//! the token verification on our side is real.

use std::fs::File;
use std::path::PathBuf;

use aws_sdk_cognitoidentityprovider as cip;
use cip::config::{BehaviorVersion, Credentials, Region};
use cip::error::DisplayErrorContext;
use cip::types::{ExplicitAuthFlowsType, MessageActionType};

use crate::config::{CognitoSettings, aws_issuer};
use crate::rng::SplitMix64;

pub const POOL_NAME: &str = "strato-dev";
pub const CLIENT_NAME: &str = "strato-desktop";
pub const DEMO_USERNAME: &str = "demo";
pub const DEMO_PASSWORD: &str = "Strato-demo-1";
/// moto serves every region; the app and tests use this one.
pub const EMULATOR_REGION: &str = "us-east-1";

/// Why the emulator could not be provisioned.
#[derive(Debug, thiserror::Error)]
pub enum ProvisionError {
    #[error("{step} against the Cognito emulator failed: {message}")]
    Sdk { step: &'static str, message: String },
    #[error("{step}: the emulator's answer had no {field}")]
    Incomplete {
        step: &'static str,
        field: &'static str,
    },
    #[error("locking {}: {source}", path.display())]
    Lock {
        path: PathBuf,
        source: std::io::Error,
    },
}

fn sdk_error<E: std::error::Error>(step: &'static str) -> impl FnOnce(E) -> ProvisionError {
    move |error| ProvisionError::Sdk {
        step,
        message: DisplayErrorContext(&error).to_string(),
    }
}

/// A Cognito client for an emulator: fixed region, dummy static credentials.
#[must_use]
pub fn emulator_client(endpoint: &str) -> cip::Client {
    let config = cip::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(EMULATOR_REGION))
        .credentials_provider(Credentials::new(
            "devcloud", "devcloud", None, None, "static",
        ))
        .endpoint_url(endpoint)
        .build();
    cip::Client::from_conf(config)
}

/// Creates (or finds) the pool, app client and demo user, and says how to trust their tokens.
pub async fn provision(endpoint: &str) -> Result<CognitoSettings, ProvisionError> {
    let lock = lock_for(endpoint).await?;
    let client = emulator_client(endpoint);
    let pool_id = ensure_pool(&client).await?;
    let client_id = ensure_app_client(&client, &pool_id).await?;
    ensure_demo_user(&client, &pool_id).await?;
    ensure_admins_group(&client, &pool_id).await?;
    drop(lock);
    tracing::info!(%pool_id, %client_id, "provisioned the Cognito emulator");
    Ok(CognitoSettings {
        region: EMULATOR_REGION.to_owned(),
        jwks_url: format!("{endpoint}/{pool_id}/.well-known/jwks.json"),
        issuer: aws_issuer(EMULATOR_REGION, &pool_id),
        user_pool_id: pool_id,
        client_id,
        endpoint: endpoint.to_owned(),
        emulator: true,
        demo_user: Some((DEMO_USERNAME.to_owned(), DEMO_PASSWORD.to_owned())),
    })
}

/// An exclusive lock on a file named after the emulator, held while provisioning.
async fn lock_for(endpoint: &str) -> Result<File, ProvisionError> {
    let seed = SplitMix64::from_text(endpoint).next_u64();
    let path = std::env::temp_dir().join(format!("strato-devcloud-provision-{seed:016x}.lock"));
    let result = tokio::task::spawn_blocking({
        let path = path.clone();
        move || {
            let file = File::options()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&path)?;
            file.lock()?;
            Ok(file)
        }
    })
    .await
    .unwrap_or_else(|join| Err(std::io::Error::other(join)));
    result.map_err(|source| ProvisionError::Lock { path, source })
}

async fn ensure_pool(client: &cip::Client) -> Result<String, ProvisionError> {
    let mut next_token = None;
    loop {
        let page = client
            .list_user_pools()
            .max_results(60)
            .set_next_token(next_token)
            .send()
            .await
            .map_err(sdk_error("ListUserPools"))?;
        if let Some(id) = page
            .user_pools()
            .iter()
            .find(|p| p.name() == Some(POOL_NAME))
            .and_then(|p| p.id())
        {
            return Ok(id.to_owned());
        }
        next_token = page.next_token().map(str::to_owned);
        if next_token.is_none() {
            break;
        }
    }
    let created = client
        .create_user_pool()
        .pool_name(POOL_NAME)
        .send()
        .await
        .map_err(sdk_error("CreateUserPool"))?;
    created
        .user_pool()
        .and_then(|pool| pool.id())
        .map(str::to_owned)
        .ok_or(ProvisionError::Incomplete {
            step: "CreateUserPool",
            field: "pool id",
        })
}

async fn ensure_app_client(client: &cip::Client, pool_id: &str) -> Result<String, ProvisionError> {
    let mut next_token = None;
    loop {
        let page = client
            .list_user_pool_clients()
            .user_pool_id(pool_id)
            .max_results(60)
            .set_next_token(next_token)
            .send()
            .await
            .map_err(sdk_error("ListUserPoolClients"))?;
        if let Some(id) = page
            .user_pool_clients()
            .iter()
            .find(|c| c.client_name() == Some(CLIENT_NAME))
            .and_then(|c| c.client_id())
        {
            return Ok(id.to_owned());
        }
        next_token = page.next_token().map(str::to_owned);
        if next_token.is_none() {
            break;
        }
    }
    let created = client
        .create_user_pool_client()
        .user_pool_id(pool_id)
        .client_name(CLIENT_NAME)
        .generate_secret(false)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserSrpAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .send()
        .await
        .map_err(sdk_error("CreateUserPoolClient"))?;
    created
        .user_pool_client()
        .and_then(|c| c.client_id())
        .map(str::to_owned)
        .ok_or(ProvisionError::Incomplete {
            step: "CreateUserPoolClient",
            field: "client id",
        })
}

async fn ensure_demo_user(client: &cip::Client, pool_id: &str) -> Result<(), ProvisionError> {
    let existing = client
        .admin_get_user()
        .user_pool_id(pool_id)
        .username(DEMO_USERNAME)
        .send()
        .await;
    match existing {
        Ok(_) => {}
        Err(error)
            if error.as_service_error().is_some_and(
                cip::operation::admin_get_user::AdminGetUserError::is_user_not_found_exception,
            ) =>
        {
            client
                .admin_create_user()
                .user_pool_id(pool_id)
                .username(DEMO_USERNAME)
                .message_action(MessageActionType::Suppress)
                .send()
                .await
                .map_err(sdk_error("AdminCreateUser"))?;
        }
        Err(error) => return Err(sdk_error("AdminGetUser")(error)),
    }
    // Setting a permanent password also confirms the user (status CONFIRMED).
    client
        .admin_set_user_password()
        .user_pool_id(pool_id)
        .username(DEMO_USERNAME)
        .password(DEMO_PASSWORD)
        .permanent(true)
        .send()
        .await
        .map_err(sdk_error("AdminSetUserPassword"))?;
    Ok(())
}

/// The group whose members moderate uploads ([`crate::auth::ADMINS_GROUP`]); nobody is in it
/// until someone is added (`aws cognito-idp admin-add-user-to-group`, or a test).
async fn ensure_admins_group(client: &cip::Client, pool_id: &str) -> Result<(), ProvisionError> {
    let group = crate::auth::ADMINS_GROUP;
    if client
        .get_group()
        .user_pool_id(pool_id)
        .group_name(group)
        .send()
        .await
        .is_ok()
    {
        return Ok(());
    }
    client
        .create_group()
        .user_pool_id(pool_id)
        .group_name(group)
        .description("Strato moderators: may take down and restore listeners' public uploads")
        .send()
        .await
        .map_err(sdk_error("CreateGroup"))?;
    Ok(())
}
