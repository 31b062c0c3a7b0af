//! Browsing and search: `getArtists` (indexed by first letter, articles ignored),
//! `getArtist`, `getAlbum`, `getSong`, `getAlbumList2` and `search3`, from the catalog.

use std::collections::BTreeMap;

use rand::seq::SliceRandom as _;
use serde_json::{Value, json};
use strato_model::api::Album;

use super::envelope::SubsonicError;
use super::mapping::{self, StarKind};
use super::{Call, Reply};
use crate::catalog::search;

/// The one music folder devcloud has.
pub const MUSIC_FOLDER_ID: u32 = 1;
/// Articles `getArtists` files names without, as most servers do by default.
pub const IGNORED_ARTICLES: &str = "The El La Los Las Le Les";
/// The most `getAlbumList2` answers at once, as the spec says.
const MAX_ALBUM_LIST: usize = 500;

/// The letter an artist is filed under: the first of its name without a leading article,
/// `#` when that is not a letter.
#[must_use]
pub fn index_letter(name: &str) -> String {
    let trimmed = IGNORED_ARTICLES
        .split(' ')
        .find_map(|article| {
            let rest = name.get(article.len()..)?;
            (name[..article.len()].eq_ignore_ascii_case(article) && rest.starts_with(' '))
                .then(|| rest.trim_start())
        })
        .unwrap_or(name);
    let folded = search::normalise(trimmed);
    match folded.chars().next() {
        Some(c) if c.is_alphabetic() => c.to_uppercase().collect(),
        _ => "#".to_owned(),
    }
}

pub async fn artists(call: &Call<'_>) -> Result<Reply, SubsonicError> {
    let starred = call.starred().await?;
    let catalog = call.catalog();
    let mut index: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for artist in catalog.all_artists() {
        index
            .entry(index_letter(&artist.name))
            .or_default()
            .push(mapping::artist(catalog, artist, &starred, false));
    }
    let index: Vec<Value> = index
        .into_iter()
        .map(|(name, artists)| json!({"name": name, "artist": artists}))
        .collect();
    Ok(Reply::field(
        "artists",
        json!({"ignoredArticles": IGNORED_ARTICLES, "index": index}),
    ))
}

pub async fn artist(call: &Call<'_>) -> Result<Reply, SubsonicError> {
    let id = call.params.required("id")?;
    let artist = mapping::artist_of(call.catalog(), id)
        .ok_or_else(|| SubsonicError::not_found(format!("Artist {id:?}")))?;
    let starred = call.starred().await?;
    Ok(Reply::field(
        "artist",
        mapping::artist(call.catalog(), artist, &starred, true),
    ))
}

pub async fn album(call: &Call<'_>) -> Result<Reply, SubsonicError> {
    let id = call.params.required("id")?;
    let album = mapping::album_of(call.catalog(), id)
        .ok_or_else(|| SubsonicError::not_found(format!("Album {id:?}")))?;
    let starred = call.starred().await?;
    Ok(Reply::field(
        "album",
        mapping::album(call.catalog(), album, &starred, true),
    ))
}

pub async fn song(call: &Call<'_>) -> Result<Reply, SubsonicError> {
    let id = call.params.required("id")?;
    let entry = call
        .catalog()
        .entry(id)
        .ok_or_else(|| SubsonicError::not_found(format!("Song {id:?}")))?;
    let starred = call.starred().await?;
    Ok(Reply::field(
        "song",
        mapping::song(call.catalog(), entry, &starred),
    ))
}

/// `getAlbumList2`: `type` (random, newest, alphabeticalByName, alphabeticalByArtist, byYear,
/// starred; frequent, recent, highest and byGenre are empty lists, as devcloud keeps no play
/// counts, ratings or genres), `size` (10, at most 500) and `offset`.
pub async fn album_list(call: &Call<'_>) -> Result<Reply, SubsonicError> {
    let params = call.params;
    let kind = params.required("type")?;
    let size = params
        .parsed::<usize>("size")?
        .unwrap_or(10)
        .min(MAX_ALBUM_LIST);
    let offset = params.parsed::<usize>("offset")?.unwrap_or(0);
    let starred = call.starred().await?;
    let catalog = call.catalog();
    let mut albums: Vec<&Album> = catalog.all_albums().iter().collect();
    match kind {
        // The catalog's own order: artist, year, title.
        "alphabeticalByArtist" => {}
        "alphabeticalByName" => {
            albums.sort_by_cached_key(|a| (search::normalise(&a.title), a.id.clone()));
        }
        "newest" => {
            albums.sort_by_cached_key(|a| (std::cmp::Reverse(a.year), search::normalise(&a.title)));
        }
        "random" => albums.shuffle(&mut rand::thread_rng()),
        "starred" => albums.retain(|a| starred.0.contains_key(&(StarKind::Album, a.id.clone()))),
        "byYear" => {
            let from = params
                .parsed::<u16>("fromYear")?
                .ok_or_else(|| SubsonicError::missing("fromYear"))?;
            let to = params
                .parsed::<u16>("toYear")?
                .ok_or_else(|| SubsonicError::missing("toYear"))?;
            albums.retain(|a| a.year >= from.min(to) && a.year <= from.max(to));
            // A range given backwards lists newest first, as the spec says.
            albums.sort_by_key(|a| a.year);
            if from > to {
                albums.reverse();
            }
        }
        "frequent" | "recent" | "highest" => albums.clear(),
        "byGenre" => {
            params.required("genre")?;
            albums.clear();
        }
        other => {
            return Err(SubsonicError::generic(format!(
                "getAlbumList2 has no type {other:?}."
            )));
        }
    }
    let page: Vec<Value> = albums
        .into_iter()
        .skip(offset)
        .take(size)
        .map(|a| mapping::album(catalog, a, &starred, false))
        .collect();
    Ok(Reply::field("albumList2", json!({ "album": page })))
}

/// `search3`: `query` over artist, album and song names (an empty query, or `""`, lists
/// everything, as `OpenSubsonic` allows), with `artistCount`/`artistOffset`,
/// `albumCount`/`albumOffset`, `songCount`/`songOffset` (20 and 0 by default).
pub async fn search(call: &Call<'_>) -> Result<Reply, SubsonicError> {
    let params = call.params;
    let query = params
        .one("query")
        .ok_or_else(|| SubsonicError::missing("query"))?;
    let query = query.trim().trim_matches('"');
    let window = |kind: &str| -> Result<(usize, usize), SubsonicError> {
        let count = params
            .parsed::<usize>(&format!("{kind}Count"))?
            .unwrap_or(20);
        let offset = params
            .parsed::<usize>(&format!("{kind}Offset"))?
            .unwrap_or(0);
        Ok((count, offset))
    };
    let (artist_count, artist_offset) = window("artist")?;
    let (album_count, album_offset) = window("album")?;
    let (song_count, song_offset) = window("song")?;
    let starred = call.starred().await?;
    let catalog = call.catalog();
    let (artists, albums, songs): (Vec<Value>, Vec<Value>, Vec<Value>) = if query.is_empty() {
        (
            catalog
                .all_artists()
                .iter()
                .skip(artist_offset)
                .take(artist_count)
                .map(|a| mapping::artist(catalog, a, &starred, false))
                .collect(),
            catalog
                .all_albums()
                .iter()
                .skip(album_offset)
                .take(album_count)
                .map(|a| mapping::album(catalog, a, &starred, false))
                .collect(),
            catalog
                .all_tracks()
                .iter()
                .skip(song_offset)
                .take(song_count)
                .map(|e| mapping::song(catalog, e, &starred))
                .collect(),
        )
    } else {
        let most = [
            artist_count.saturating_add(artist_offset),
            album_count.saturating_add(album_offset),
            song_count.saturating_add(song_offset),
        ]
        .into_iter()
        .max()
        .unwrap_or(0)
        .min(search::MAX_LIMIT);
        let found = catalog.search(query, most.max(1));
        (
            found
                .artists
                .iter()
                .skip(artist_offset)
                .take(artist_count)
                .map(|a| mapping::artist(catalog, a, &starred, false))
                .collect(),
            found
                .albums
                .iter()
                .skip(album_offset)
                .take(album_count)
                .map(|a| mapping::album(catalog, a, &starred, false))
                .collect(),
            found
                .tracks
                .iter()
                .skip(song_offset)
                .take(song_count)
                .filter_map(|t| catalog.entry(&t.id))
                .map(|e| mapping::song(catalog, e, &starred))
                .collect(),
        )
    };
    Ok(Reply::field(
        "searchResult3",
        json!({"artist": artists, "album": albums, "song": songs}),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn artists_are_filed_without_their_article() {
        assert_eq!(index_letter("The Pale Harbor"), "P");
        assert_eq!(index_letter("Aurora Lane"), "A");
        assert_eq!(index_letter("Theremin Club"), "T");
        assert_eq!(index_letter("los lobos"), "L");
        assert_eq!(index_letter("Élan"), "E");
        assert_eq!(index_letter("2 Many"), "#");
        assert_eq!(index_letter("The"), "T");
    }
}
