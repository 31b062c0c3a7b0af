//! The lyrics panel's data: a track's lyrics, synced line by line when a source has the
//! times, plain otherwise, and where they came from.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A track's lyrics, as the panel shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct LyricsView {
    pub track_id: String,
    pub lyrics: TrackLyrics,
}

/// What was found for a track.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TrackLyrics {
    /// Lines with their start times: the panel follows playback and seeks on a click.
    Synced {
        lines: Vec<LyricsLine>,
        source: LyricsOrigin,
    },
    /// Text without times.
    Plain { text: String, source: LyricsOrigin },
    /// The track has no words.
    Instrumental { source: LyricsOrigin },
    /// No source had lyrics. `looked_online` is false when the setting keeps lookups on
    /// this computer (the panel says they could be looked up).
    NotFound { looked_online: bool },
}

/// One line of synced lyrics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct LyricsLine {
    /// From the start of the track.
    pub at_ms: u32,
    /// Empty for a pause.
    pub text: String,
}

/// Where lyrics came from, said under them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum LyricsOrigin {
    /// LRCLIB, the open lyrics database.
    Lrclib,
    /// The listener's own server (`OpenSubsonic`'s lyrics).
    Server,
    /// A `.lrc` file beside the audio file.
    File,
    /// The audio file's own tags.
    Tags,
}
