//! `/v1/playlists/**`. Handlers parse and check the request, then hand one [`PlaylistOp`] to
//! the [`super::PlaylistStore`] through [`write`].

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use strato_model::api::{
    AddItems, MoveItem, NewPlaylist, PlaylistChanges, PlaylistPatch, PlaylistSummary, Problem,
    ProblemType,
};

use super::idempotency::{IdempotencyKey, StoredResponse};
use super::storage::{MAX_ADD, PlaylistOp, Precondition, StoreError, WriteRequest, Written};
use crate::api::AppState;
use crate::auth::User;
use crate::problem::{ApiError, ApiJson, ApiPath, ApiQuery};
use crate::unix_now;

const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
const IDEMPOTENT_REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound(_) | StoreError::ItemNotFound(_) => {
                Self::not_found(error.to_string())
            }
            StoreError::RevisionMismatch { current } => {
                Self::new(ProblemType::RevisionMismatch, "Revision mismatch")
                    .detail(format!("current revision is {current}"))
                    .header(header::ETAG, etag(current))
            }
            StoreError::Invalid(message) => Self::bad_request(message),
            StoreError::IdempotencyConflict => {
                Self::new(ProblemType::IdempotencyConflict, "Idempotency-Key reused")
                    .detail(error.to_string())
            }
            StoreError::Busy => Self::from_problem(Problem {
                status: 503,
                ..Problem::new(ProblemType::Internal, "Busy")
            })
            .detail(error.to_string()),
            StoreError::Storage(error) => Self::internal(&error),
        }
    }
}

fn etag(revision: u64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{revision}\"")).unwrap_or(HeaderValue::from_static("\"0\""))
}

/// `If-Match: "<revision>"` (or `*`); 428 when absent.
fn precondition(headers: &HeaderMap) -> Result<Precondition, ApiError> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Err(
            ApiError::new(ProblemType::RevisionRequired, "If-Match required")
                .detail("send If-Match: \"<revision>\" with every playlist write"),
        );
    };
    let value = value.to_str().unwrap_or_default().trim();
    if value == "*" {
        return Ok(Precondition::Any);
    }
    value
        .trim_start_matches("W/")
        .trim_matches('"')
        .parse()
        .map(Precondition::Revision)
        .map_err(|_| ApiError::bad_request("If-Match must be \"<revision>\" or *"))
}

/// The request's `Idempotency-Key`, fingerprinted with its method, path and body.
fn idempotency_key(
    headers: &HeaderMap,
    uri: &Uri,
    body: &[u8],
) -> Result<Option<IdempotencyKey>, ApiError> {
    let Some(value) = headers.get(IDEMPOTENCY_KEY) else {
        return Ok(None);
    };
    let key = value.to_str().unwrap_or_default();
    IdempotencyKey::new(key, Method::POST.as_str(), uri.path(), body)
        .map(Some)
        .map_err(ApiError::bad_request)
}

fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| ApiError::bad_request(format!("invalid JSON: {e}")))
}

impl StoredResponse {
    fn into_response(self, replayed: bool) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::OK);
        let mut headers = HeaderMap::new();
        if !self.body.is_empty() {
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
        }
        for (name, value) in [(header::LOCATION, self.location), (header::ETAG, self.etag)] {
            if let Some(value) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
                headers.insert(name, value);
            }
        }
        if replayed {
            headers.insert(IDEMPOTENT_REPLAYED, HeaderValue::from_static("true"));
        }
        (status, headers, self.body).into_response()
    }
}

/// Applies `op` for `user` once (or replays the answer its key was given), then tells the
/// listener's devices what changed.
async fn write(
    state: &AppState,
    user: User,
    key: Option<IdempotencyKey>,
    op: PlaylistOp,
) -> Result<Response, ApiError> {
    let request = WriteRequest {
        owner: user.sub.clone(),
        owner_name: user.display_name(),
        key,
        op,
        now: unix_now(),
    };
    let Written {
        response,
        replayed,
        recorded,
    } = state.playlists.write(request).await?;
    // Committed: the listener's devices hear of it, as a real deployment's function on the
    // change stream tells them (a replayed request changed nothing, so tells nothing).
    for change in recorded {
        state
            .live
            .publish(&user.sub, crate::live::playlist_event(change));
    }
    Ok(response.into_response(replayed))
}

pub async fn list(
    user: User,
    State(state): State<AppState>,
) -> Result<Json<Vec<PlaylistSummary>>, ApiError> {
    Ok(Json(state.playlists.list(&user.sub, false).await?))
}

pub async fn create(
    user: User,
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let key = idempotency_key(&headers, &uri, &body)?;
    let new: NewPlaylist = parse(&body)?;
    write(&state, user, key, PlaylistOp::Create(new)).await
}

pub async fn get(
    user: User,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let playlist = state.playlists.get(&user.sub, &id, true).await?;
    let tag = etag(playlist.revision);
    // Availability moves without the revision (a track deleted elsewhere): a playlist with an
    // unavailable item is always sent whole.
    let all_available = playlist.items.iter().all(|item| item.available);
    if all_available && headers.get(header::IF_NONE_MATCH) == Some(&tag) {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, tag)]).into_response());
    }
    Ok(([(header::ETAG, tag)], Json(playlist)).into_response())
}

pub async fn update(
    user: User,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    ApiJson(patch): ApiJson<PlaylistPatch>,
) -> Result<Response, ApiError> {
    let precondition = precondition(&headers)?;
    let op = PlaylistOp::Update {
        id,
        precondition,
        patch,
    };
    write(&state, user, None, op).await
}

pub async fn delete(
    user: User,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let precondition = precondition(&headers)?;
    write(&state, user, None, PlaylistOp::Delete { id, precondition }).await
}

pub async fn add_items(
    user: User,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let key = idempotency_key(&headers, &uri, &body)?;
    let precondition = precondition(&headers)?;
    let add: AddItems = parse(&body)?;
    if add.track_ids.is_empty() || add.track_ids.len() > MAX_ADD {
        return Err(ApiError::bad_request(format!(
            "track_ids must hold 1 to {MAX_ADD} ids"
        )));
    }
    if let Some(unknown) = add
        .track_ids
        .iter()
        .find(|t| !crate::uploads::explore::is_upload(t) && !state.catalog.contains_track(t))
    {
        return Err(ApiError::bad_request(format!(
            "unknown track id {unknown:?}"
        )));
    }
    let op = PlaylistOp::AddItems {
        id,
        precondition,
        track_ids: add.track_ids,
        position: add.position,
    };
    write(&state, user, key, op).await
}

pub async fn remove_item(
    user: User,
    State(state): State<AppState>,
    ApiPath((id, item_id)): ApiPath<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let precondition = precondition(&headers)?;
    let op = PlaylistOp::RemoveItem {
        id,
        precondition,
        item_id,
    };
    write(&state, user, None, op).await
}

pub async fn move_item(
    user: User,
    State(state): State<AppState>,
    ApiPath((id, item_id)): ApiPath<(String, String)>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let key = idempotency_key(&headers, &uri, &body)?;
    let precondition = precondition(&headers)?;
    let MoveItem { position } = parse(&body)?;
    let op = PlaylistOp::MoveItem {
        id,
        precondition,
        item_id,
        position,
    };
    write(&state, user, key, op).await
}

#[derive(Debug, Deserialize)]
pub struct ChangesQuery {
    #[serde(default)]
    since: u64,
}

pub async fn changes(
    user: User,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ChangesQuery>,
) -> Result<Json<PlaylistChanges>, ApiError> {
    Ok(Json(state.playlists.changes(&user.sub, query.since).await?))
}
