//! How the app starts: [`AppSettings`], built by each front end (the window from the
//! environment, the command line from its flags), and the settings' defaults.

use std::path::PathBuf;
use std::time::Duration;

pub use crate::streaming::StreamFormat;
use strato_audio::{ReplayGainMode, ReplayGainSettings};
use strato_model::api::DownloadQuality;
use strato_model::ipc::{
    FormatChoice, QualityChoice, ReplayGainChoice, SettingKey, Settings as Choices,
};
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
    /// Which copy of a track is downloaded for offline listening.
    pub download_quality: DownloadQuality,
    /// The LRCLIB-compatible lyrics service asked for lyrics (LRCLIB itself by default).
    pub lyrics_service_url: String,
    /// The `ListenBrainz`-compatible scrobble service (`ListenBrainz` itself by default).
    pub listenbrainz_url: String,
    /// A developer setting: sign in to services over plain `http` on any host, and let a
    /// service name its own Cognito endpoint. Off, only `https` services and services on
    /// this computer are trusted with a password (see `strato_cloud::trust`); the sign-in
    /// screen warns while it is on.
    pub allow_insecure_services: bool,
    /// How the catalog listing is walked into the library.
    pub catalog_walk: CatalogWalkSettings,
    /// Where the listener's choices are kept (`settings.json`, see [`crate::preferences`]);
    /// `None` keeps none (tools and tests start from these settings alone).
    pub config_dir: Option<PathBuf>,
    /// The choices the environment fixed for this run: the listener's saved ones do not
    /// apply to them, and the settings screen says so.
    pub overridden: Vec<SettingKey>,
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
    /// the default, `null`, `wav:PATH`, or `null-devices:NAME,NAME`: devices that play
    /// nowhere, the first the default, to try the device choice on a machine without sound), `STRATO_AUDIO_DEVICE` (a device name or id),
    /// `STRATO_STREAM_FORMAT` (`hls`, the default, or `mp3`), `STRATO_QUALITY` (`auto`,
    /// `low`, `normal`, `high`), `STRATO_BUFFER_SECONDS` (30), `STRATO_REPLAYGAIN` (`track`,
    /// the default, `album`, `off`), `STRATO_DATA_DIR` (the OS's data folder for Strato by
    /// default), `STRATO_STORAGE_QUOTA_MB`, `STRATO_CONFIG_DIR` (where the listener's
    /// choices are kept; the OS's config folder for Strato by default), `STRATO_LRCLIB_URL`
    /// (the lyrics service; LRCLIB's own by default), `STRATO_LISTENBRAINZ_URL` (the scrobble
    /// service; `ListenBrainz`'s own by default) and
    /// `STRATO_ALLOW_INSECURE_SERVICE=1` (see [`Self::allow_insecure_services`]). Each
    /// variable that names a choice of the settings screen overrides the listener's.
    #[must_use]
    pub fn from_env() -> Self {
        let mut overridden = Vec::new();
        let mut env = |name: &str, key: Option<SettingKey>| {
            let value = std::env::var(name).ok().filter(|v| !v.is_empty());
            if let (Some(_), Some(key)) = (&value, key) {
                overridden.push(key);
            }
            value
        };
        let default_service_url =
            env("STRATO_SERVICE_URL", None).unwrap_or_else(|| LOCAL_DEVCLOUD_URL.to_owned());
        let audio_output = match env("STRATO_AUDIO_OUTPUT", None).as_deref() {
            Some("null") => AudioOutput::Null,
            Some(other) if other.starts_with("wav:") => AudioOutput::Wav(other[4..].into()),
            Some(other) if other.starts_with("null-devices:") => {
                let names: Vec<&str> = other["null-devices:".len()..]
                    .split(',')
                    .map(str::trim)
                    .filter(|name| !name.is_empty())
                    .collect();
                AudioOutput::Devices(DeviceListHandle(std::sync::Arc::new(
                    strato_audio::NullDevices::new(&names),
                )))
            }
            _ => AudioOutput::Device,
        };
        let audio_device = env("STRATO_AUDIO_DEVICE", Some(SettingKey::OutputDevice));
        let mut choices = Choices::default();
        if let Some(format) = env("STRATO_STREAM_FORMAT", Some(SettingKey::StreamFormat)) {
            choices.quality.format = match format.as_str() {
                "mp3" => FormatChoice::Mp3,
                _ => FormatChoice::Hls,
            };
        }
        if let Some(quality) = env("STRATO_QUALITY", Some(SettingKey::StreamingQuality)) {
            choices.quality.streaming = match quality.as_str() {
                "low" => QualityChoice::Low,
                "normal" => QualityChoice::Normal,
                "high" => QualityChoice::High,
                _ => QualityChoice::Auto,
            };
        }
        if let Some(seconds) = env("STRATO_BUFFER_SECONDS", Some(SettingKey::BufferSeconds))
            .and_then(|s| s.parse().ok())
        {
            choices.quality.buffer_seconds = seconds;
        }
        if let Some(mode) = env("STRATO_REPLAYGAIN", Some(SettingKey::ReplayGain)) {
            choices.quality.replay_gain = match mode.as_str() {
                "off" => ReplayGainChoice::Off,
                "album" => ReplayGainChoice::Album,
                _ => ReplayGainChoice::Track,
            };
        }
        let data_dir = env("STRATO_DATA_DIR", Some(SettingKey::DataDir)).map(PathBuf::from);
        let quota_mb = env("STRATO_STORAGE_QUOTA_MB", Some(SettingKey::StorageQuota))
            .and_then(|mb| mb.parse::<u64>().ok());
        let config_dir = env("STRATO_CONFIG_DIR", None)
            .map(PathBuf::from)
            .or_else(default_config_dir);
        let allow_insecure_services = matches!(
            env("STRATO_ALLOW_INSECURE_SERVICE", None).as_deref(),
            Some("1" | "true" | "yes")
        );
        let lyrics_service_url = env("STRATO_LRCLIB_URL", None);
        let mut settings = Self::new(&default_service_url, audio_output);
        if let Some(url) = lyrics_service_url {
            settings.lyrics_service_url = url;
        }
        if let Some(url) = env("STRATO_LISTENBRAINZ_URL", None) {
            settings.listenbrainz_url = url;
        }
        settings.overridden = overridden;
        settings.allow_insecure_services = allow_insecure_services;
        settings.config_dir = config_dir;
        // Everything the environment did not fix: the defaults of the settings screen, until
        // the listener's own choices are applied over them at start.
        settings.apply(&choices, true);
        settings.audio_device = audio_device;
        settings.data_dir = data_dir.or_else(default_data_dir);
        if let Some(mb) = quota_mb {
            settings.storage_quota_bytes = mb.saturating_mul(1_000_000);
        }
        settings
    }

    /// Takes the listener's `choices` for every setting the environment has not fixed
    /// (all of them with `everything`): what the app starts with.
    pub fn apply(&mut self, choices: &Choices, everything: bool) {
        let free = |key| everything || !self.overridden.contains(&key);
        let quality = &choices.quality;
        let (output_device, streaming, format, buffer, replay_gain, quota, data_dir) = (
            free(SettingKey::OutputDevice),
            free(SettingKey::StreamingQuality),
            free(SettingKey::StreamFormat),
            free(SettingKey::BufferSeconds),
            free(SettingKey::ReplayGain),
            free(SettingKey::StorageQuota),
            free(SettingKey::DataDir),
        );
        if output_device {
            self.audio_device.clone_from(&choices.output.device);
        }
        if streaming {
            self.hls.quality = quality_of(quality.streaming);
        }
        // Not fixed by the environment: it names no download quality.
        self.download_quality = match quality.downloads {
            QualityChoice::Low => DownloadQuality::Low,
            QualityChoice::Normal => DownloadQuality::Normal,
            // "As the connection allows" means nothing for a file kept: the best there is.
            QualityChoice::High | QualityChoice::Auto => DownloadQuality::High,
        };
        if format {
            self.stream_format = match quality.format {
                FormatChoice::Hls => StreamFormat::Hls,
                FormatChoice::Mp3 => StreamFormat::Mp3,
            };
        }
        if buffer {
            self.hls.forward_buffer =
                Duration::from_secs(u64::from(quality.buffer_seconds).clamp(2, 600));
        }
        if replay_gain {
            self.replay_gain = ReplayGainSettings {
                mode: match quality.replay_gain {
                    ReplayGainChoice::Track => ReplayGainMode::Track,
                    ReplayGainChoice::Album => ReplayGainMode::Album,
                    ReplayGainChoice::Off => ReplayGainMode::Off,
                },
                target_lufs: quality.loudness_target.lufs(),
                preamp_db: quality.preamp_db.clamp(-15.0, 15.0),
                ..ReplayGainSettings::default()
            };
        }
        if quota {
            // At least 100 MB: a quota of nothing would refuse every download and the cache.
            self.storage_quota_bytes = choices.storage.quota_mb.max(100).saturating_mul(1_000_000);
        }
        if data_dir && let Some(dir) = &choices.storage.data_dir {
            self.data_dir = Some(PathBuf::from(dir));
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
            download_quality: DownloadQuality::Normal,
            lyrics_service_url: strato_lyrics::lrclib::DEFAULT_BASE_URL.to_owned(),
            listenbrainz_url: strato_scrobble::listenbrainz::DEFAULT_BASE_URL.to_owned(),
            allow_insecure_services: false,
            catalog_walk: CatalogWalkSettings::default(),
            config_dir: None,
            overridden: Vec::new(),
        }
    }
}

fn quality_of(choice: QualityChoice) -> Quality {
    match choice {
        QualityChoice::Auto => Quality::Auto,
        QualityChoice::Low => Quality::Low,
        QualityChoice::Normal => Quality::Normal,
        QualityChoice::High => Quality::High,
    }
}

/// The OS's per-user config folder for Strato (`~/.config/strato` on Linux,
/// `~/Library/Application Support/dev.Strato.Strato` on macOS,
/// `%APPDATA%\Strato\Strato\config` on Windows).
fn default_config_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("dev", "Strato", "Strato")
        .map(|dirs| dirs.config_dir().to_owned())
}

/// The OS's per-user data folder for Strato (`~/.local/share/strato` on Linux,
/// `~/Library/Application Support/dev.Strato.Strato` on macOS, `%APPDATA%\Strato\Strato\data`
/// on Windows).
fn default_data_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("dev", "Strato", "Strato").map(|dirs| dirs.data_dir().to_owned())
}
