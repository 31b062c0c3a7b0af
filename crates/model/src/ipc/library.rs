//! The offline library as the UI sees it: playlists (editable offline), their sync state,
//! and what is kept for offline listening.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::AppError;
use crate::api::Track;

/// A playlist in the sidebar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct LibraryPlaylist {
    pub id: String,
    pub name: String,
    pub description: String,
    pub item_count: u32,
    /// Edits made here that the service has not acknowledged yet (0 = in sync).
    pub unsynced_edits: u32,
    /// The listener asked to keep it for offline listening (new tracks download too).
    pub offline: bool,
    /// Shown on the listener's page for everyone (as the service last said).
    pub public: bool,
    /// Its length: the sum of the tracks the app has seen.
    #[ts(type = "number")]
    pub duration_ms: u64,
}

/// The items of an opened playlist whose tracks' data come with it ([`PlaylistView::tracks`]):
/// more than a screenful, so the first rows paint without a second request.
pub const PLAYLIST_FIRST_TRACKS: usize = 100;

/// An opened playlist: every item in order, and the data of its first items' tracks. The
/// rest of the tracks' data is read (`tracks`) as the list scrolls to them: a 10,000-item
/// playlist opens with about 1 MB of answer rather than 5.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PlaylistView {
    pub playlist: LibraryPlaylist,
    pub items: Vec<PlaylistItem>,
    /// The tracks of the first [`PLAYLIST_FIRST_TRACKS`] items that the app has seen.
    pub tracks: Vec<Track>,
}

/// One place in an opened playlist, its track named by id only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PlaylistItem {
    pub item_id: String,
    pub track_id: String,
    pub offline: OfflineState,
    /// False when the service said the track is no longer available (deleted or taken down):
    /// shown as such, never played.
    pub available: bool,
}

/// One place in a playlist. The same track may be in a playlist twice; `item_id` tells the
/// copies apart (moves and removals name it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PlaylistEntry {
    pub item_id: String,
    pub track_id: String,
    /// The track's data, when the app has seen it (a playlist synced from another device
    /// may name tracks not fetched yet).
    pub track: Option<Track>,
    pub offline: OfflineState,
}

/// What a playlist edit changed, as its command's answer: the window applies it to the list
/// it shows, rather than reading back a playlist that may hold 10,000 items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PlaylistChanges {
    /// The playlist's details now (its item count, its edits waiting for sync). Its id may
    /// differ from the one the command named: sync may have given the playlist the
    /// service's id meanwhile.
    pub playlist: LibraryPlaylist,
    /// In the order they apply.
    pub changes: Vec<PlaylistChange>,
}

/// One change to a playlist's list of items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PlaylistChange {
    /// `items` were inserted, in order, the first at index `position`.
    Added {
        position: u32,
        items: Vec<PlaylistEntry>,
    },
    /// These items went.
    Removed { item_ids: Vec<String> },
    /// These items, in this order, were moved together: the first is now at index
    /// `position`, the others right after it.
    Moved {
        item_ids: Vec<String>,
        position: u32,
    },
}

/// Whether a track can play without the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum OfflineState {
    /// Not kept offline.
    None,
    /// Waiting for its turn to download.
    Queued,
    Downloading,
    /// Downloaded and verified: it plays without the network.
    Available,
    /// The download failed; it is retried later.
    Failed,
}

/// What to keep for offline listening.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum OfflineTarget {
    Track(String),
    Album(String),
    Playlist(String),
}

/// Where playlist sync stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SyncStatus {
    pub state: SyncState,
    /// Edits waiting to reach the service.
    pub unsynced_edits: u32,
    /// When everything was last in step with the service (Unix seconds).
    #[ts(type = "number | null")]
    pub last_synced_at: Option<i64>,
    /// Why the last attempt failed: a kind the UI may branch on and a sentence to show.
    pub error: Option<AppError>,
    /// What the conflict policy did that the listener should know, until dismissed.
    pub notices: Vec<SyncNotice>,
    /// How other devices' changes arrive.
    pub live: LiveUpdates,
}

/// How the listener's other devices' changes reach this one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum LiveUpdates {
    /// As they happen: the service's live channel is open.
    Live,
    /// The channel is opening (at start, or again after a drop).
    Connecting,
    /// The channel cannot be had now (the service does not offer it, or something between
    /// refuses it): sync checks every minute instead.
    Polling,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SyncState {
    /// In step, or waiting for the next round.
    Idle,
    Syncing,
    /// The service cannot be reached; edits are kept and sent when it can.
    Offline,
    /// The last attempt failed for another reason (see `error`); it is retried.
    Error,
}

/// A sync record shown to the listener.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SyncNotice {
    #[ts(type = "number")]
    pub id: i64,
    pub message: String,
    #[ts(type = "number")]
    pub created_at: i64,
}

/// The offline downloads as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DownloadsStatus {
    pub paused: bool,
    /// Tracks downloading now.
    pub active: u32,
    /// Tracks kept and verified.
    pub done: u32,
    pub failed: u32,
    /// Tracks asked for.
    pub total: u32,
    /// Bytes of the tracks kept, offline music and the stream cache together.
    #[ts(type = "number")]
    pub bytes_used: u64,
    /// The part of `bytes_used` that is the stream cache: tracks kept because they were
    /// heard, deleted first when room is needed.
    #[ts(type = "number")]
    pub bytes_cached: u64,
    #[ts(type = "number")]
    pub quota_bytes: u64,
    /// The last failure: its kind (a full disk or quota, a damaged file, the network, ...)
    /// and a sentence to show.
    pub error: Option<AppError>,
}

/// The name of the event sent when playlists changed (an edit here, a sync from elsewhere).
pub const PLAYLISTS_CHANGED_EVENT: &str = "playlists-changed";
/// The name of the event that carries [`SyncStatus`].
pub const SYNC_STATUS_EVENT: &str = "sync-status";
/// The name of the event that carries [`DownloadsStatus`].
pub const DOWNLOADS_STATUS_EVENT: &str = "downloads-status";
