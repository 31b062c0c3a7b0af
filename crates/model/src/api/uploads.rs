//! A listener's own music: uploads straight to object storage (presigned S3 multipart parts),
//! the service's processing, visibility, takedowns, and what others share.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{PlaylistSummary, Track};

/// Who may find, stream and download an uploaded track.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Only its owner; everyone else gets 404 from the API and 403 from the CDN.
    #[default]
    Private,
    /// In search, explore and the owner's profile, for every signed-in listener.
    Public,
}

/// Where an upload is on its way to being playable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum UploadStatus {
    /// Created; the file's parts are being sent to object storage.
    Uploading,
    /// Sent and completed; the service is checking and transcoding it.
    Processing,
    /// Playable.
    Ready,
    /// The service could not make it playable; `failure` says why.
    Failed,
}

/// Why processing failed, for the listener to act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    /// Not audio, or audio in a form the service does not accept.
    NotAudio,
    /// Longer than `UploadLimits::max_duration_ms`.
    TooLong,
    /// What arrived is not what was announced (size or SHA-256): send it again.
    ChecksumMismatch,
    /// The service failed; trying again later may work.
    Internal,
}

/// `failure` of a failed upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct UploadFailure {
    pub kind: FailureKind,
    /// In words a listener understands, e.g. "this file is not audio we can read".
    pub message: String,
}

/// An administrator took the track down; its owner sees why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Takedown {
    pub reason: String,
    #[ts(type = "number")]
    pub at: i64,
}

/// A listener, as others see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Listener {
    /// The account's stable id (its Cognito `sub`): `GET /v1/users/{id}`.
    pub id: String,
    pub name: String,
}

/// One accepted kind of file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AudioFormat {
    /// What a listener calls it: "FLAC", "MP3", "ALAC".
    pub name: String,
    /// File name extensions, lower case, without the dot.
    pub extensions: Vec<String>,
}

/// `GET /v1/uploads/limits`: what the service accepts, checked by it and shown by the app
/// before an upload starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct UploadLimits {
    #[ts(type = "number")]
    pub max_file_bytes: u64,
    #[ts(type = "number")]
    pub max_duration_ms: u64,
    /// The caller's storage: the sizes of their uploads that are not deleted.
    #[ts(type = "number")]
    pub quota_bytes: u64,
    #[ts(type = "number")]
    pub used_bytes: u64,
    pub formats: Vec<AudioFormat>,
}

/// The details of an uploaded track, as its owner set them (or as its tags had them).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct UploadDetails {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artist: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub album: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub track_number: Option<u32>,
}

/// `POST /v1/uploads`: announce a file. Details left out come from the file's tags.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct NewUpload {
    pub file_name: String,
    #[ts(type = "number")]
    pub size: u64,
    /// The file's MIME type as the client knows it (informational; the service probes).
    #[serde(default)]
    pub content_type: String,
    /// Lower-case hex SHA-256 of the whole file, checked after it lands.
    pub sha256: String,
    #[serde(default)]
    pub details: UploadDetails,
    #[serde(default)]
    pub visibility: Visibility,
}

/// A presigned `PUT` for one part. Send exactly `headers` (they are signed) and the part's
/// bytes; keep the response's `ETag` for completing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PartUrl {
    pub part_number: u32,
    pub url: String,
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    #[ts(type = "number")]
    pub expires_at: i64,
}

/// `POST /v1/uploads` → 201, and `POST /v1/uploads/{id}/parts` → 200: where to send parts.
/// Part `n` (1-based) is bytes `(n-1)*part_size ..` of the file, `part_size` long but the last.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct UploadSession {
    pub upload: Upload,
    #[ts(type = "number")]
    pub part_size: u64,
    pub part_count: u32,
    pub parts: Vec<PartUrl>,
}

/// `POST /v1/uploads/{id}/parts`: fresh URLs for these parts (all missing ones when empty).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PartsRequest {
    #[serde(default)]
    pub part_numbers: Vec<u32>,
}

/// A part object storage has, as `GET /v1/uploads/{id}/parts` lists them and as
/// `POST /v1/uploads/{id}/complete` names them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct UploadedPart {
    pub part_number: u32,
    /// As object storage answered it, quotes included.
    pub etag: String,
    #[serde(default)]
    #[ts(type = "number")]
    pub size: u64,
}

/// `POST /v1/uploads/{id}/complete`: every part, in ascending order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CompleteUpload {
    pub parts: Vec<UploadedPart>,
}

/// An upload and, once ready, the track it became (same id).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Upload {
    /// `up-…`: also the track's id.
    pub id: String,
    pub file_name: String,
    #[ts(type = "number")]
    pub size: u64,
    pub status: UploadStatus,
    /// While processing: 0.0 to 1.0.
    #[serde(default)]
    pub progress: f32,
    pub visibility: Visibility,
    pub details: UploadDetails,
    #[serde(default)]
    pub failure: Option<UploadFailure>,
    #[serde(default)]
    pub takedown: Option<Takedown>,
    /// When ready: the track as listeners see it.
    #[serde(default)]
    pub track: Option<Track>,
    #[ts(type = "number")]
    pub created_at: i64,
    #[ts(type = "number")]
    pub updated_at: i64,
}

/// `PATCH /v1/uploads/{id}`: absent fields are left alone; an empty string clears a detail.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct UploadPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artist: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub album: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub track_number: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visibility: Option<Visibility>,
}

/// `POST /v1/moderation/tracks/{id}/takedown` (administrators only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TakedownRequest {
    pub reason: String,
}

/// `GET /v1/users/{id}`: a listener's public face.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ListenerProfile {
    pub listener: Listener,
    /// Their public, ready tracks, newest first.
    pub tracks: Vec<Track>,
    /// Their public playlists, oldest first.
    pub playlists: Vec<PlaylistSummary>,
}
