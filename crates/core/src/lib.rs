//! The composition root. [`App`] is the one facade every front end calls: the Tauri shell
//! turns each command into a one-line call here, and forwards [`AppEvents`] to the UI.
//!
//! It wires the cloud client (sign-in, catalog, stream grants) to the audio player and keeps
//! the [`PlayerStatus`](strato_model::ipc::PlayerStatus) the UI shows. It never imports Tauri.

mod account;
mod app;
mod data_folder;
mod devices;
mod diagnostics_export;
mod error;
pub mod launch;
mod local_files;
pub mod logging;
mod loudness;
pub(crate) mod metrics;
mod offline;
mod playback;
pub mod preferences;
mod queue_view;
mod settings;
mod streaming;

pub use account::StaySignedIn;
pub use app::{App, CoverAnswer, CoverKeeping};
pub use playback::AppEvents;
pub use settings::{
    AppSettings, AudioOutput, CatalogWalkSettings, DEFAULT_STORAGE_QUOTA_BYTES, DeviceListHandle,
    LOCAL_DEVCLOUD_URL, Quality, SinkFactory, StreamFormat,
};
pub use strato_stream::hls::HlsConfig;

/// Now, in Unix seconds (0 on a clock before 1970).
pub(crate) fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}
