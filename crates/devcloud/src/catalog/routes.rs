//! `/v1/tracks`, `/v1/albums`, `/v1/artists`, `/v1/search`, `/v1/home`.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use strato_model::api::{
    Album, AlbumDetail, Artist, ArtistDetail, HomeFeed, Page, SearchResults, Track,
};

use super::{PageError, search};
use crate::api::AppState;
use crate::auth::User;
use crate::problem::{ApiError, ApiPath, ApiQuery};
use crate::unix_now;
use crate::uploads::explore;

#[derive(Debug, Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    cursor: Option<String>,
    #[serde(default)]
    limit: Option<usize>,
}

/// `GET /v1/albums`: a page, in catalog order or newest first.
#[derive(Debug, Deserialize)]
pub struct AlbumsQuery {
    // Not a flattened `PageQuery`: serde's flatten hands numbers over as strings.
    #[serde(default)]
    cursor: Option<String>,
    #[serde(default)]
    limit: Option<usize>,
    #[serde(default)]
    sort: AlbumOrder,
}

#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlbumOrder {
    /// By artist name, year, title.
    #[default]
    Catalog,
    /// By year (latest first), then title.
    Newest,
}

#[derive(Debug, Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    limit: Option<usize>,
}

impl From<PageError> for ApiError {
    fn from(error: PageError) -> Self {
        Self::bad_request(error.to_string())
    }
}

pub async fn list_tracks(
    _user: User,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Json<Page<Track>>, ApiError> {
    Ok(Json(
        state.catalog.tracks(query.cursor.as_deref(), query.limit)?,
    ))
}

pub async fn get_track(
    user: User,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Track>, ApiError> {
    let (track, _) = explore::visible_track(&state, &user.sub, &id)
        .await?
        .ok_or_else(|| no_such("track", &id))?;
    Ok(Json(track))
}

pub async fn list_albums(
    _user: User,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<AlbumsQuery>,
) -> Result<Json<Page<Album>>, ApiError> {
    let (cursor, limit) = (query.cursor.as_deref(), query.limit);
    Ok(Json(match query.sort {
        AlbumOrder::Catalog => state.catalog.albums(cursor, limit)?,
        AlbumOrder::Newest => state.catalog.newest_albums(cursor, limit)?,
    }))
}

pub async fn get_album(
    user: User,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<AlbumDetail>, ApiError> {
    let detail = if explore::is_upload(&id) {
        explore::album(&state, &user.sub, &id).await?
    } else {
        state.catalog.album_detail(&id)
    };
    detail.map(Json).ok_or_else(|| no_such("album", &id))
}

pub async fn list_artists(
    _user: User,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Json<Page<Artist>>, ApiError> {
    Ok(Json(
        state
            .catalog
            .artists(query.cursor.as_deref(), query.limit)?,
    ))
}

pub async fn get_artist(
    user: User,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ArtistDetail>, ApiError> {
    let detail = if explore::is_upload(&id) {
        explore::artist(&state, &user.sub, &id).await?
    } else {
        state.catalog.artist_detail(&id)
    };
    detail.map(Json).ok_or_else(|| no_such("artist", &id))
}

pub async fn search(
    user: User,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<SearchQuery>,
) -> Result<Json<SearchResults>, ApiError> {
    if search::normalise(&query.q).is_empty() {
        return Err(ApiError::bad_request("q must not be empty"));
    }
    if query.limit == Some(0) {
        return Err(ApiError::bad_request("limit must be at least 1"));
    }
    let limit = query.limit.unwrap_or(search::DEFAULT_LIMIT);
    Ok(Json(
        explore::search(&state, &user.sub, &query.q, limit).await?,
    ))
}

pub async fn home(_user: User, State(state): State<AppState>) -> Json<HomeFeed> {
    Json(
        state
            .catalog
            .home(unix_now(), state.settings.home_reshuffle_secs),
    )
}

pub(crate) fn no_such(kind: &str, id: &str) -> ApiError {
    ApiError::not_found(format!("no {kind} {id:?}"))
}
