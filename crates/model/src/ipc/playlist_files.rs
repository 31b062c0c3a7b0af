//! Playlist files (M3U, M3U8, XSPF) brought in and sent out: what the window shows before
//! an imported playlist is created.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::api::Track;

/// A playlist file read and matched to the service's tracks and to the files on this
/// computer, for the listener to confirm ("12 of 14 matched") before the playlist is created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PlaylistImport {
    /// The name the file gives (M3U's `#PLAYLIST:`, XSPF's title), else the file's name.
    pub name: String,
    pub format: PlaylistFileFormat,
    /// How many tracks the file lists.
    pub entries: u32,
    /// The tracks matched, in the file's order: the service's, and files on this computer
    /// (`file://` ids, matched by their path), which go into a playlist on this computer.
    pub matched: Vec<Track>,
    /// How many of `matched` are files on this computer.
    pub local_matched: u32,
    /// The entries no track matched, in the file's order.
    pub unmatched: Vec<UnmatchedEntry>,
}

/// The kinds of playlist file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PlaylistFileFormat {
    /// M3U and M3U8.
    M3u,
    Xspf,
}

/// An entry of a playlist file that matched no track, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct UnmatchedEntry {
    /// Its place in the file, from 1.
    pub position: u32,
    /// What the file says it is: "Artist – Title", else its file name or address.
    pub label: String,
    pub reason: UnmatchedReason,
}

/// Why an entry matched no track.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum UnmatchedReason {
    /// Its file is not here, and it has no title to look for (a stream's address, say).
    NothingToLookFor,
    /// No track has its title (by its artist, when it names one).
    NotFound,
    /// Tracks of its title and artist, none of its length.
    LengthDiffers { expected_ms: u32, closest_ms: u32 },
    /// Several tracks of its title by different artists, and it names none.
    Ambiguous { count: u32 },
}
