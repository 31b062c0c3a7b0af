//! The app's IPC surface: what Tauri commands return and events carry.
//!
//! The TypeScript side is generated from these types; see [`typescript_bindings`].

mod account;
mod bindings;
mod browse;
mod catalog;
mod desktop;
mod devices;
mod diagnostics;
mod launch;
mod library;
mod lists;
mod local_files;
mod local_playlists;
mod lyrics;
mod playlist_files;
mod queue;
mod scrobbling;
mod service;
mod settings;
mod sound;
mod stars;
mod updates;
mod uploads;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use crate::api::{Album, Artist, HomeFeed, Page, SearchResults, Track};
pub use account::{
    ChallengeKind, CodeDelivery, RememberedAccount, ServiceTrust, SignInChallenge, SignInStep,
    SignUpOutcome, StaySignedIn,
};
pub use bindings::typescript_bindings;
pub use browse::{
    AlbumPage, ArtistPage, DownloadsPage, HomeFeedView, HomeShelves, OfflineItem, OfflineProgress,
    PageSource, PlayedTrack,
};
pub use catalog::{
    CATALOG_CHANGED_EVENT, CatalogChange, CatalogPage, CatalogSplice, CatalogStatus,
};
pub use desktop::DesktopWords;
pub use devices::{
    DEVICES_CHANGED_EVENT, DeviceView, DevicesView, RemoteCommand, RemotePlayback, RemoteTrack,
};
pub use diagnostics::{DiagnosticsView, ExportedDiagnostics, HourOfPlay, PlayProblem};
pub use launch::{LAUNCHES_WAITING_EVENT, LaunchOutcome, LaunchPage};
pub use library::{
    DOWNLOADS_STATUS_EVENT, DownloadsStatus, LibraryPlaylist, LiveUpdates, OfflineState,
    OfflineTarget, PLAYLIST_FIRST_TRACKS, PLAYLISTS_CHANGED_EVENT, PlaylistChange, PlaylistChanges,
    PlaylistEntry, PlaylistItem, PlaylistView, SYNC_STATUS_EVENT, SyncNotice, SyncState,
    SyncStatus,
};
pub use lists::PlaylistItemEdit;
pub use local_files::{
    LOCAL_FILES_CHANGED_EVENT, LocalAlbumPage, LocalArtistPage, LocalFailedFile, LocalFileProblem,
    LocalFilesView, LocalFolder, LocalFolderState, LocalScanProgress,
};
pub use local_playlists::{
    ImportedPlaylists, LOCAL_PLAYLISTS_CHANGED_EVENT, LocalPlaylistEdited, LocalPlaylistItem,
    LocalPlaylistPage, LocalPlaylistSummary,
};
pub use lyrics::{LyricsLine, LyricsOrigin, LyricsView, TrackLyrics};
pub use playlist_files::{PlaylistFileFormat, PlaylistImport, UnmatchedEntry, UnmatchedReason};
pub use queue::{QUEUE_CHANGED_EVENT, QueueEntry, QueuePage, QueueView};
pub use scrobbling::ScrobblingView;
pub use service::{Features, ServiceKind};
pub use settings::{
    APPEARANCE_EVENT, AboutView, Appearance, AppearanceSettings, CacheCleared, DataFolderMoved,
    DataFolderView, DesktopSettings, FormatChoice, LoudnessTarget, OutputDeviceView, OutputDevices,
    OutputSettings, PlaybackSettings, QualityChoice, QualitySettings, ReplayGainChoice,
    SETTINGS_CHANGED_EVENT, SettingKey, Settings, SettingsView, StorageSettings, Theme,
    ThemeChoice,
};
pub use sound::{
    DEFAULT_OUTPUT_KEY, EQ_GAIN_LIMIT_DB, EqBand, EqMode, EqPreset, EqualizerSettings,
    EqualizerView, FilterKind, GRAPHIC_BANDS_HZ, GRAPHIC_Q, SoundSettings,
};
pub use stars::{STARS_CHANGED_EVENT, StarKind, StarRef, StarredPage};
pub use updates::{UPDATE_STATUS_EVENT, UpdateOffer, UpdatePhase, UpdateStatus, UpdateStep};
pub use uploads::{
    SHARED_PLAYLIST_TRACKS, SharedPlaylist, TRANSFERS_STATUS_EVENT, Transfer, TransferState,
    TransfersStatus, UPLOADS_CHANGED_EVENT, UploadCandidate, UploadCandidates, UploadRequest,
};

/// Why a command failed, in a form the UI can branch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorKind {
    /// The command needs a signed-in account.
    NotSignedIn,
    /// Sign-in failed or the session was rejected (wrong password, revoked token).
    Auth,
    /// The service could not be reached.
    Network,
    /// The service answered with an error of its own.
    Server,
    /// What was asked for does not exist (a track, a playlist, a file, a URL answering 404).
    NotFound,
    /// The service or the CDN refused access, and renewing the grant did not help.
    Forbidden,
    /// The audio could not be played for a reason no other kind names.
    Playback,
    /// The audio's format or codec is not one Strato plays.
    UnsupportedFormat,
    /// The audio, or the playlist that lists it, is damaged or cut short.
    DamagedMedia,
    /// A download did not match what the service promised (its size or its checksum).
    CorruptDownload,
    /// The disk, or the storage quota, has no room for this.
    StorageFull,
    /// A file of Strato's on this computer could not be read or written (not a full disk).
    Storage,
    /// There is no audio output device to play on.
    NoOutputDevice,
    /// The listener typed something that cannot be used (an empty field, a bad URL).
    InvalidInput,
    /// The service could not prove who it is: its certificate is expired, for another name,
    /// or from an issuer this computer does not trust.
    Untrusted,
    /// A bug: something that should not happen.
    Internal,
}

impl ErrorKind {
    /// Every kind, for tests that check each error source maps to one of them.
    pub const ALL: [Self; 16] = [
        Self::NotSignedIn,
        Self::Auth,
        Self::Network,
        Self::Server,
        Self::NotFound,
        Self::Forbidden,
        Self::Playback,
        Self::UnsupportedFormat,
        Self::DamagedMedia,
        Self::CorruptDownload,
        Self::StorageFull,
        Self::Storage,
        Self::NoOutputDevice,
        Self::InvalidInput,
        Self::Untrusted,
        Self::Internal,
    ];
}

/// The one error every command returns: a kind to branch on and a sentence for the listener.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AppError {
    pub kind: ErrorKind,
    pub message: String,
}

impl AppError {
    #[must_use]
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AppError {}

/// The signed-in account, and what its service offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Session {
    pub service_url: String,
    pub username: String,
    pub kind: ServiceKind,
    pub features: Features,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PlaybackState {
    Idle,
    /// Fetching and decoding up to the first sample.
    Loading,
    Playing,
    /// Playing stalled: the network has not delivered in time. Resumes by itself.
    Buffering,
    Paused,
    /// The track played to its end.
    Ended,
    /// Playback stopped on an error; see [`PlayerStatus::error`].
    Error,
}

/// Whether sound can be heard. "Unavailable" is a normal state on a machine without sound.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OutputStatus {
    Available {
        device: String,
    },
    /// The device the listener chose is not there: `device` (the system's default) plays
    /// until it is back, and then playback returns to it by itself.
    StandingIn {
        device: String,
        wanted: String,
    },
    Unavailable {
        reason: String,
    },
}

/// Everything the now-playing bar shows. Sent whole on every change, and four times a second
/// while playing: it is small, and stays small whatever the queue's length (the queue is
/// its own event, see [`QueueView`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PlayerStatus {
    pub state: PlaybackState,
    pub track: Option<Track>,
    pub position_ms: u32,
    pub duration_ms: Option<u32>,
    pub output: OutputStatus,
    pub error: Option<AppError>,
    /// How far into the track its audio has been fetched.
    pub buffered_ms: u32,
    pub shuffle: bool,
    pub repeat: RepeatMode,
    /// 0.0 (silent) to 1.0.
    pub volume: f32,
    /// What the sound goes through on its way out, while a stream plays.
    pub signal: Option<SignalPath>,
}

/// The way from the decoder to the device, as it really is: the music's format, the
/// device's, and what converts between them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[allow(
    clippy::struct_excessive_bools,
    reason = "independent facts about the path, each shown on its own"
)]
pub struct SignalPath {
    pub source_rate: u32,
    pub source_channels: u16,
    pub output_rate: u32,
    pub output_channels: u16,
    /// The bits of the samples the device takes, when the output says.
    pub output_bits: Option<u16>,
    /// Whether those samples are floating point (else integers).
    pub output_float: bool,
    /// The music is converted to the device's rate (band-limited, in the engine).
    pub resampled: bool,
    /// The equaliser shapes the sound (it is on and not flat).
    pub equalized: bool,
    /// The true-peak limiter guards the output (for a loudness target above -18 LUFS, a
    /// boosting equaliser or crossfade): it delays the sound 1.5 ms and lowers only what
    /// would pass -1 dBTP.
    pub limited: bool,
}

/// What happens at the end of a track or the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RepeatMode {
    #[default]
    Off,
    All,
    One,
}

impl PlayerStatus {
    #[must_use]
    pub fn idle(output: OutputStatus) -> Self {
        Self {
            state: PlaybackState::Idle,
            track: None,
            position_ms: 0,
            duration_ms: None,
            output,
            error: None,
            buffered_ms: 0,
            shuffle: false,
            repeat: RepeatMode::Off,
            volume: 1.0,
            signal: None,
        }
    }
}

/// The name of the event that carries [`PlayerStatus`].
pub const PLAYER_STATUS_EVENT: &str = "player-status";

/// The name of the event (no payload) that says the listener signed out everywhere on another
/// device: the window signs out here too, and says why.
pub const SIGNED_OUT_ELSEWHERE_EVENT: &str = "signed-out-elsewhere";
