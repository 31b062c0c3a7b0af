//! The service's REST contract, version 1. Field names here are the wire names.

mod catalog;
mod config;
mod devices;
mod live;
mod playlist;
mod problem;
mod stream;
mod telemetry;
mod trace;
mod uploads;

pub use catalog::{
    Album, AlbumDetail, Artist, ArtistDetail, Availability, AvailabilityRequest, HomeFeed, Page,
    ReplayGain, SearchResults, Track,
};
pub use config::{CognitoConfig, ServiceConfig};
pub use devices::{
    Device, DeviceCommand, DevicePlayback, MAX_DEVICE_NAME, MAX_HANDOVER_TRACKS, NowPlaying,
};
pub use live::close as live_close;
pub use live::{LiveEvent, LiveRequest};
pub use playlist::{
    AddItems, ChangeKind, MoveItem, NewPlaylist, Playlist, PlaylistChange, PlaylistChanges,
    PlaylistItem, PlaylistPatch, PlaylistSummary,
};
pub use problem::{Problem, ProblemType};
pub use stream::{CdnCookie, DownloadGrant, DownloadQuality, SegmentKind, StreamGrant};
pub use telemetry::{
    FIRST_AUDIO_BUCKET_COUNT, FIRST_AUDIO_BUCKETS_MS, MAX_TELEMETRY_BYTES, MAX_TELEMETRY_HOURS,
    TelemetryBatch, TelemetryHour, TelemetryReceipt,
};
pub use trace::{TRACE_HEADER, trace_root};
pub use uploads::{
    AudioFormat, CompleteUpload, FailureKind, Listener, ListenerProfile, NewUpload, PartUrl,
    PartsRequest, Takedown, TakedownRequest, Upload, UploadDetails, UploadFailure, UploadLimits,
    UploadPatch, UploadSession, UploadStatus, UploadedPart, Visibility,
};
/// The path prefix every endpoint of this contract lives under.
pub const API_PREFIX: &str = "/v1";
