//! Uploads as the window shows them: the transfers panel (files on their way, from this
//! computer's upload journal) and the listener's tracks on the service ("My uploads").

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{AppError, PlaylistItem};
use crate::api::{PlaylistSummary, Track, UploadDetails, UploadLimits, Visibility};

/// Where a transfer stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum TransferState {
    /// Waiting its turn, or for the network (`message` says which).
    Queued,
    Uploading,
    Paused,
    /// Sent; the service is making it playable.
    Processing,
    /// Playable: `track_id` names the track.
    Ready,
    Failed,
}

/// One file on its way (or arrived) to the service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Transfer {
    /// This computer's id for it (pause, resume, cancel take it).
    pub id: String,
    pub file_name: String,
    #[ts(type = "number")]
    pub size: u64,
    #[ts(type = "number")]
    pub bytes_sent: u64,
    /// Bytes per second lately, while sending.
    #[ts(type = "number")]
    pub bytes_per_sec: u64,
    pub state: TransferState,
    /// Why it failed or waits, in words.
    pub message: Option<String>,
    pub visibility: Visibility,
    pub details: UploadDetails,
    /// The track it became (also the service's upload id, once announced).
    pub track_id: Option<String>,
}

/// The transfers panel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TransfersStatus {
    pub transfers: Vec<Transfer>,
    #[ts(type = "number")]
    pub bytes_sent: u64,
    #[ts(type = "number")]
    pub bytes_total: u64,
    /// The last failure to show, if any.
    pub error: Option<AppError>,
}

/// What a file will be sent as: read from its tags before the upload, for the listener to
/// check and change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct UploadCandidate {
    pub path: String,
    pub file_name: String,
    #[ts(type = "number")]
    pub size: u64,
    /// The kind of file ("FLAC"), or `None` when the service does not take it.
    pub format: Option<String>,
    pub details: UploadDetails,
    #[ts(type = "number | null")]
    pub duration_ms: Option<u64>,
    /// Why it cannot be sent, in words (too large, not a kind the service takes), checked
    /// against the service's limits before anything is sent.
    pub refusal: Option<String>,
}

/// `upload_candidates`: the files (folders are walked), with the service's limits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct UploadCandidates {
    pub candidates: Vec<UploadCandidate>,
    pub limits: Option<UploadLimits>,
}

/// One file to send, as the listener confirmed it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct UploadRequest {
    pub path: String,
    pub details: UploadDetails,
    pub visibility: Visibility,
}

/// The name of the event that carries [`TransfersStatus`].
pub const TRANSFERS_STATUS_EVENT: &str = "transfers-status";

/// The name of the event (no payload) that says the listener's uploads on the service
/// changed: the uploads screen reads them again.
pub const UPLOADS_CHANGED_EVENT: &str = "uploads-changed";

/// A public playlist of another listener, opened from their page: read-only, its items as
/// an own playlist's are (so the same list shows them), with the data of its first tracks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SharedPlaylist {
    pub playlist: PlaylistSummary,
    pub items: Vec<PlaylistItem>,
    /// The tracks of the first [`SHARED_PLAYLIST_TRACKS`] items the service still offers;
    /// the rest are read (`shared_tracks`) as the list scrolls to them.
    pub tracks: Vec<Track>,
}

/// How many of a shared playlist's tracks are read when it opens: a screenful and more, so
/// the first rows paint at once without waiting for the service to answer for a long list.
pub const SHARED_PLAYLIST_TRACKS: usize = 50;
