//! Where an update of Strato itself is, as the window shows it: found, downloading,
//! verified and waiting for a restart. The shell owns the updater (Tauri's plugin) and
//! sends an [`UpdateStatus`] on [`UPDATE_STATUS_EVENT`] at each step.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::AppError;

/// The update's status changed: the payload is the new [`UpdateStatus`].
pub const UPDATE_STATUS_EVENT: &str = "update-status";

/// A newer Strato, as the update server announced it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct UpdateOffer {
    /// The new version ("1.4.0").
    pub version: String,
    /// The running one.
    pub current_version: String,
    /// What changed, in the publisher's words (plain text, may be empty).
    pub notes: String,
    /// When it was published (RFC 3339), if the server said.
    pub published: Option<String>,
    /// Whether this copy can replace itself: installed from one of Strato's packages (the
    /// Windows and macOS installers, the `.deb`, `.rpm` or `AppImage`). A copy built from
    /// source or installed by a distribution is updated the way it was installed.
    pub can_install: bool,
}

/// How far an update has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum UpdatePhase {
    /// Not checked yet in this run (or checking is off and no one asked).
    #[default]
    Idle,
    Checking,
    /// The server has nothing newer.
    UpToDate,
    /// A newer version is offered and not downloaded.
    Available,
    Downloading,
    /// Downloaded and its signature verified: installed on the restart the listener asks for.
    Ready,
    /// Being installed; the app restarts when it is.
    Installing,
}

/// A step of an update, as its error names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum UpdateStep {
    Check,
    Download,
    Install,
}

/// The update as the window shows it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
pub struct UpdateStatus {
    pub phase: UpdatePhase,
    /// What is offered, from `Available` on.
    pub offer: Option<UpdateOffer>,
    /// Bytes downloaded so far, while `Downloading` (and the whole, once `Ready`).
    #[ts(type = "number")]
    pub received_bytes: u64,
    /// The download's size, when the server said.
    #[ts(type = "number | null")]
    pub total_bytes: Option<u64>,
    /// Why the last step failed, in words: a check the listener asked for, a download, a
    /// signature that did not verify, an install. Automatic checks that find no network
    /// leave none (they are tried again the next day).
    pub error: Option<AppError>,
    /// The step `error` came from.
    pub failed_step: Option<UpdateStep>,
    /// When the server was last asked (RFC 3339), in this run.
    pub last_checked: Option<String>,
}
