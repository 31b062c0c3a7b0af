//! How playback has been going, as the Diagnostics screen shows it: the last day hour by
//! hour, and the recent errors in words.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::AppError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct DiagnosticsView {
    /// The last 24 hours, oldest first, the current hour last.
    pub hours: Vec<HourOfPlay>,
    /// The latest plays that ended on an error, newest first.
    pub recent_errors: Vec<PlayProblem>,
    /// Where sound goes now (`None`: no output).
    pub output_device: Option<String>,
}

/// One hour of plays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct HourOfPlay {
    /// The hour's start, Unix seconds.
    #[ts(type = "number")]
    pub starts_at: i64,
    pub plays: u32,
    /// The median wait from a play asked for to its first audio, over the plays that waited.
    pub median_first_audio_ms: Option<u32>,
    pub stalls: u32,
    pub stalled_ms: u32,
    pub bitrate_switches: u32,
}

/// A play that ended on an error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PlayProblem {
    /// When the play began, Unix seconds.
    #[ts(type = "number")]
    pub at: i64,
    pub track_id: String,
    /// The track's title, when the library knows it.
    pub title: Option<String>,
    pub error: AppError,
}

/// A diagnostics zip written ("Export diagnostics").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ExportedDiagnostics {
    /// Where it was written.
    pub path: String,
    /// Files in it.
    pub entries: u32,
    /// Its size.
    #[ts(type = "number")]
    pub bytes: u64,
}
