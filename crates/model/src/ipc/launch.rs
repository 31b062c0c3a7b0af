//! What a launch of the app asked for (a `strato://` link, files opened with the app, a
//! second launch's or `strato play`'s items), as the window learns of it.
//!
//! The core keeps launches until the window asks for them (`run_launches`): at start, once
//! it knows whether an account is signed in, and on each [`LAUNCHES_WAITING_EVENT`]. Each
//! is carried out then, and answers with a [`LaunchOutcome`].

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::AppError;

/// A launch was handed over to the running app: the window should ask for it.
pub const LAUNCHES_WAITING_EVENT: &str = "launches-waiting";

/// A page a launch asks the window to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LaunchPage {
    Album { id: String },
    Playlist { id: String },
}

/// What came of one launch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct LaunchOutcome {
    /// The page to show, if it named one.
    pub page: Option<LaunchPage>,
    /// Why it could not be done, in words for the listener.
    pub error: Option<AppError>,
}
