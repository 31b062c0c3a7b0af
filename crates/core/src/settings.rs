//! How the app starts: [`AppSettings`], built by each front end (the window from the
//! environment, the command line from its flags), and the settings' defaults.

use std::path::PathBuf;
use std::time::Duration;

pub use crate::streaming::StreamFormat;
use strato_audio::{ReplayGainMode, ReplayGainSettings};
pub use strato_stream::abr::Quality;
use strato_stream::hls::HlsConfig;

/// Where the app sends audio.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AudioOutput {
    /// The system's output devices: [`AppSettings::audio_device`], or the default.
    Device,
    /// The devices of another list, chosen from the same way (a test's null devices).
    Devices(DeviceListHandle),
    /// Nowhere, at real-time pace: for machines without sound.
    Null,
    /// Into a WAV file, at real-time pace: for tests and for listening to what was played.
    Wav(PathBuf),
    /// A sink made by the front end (the CLI's capture, a test's recorder).
    Custom(SinkFactory),
}

impl AudioOutput {
    /// The devices a listener chooses from with this output; none for a file, the null
    /// sink or a front end's own sink.
    #[must_use]
    pub fn device_list(&self) -> Option<std::sync::Arc<dyn strato_audio::DeviceList>> {
        match self {
            Self::Device => Some(std::sync::Arc::new(strato_audio::SystemDevices)),
            Self::Devices(list) => Some(std::sync::Arc::clone(&list.0)),
            Self::Null | Self::Wav(_) | Self::Custom(_) => None,
        }
    }
}

/// A device list made by the front end.
#[derive(Clone)]
pub struct DeviceListHandle(pub std::sync::Arc<dyn strato_audio::DeviceList>);

impl std::fmt::Debug for DeviceListHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DeviceListHandle")
    }
}

impl PartialEq for DeviceListHandle {
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for DeviceListHandle {}

/// Makes the output sink, on the player thread.
#[derive(Clone)]
pub struct SinkFactory(
    pub  std::sync::Arc<
        dyn Fn() -> Result<Box<dyn strato_audio::Sink>, strato_audio::SinkError> + Send + Sync,
    >,
);

impl std::fmt::Debug for SinkFactory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SinkFactory")
    }
}

impl PartialEq for SinkFactory {
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for SinkFactory {}

/// How the app starts. Front ends build this from their own configuration.
#[derive(Debug, Clone)]
pub struct AppSettings {
    /// Prefilled on the sign-in screen.
    pub default_service_url: String,
    pub audio_output: AudioOutput,
    /// The output device's name or id (see [`crate::App::output_devices`]); `None` for the
    /// system's default.
    pub audio_device: Option<String>,
    pub stream_format: StreamFormat,
    /// Forward buffer, quality and retries of HLS streaming.
    pub hls: HlsConfig,
    /// Loudness normalisation.
    pub replay_gain: ReplayGainSettings,
    /// Where each account's offline library (database and downloads) lives; `None` keeps
    /// no library (tools that only play).
    pub data_dir: Option<PathBuf>,
    /// One limit for offline downloads and the streaming cache together.
    pub storage_quota_bytes: u64,
    /// A developer setting: sign in to services over plain `http` on any host, and let a
    /// service name its own Cognito endpoint. Off, only `https` services and services on
    /// this computer are trusted with a password (see `strato_cloud::trust`); the sign-in
    /// screen warns while it is on.
    pub allow_insecure_services: bool,
    /// How the catalog listing is walked into the library.
    pub catalog_walk: CatalogWalkSettings,
}

/// How the catalog listing is walked into the library, so the catalog screen reads it from
/// this computer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CatalogWalkSettings {
    /// Tracks asked of the service per page (the service allows up to 200).
    pub page_size: u32,
    /// A listing read longer ago than this is walked again after sign-in.
    pub max_age: Duration,
}

impl Default for CatalogWalkSettings {
    fn default() -> Self {
        Self {
            page_size: 200,
            // A catalog changes by releases, not by the minute; a few hours keeps new albums
            // close without walking 100,000 tracks at every start.
            max_age: Duration::from_secs(6 * 3600),
        }
    }
}

/// The storage quota when nothing else is configured: 10 GB.
pub const DEFAULT_STORAGE_QUOTA_BYTES: u64 = 10_000_000_000;

/// The local devcloud's API address, used when nothing else is configured.
pub const LOCAL_DEVCLOUD_URL: &str = "http://127.0.0.1:8787";

impl AppSettings {
    /// Settings from the environment: `STRATO_SERVICE_URL`, `STRATO_AUDIO_OUTPUT` (`device`,
    /// the default, `null`, or `wav:PATH`), `STRATO_AUDIO_DEVICE` (a device name or id), `STRATO_STREAM_FORMAT` (`hls`, the default, or
    /// `mp3`), `STRATO_QUALITY` (`auto`, `low`, `normal`, `high`), `STRATO_BUFFER_SECONDS`
    /// (30), `STRATO_REPLAYGAIN` (`track`, the default, `album`, `off`), `STRATO_DATA_DIR`
    /// (the OS's data folder for Strato by default), `STRATO_STORAGE_QUOTA_MB` and
    /// `STRATO_ALLOW_INSECURE_SERVICE=1` (see [`Self::allow_insecure_services`]).
    #[must_use]
    pub fn from_env() -> Self {
        let default_service_url =
            std::env::var("STRATO_SERVICE_URL").unwrap_or_else(|_| LOCAL_DEVCLOUD_URL.to_owned());
        let audio_output = match std::env::var("STRATO_AUDIO_OUTPUT").as_deref() {
            Ok("null") => AudioOutput::Null,
            Ok(other) if other.starts_with("wav:") => AudioOutput::Wav(other[4..].into()),
            _ => AudioOutput::Device,
        };
        let stream_format = match std::env::var("STRATO_STREAM_FORMAT").as_deref() {
            Ok("mp3") => StreamFormat::Mp3,
            _ => StreamFormat::Hls,
        };
        let mut hls = HlsConfig {
            quality: match std::env::var("STRATO_QUALITY").as_deref() {
                Ok("low") => Quality::Low,
                Ok("normal") => Quality::Normal,
                Ok("high") => Quality::High,
                _ => Quality::Auto,
            },
            ..HlsConfig::default()
        };
        if let Some(seconds) = std::env::var("STRATO_BUFFER_SECONDS")
            .ok()
            .and_then(|s| s.parse::<u64>().ok())
        {
            hls.forward_buffer = Duration::from_secs(seconds.clamp(2, 600));
        }
        let replay_gain = ReplayGainSettings {
            mode: match std::env::var("STRATO_REPLAYGAIN").as_deref() {
                Ok("off") => ReplayGainMode::Off,
                Ok("album") => ReplayGainMode::Album,
                _ => ReplayGainMode::Track,
            },
            ..ReplayGainSettings::default()
        };
        Self {
            default_service_url,
            audio_output,
            audio_device: std::env::var("STRATO_AUDIO_DEVICE")
                .ok()
                .filter(|d| !d.is_empty()),
            stream_format,
            hls,
            replay_gain,
            data_dir: std::env::var_os("STRATO_DATA_DIR")
                .map(PathBuf::from)
                .or_else(default_data_dir),
            storage_quota_bytes: std::env::var("STRATO_STORAGE_QUOTA_MB")
                .ok()
                .and_then(|mb| mb.parse::<u64>().ok())
                .map_or(DEFAULT_STORAGE_QUOTA_BYTES, |mb| {
                    mb.saturating_mul(1_000_000)
                }),
            allow_insecure_services: matches!(
                std::env::var("STRATO_ALLOW_INSECURE_SERVICE").as_deref(),
                Ok("1" | "true" | "yes")
            ),
            catalog_walk: CatalogWalkSettings::default(),
        }
    }

    /// Settings for `service_url` and `output`, everything else neutral: HLS at automatic
    /// quality, no loudness normalisation (tools and tests hear the bytes as they are).
    #[must_use]
    pub fn new(service_url: &str, audio_output: AudioOutput) -> Self {
        Self {
            default_service_url: service_url.to_owned(),
            audio_output,
            audio_device: None,
            stream_format: StreamFormat::Hls,
            hls: HlsConfig::default(),
            replay_gain: ReplayGainSettings::default(),
            data_dir: None,
            storage_quota_bytes: DEFAULT_STORAGE_QUOTA_BYTES,
            allow_insecure_services: false,
            catalog_walk: CatalogWalkSettings::default(),
        }
    }
}

/// The OS's per-user data folder for Strato (`~/.local/share/strato` on Linux,
/// `~/Library/Application Support/dev.Strato.Strato` on macOS, `%APPDATA%\Strato\Strato\data`
/// on Windows).
fn default_data_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("dev", "Strato", "Strato").map(|dirs| dirs.data_dir().to_owned())
}
