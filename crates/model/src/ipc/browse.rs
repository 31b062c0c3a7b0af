//! Browsing as the UI sees it: the home page, album and artist pages, what is kept for
//! offline listening (the Downloads screen) and the play history.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{AppError, DownloadsStatus, OfflineTarget};
use crate::api::{Album, Artist, HomeFeed, Track};

/// Where a page's content came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PageSource {
    /// The service, just now.
    Service,
    /// What this computer has seen of the catalog, because the service could not be asked
    /// (`reason` says why, in words).
    Library { reason: AppError },
}

/// The home page's sections that live on this computer: they answer at once, offline too.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct HomeShelves {
    /// Tracks heard lately, each once, the latest first.
    pub recently_played: Vec<Track>,
    /// Albums, playlists and tracks kept for offline listening, the latest asked for first.
    pub offline: Vec<OfflineItem>,
}

/// The home page's sections that come from the service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct HomeFeedView {
    /// The service's picks, reshuffled by the service every few hours; `None` when it could
    /// not be asked (they are the service's to choose).
    pub picks: Option<HomeFeed>,
    /// Albums, newest first: the service's, or (offline) the newest this computer has seen.
    pub new_albums: Vec<Album>,
    pub source: PageSource,
}

/// An album's page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AlbumPage {
    pub album: Album,
    /// In track order; offline, the ones this computer has seen.
    pub tracks: Vec<Track>,
    /// The listener keeps the album for offline listening.
    pub kept_offline: bool,
    /// How far its downloads got.
    pub offline: OfflineProgress,
    pub source: PageSource,
}

/// An artist's page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ArtistPage {
    pub artist: Artist,
    /// Newest first.
    pub albums: Vec<Album>,
    /// The albums' tracks, album by album in the same order, each in track order.
    pub tracks: Vec<Track>,
    pub source: PageSource,
}

/// How far the downloads of something kept offline got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
pub struct OfflineProgress {
    /// Tracks it stands for.
    pub tracks: u32,
    /// Of those, downloaded and verified: they play without the network.
    pub downloaded: u32,
    /// Of those, failed (retried later, or by "Retry").
    pub failed: u32,
    /// Bytes the downloaded ones take on disk.
    #[ts(type = "number")]
    pub bytes: u64,
}

/// Something kept for offline listening: an album, a playlist or a single track.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct OfflineItem {
    /// What it is; give it back to `set_offline(target, false)` to remove it.
    pub target: OfflineTarget,
    pub title: String,
    /// The artist of an album or a track; empty for a playlist.
    pub subtitle: String,
    /// The album whose cover stands for it (a playlist's first track's), if known.
    pub cover_album_id: Option<String>,
    /// The artist to link to, for an album or a track.
    pub artist_id: Option<String>,
    pub progress: OfflineProgress,
    /// When the listener asked (Unix seconds).
    #[ts(type = "number")]
    pub requested_at: i64,
}

/// The Downloads screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct DownloadsPage {
    /// What the listener keeps offline, the latest asked for first.
    pub items: Vec<OfflineItem>,
    /// Tracks kept because they were heard at length (the streaming cache, cleared first
    /// when room is needed).
    pub cached_tracks: u32,
    #[ts(type = "number")]
    pub cached_bytes: u64,
    /// The downloads as a whole: the quota, the bytes used, what is running or failed.
    pub status: DownloadsStatus,
}

/// One play in the history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PlayedTrack {
    pub track_id: String,
    /// The track's data, when this computer has it.
    pub track: Option<Track>,
    /// When it started (Unix seconds).
    #[ts(type = "number")]
    pub played_at: i64,
    /// How much of it was heard.
    #[ts(type = "number")]
    pub ms_played: u64,
}
