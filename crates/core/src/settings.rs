/// Where the app sends audio.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AudioOutput {
    /// The system's default output device.
    Device,
    /// Nowhere, at real-time pace: for machines without sound.
    Null,
}

/// How the app starts. Front ends build this from their own configuration.
#[derive(Debug, Clone)]
pub struct AppSettings {
    /// Prefilled on the sign-in screen.
    pub default_service_url: String,
    pub audio_output: AudioOutput,
}

/// The local devcloud's API address, used when nothing else is configured.
pub const LOCAL_DEVCLOUD_URL: &str = "http://127.0.0.1:8787";

impl AppSettings {
    /// Settings from the environment: `STRATO_SERVICE_URL` and `STRATO_AUDIO_OUTPUT`
    /// (`device`, the default, or `null`).
    #[must_use]
    pub fn from_env() -> Self {
        let default_service_url =
            std::env::var("STRATO_SERVICE_URL").unwrap_or_else(|_| LOCAL_DEVCLOUD_URL.to_owned());
        let audio_output = match std::env::var("STRATO_AUDIO_OUTPUT").as_deref() {
            Ok("null") => AudioOutput::Null,
            _ => AudioOutput::Device,
        };
        Self {
            default_service_url,
            audio_output,
        }
    }
}
