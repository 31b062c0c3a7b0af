//! The Subsonic API's JSON, as servers send it (`f=json`), kept apart from the client and
//! from the project's own types (`convert.rs` maps them).
//!
//! Read leniently, as servers differ: every list may be missing (Supysonic drops empty
//! lists), most fields are optional, ids may come as numbers (older Airsonic) and are kept
//! as strings, unknown fields are ignored. Field names are the API's (camelCase).

use serde::{Deserialize, Deserializer};

/// The envelope of every answer: `{"subsonic-response": {...}}`.
#[derive(Debug, Clone, Deserialize)]
pub struct Envelope {
    #[serde(rename = "subsonic-response")]
    pub response: Response,
}

/// The envelope's body: the status, who answered, and the payload under its own key.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Response {
    /// `ok` or `failed`.
    pub status: String,
    /// The Subsonic API version the server speaks.
    #[serde(default)]
    pub version: String,
    /// The server's software (OpenSubsonic: `navidrome`, `gonic`...).
    #[serde(default, rename = "type")]
    pub server_type: Option<String>,
    #[serde(default)]
    pub server_version: Option<String>,
    /// Whether the server speaks OpenSubsonic.
    #[serde(default)]
    pub open_subsonic: bool,
    #[serde(default)]
    pub error: Option<ApiError>,
    /// The payload, under a key that names it (`album`, `artists`...).
    #[serde(flatten)]
    pub payload: serde_json::Map<String, serde_json::Value>,
}

/// `{"code": 40, "message": "..."}`.
#[derive(Debug, Clone, Deserialize)]
pub struct ApiError {
    pub code: u32,
    #[serde(default)]
    pub message: String,
}

/// One entry of `openSubsonicExtensions`.
#[derive(Debug, Clone, Deserialize)]
pub struct Extension {
    pub name: String,
    #[serde(default)]
    pub versions: Vec<u32>,
}

/// `getArtists`: artists grouped under index letters.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArtistsIndex {
    #[serde(default)]
    pub ignored_articles: String,
    #[serde(default)]
    pub index: Vec<IndexEntry>,
}

impl ArtistsIndex {
    /// Every artist, in the server's order.
    #[must_use]
    pub fn into_artists(self) -> Vec<Artist> {
        self.index
            .into_iter()
            .flat_map(|entry| entry.artist)
            .collect()
    }
}

/// One index letter and its artists.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct IndexEntry {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub artist: Vec<Artist>,
}

/// An artist (`ArtistID3`); `getArtist` adds its albums.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Artist {
    #[serde(deserialize_with = "id")]
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub album_count: Option<u32>,
    #[serde(default, deserialize_with = "optional_id")]
    pub cover_art: Option<String>,
    /// When the listener starred it (ISO 8601), if they did.
    #[serde(default)]
    pub starred: Option<String>,
    #[serde(default)]
    pub album: Vec<Album>,
}

/// An album (`AlbumID3`); `getAlbum` adds its songs.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Album {
    #[serde(deserialize_with = "id")]
    pub id: String,
    /// The title (Subsonic calls it `name`).
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub artist: Option<String>,
    #[serde(default, deserialize_with = "optional_id")]
    pub artist_id: Option<String>,
    #[serde(default, deserialize_with = "optional_id")]
    pub cover_art: Option<String>,
    #[serde(default)]
    pub song_count: u32,
    /// Seconds.
    #[serde(default)]
    pub duration: u32,
    #[serde(default)]
    pub year: Option<u32>,
    #[serde(default)]
    pub genre: Option<String>,
    #[serde(default)]
    pub created: Option<String>,
    #[serde(default)]
    pub starred: Option<String>,
    #[serde(default)]
    pub song: Vec<Song>,
}

/// A song (`Child` with `isDir: false`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Song {
    #[serde(deserialize_with = "id")]
    pub id: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub album: Option<String>,
    #[serde(default, deserialize_with = "optional_id")]
    pub album_id: Option<String>,
    #[serde(default)]
    pub artist: Option<String>,
    #[serde(default, deserialize_with = "optional_id")]
    pub artist_id: Option<String>,
    /// The track number on its disc.
    #[serde(default)]
    pub track: Option<u32>,
    #[serde(default)]
    pub disc_number: Option<u32>,
    #[serde(default)]
    pub year: Option<u32>,
    #[serde(default)]
    pub genre: Option<String>,
    #[serde(default, deserialize_with = "optional_id")]
    pub cover_art: Option<String>,
    /// Bytes of the original file.
    #[serde(default)]
    pub size: Option<i64>,
    #[serde(default)]
    pub content_type: Option<String>,
    /// The original file's suffix (`mp3`, `flac`).
    #[serde(default)]
    pub suffix: Option<String>,
    /// Seconds (whole: servers round or truncate).
    #[serde(default)]
    pub duration: Option<u32>,
    /// The original's bit rate in kbit/s.
    #[serde(default)]
    pub bit_rate: Option<u32>,
    /// The path under the music folder, where the server tells it.
    #[serde(default)]
    pub path: Option<String>,
    /// What `stream` sends without a format asked (the listener's server-side setting).
    #[serde(default)]
    pub transcoded_suffix: Option<String>,
    #[serde(default)]
    pub starred: Option<String>,
    /// OpenSubsonic: loudness data.
    #[serde(default)]
    pub replay_gain: Option<ReplayGain>,
}

/// OpenSubsonic's `replayGain` on a song: gains in dB, peaks as linear amplitudes.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplayGain {
    #[serde(default)]
    pub track_gain: Option<f32>,
    #[serde(default)]
    pub album_gain: Option<f32>,
    #[serde(default)]
    pub track_peak: Option<f32>,
    #[serde(default)]
    pub album_peak: Option<f32>,
}

/// `getAlbumList2`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AlbumList {
    #[serde(default)]
    pub album: Vec<Album>,
}

/// `search3`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SearchResult {
    #[serde(default)]
    pub artist: Vec<Artist>,
    #[serde(default)]
    pub album: Vec<Album>,
    #[serde(default)]
    pub song: Vec<Song>,
}

/// `tokenInfo` (the `apiKeyAuthentication` extension): whose API key signed in.
#[derive(Debug, Clone, Deserialize)]
pub struct TokenInfo {
    pub username: String,
}

/// `getStarred2`: what the listener starred, by type.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Starred {
    #[serde(default)]
    pub artist: Vec<Artist>,
    #[serde(default)]
    pub album: Vec<Album>,
    #[serde(default)]
    pub song: Vec<Song>,
}

/// `getPlaylists`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Playlists {
    #[serde(default)]
    pub playlist: Vec<Playlist>,
}

/// A playlist; `getPlaylist` adds its entries, in order.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Playlist {
    #[serde(deserialize_with = "id")]
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub public: bool,
    #[serde(default)]
    pub song_count: u32,
    /// Seconds.
    #[serde(default)]
    pub duration: u32,
    /// ISO 8601.
    #[serde(default)]
    pub created: Option<String>,
    /// ISO 8601; some servers (Supysonic) do not send it.
    #[serde(default)]
    pub changed: Option<String>,
    #[serde(default, deserialize_with = "optional_id")]
    pub cover_art: Option<String>,
    #[serde(default)]
    pub entry: Vec<Song>,
}

/// `getLyricsBySongId`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LyricsList {
    #[serde(default)]
    pub structured_lyrics: Vec<StructuredLyrics>,
}

/// One set of lyrics for a song, in one language.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StructuredLyrics {
    /// ISO 639 code, or `xxx` when unknown.
    #[serde(default)]
    pub lang: String,
    /// Lines carry start times.
    #[serde(default)]
    pub synced: bool,
    /// Milliseconds to add to every line's start (may be negative).
    #[serde(default)]
    pub offset: i64,
    #[serde(default)]
    pub display_artist: Option<String>,
    #[serde(default)]
    pub display_title: Option<String>,
    #[serde(default)]
    pub line: Vec<LyricsLine>,
}

/// One line; `start` in milliseconds when the lyrics are synced.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct LyricsLine {
    #[serde(default)]
    pub start: Option<i64>,
    #[serde(default)]
    pub value: String,
}

/// An id as a string, whether the server sent a string or a number.
fn id<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Id {
        Text(String),
        Number(i64),
    }
    Ok(match Id::deserialize(deserializer)? {
        Id::Text(text) => text,
        Id::Number(number) => number.to_string(),
    })
}

fn optional_id<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    struct Wrapped(#[serde(deserialize_with = "id")] String);
    Ok(Option::<Wrapped>::deserialize(deserializer)?.map(|Wrapped(id)| id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn supysonics_album_reads_with_its_missing_fields() {
        let album: Album = serde_json::from_str(
            r#"{"artist":"Pale Harbor","artistId":"9e98","created":"2026-12-06T18:39:03",
                "duration":15,"id":"abef","name":"Lanterns Over Water","songCount":1,"year":2026,
                "song":[{"album":"Lanterns Over Water","albumId":"abef","artist":"Pale Harbor",
                "artistId":"9e98","bitRate":95,"contentType":"audio/mp4","discNumber":1,
                "duration":15,"id":"6441","isDir":false,"parent":"3","size":191045,
                "suffix":"m4a","title":"Harbor Bells","track":2,"type":"music","year":2026}]}"#,
        )
        .unwrap();
        assert_eq!(album.name, "Lanterns Over Water");
        assert_eq!(album.cover_art, None);
        assert_eq!(album.song[0].track, Some(2));
        assert_eq!(album.song[0].bit_rate, Some(95));
        assert!(album.song[0].replay_gain.is_none());
    }

    #[test]
    fn numeric_ids_are_kept_as_strings() {
        let song: Song =
            serde_json::from_str(r#"{"id":42,"title":"t","coverArt":7,"albumId":"a-1"}"#).unwrap();
        assert_eq!(song.id, "42");
        assert_eq!(song.cover_art.as_deref(), Some("7"));
        assert_eq!(song.album_id.as_deref(), Some("a-1"));
    }

    #[test]
    fn the_envelope_keeps_the_payload_and_who_answered() {
        let envelope: Envelope = serde_json::from_str(
            r#"{"subsonic-response":{"status":"ok","version":"1.16.1","type":"navidrome",
                "serverVersion":"0.53.0","openSubsonic":true,"album":{"id":"1","name":"x"}}}"#,
        )
        .unwrap();
        let response = envelope.response;
        assert_eq!(response.server_type.as_deref(), Some("navidrome"));
        assert!(response.open_subsonic);
        assert!(response.payload.contains_key("album"));
        assert!(!response.payload.contains_key("status"));
    }
}
