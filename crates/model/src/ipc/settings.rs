//! What a listener chooses about Strato, as the settings screen shows and edits it. The
//! core keeps it in a settings file of the OS's config folder (versioned, see
//! `strato_core::preferences`); environment variables override single values.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{AppError, RepeatMode, SoundSettings};
use ts_rs::TS;

/// Everything the listener chooses. Missing fields read as their defaults, so a file
/// written by an older Strato reads whole.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct Settings {
    pub playback: PlaybackSettings,
    pub output: OutputSettings,
    pub quality: QualitySettings,
    pub storage: StorageSettings,
    pub appearance: AppearanceSettings,
    pub desktop: DesktopSettings,
    /// The equaliser of each output device.
    pub sound: SoundSettings,
    /// A language tag ("en", "de"); `None` follows the system's.
    pub language: Option<String>,
    /// What this computer is called among the listener's devices; `None`: the computer's
    /// own name.
    pub device_name: Option<String>,
    /// Send the service anonymous playback reports (counts by the hour: waits, stalls,
    /// errors by kind; `docs/api.md`, "Telemetry"). Off unless the listener turns it on.
    pub share_playback_reports: bool,
    /// Lyrics only from this computer (a file's own, and those kept from earlier lookups):
    /// the track's artist and title are not sent to LRCLIB or the listener's server.
    pub lyrics_local_only: bool,
    /// Shortcuts the listener changed: an action's name to its keys ("Ctrl+Right").
    pub shortcuts: BTreeMap<String, String>,
}

/// The player as the listener left it: kept across restarts, whatever the queue.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct PlaybackSettings {
    /// 0.0 (silent) to 1.0 (unchanged).
    pub volume: f32,
    pub muted: bool,
    pub shuffle: bool,
    pub repeat: RepeatMode,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct OutputSettings {
    /// The device's id or name; `None` plays through the system's default.
    pub device: Option<String>,
    /// Run the device at each track's own sample rate when it can (reopening it between
    /// tracks of different rates), instead of converting every track to the device's rate.
    pub match_source_rate: bool,
    /// Seconds the end of a track overlaps the start of the next, one fading out as the
    /// other fades in (0 to 12; 0: none, tracks follow each other gaplessly). Tracks of one
    /// album played in order are never crossfaded.
    pub crossfade_seconds: u8,
}

impl OutputSettings {
    /// The longest crossfade, in seconds.
    pub const MAX_CROSSFADE_SECONDS: u8 = 12;
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct QualitySettings {
    pub streaming: QualityChoice,
    pub format: FormatChoice,
    /// The quality tracks are downloaded in for offline listening.
    pub downloads: QualityChoice,
    /// How far ahead of the listener a stream is fetched.
    pub buffer_seconds: u32,
    pub replay_gain: ReplayGainChoice,
    /// Added to every track's gain, in dB (-15 to +15).
    pub preamp_db: f32,
    /// The loudness every track (or album) is brought to, by its `ReplayGain` or, for a track
    /// without, by its loudness as measured when it was first played in full or downloaded.
    pub loudness_target: LoudnessTarget,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum QualityChoice {
    /// The best the connection carries without stalling.
    Auto,
    Low,
    Normal,
    High,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum FormatChoice {
    Hls,
    Mp3,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ReplayGainChoice {
    Track,
    Album,
    Off,
}

/// A loudness to normalise to, in LUFS (EBU R 128's integrated loudness).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum LoudnessTarget {
    /// -14 LUFS: what the streaming services play at.
    #[default]
    Lufs14,
    /// -18 LUFS: `ReplayGain`'s reference; more room for the music's peaks.
    Lufs18,
    /// -23 LUFS: EBU R 128's broadcast level; the most room.
    Lufs23,
}

impl LoudnessTarget {
    /// The target in LUFS.
    #[must_use]
    pub fn lufs(self) -> f32 {
        match self {
            Self::Lufs14 => -14.0,
            Self::Lufs18 => -18.0,
            Self::Lufs23 => -23.0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct StorageSettings {
    /// One limit for downloads and the stream cache together, in megabytes. A JSON number
    /// (exact far beyond any disk), not a `bigint`.
    #[ts(type = "number")]
    pub quota_mb: u64,
    /// Where downloads and the library live; `None`: the OS's data folder for Strato.
    pub data_dir: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct AppearanceSettings {
    pub theme: ThemeChoice,
    /// The whole window's text, in percent (80 to 200).
    pub text_scale_percent: u16,
    pub compact_rows: bool,
}

/// How Strato lives on the desktop around its window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
#[allow(clippy::struct_excessive_bools)] // independent switches, each a setting of its own
pub struct DesktopSettings {
    /// Closing the window hides it and the music plays on, from the tray; Quit (in the tray
    /// or the app's menu) ends Strato. Off: closing the window quits, as most apps do. (On
    /// macOS a closed window always leaves the app running, as the OS's apps do.)
    pub close_to_tray: bool,
    /// A desktop notification with the cover when a new track starts, while the window is
    /// not in front.
    pub notify_track_change: bool,
    /// Strato takes the media keys itself (a global grab), for desktops that do not pass
    /// them to players through the media session. Taken anyway where there is no media
    /// session.
    pub take_media_keys: bool,
    /// Ask the update server for a newer Strato when the app starts and once a day.
    pub check_for_updates: bool,
}

impl Default for DesktopSettings {
    fn default() -> Self {
        Self {
            close_to_tray: false,
            notify_track_change: false,
            take_media_keys: false,
            check_for_updates: true,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ThemeChoice {
    /// Light or dark as the desktop is.
    System,
    Light,
    Dark,
}

impl Default for PlaybackSettings {
    fn default() -> Self {
        Self {
            volume: 1.0,
            muted: false,
            shuffle: false,
            repeat: RepeatMode::Off,
        }
    }
}

impl Default for QualitySettings {
    fn default() -> Self {
        Self {
            streaming: QualityChoice::Auto,
            format: FormatChoice::Hls,
            downloads: QualityChoice::High,
            buffer_seconds: 30,
            replay_gain: ReplayGainChoice::Track,
            preamp_db: 0.0,
            loudness_target: LoudnessTarget::Lufs14,
        }
    }
}

impl Default for StorageSettings {
    fn default() -> Self {
        Self {
            quota_mb: 10_000,
            data_dir: None,
        }
    }
}

impl Default for AppearanceSettings {
    fn default() -> Self {
        Self {
            theme: ThemeChoice::System,
            text_scale_percent: 100,
            compact_rows: false,
        }
    }
}

/// What clearing the stream cache freed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CacheCleared {
    pub tracks: u32,
    #[ts(type = "number")]
    pub bytes: u64,
}

/// Where the accounts' libraries and downloads are kept, as the storage settings show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DataFolderView {
    /// `None`: this run keeps nothing on the disk.
    pub path: Option<String>,
    /// The OS's data folder for Strato, not one the listener chose.
    pub is_default: bool,
}

/// A finished move of the data folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DataFolderMoved {
    /// Where the music is now.
    pub path: String,
    #[ts(type = "number")]
    pub files: u64,
    #[ts(type = "number")]
    pub bytes: u64,
    /// What could not be deleted from the old folder, in words (the move itself succeeded).
    pub leftover: Option<AppError>,
}

/// A setting the environment can fix, as the settings screen names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SettingKey {
    OutputDevice,
    StreamingQuality,
    StreamFormat,
    BufferSeconds,
    ReplayGain,
    StorageQuota,
    DataDir,
}

/// The settings as the screen shows them: the listener's choices, which of them an
/// environment variable overrides for this run, and where they are kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SettingsView {
    pub settings: Settings,
    pub overridden: Vec<SettingKey>,
    /// The settings file; `None` when this run keeps none.
    pub file: Option<String>,
    /// Something about the file the listener should know: it was damaged, written by a
    /// newer Strato, or could not be saved (a `storage` error, worded for the listener).
    pub notice: Option<AppError>,
}

/// The event carrying the [`SettingsView`] when the settings changed, or what the screen
/// should say of them did (a save failed, or succeeded again).
pub const SETTINGS_CHANGED_EVENT: &str = "settings-changed";

/// The event carrying the window's [`Appearance`] whenever it changes: the listener chose
/// another, or the desktop a listener follows turned light or dark.
pub const APPEARANCE_EVENT: &str = "appearance";

/// Light or dark, as the window is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    Light,
    Dark,
}

/// The window's look as drawn: the listener's [`AppearanceSettings`] with "as the system
/// is" decided where the app can know the system's theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Appearance {
    /// `None`: as the system is, which the web view knows itself (its
    /// `prefers-color-scheme`, as on Windows and macOS).
    pub theme: Option<Theme>,
    pub text_scale_percent: u16,
    pub compact_rows: bool,
}

impl AppearanceSettings {
    /// The text scale's bounds, in percent.
    pub const TEXT_SCALE: std::ops::RangeInclusive<u16> = 80..=200;

    /// The look to draw, given the desktop's own theme where the app follows it.
    #[must_use]
    pub fn resolve(&self, system: Option<Theme>) -> Appearance {
        Appearance {
            theme: match self.theme {
                ThemeChoice::System => system,
                ThemeChoice::Light => Some(Theme::Light),
                ThemeChoice::Dark => Some(Theme::Dark),
            },
            text_scale_percent: self
                .text_scale_percent
                .clamp(*Self::TEXT_SCALE.start(), *Self::TEXT_SCALE.end()),
            compact_rows: self.compact_rows,
        }
    }
}

/// An output device, as the settings screen lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct OutputDeviceView {
    /// What the system calls it; what the settings keep.
    pub name: String,
    pub is_default: bool,
}

/// The devices a listener can choose from now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct OutputDevices {
    pub devices: Vec<OutputDeviceView>,
    /// False when this run plays to a file or nowhere (`STRATO_AUDIO_OUTPUT`): there is
    /// no device to choose.
    pub choosable: bool,
}

/// What the About section says of this Strato.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AboutView {
    pub version: String,
    /// Where the logs are written; `None` when this run writes none to a file.
    pub log_dir: Option<String>,
}
