//! `/v1/playlists/**`. Handlers parse and check the request, then run one transaction on the
//! database thread through [`write`].

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use rusqlite::Transaction;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use strato_model::api::{
    AddItems, MoveItem, NewPlaylist, Playlist, PlaylistChanges, PlaylistPatch, PlaylistSummary,
    ProblemType,
};

use super::idempotency::{self, IdempotencyKey, StoredResponse};
use super::store::{self, Precondition, StoreError};
use crate::api::AppState;
use crate::auth::User;
use crate::problem::{ApiError, ApiJson, ApiPath, ApiQuery};
use crate::unix_now;

const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
const IDEMPOTENT_REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");
/// The most tracks one `AddItems` may carry.
const MAX_ADD: usize = 500;

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
            StoreError::Sql(error) => Self::internal(&error),
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

fn json_response(status: StatusCode, playlist: &Playlist) -> Result<StoredResponse, StoreError> {
    Ok(StoredResponse {
        status: status.as_u16(),
        body: serde_json::to_string(playlist).map_err(|e| StoreError::Invalid(e.to_string()))?,
        location: None,
        etag: Some(format!("\"{}\"", playlist.revision)),
    })
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

/// A write's answer, whether it was replayed, and the changes it recorded.
type Written = (StoredResponse, bool, Vec<store::Recorded>);

/// Runs `op` in one transaction for `user`, replaying a stored response instead when the
/// idempotency key was seen with this request before.
async fn write<F>(
    state: &AppState,
    user: User,
    key: Option<IdempotencyKey>,
    op: F,
) -> Result<Response, ApiError>
where
    F: FnOnce(&Transaction<'_>, &str, i64) -> Result<StoredResponse, StoreError> + Send + 'static,
{
    let (owner, name) = (user.sub.clone(), user.display_name());
    let outcome = state
        .db
        .call(move |conn| -> Result<Written, StoreError> {
            let tx = conn.transaction()?;
            let now = unix_now();
            if let Some(key) = &key
                && let Some(stored) = idempotency::lookup(&tx, &owner, key, now)?
            {
                return Ok((stored, true, Vec::new()));
            }
            crate::uploads::store::remember_listener(&tx, &owner, &name)?;
            let before = store::last_seq(&tx, &owner)?;
            let response = op(&tx, &owner, now)?;
            let recorded = store::recorded_after(&tx, &owner, before)?;
            if let Some(key) = &key {
                idempotency::remember(&tx, &owner, key, &response, now)?;
            }
            tx.commit()?;
            Ok((response, false, recorded))
        })
        .await
        .map_err(|e| ApiError::internal(&e))?;
    let (response, replayed, recorded) = outcome?;
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
    let playlists = state
        .db
        .call(move |conn| store::list(conn, &user.sub))
        .await
        .map_err(|e| ApiError::internal(&e))??;
    Ok(Json(playlists))
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
    write(&state, user, key, move |tx, owner, now| {
        let playlist = store::create(tx, owner, &new, now)?;
        let mut response = json_response(StatusCode::CREATED, &playlist)?;
        response.location = Some(format!("/v1/playlists/{}", playlist.id));
        Ok(response)
    })
    .await
}

pub async fn get(
    user: User,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let playlist = state
        .db
        .call(move |conn| store::get_shared(conn, &user.sub, &id))
        .await
        .map_err(|e| ApiError::internal(&e))??;
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
    write(&state, user, None, move |tx, owner, now| {
        json_response(
            StatusCode::OK,
            &store::update(tx, owner, &id, precondition, &patch, now)?,
        )
    })
    .await
}

pub async fn delete(
    user: User,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let precondition = precondition(&headers)?;
    write(&state, user, None, move |tx, owner, now| {
        store::delete(tx, owner, &id, precondition, now)?;
        Ok(StoredResponse {
            status: 204,
            body: String::new(),
            location: None,
            etag: None,
        })
    })
    .await
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
    write(&state, user, key, move |tx, owner, now| {
        for id in add
            .track_ids
            .iter()
            .filter(|t| crate::uploads::explore::is_upload(t))
        {
            if crate::uploads::store::visible(tx, owner, id)?.is_none() {
                return Err(StoreError::Invalid(format!("unknown track id {id:?}")));
            }
        }
        let playlist = store::add_items(
            tx,
            owner,
            &id,
            precondition,
            &add.track_ids,
            add.position,
            now,
        )?;
        json_response(StatusCode::OK, &playlist)
    })
    .await
}

pub async fn remove_item(
    user: User,
    State(state): State<AppState>,
    ApiPath((id, item_id)): ApiPath<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let precondition = precondition(&headers)?;
    write(&state, user, None, move |tx, owner, now| {
        json_response(
            StatusCode::OK,
            &store::remove_item(tx, owner, &id, precondition, &item_id, now)?,
        )
    })
    .await
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
    write(&state, user, key, move |tx, owner, now| {
        let playlist = store::move_item(tx, owner, &id, precondition, &item_id, position, now)?;
        json_response(StatusCode::OK, &playlist)
    })
    .await
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
    let changes = state
        .db
        .call(move |conn| store::changes(conn, &user.sub, query.since))
        .await
        .map_err(|e| ApiError::internal(&e))??;
    Ok(Json(changes))
}
