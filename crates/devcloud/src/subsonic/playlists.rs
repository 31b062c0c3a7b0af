//! Playlists, per Subsonic user: `getPlaylists` (one's own and others' public ones),
//! `getPlaylist`, `createPlaylist` (a new one from `name`, or `playlistId` to replace a
//! list's songs), `updatePlaylist` (fields, then `songIndexToRemove` against the list as it
//! was, then `songIdToAdd` at the end) and `deletePlaylist`. Only the owner may change one
//! (error 50); another's private playlist is not found (70).

use serde_json::{Map, Value};

use super::envelope::{Code, SubsonicError};
use super::mapping::{self, Starred};
use super::store::{self, EditError, PlaylistEdit, PlaylistRow, iso_date};
use super::{Call, Reply};
use crate::catalog::Catalog;
use crate::unix_now;

/// The longest name and comment, in characters, as devcloud's REST playlists allow.
const MAX_NAME_CHARS: usize = crate::playlists::storage::MAX_NAME_CHARS;
const MAX_COMMENT_CHARS: usize = crate::playlists::storage::MAX_DESCRIPTION_CHARS;

/// A playlist in Subsonic's shape; with `entries`, its songs as `entry`.
fn shape(catalog: &Catalog, row: &PlaylistRow, starred: &Starred, entries: bool) -> Value {
    let songs: Vec<_> = row
        .songs
        .iter()
        .filter_map(|id| catalog.entry(id))
        .collect();
    let duration: u32 = songs
        .iter()
        .map(|e| mapping::seconds(e.track.duration_ms))
        .sum();
    let mut object = Map::new();
    object.insert("id".into(), row.id.to_string().into());
    object.insert("name".into(), row.name.clone().into());
    object.insert("comment".into(), row.comment.clone().into());
    object.insert("owner".into(), row.owner.clone().into());
    object.insert("public".into(), row.public.into());
    object.insert("songCount".into(), songs.len().into());
    object.insert("duration".into(), duration.into());
    object.insert("created".into(), iso_date(row.created).into());
    object.insert("changed".into(), iso_date(row.changed).into());
    if let Some(first) = songs.iter().find(|e| e.track.cover_path.is_some()) {
        object.insert("coverArt".into(), first.track.album_id.clone().into());
    }
    if entries {
        let entry: Vec<Value> = songs
            .iter()
            .map(|e| mapping::song(catalog, e, starred))
            .collect();
        object.insert("entry".into(), entry.into());
    }
    Value::Object(object)
}

fn playlist_id(call: &Call<'_>, name: &str) -> Result<i64, SubsonicError> {
    let id = call.params.required(name)?;
    id.parse()
        .map_err(|_| SubsonicError::not_found(format!("Playlist {id:?}")))
}

/// The playlist `id` if this user may see it (70 otherwise).
async fn visible(call: &Call<'_>, id: i64) -> Result<PlaylistRow, SubsonicError> {
    let row = call.db(move |conn| store::playlist(conn, id)).await?;
    row.filter(|row| row.owner == call.user || row.public)
        .ok_or_else(|| SubsonicError::not_found(format!("Playlist \"{id}\"")))
}

/// The playlist `id` if this user owns it (50 when they may only see it).
async fn owned(call: &Call<'_>, id: i64) -> Result<PlaylistRow, SubsonicError> {
    let row = visible(call, id).await?;
    if row.owner != call.user {
        return Err(not_owner(id, &row.owner));
    }
    Ok(row)
}

fn not_owner(id: i64, owner: &str) -> SubsonicError {
    SubsonicError::new(
        Code::NotAuthorized,
        format!("Playlist \"{id}\" is {owner}'s: only they may change it."),
    )
}

/// Every id in `ids` is a song of the catalog (70 otherwise).
fn songs(call: &Call<'_>, ids: Vec<&str>) -> Result<Vec<String>, SubsonicError> {
    ids.into_iter()
        .map(|id| {
            call.catalog()
                .contains_track(id)
                .then(|| id.to_owned())
                .ok_or_else(|| SubsonicError::not_found(format!("Song {id:?}")))
        })
        .collect()
}

fn checked_text(
    value: Option<&str>,
    what: &str,
    most: usize,
) -> Result<Option<String>, SubsonicError> {
    match value {
        Some(text) if text.chars().count() > most => Err(SubsonicError::generic(format!(
            "A playlist's {what} has at most {most} characters."
        ))),
        other => Ok(other.map(str::to_owned)),
    }
}

pub async fn list(call: &Call<'_>) -> Result<Reply, SubsonicError> {
    if let Some(other) = call.params.one("username").filter(|u| *u != call.user) {
        return Err(SubsonicError::new(
            Code::NotAuthorized,
            format!("Only an administrator may list {other}'s playlists; devcloud has none."),
        ));
    }
    let user = call.user.to_owned();
    let rows = call
        .db(move |conn| store::visible_playlists(conn, &user))
        .await?;
    let starred = Starred::default();
    let playlists: Vec<Value> = rows
        .iter()
        .map(|row| shape(call.catalog(), row, &starred, false))
        .collect();
    Ok(Reply::field(
        "playlists",
        serde_json::json!({ "playlist": playlists }),
    ))
}

pub async fn get(call: &Call<'_>) -> Result<Reply, SubsonicError> {
    let id = playlist_id(call, "id")?;
    let row = visible(call, id).await?;
    let starred = call.starred().await?;
    Ok(Reply::field(
        "playlist",
        shape(call.catalog(), &row, &starred, true),
    ))
}

/// `createPlaylist`: `name` and `songId`s for a new playlist, or `playlistId` and `songId`s
/// to replace an existing one's songs. Answers the playlist, as since API 1.14.
pub async fn create(call: &Call<'_>) -> Result<Reply, SubsonicError> {
    let songs = songs(call, call.params.all("songId"))?;
    let id = if call.params.has("playlistId") {
        let current = owned(call, playlist_id(call, "playlistId")?).await?;
        let edit = PlaylistEdit {
            name: checked_text(call.params.one("name"), "name", MAX_NAME_CHARS)?,
            replace: Some(songs),
            ..PlaylistEdit::default()
        };
        apply(call, current.id, edit).await?;
        current.id
    } else {
        let name = call.params.required("name")?.trim().to_owned();
        let name = checked_text(Some(&name), "name", MAX_NAME_CHARS)?.unwrap_or_default();
        let user = call.user.to_owned();
        let now = unix_now();
        call.db(move |conn| store::create_playlist(conn, &user, &name, &songs, now))
            .await?
    };
    let row = visible(call, id).await?;
    let starred = call.starred().await?;
    Ok(Reply::field(
        "playlist",
        shape(call.catalog(), &row, &starred, true),
    ))
}

pub async fn update(call: &Call<'_>) -> Result<Reply, SubsonicError> {
    let params = call.params;
    // Checked first so a stranger's request is refused before its arguments are judged;
    // checked again where it counts, in the edit's own transaction.
    let current = owned(call, playlist_id(call, "playlistId")?).await?;
    let edit = PlaylistEdit {
        name: checked_text(params.one("name"), "name", MAX_NAME_CHARS)?,
        comment: checked_text(params.one("comment"), "comment", MAX_COMMENT_CHARS)?,
        public: params.parsed::<bool>("public")?,
        replace: None,
        remove: params.all_parsed("songIndexToRemove")?,
        add: songs(call, params.all("songIdToAdd"))?,
    };
    apply(call, current.id, edit).await?;
    Ok(Reply::empty())
}

/// Applies `edit` to playlist `id`, whose owner the edit's transaction checks again (it may
/// have been deleted, or made private, since it was read).
async fn apply(call: &Call<'_>, id: i64, edit: PlaylistEdit) -> Result<(), SubsonicError> {
    let now = unix_now();
    let user = call.user.to_owned();
    let result = call
        .state
        .db
        .call(move |conn| store::edit_playlist(conn, id, &user, &edit, now))
        .await
        .map_err(|e| SubsonicError::internal(&e))?;
    match result {
        Ok(()) => Ok(()),
        Err(EditError::NotFound) => Err(SubsonicError::not_found(format!("Playlist \"{id}\""))),
        Err(EditError::NotOwner { owner }) => Err(not_owner(id, &owner)),
        Err(EditError::NoSuchIndex { index, len }) => Err(SubsonicError::generic(format!(
            "There is no song at index {index}: the playlist has {len}; nothing was changed."
        ))),
        Err(EditError::Sql(error)) => Err(SubsonicError::internal(&error)),
    }
}

pub async fn delete(call: &Call<'_>) -> Result<Reply, SubsonicError> {
    let current = owned(call, playlist_id(call, "id")?).await?;
    call.db(move |conn| store::delete_playlist(conn, current.id))
        .await?;
    Ok(Reply::empty())
}
