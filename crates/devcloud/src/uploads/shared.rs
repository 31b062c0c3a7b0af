//! What the upload routes share: the database call, the caller's own upload, paging.

use axum::Json;
use serde::Deserialize;
use strato_model::api::{Page, Upload};

use super::store::{self, UploadRow};
use crate::api::AppState;
use crate::auth::User;
use crate::catalog::{DEFAULT_LIMIT, MAX_LIMIT, decode_cursor, encode_cursor};
use crate::db::Db;
use crate::problem::ApiError;

fn db_failed(error: impl std::fmt::Display) -> ApiError {
    ApiError::internal(&error)
}

/// Runs `work` on the database thread.
pub(crate) async fn db<T: Send + 'static>(
    db: &Db,
    work: impl FnOnce(&mut rusqlite::Connection) -> rusqlite::Result<T> + Send + 'static,
) -> Result<T, ApiError> {
    db.call(work).await.map_err(db_failed)?.map_err(db_failed)
}

/// The caller's own upload (not deleted), else 404.
pub(crate) async fn owned(state: &AppState, user: &User, id: &str) -> Result<UploadRow, ApiError> {
    let (owner, id_owned) = (user.sub.clone(), id.to_owned());
    db(state.uploads.db(), move |conn| {
        store::owned(conn, &owner, &id_owned)
    })
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
    let id_owned = id.to_owned();
    db(state.uploads.db(), move |conn| store::row(conn, &id_owned))
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

/// Offset and limit of a page request.
pub(crate) fn page_bounds(
    cursor: Option<&str>,
    limit: Option<usize>,
) -> Result<(usize, usize), ApiError> {
    let limit = match limit {
        Some(0) => return Err(ApiError::bad_request("limit must be at least 1")),
        Some(n) => n.min(MAX_LIMIT),
        None => DEFAULT_LIMIT,
    };
    let offset = match cursor.filter(|c| !c.is_empty()) {
        None => 0,
        Some(cursor) => decode_cursor(cursor)
            .ok_or_else(|| ApiError::bad_request("cursor is not one this service issued"))?,
    };
    Ok((offset, limit))
}

/// A page from one more row than asked for: the extra one says there is a next page.
pub(crate) fn page_of<T>(mut items: Vec<T>, offset: usize, limit: usize) -> Page<T> {
    let more = items.len() > limit;
    items.truncate(limit);
    Page {
        next_cursor: more.then(|| encode_cursor(offset + limit)),
        items,
    }
}
