//! `POST /v1/account/sign-out-everywhere` (`docs/api.md`, "Signing out everywhere"): every
//! session of the caller ends at once. The user pool revokes their refresh tokens
//! (`AdminUserGlobalSignOut`); access tokens issued before now are refused from here on,
//! though their signatures still verify (the [`Authenticator`](crate::auth::Authenticator)
//! keeps the time, and the database keeps it across restarts); and the listener's open live
//! connections are told, then closed.
//!
//! A real deployment does the same in its function: the Cognito call with the function's
//! role, the time in a `DynamoDB` item per user (with a TTL of the access tokens' lifetime),
//! read by the same token check, and the event through the live channel's fan-out. Where the
//! time is kept is the [`AccountStore`]'s business ([`store`]).

#[cfg(any(test, feature = "conformance"))]
pub mod conformance;
pub mod store;

pub use store::{AccountStore, AccountStoreError, SqliteAccounts};

use aws_sdk_cognitoidentityprovider as cip;
use axum::extract::State;
use axum::http::StatusCode;
use strato_model::api::LiveEvent;

use crate::api::AppState;
use crate::auth::User;
use crate::problem::ApiError;
use crate::unix_now;

/// The user pool's administrative side, for revoking sessions.
#[derive(Debug, Clone)]
pub struct PoolAdmin {
    pub client: cip::Client,
    pub user_pool_id: String,
}

/// `POST /v1/account/sign-out-everywhere` → 204.
pub async fn sign_out_everywhere(
    user: User,
    State(state): State<AppState>,
) -> Result<StatusCode, ApiError> {
    let now = unix_now();
    if let Some(pool) = &state.pool_admin {
        let username = user.username.clone().unwrap_or_else(|| user.sub.clone());
        pool.client
            .admin_user_global_sign_out()
            .user_pool_id(&pool.user_pool_id)
            .username(username)
            .send()
            .await
            .map_err(|e| {
                ApiError::internal(&aws_sdk_cognitoidentityprovider::error::DisplayErrorContext(e))
            })?;
    } else {
        tracing::warn!("no user pool administration: refresh tokens stay valid until they expire");
    }
    state
        .accounts
        .sign_out(&user.sub, now)
        .await
        .map_err(|e| ApiError::internal(&e))?;
    state.live.publish(&user.sub, LiveEvent::SignedOut);
    tracing::info!(user = %user.sub, "signed out everywhere");
    Ok(StatusCode::NO_CONTENT)
}
