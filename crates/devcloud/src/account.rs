//! `POST /v1/account/sign-out-everywhere` (`docs/api.md`, "Signing out everywhere"): every
//! session of the caller ends at once. The user pool revokes their refresh tokens
//! (`AdminUserGlobalSignOut`); access tokens issued before now are refused from here on,
//! though their signatures still verify (the [`Authenticator`](crate::auth::Authenticator)
//! keeps the time, and the database keeps it across restarts); and the listener's open live
//! connections are told, then closed.
//!
//! A real deployment does the same in its function: the Cognito call with the function's
//! role, the time in a `DynamoDB` item per user (with a TTL of the access tokens' lifetime),
//! read by the same token check, and the event through the live channel's fan-out.

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
    let sub = user.sub.clone();
    state
        .db
        .call(move |conn| {
            conn.execute(
                "INSERT INTO signed_out (sub, signed_out_at) VALUES (?1, ?2)
                 ON CONFLICT (sub) DO UPDATE SET signed_out_at = excluded.signed_out_at",
                rusqlite::params![sub, now],
            )
        })
        .await
        .map_err(|e| ApiError::internal(&e))?
        .map_err(|e| ApiError::internal(&e))?;
    state.auth.signed_out_everywhere(&user.sub, now);
    state.live.publish(&user.sub, LiveEvent::SignedOut);
    tracing::info!(user = %user.sub, "signed out everywhere");
    Ok(StatusCode::NO_CONTENT)
}

/// Every listener's last sign-out everywhere, for the token check at start.
pub fn signed_out_times(conn: &rusqlite::Connection) -> rusqlite::Result<Vec<(String, i64)>> {
    let mut statement = conn.prepare("SELECT sub, signed_out_at FROM signed_out")?;
    let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
    rows.collect()
}
