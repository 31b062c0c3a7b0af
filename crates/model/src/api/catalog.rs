use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::Listener;

/// One page of a listing. Pass `next_cursor` back as `?cursor=` for the next page;
/// `None` means this was the last page. Cursors are opaque.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// A track as the catalog lists it, denormalised with its artist and album names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Track {
    pub id: String,
    pub title: String,
    pub artist_id: String,
    pub artist_name: String,
    pub album_id: String,
    pub album_title: String,
    pub track_number: u32,
    pub duration_ms: u32,
    /// CDN path of the album's cover art, relative to `cdn_base_url`.
    #[serde(default)]
    pub cover_path: Option<String>,
    #[serde(default)]
    pub replaygain: Option<ReplayGain>,
    /// Who uploaded it; `None` for the service's own catalog.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub owner: Option<Listener>,
}

/// Loudness normalisation data (`ReplayGain` 2.0 reference level, -18 LUFS).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
pub struct ReplayGain {
    pub track_gain_db: f32,
    pub track_peak: f32,
    pub album_gain_db: f32,
    pub album_peak: f32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Album {
    pub id: String,
    pub title: String,
    pub artist_id: String,
    pub artist_name: String,
    pub year: u16,
    pub track_count: u32,
    /// Tracks meant to run into each other with no silence (a live set, a suite).
    pub gapless: bool,
    #[serde(default)]
    pub cover_path: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Artist {
    pub id: String,
    pub name: String,
}

/// `GET /v1/albums/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlbumDetail {
    pub album: Album,
    /// In track order.
    pub tracks: Vec<Track>,
}

/// `GET /v1/artists/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArtistDetail {
    pub artist: Artist,
    pub albums: Vec<Album>,
}

/// `GET /v1/search?q=`: one query, results by type, best match first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SearchResults {
    pub tracks: Vec<Track>,
    pub albums: Vec<Album>,
    pub artists: Vec<Artist>,
}

/// `GET /v1/home`: shuffled picks, the same for everyone until `next_reshuffle_at`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct HomeFeed {
    #[ts(type = "number")]
    pub generated_at: i64,
    #[ts(type = "number")]
    pub next_reshuffle_at: i64,
    pub tracks: Vec<Track>,
    pub albums: Vec<Album>,
}

/// `POST /v1/tracks/availability`: which of these tracks can the caller still play?
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AvailabilityRequest {
    /// 1 to [`AvailabilityRequest::MAX_TRACKS`] ids.
    pub track_ids: Vec<String>,
}

impl AvailabilityRequest {
    /// The most ids one request may ask about.
    pub const MAX_TRACKS: usize = 500;
}

/// The answer to an [`AvailabilityRequest`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Availability {
    /// The ids asked about that the caller can no longer play (deleted, taken down, made
    /// private by their owner, or unknown), in the order asked.
    pub unavailable: Vec<String>,
}
