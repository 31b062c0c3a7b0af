use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A listener's playlist with its items. Every write bumps `revision`; writes must send
/// `If-Match: "<revision>"` and get 412 when it is stale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Playlist {
    pub id: String,
    pub name: String,
    pub description: String,
    pub revision: u64,
    pub created_at: i64,
    pub updated_at: i64,
    /// Shown on its owner's profile and readable by every listener (only its owner writes).
    #[serde(default)]
    pub public: bool,
    pub items: Vec<PlaylistItem>,
}

/// A track's place in a playlist. `item_id` is stable across moves, so the same track can be
/// in a playlist twice and each copy still be moved or removed on its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaylistItem {
    pub item_id: String,
    pub track_id: String,
    pub added_at: i64,
    /// False when the track was deleted or taken down, or is private to someone else: shown
    /// as "no longer available", never played.
    #[serde(default = "available", skip_serializing_if = "is_available")]
    pub available: bool,
}

const fn available() -> bool {
    true
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
const fn is_available(available: &bool) -> bool {
    *available
}

/// An entry of `GET /v1/playlists` (and of a listener's profile).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PlaylistSummary {
    pub id: String,
    pub name: String,
    pub description: String,
    #[ts(type = "number")]
    pub revision: u64,
    pub item_count: u32,
    #[ts(type = "number")]
    pub updated_at: i64,
    #[serde(default)]
    pub public: bool,
}

/// `POST /v1/playlists`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewPlaylist {
    pub name: String,
    #[serde(default)]
    pub description: String,
}

/// `PATCH /v1/playlists/{id}`: rename and/or describe; absent fields are left alone.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaylistPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public: Option<bool>,
}

/// `POST /v1/playlists/{id}/items`: insert tracks at `position` (0-based; absent = append).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddItems {
    pub track_ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<u32>,
}

/// `POST /v1/playlists/{id}/items/{item_id}/move`: the item's new 0-based index, counted in
/// the list as it is after the item is taken out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoveItem {
    pub position: u32,
}

/// `GET /v1/playlists/changes?since=<cursor>`: what changed after `since`, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaylistChanges {
    pub changes: Vec<PlaylistChange>,
    /// Pass as `since` next time. Monotonic per user.
    pub cursor: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaylistChange {
    pub seq: u64,
    pub playlist_id: String,
    pub kind: ChangeKind,
    pub revision: u64,
    /// The playlist as it is now; `None` when it was deleted.
    pub playlist: Option<Playlist>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Created,
    Updated,
    Deleted,
}
