//! What the upload routes share: the caller's own upload, answers, paging.

use axum::Json;
use serde::Deserialize;
use strato_model::api::Upload;

use super::store::UploadRow;
use crate::api::AppState;
use crate::auth::User;
use crate::catalog::{DEFAULT_LIMIT, MAX_LIMIT};
use crate::problem::ApiError;

/// The caller's own upload (not deleted), else 404.
pub(crate) async fn owned(state: &AppState, user: &User, id: &str) -> Result<UploadRow, ApiError> {
    state
        .uploads
        .records()
        .owned(&user.sub, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no upload {id:?}")))
}

pub(crate) fn shown(row: &UploadRow) -> Result<Json<Upload>, ApiError> {
    row.upload()
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("no upload {:?}", row.id)))
}

/// The row again after a write.
/// Runs `work` (a write and its announcement on the live channel) to its end even when the
/// caller goes away mid-request, as a function does: a dropped connection cancels a
/// handler, and a write committed without its event would leave other devices untold.
pub(crate) async fn to_the_end<T: Send + 'static>(
    work: impl std::future::Future<Output = Result<T, ApiError>> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::spawn(work)
        .await
        .map_err(|e| ApiError::internal(&e))?
}

pub(crate) async fn reread(state: &AppState, id: &str) -> Result<UploadRow, ApiError> {
    state
        .uploads
        .records()
        .row(id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no upload {id:?}")))
}

#[derive(Debug, Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    pub cursor: Option<String>,
    #[serde(default)]
    pub limit: Option<usize>,
}

/// A page request's limit: the default when none, at most the most a page holds.
pub(crate) fn page_limit(limit: Option<usize>) -> Result<usize, ApiError> {
    match limit {
        Some(0) => Err(ApiError::bad_request("limit must be at least 1")),
        Some(n) => Ok(n.min(MAX_LIMIT)),
        None => Ok(DEFAULT_LIMIT),
    }
}
