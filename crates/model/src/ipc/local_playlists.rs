//! Playlists kept on this computer ("local playlists"): lists of the listener's own files,
//! kept in the index of local files rather than in an account, so they are there signed
//! out, offline and under every account, and never sync to a service.
//!
//! A local playlist's id starts `local-playlist:`; its items are files on this computer only
//! (`file://` track ids). Each item keeps its file's last-known tags, so an item whose file
//! went away (moved, its folder removed, a drive unplugged) is still listed, by name, as
//! missing, and plays again once the file is back.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::LibraryPlaylist;
use crate::api::Track;

/// The name of the event sent when a local playlist is created, renamed, deleted or its
/// items change, when which of its files are missing may have changed (a scan, the watcher,
/// a music folder removed), and when the index goes out of reach or comes back (no
/// payload): the sidebar and an open playlist read theirs again.
pub const LOCAL_PLAYLISTS_CHANGED_EVENT: &str = "local-playlists-changed";

/// A local playlist as a list of them shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct LocalPlaylistSummary {
    /// `local-playlist:<uuid>`.
    pub id: String,
    pub name: String,
    /// How many items it holds, missing ones included.
    pub items: u32,
    /// Of those, items whose file cannot be played from where it is named: neither in the
    /// music folders nor on disk, or there but damaged.
    pub missing: u32,
    /// Its length: every item's, a missing one's as last known.
    #[ts(type = "number")]
    pub duration_ms: u64,
    /// When its name or items last changed, Unix milliseconds.
    #[ts(type = "number")]
    pub updated_at_ms: i64,
    /// One more at every change of its name or items: an edit computed from positions
    /// (the Undo of a removal) names the revision it was computed at, and is refused if
    /// another change came first.
    pub revision: u32,
}

/// An opened local playlist: every item, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct LocalPlaylistPage {
    pub id: String,
    pub name: String,
    /// The revision these items are at (see [`LocalPlaylistSummary::revision`]).
    pub revision: u32,
    pub items: Vec<LocalPlaylistItem>,
}

/// One item of a local playlist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct LocalPlaylistItem {
    /// The item's own id, which stays with it through every move: what removing and moving
    /// it name (a playlist may hold the same file twice).
    pub item_id: String,
    /// Its place, from 0.
    pub position: u32,
    /// The file's track (its id is the file's `file://` URL): from the index when the file
    /// is there, else made of the tags last known.
    pub track: Track,
    /// The file cannot be played from where it is named (neither in the music folders nor
    /// on disk, or damaged): shown greyed, not played. A file outside the music folders that
    /// is there plays.
    pub missing: bool,
}

/// What an edit of a playlist's items (`edit_local_playlist`) left.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct LocalPlaylistEdited {
    pub playlist: LocalPlaylistSummary,
    /// The items the edit added, in order: what its Undo removes.
    pub added_item_ids: Vec<String>,
}

/// What an import created. A file naming both the service's tracks and files on this
/// computer makes both playlists, with the same name, so nothing it named is lost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ImportedPlaylists {
    /// The account's playlist of the service's tracks, when the file named any.
    pub library: Option<LibraryPlaylist>,
    /// The playlist on this computer of the files on this computer, when it named any.
    pub local: Option<LocalPlaylistSummary>,
}
