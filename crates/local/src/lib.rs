//! Local files: the listener's own music folders as a source of tracks.
//!
//! This crate owns:
//! - **The index** ([`LocalIndex`]): a SQLite database of its own (a path the caller gives,
//!   e.g. `<data dir>/local-files.sqlite3`; WAL; schema versioned by `PRAGMA user_version`),
//!   apart from the per-account libraries, because local files belong to the computer, not
//!   to an account. It holds the folders added and every audio file under them: its tags,
//!   length, format, whether it has a cover, or why it cannot be played.
//! - **Scanning** ([`Scanner`]): walking the folders for MP3, FLAC, M4A (AAC or ALAC), Ogg
//!   Vorbis, Opus and WAV files (by extension; hidden folders skipped, link loops noticed),
//!   reading their tags with lofty, incrementally (a file of the same size and time is not
//!   read again), in batched transactions, stoppable, with progress. Blocking work: run it
//!   on a thread of its own.
//! - **Watching** ([`FolderWatcher`]): changes on disk, debounced, rescanned path by path.
//! - **Reading** (on [`LocalIndex`]): tracks in album order, albums, artists, search by
//!   words, a track by id, a track's cover, all as the model's types. A local track's id is
//!   its file's `file://` URL (see [`ids`]), which the audio engine plays from disk. A file
//!   named by a path written elsewhere (a playlist file's) is found whichever links, `..`
//!   or (on Windows and macOS) case it is written with ([`PathResolver`], `track_at`).
//! - **Playlists kept on this computer** (on [`LocalIndex`]: `create_playlist` and the
//!   rest, `edit_playlist` for their items): lists of local files, in the same database
//!   because they belong to the computer as the files do. An item keeps its file's
//!   last-known tags, so a file gone from the index is still listed (as missing), even put
//!   back after it was taken out, and whole again once it is back.
//!
//! Not here: wiring into the app (the core's sources, the UI's "Local files"), and playing.
//!
//! ```no_run
//! # fn main() -> Result<(), strato_local::LocalError> {
//! use strato_local::{LocalIndex, Scanner};
//! let mut index = LocalIndex::open("/data/strato/local-files.sqlite3")?;
//! index.add_folder("/home/me/Music")?;
//! let report = Scanner::new(&mut index).scan_all()?;
//! println!("{} files, {} read", report.seen, report.read);
//! for track in index.search("bjork homogenic", 20)? {
//!     println!("{} — {} ({})", track.artist_name, track.title, track.id);
//! }
//! # Ok(()) }
//! ```

mod browse;
mod changes;
mod cover;
mod error;
mod file_info;
mod file_kinds;
pub mod ids;
mod index;
mod locate;
mod migrations;
mod playlist_edits;
mod playlists;
mod problem;
mod scan;
mod store;
mod tags;
mod walk;
mod watch;

pub use cover::{Cover, CoverSource};
pub use error::{LocalError, LocalErrorKind, Result};
pub use file_info::LocalFile;
pub use file_kinds::AudioFormat;
pub use index::{FailedFile, Folder, FolderPresence, FolderSummary, LocalIndex};
pub use locate::PathResolver;
pub use migrations::LATEST_VERSION;
pub use playlists::{MAX_ITEMS as MAX_PLAYLIST_ITEMS, MAX_NAME_CHARS as MAX_PLAYLIST_NAME_CHARS};
pub use problem::FileProblem;
pub use scan::{BATCH_ROWS, ScanReport, Scanner, StopFlag};
pub use watch::FolderWatcher;
