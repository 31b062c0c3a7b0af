//! The "Local files" source as the window sees it: the listener's music folders on this
//! computer, what a scan is doing, the files that cannot be played, and an album's or an
//! artist's page of them.
//!
//! Local tracks, albums and artists are the model's own [`Track`], [`Album`] and [`Artist`]:
//! a track's id is its file's `file://` URL, an album's starts `local-album:` and an
//! artist's `local-artist:`, so the track lists, cards, covers and queue shown for a
//! service's catalog show them unchanged.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::api::{Album, Artist, Track};
use crate::ipc::AppError;

/// The name of the event that carries [`LocalFilesView`]: a folder added or removed, a scan
/// moving on or ending, a change on disk the watcher took in.
pub const LOCAL_FILES_CHANGED_EVENT: &str = "local-files-changed";

/// The listener's music folders on this computer and the state of their index.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct LocalFilesView {
    /// Why local files cannot be used now (this run keeps no files, the index on disk cannot
    /// be read, the data folder is being moved), with the kind a window in another language
    /// words it by; `None` when they can.
    pub unavailable: Option<AppError>,
    /// The folders added, by path.
    pub folders: Vec<LocalFolder>,
    /// Tracks that play, in every folder.
    pub tracks: u32,
    /// What the scan under way has done so far; `None` when none runs.
    pub scanning: Option<LocalScanProgress>,
    /// Why the last scan stopped short, until one ends well.
    pub scan_problem: Option<AppError>,
    /// Why changes on disk are not followed as they happen (they are then seen at the next
    /// start or rescan).
    pub watch_problem: Option<AppError>,
    /// Files found that cannot be played, with why: the first [`LocalFilesView::FAILED_LISTED`]
    /// by path.
    pub failed: Vec<LocalFailedFile>,
    /// How many files cannot be played in all.
    pub failed_count: u32,
    /// Goes up each time the tracks, albums or artists may have changed (a scan's batch
    /// written, a file the watcher saw, a folder removed): a page showing them reads them
    /// again when it moves.
    pub revision: u32,
}

impl LocalFilesView {
    /// The most files that cannot be played a view names (the rest are counted).
    pub const FAILED_LISTED: usize = 100;
}

/// One music folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct LocalFolder {
    /// As added: absolute, links resolved; what the `remove_local_folder` command takes.
    pub path: String,
    /// Its files that play.
    pub tracks: u32,
    /// Its files that cannot be played.
    pub failed: u32,
    pub state: LocalFolderState,
}

/// Whether a music folder can be read now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum LocalFolderState {
    /// There and readable.
    Ready,
    /// Not there, or empty while the index holds files of it (a disk not plugged in): its
    /// tracks are kept, and come back when it does.
    Missing,
    /// There, but Strato may not read it (permissions).
    Unreadable,
}

/// A scan's progress: every file is first found, then read when new or changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct LocalScanProgress {
    /// Audio files found on disk so far.
    pub found: u32,
    /// Of those, found as the index had them (not opened again).
    pub unchanged: u32,
    /// Files new or changed that were read.
    pub read: u32,
    /// Of those read, files that cannot be played.
    pub failed: u32,
    /// Files gone from disk, taken out of the index.
    pub removed: u32,
}

/// A file that cannot be played, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct LocalFailedFile {
    pub path: String,
    /// Why, for the window to word in its language.
    pub problem: LocalFileProblem,
    /// Why, in English ("This file is damaged or incomplete, so Strato cannot play it."),
    /// with the system's own words for an I/O error: what an English window shows.
    pub reason: String,
}

/// Why a file found in a music folder cannot be played.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum LocalFileProblem {
    /// Not a kind of audio Strato reads (a text file named `.mp3`, an unknown format), or
    /// damaged past recognising.
    NotAudio,
    /// Audio, but damaged or incomplete inside.
    Damaged,
    /// Ends before its data does: an unfinished copy or download.
    CutShort,
    /// Reads as audio but holds no sound.
    NoSound,
    /// Gone between being found and being read.
    Gone,
    /// Strato may not read it (permissions).
    NotAllowed,
    /// The disk would not give it, for a reason none of the others names.
    Unreadable,
}

/// A local album's page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct LocalAlbumPage {
    pub album: Album,
    /// In disc and track order.
    pub tracks: Vec<Track>,
}

/// A local artist's page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct LocalArtistPage {
    pub artist: Artist,
    /// The albums whose album artist they are, by title.
    pub albums: Vec<Album>,
    /// The tracks they play or whose album is theirs, in album order.
    pub tracks: Vec<Track>,
}
