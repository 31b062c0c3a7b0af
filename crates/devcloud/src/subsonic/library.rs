//! A listener's own marks on the catalog: `star`/`unstar`/`getStarred2`, and `scrobble`
//! (plays and now-playing reports, kept as sent) with `getNowPlaying`; and the loopback-only
//! `GET /admin/subsonic/scrobbles`, for tests to read what a client submitted.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use super::envelope::SubsonicError;
use super::mapping::{self, StarKind};
use super::store::{self, ScrobbleRow};
use super::{Call, Reply, SubsonicState};
use crate::problem::ApiError;
use crate::unix_now;

/// How long a now-playing report stays in `getNowPlaying`.
const NOW_PLAYING_SECS: i64 = 30 * 60;

/// `star`/`unstar`: `id` (songs; an album's or artist's id is taken too, as older clients
/// send them there), `albumId`, `artistId`, each repeatable. Unknown ids are error 70.
pub async fn star(call: &Call<'_>, on: bool) -> Result<Reply, SubsonicError> {
    let catalog = call.catalog();
    let mut items = Vec::new();
    for id in call.params.all("id") {
        let kind = if catalog.contains_track(id) {
            StarKind::Song
        } else if mapping::album_of(catalog, id).is_some() {
            StarKind::Album
        } else if mapping::artist_of(catalog, id).is_some() {
            StarKind::Artist
        } else {
            return Err(SubsonicError::not_found(format!("Song {id:?}")));
        };
        items.push((kind, id.to_owned()));
    }
    for id in call.params.all("albumId") {
        mapping::album_of(catalog, id)
            .ok_or_else(|| SubsonicError::not_found(format!("Album {id:?}")))?;
        items.push((StarKind::Album, id.to_owned()));
    }
    for id in call.params.all("artistId") {
        mapping::artist_of(catalog, id)
            .ok_or_else(|| SubsonicError::not_found(format!("Artist {id:?}")))?;
        items.push((StarKind::Artist, id.to_owned()));
    }
    if items.is_empty() {
        return Err(SubsonicError::missing("id, albumId or artistId"));
    }
    let user = call.user.to_owned();
    let now = unix_now();
    call.db(move |conn| store::set_stars(conn, &user, &items, on, now))
        .await?;
    Ok(Reply::empty())
}

/// `getStarred2`: the user's starred artists, albums and songs, in catalog order.
pub async fn starred(call: &Call<'_>) -> Result<Reply, SubsonicError> {
    let starred = call.starred().await?;
    let catalog = call.catalog();
    let has = |kind, id: &str| starred.0.contains_key(&(kind, id.to_owned()));
    let artists: Vec<Value> = catalog
        .all_artists()
        .iter()
        .filter(|a| has(StarKind::Artist, &a.id))
        .map(|a| mapping::artist(catalog, a, &starred, false))
        .collect();
    let albums: Vec<Value> = catalog
        .all_albums()
        .iter()
        .filter(|a| has(StarKind::Album, &a.id))
        .map(|a| mapping::album(catalog, a, &starred, false))
        .collect();
    let songs: Vec<Value> = catalog
        .all_tracks()
        .iter()
        .filter(|e| has(StarKind::Song, &e.track.id))
        .map(|e| mapping::song(catalog, e, &starred))
        .collect();
    Ok(Reply::field(
        "starred2",
        json!({"artist": artists, "album": albums, "song": songs}),
    ))
}

/// `scrobble`: `id` (repeatable), `time` (Unix ms, one per id when given), `submission`
/// (true: a play; false: now playing). Each is kept with the user and client.
pub async fn scrobble(call: &Call<'_>) -> Result<Reply, SubsonicError> {
    let params = call.params;
    let ids = params.all("id");
    if ids.is_empty() {
        return Err(SubsonicError::missing("id"));
    }
    let times: Vec<i64> = params.all_parsed("time")?;
    if !times.is_empty() && times.len() != ids.len() {
        return Err(SubsonicError::generic(format!(
            "scrobble got {} ids and {} times: give one time per id, or none.",
            ids.len(),
            times.len()
        )));
    }
    let submission = params.parsed::<bool>("submission")?.unwrap_or(true);
    let client = params.one("c").unwrap_or_default().to_owned();
    let now = unix_now();
    let mut rows = Vec::with_capacity(ids.len());
    for (i, id) in ids.into_iter().enumerate() {
        if !call.catalog().contains_track(id) {
            return Err(SubsonicError::not_found(format!("Song {id:?}")));
        }
        rows.push(ScrobbleRow {
            user: call.user.to_owned(),
            id: id.to_owned(),
            time: times.get(i).copied(),
            submission,
            client: client.clone(),
            received_at: now,
        });
    }
    call.db(move |conn| store::record_scrobbles(conn, &rows))
        .await?;
    Ok(Reply::empty())
}

/// `getNowPlaying`: each user's latest now-playing report of the last half hour.
pub async fn now_playing(call: &Call<'_>) -> Result<Reply, SubsonicError> {
    let now = unix_now();
    let rows = call
        .db(move |conn| store::now_playing(conn, now - NOW_PLAYING_SECS))
        .await?;
    let starred = call.starred().await?;
    let catalog = call.catalog();
    let entries: Vec<Value> = rows
        .iter()
        .filter_map(|row| {
            let entry = catalog.entry(&row.id)?;
            let mut song = mapping::song(catalog, entry, &starred);
            let object = song.as_object_mut()?;
            object.insert("username".into(), row.user.clone().into());
            object.insert("minutesAgo".into(), ((now - row.received_at) / 60).into());
            object.insert("playerId".into(), 0.into());
            object.insert("playerName".into(), row.client.clone().into());
            Some(song)
        })
        .collect();
    Ok(Reply::field("nowPlaying", json!({ "entry": entries })))
}

/// `GET /admin/subsonic/scrobbles` (loopback peers only): every report, oldest first.
pub async fn scrobbles_received(
    State(state): State<SubsonicState>,
) -> Result<Json<Vec<ScrobbleRow>>, ApiError> {
    state
        .db
        .call(|conn| store::scrobbles(conn))
        .await
        .map_err(|e| ApiError::internal(&e))?
        .map(Json)
        .map_err(|e| ApiError::internal(&e))
}
