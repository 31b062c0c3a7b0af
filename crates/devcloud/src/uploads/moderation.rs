//! `/v1/moderation/**`: administrators (the Cognito group `admins`) take public tracks down
//! with a reason their owner sees, and restore them.

use axum::Json;
use axum::extract::State;
use strato_model::api::{TakedownRequest, Upload, UploadStatus, Visibility};

use super::shared::{reread, shown, to_the_end};
use super::store::{Status, UploadRow};
use crate::api::AppState;
use crate::auth::User;
use crate::problem::{ApiError, ApiJson, ApiPath};
use crate::unix_now;

/// A public, ready track (taken down or not), for moderation; 404 otherwise, as for anyone.
async fn moderated(state: &AppState, user: &User, id: &str) -> Result<UploadRow, ApiError> {
    if !user.is_admin() {
        return Err(ApiError::forbidden(
            "only administrators take tracks down or restore them",
        ));
    }
    let row = reread(state, id).await?;
    if row.status != Status::Live(UploadStatus::Ready) || row.visibility != Visibility::Public {
        return Err(ApiError::not_found(format!("no track {id:?}")));
    }
    Ok(row)
}

/// `POST /v1/moderation/tracks/{id}/takedown`.
pub async fn takedown(
    user: User,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiJson(request): ApiJson<TakedownRequest>,
) -> Result<Json<Upload>, ApiError> {
    let reason = request.reason.trim().to_owned();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(ApiError::bad_request(
            "a takedown needs a reason of 1 to 500 characters",
        ));
    }
    let before = moderated(&state, &user, &id).await?;
    tracing::info!(%id, by = %user.sub, "track taken down");
    let after = to_the_end(async move {
        state
            .uploads
            .records()
            .set_takedown(&id, Some(reason.as_str()), unix_now())
            .await?;
        let after = reread(&state, &id).await?;
        state.uploads.announce(&before, Some(&after));
        Ok(after)
    })
    .await?;
    shown(&after)
}

/// `DELETE /v1/moderation/tracks/{id}/takedown`.
pub async fn restore(
    user: User,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Upload>, ApiError> {
    let before = moderated(&state, &user, &id).await?;
    tracing::info!(%id, by = %user.sub, "track restored");
    let after = to_the_end(async move {
        state
            .uploads
            .records()
            .set_takedown(&id, None, unix_now())
            .await?;
        let after = reread(&state, &id).await?;
        state.uploads.announce(&before, Some(&after));
        Ok(after)
    })
    .await?;
    shown(&after)
}
