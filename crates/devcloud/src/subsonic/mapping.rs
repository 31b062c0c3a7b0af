//! The catalog in Subsonic's shapes: `ArtistID3`, `AlbumID3` and `Child` (a song), with the
//! `OpenSubsonic` fields a client reads (`mediaType`, `replayGain`, `artists`, `starred`).
//!
//! Ids are the catalog's own, so a track is the same id here and in the REST API; a cover's
//! id is its album's.

use std::collections::HashMap;

use serde_json::{Map, Value, json};
use strato_model::api::{Album, Artist};

use crate::catalog::{Catalog, TrackEntry};

/// What a listener starred, by kind and id, with when (ISO 8601).
#[derive(Debug, Clone, Default)]
pub struct Starred(pub HashMap<(StarKind, String), String>);

/// What can be starred.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StarKind {
    Song,
    Album,
    Artist,
}

impl StarKind {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Song => "song",
            Self::Album => "album",
            Self::Artist => "artist",
        }
    }

    #[must_use]
    pub fn from_db(text: &str) -> Option<Self> {
        match text {
            "song" => Some(Self::Song),
            "album" => Some(Self::Album),
            "artist" => Some(Self::Artist),
            _ => None,
        }
    }
}

impl Starred {
    fn mark(&self, object: &mut Map<String, Value>, kind: StarKind, id: &str) {
        if let Some(at) = self.0.get(&(kind, id.to_owned())) {
            object.insert("starred".into(), at.clone().into());
        }
    }
}

/// Whole seconds, rounded, as Subsonic gives durations.
#[must_use]
pub fn seconds(duration_ms: u32) -> u32 {
    (duration_ms + 500) / 1000
}

/// The stream's bit rate in kbit/s: the stored CBR rendition's, from its size and length.
/// The catalog's CBR files are 192 kbit/s; their ID3 and LAME frames add a little, so the
/// figure is rounded to the nearest standard MPEG bit rate.
#[must_use]
pub fn bit_rate(size: u64, duration_ms: u32) -> u32 {
    const RATES: [u32; 14] = [
        32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320,
    ];
    let measured = size.saturating_mul(8) / u64::from(duration_ms.max(1));
    RATES
        .into_iter()
        .min_by_key(|&rate| u64::from(rate).abs_diff(measured))
        .unwrap_or(192)
}

/// A song (`Child`).
#[must_use]
pub fn song(catalog: &Catalog, entry: &TrackEntry, starred: &Starred) -> Value {
    let t = &entry.track;
    let cbr = &entry.media.cbr;
    let year = album_of(catalog, &t.album_id).map(|a| a.year);
    let mut object = Map::new();
    object.insert("id".into(), t.id.clone().into());
    object.insert("parent".into(), t.album_id.clone().into());
    object.insert("isDir".into(), false.into());
    object.insert("title".into(), t.title.clone().into());
    object.insert("album".into(), t.album_title.clone().into());
    object.insert("artist".into(), t.artist_name.clone().into());
    object.insert("track".into(), t.track_number.into());
    if let Some(year) = year {
        object.insert("year".into(), year.into());
    }
    object.insert("discNumber".into(), 1.into());
    if t.cover_path.is_some() {
        object.insert("coverArt".into(), t.album_id.clone().into());
    }
    object.insert("size".into(), cbr.size.into());
    object.insert("contentType".into(), "audio/mpeg".into());
    object.insert("suffix".into(), "mp3".into());
    object.insert("duration".into(), seconds(t.duration_ms).into());
    object.insert("bitRate".into(), bit_rate(cbr.size, t.duration_ms).into());
    object.insert("samplingRate".into(), entry.media.sample_rate.into());
    object.insert(
        "path".into(),
        format!("{}/{}/{}.mp3", t.artist_name, t.album_title, t.title).into(),
    );
    object.insert("albumId".into(), t.album_id.clone().into());
    object.insert("artistId".into(), t.artist_id.clone().into());
    object.insert("type".into(), "music".into());
    object.insert("mediaType".into(), "song".into());
    object.insert("isVideo".into(), false.into());
    object.insert("displayArtist".into(), t.artist_name.clone().into());
    object.insert(
        "artists".into(),
        json!([{"id": t.artist_id, "name": t.artist_name}]),
    );
    if let Some(gain) = t.replaygain {
        object.insert(
            "replayGain".into(),
            json!({
                "trackGain": gain.track_gain_db,
                "albumGain": gain.album_gain_db,
                "trackPeak": gain.track_peak,
                "albumPeak": gain.album_peak,
            }),
        );
    }
    starred.mark(&mut object, StarKind::Song, &t.id);
    Value::Object(object)
}

/// An album (`AlbumID3`); with `songs`, `AlbumID3WithSongs`.
#[must_use]
pub fn album(catalog: &Catalog, album: &Album, starred: &Starred, songs: bool) -> Value {
    let tracks: Vec<&TrackEntry> = album_tracks(catalog, &album.id);
    let duration: u32 = tracks.iter().map(|e| seconds(e.track.duration_ms)).sum();
    let mut object = Map::new();
    object.insert("id".into(), album.id.clone().into());
    object.insert("name".into(), album.title.clone().into());
    object.insert("artist".into(), album.artist_name.clone().into());
    object.insert("artistId".into(), album.artist_id.clone().into());
    if album.cover_path.is_some() {
        object.insert("coverArt".into(), album.id.clone().into());
    }
    object.insert("songCount".into(), tracks.len().into());
    object.insert("duration".into(), duration.into());
    // The catalog keeps no date of addition: the first day of the album's year stands in.
    object.insert(
        "created".into(),
        format!("{}-01-01T00:00:00Z", album.year).into(),
    );
    object.insert("year".into(), album.year.into());
    object.insert("displayArtist".into(), album.artist_name.clone().into());
    object.insert(
        "artists".into(),
        json!([{"id": album.artist_id, "name": album.artist_name}]),
    );
    object.insert("isCompilation".into(), false.into());
    starred.mark(&mut object, StarKind::Album, &album.id);
    if songs {
        let songs: Vec<Value> = tracks.iter().map(|e| song(catalog, e, starred)).collect();
        object.insert("song".into(), songs.into());
    }
    Value::Object(object)
}

/// An artist (`ArtistID3`); with `albums`, `ArtistWithAlbumsID3`.
#[must_use]
pub fn artist(catalog: &Catalog, artist: &Artist, starred: &Starred, albums: bool) -> Value {
    let detail = catalog.artist_detail(&artist.id);
    let their_albums = detail.map(|d| d.albums).unwrap_or_default();
    let mut object = Map::new();
    object.insert("id".into(), artist.id.clone().into());
    object.insert("name".into(), artist.name.clone().into());
    if let Some(cover) = their_albums.iter().find(|a| a.cover_path.is_some()) {
        object.insert("coverArt".into(), cover.id.clone().into());
    }
    object.insert("albumCount".into(), their_albums.len().into());
    starred.mark(&mut object, StarKind::Artist, &artist.id);
    if albums {
        let albums: Vec<Value> = their_albums
            .iter()
            .map(|a| album(catalog, a, starred, false))
            .collect();
        object.insert("album".into(), albums.into());
    }
    Value::Object(object)
}

#[must_use]
pub fn album_of<'a>(catalog: &'a Catalog, album_id: &str) -> Option<&'a Album> {
    catalog.all_albums().iter().find(|a| a.id == album_id)
}

#[must_use]
pub fn artist_of<'a>(catalog: &'a Catalog, artist_id: &str) -> Option<&'a Artist> {
    catalog.all_artists().iter().find(|a| a.id == artist_id)
}

/// An album's tracks in track order.
#[must_use]
pub fn album_tracks<'a>(catalog: &'a Catalog, album_id: &str) -> Vec<&'a TrackEntry> {
    catalog
        .all_tracks()
        .iter()
        .filter(|e| e.track.album_id == album_id)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_round_to_seconds() {
        assert_eq!(seconds(17_281), 17);
        assert_eq!(seconds(19_500), 20);
        assert_eq!(seconds(0), 0);
    }

    #[test]
    fn bit_rates_are_the_standard_one_nearest() {
        // The demo's first CBR file: 416,411 bytes over 17.281 s, 192 kbit/s and its tags.
        assert_eq!(bit_rate(416_411, 17_281), 192);
        assert_eq!(bit_rate(208_268, 17_281), 96);
        assert_eq!(bit_rate(693_936, 17_281), 320);
    }
}
