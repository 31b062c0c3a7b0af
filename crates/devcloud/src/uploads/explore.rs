//! Uploaded tracks among everything else: resolving a track id for a caller (catalog or
//! upload), explore, profiles, the albums and artists of uploads, and search over both.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use strato_model::api::{
    Album, AlbumDetail, Artist, ArtistDetail, Availability, AvailabilityRequest, ListenerProfile,
    Page, SearchResults, Track,
};

use super::shared::{PageQuery, page_limit};
use super::store::UploadRow;
use crate::api::AppState;
use crate::auth::User;
use crate::catalog::TrackMedia;
use crate::catalog::search::{self, Rank};
use crate::problem::{ApiError, ApiJson, ApiPath, ApiQuery};

/// Whether an id names an upload rather than a catalog entry.
#[must_use]
pub fn is_upload(id: &str) -> bool {
    id.starts_with("up-") || id.starts_with("ual-") || id.starts_with("uar-")
}

/// The track `id` as `viewer` may see it, with its media: a catalog track, or an upload that
/// is ready, not taken down, and public or theirs. `None` answers 404 at every door.
pub async fn visible_track(
    state: &AppState,
    viewer: &str,
    id: &str,
) -> Result<Option<(Track, TrackMedia)>, ApiError> {
    if !is_upload(id) {
        return Ok(state
            .catalog
            .entry(id)
            .map(|e| (e.track.clone(), e.media.clone())));
    }
    let row = state.uploads.records().visible(viewer, id).await?;
    Ok(row.and_then(|row| Some((row.track()?, row.media?))))
}

/// `POST /v1/tracks/availability`: which of the tracks asked about the caller can no
/// longer play. Clients ask about what they keep offline, so copies of tracks deleted or
/// taken down since are removed (`docs/api.md`, "Streaming and downloads").
pub async fn availability(
    user: User,
    State(state): State<AppState>,
    ApiJson(request): ApiJson<AvailabilityRequest>,
) -> Result<Json<Availability>, ApiError> {
    let ids = request.track_ids;
    if ids.is_empty() || ids.len() > AvailabilityRequest::MAX_TRACKS {
        return Err(ApiError::bad_request(format!(
            "ask about 1 to {} tracks at a time",
            AvailabilityRequest::MAX_TRACKS
        )));
    }
    let uploads: Vec<String> = ids.iter().filter(|id| is_upload(id)).cloned().collect();
    let visible = state
        .uploads
        .records()
        .visible_ids(&user.sub, &uploads)
        .await?;
    let unavailable = ids
        .into_iter()
        .filter(|id| {
            if is_upload(id) {
                !visible.contains(id)
            } else {
                state.catalog.entry(id).is_none()
            }
        })
        .collect();
    Ok(Json(Availability { unavailable }))
}

/// `GET /v1/explore/uploads`: everyone's public tracks, newest first.
pub async fn newest(
    _user: User,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Json<Page<Track>>, ApiError> {
    let page = state
        .uploads
        .records()
        .list_public(None, query.cursor.as_deref(), page_limit(query.limit)?)
        .await?;
    Ok(Json(Page {
        items: page.items.iter().filter_map(UploadRow::track).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// `GET /v1/users/{id}`.
pub async fn profile(
    _user: User,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ListenerProfile>, ApiError> {
    let listener = state
        .accounts
        .listener(&id)
        .await
        .map_err(|e| ApiError::internal(&e))?
        .ok_or_else(|| ApiError::not_found(format!("no listener {id:?}")))?;
    // A profile shows a listener's newest public tracks, at most a few hundred.
    let tracks = state
        .uploads
        .records()
        .list_public(Some(&id), None, 500)
        .await?
        .items;
    let playlists = state.playlists.list(&listener.id, true).await?;
    Ok(Json(ListenerProfile {
        listener,
        tracks: tracks.iter().filter_map(UploadRow::track).collect(),
        playlists,
    }))
}

/// The albums of uploaded tracks, in the order the tracks came.
fn albums_of(tracks: &[Track]) -> Vec<Album> {
    let mut albums: BTreeMap<&str, Album> = BTreeMap::new();
    for track in tracks {
        let album = albums.entry(&track.album_id).or_insert_with(|| Album {
            id: track.album_id.clone(),
            title: track.album_title.clone(),
            artist_id: track.artist_id.clone(),
            artist_name: track.artist_name.clone(),
            year: 0,
            track_count: 0,
            gapless: false,
            cover_path: track.cover_path.clone(),
        });
        album.track_count += 1;
        if album.cover_path.is_none() {
            album.cover_path.clone_from(&track.cover_path);
        }
    }
    albums.into_values().collect()
}

async fn visible_tracks(
    state: &AppState,
    viewer: &str,
    album: Option<&str>,
    artist: Option<&str>,
) -> Result<Vec<Track>, ApiError> {
    let rows = state
        .uploads
        .records()
        .list_visible(viewer, album, artist)
        .await?;
    Ok(rows.iter().filter_map(UploadRow::track).collect())
}

/// `GET /v1/albums/ual-…`: an uploaded album, as far as the caller may see it.
pub async fn album(
    state: &AppState,
    viewer: &str,
    id: &str,
) -> Result<Option<AlbumDetail>, ApiError> {
    let tracks = visible_tracks(state, viewer, Some(id), None).await?;
    Ok(albums_of(&tracks)
        .into_iter()
        .next()
        .map(|album| AlbumDetail { album, tracks }))
}

/// `GET /v1/artists/uar-…`.
pub async fn artist(
    state: &AppState,
    viewer: &str,
    id: &str,
) -> Result<Option<ArtistDetail>, ApiError> {
    let tracks = visible_tracks(state, viewer, None, Some(id)).await?;
    let Some(first) = tracks.first() else {
        return Ok(None);
    };
    Ok(Some(ArtistDetail {
        artist: Artist {
            id: first.artist_id.clone(),
            name: first.artist_name.clone(),
        },
        albums: albums_of(&tracks),
    }))
}

/// Merges `extra` hits into ranked `results`: best rank first, then field, the catalog's
/// before uploads on ties; `limit` per kind.
fn merge<T>(
    results: Vec<T>,
    extra: Vec<T>,
    limit: usize,
    score: impl Fn(&T) -> Option<(Rank, usize)>,
) -> Vec<T> {
    let mut all: Vec<(Rank, usize, usize, T)> = results
        .into_iter()
        .chain(extra)
        .enumerate()
        .filter_map(|(order, item)| score(&item).map(|(rank, field)| (rank, field, order, item)))
        .collect();
    all.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    all.into_iter()
        .take(limit)
        .map(|(_, _, _, item)| item)
        .collect()
}

/// The catalog's results for `query` with the uploads the caller may see ranked among them.
/// (Uploads are scored on each search here; a real deployment would index them, e.g. in
/// `OpenSearch`, as they are published.)
pub async fn search(
    state: &AppState,
    viewer: &str,
    query: &str,
    limit: usize,
) -> Result<SearchResults, ApiError> {
    let catalog = state.catalog.search(query, limit);
    let uploads = visible_tracks(state, viewer, None, None).await?;
    if uploads.is_empty() {
        return Ok(catalog);
    }
    let limit = limit.clamp(1, search::MAX_LIMIT);
    let query = search::normalise(query);
    let albums = albums_of(&uploads);
    let mut artists: Vec<Artist> = albums
        .iter()
        .map(|a| Artist {
            id: a.artist_id.clone(),
            name: a.artist_name.clone(),
        })
        .collect();
    artists.dedup_by(|a, b| a.id == b.id);
    let q = query.as_str();
    Ok(SearchResults {
        tracks: merge(catalog.tracks, uploads, limit, |t| {
            search::best(
                &[
                    search::normalise(&t.title),
                    search::normalise(&t.artist_name),
                    search::normalise(&t.album_title),
                ],
                q,
            )
        }),
        albums: merge(catalog.albums, albums, limit, |a| {
            search::best(
                &[
                    search::normalise(&a.title),
                    search::normalise(&a.artist_name),
                ],
                q,
            )
        }),
        artists: merge(catalog.artists, artists, limit, |a| {
            search::rank(&search::normalise(&a.name), q).map(|r| (r, 0))
        }),
    })
}
