//! Strato's offline library: the SQLite database that lets the app work without a network.
//!
//! One database file per account and service ([`library_file_name`]) holds:
//!
//! - the **catalog cache**: tracks, albums and artists as the service listed them, with a
//!   full-text index ([`Library::search`]: per-word prefix, accent-insensitive, bm25-ranked),
//!   the album covers seen ([`Library::kept_cover`]), and the catalog listing's order, read
//!   a page at a time by keyset ([`Library::catalog_page`]), so the library looks the same
//!   offline;
//! - the listener's **playlists**, editable offline. Each edit changes the local copy and
//!   appends to the **pending operation log** in one transaction ([`Library::move_item`] and
//!   friends). Items have stable ids and a fractional order key, so a move writes one row;
//! - **sync cursors**, **downloads** (verified before they count as complete), the **play
//!   queue** with its position, **play history**, and the **uploads** of the listener's own
//!   files with every part object storage acknowledged (so an upload resumes after a crash);
//! - the **loudness** of tracks without `ReplayGain`, measured when first played or downloaded
//!   ([`Library::keep_loudness`]), and their albums' worked out from it
//!   ([`Library::known_loudness`]);
//! - how each **play** went ([`Library::record_play_metrics`]), and, for a listener who lets
//!   playback be reported, the **report batches** waiting to be sent
//!   ([`Library::seal_telemetry_batch`]);
//! - the **listens** waiting to be scrobbled, each written before it is sent and marked sent
//!   only once the target took it ([`Library::claim_listens`]), so none is lost offline or
//!   sent twice;
//! - the **lyrics** found for tracks and local files, or that none were found
//!   ([`Library::kept_lyrics`]), so they show offline and are not looked up on every play;
//! - an `OpenSubsonic` server's **stars** as last known, and the toggles waiting for it in
//!   the order they were made ([`Library::record_star`]), so a star made offline is kept.
//!
//! This crate owns that database and nothing else: no HTTP, no sync logic, no Tauri. It is
//! synchronous; the app keeps the [`Library`] on a dedicated thread. What the sync engine
//! needs from it is here as primitives: read the log in order ([`Library::pending_ops`]),
//! take in server snapshots with pending edits re-applied on top
//! ([`Library::apply_server_snapshot`]), retire acknowledged operations
//! ([`Library::mark_op_done`]), record failures and rejections. For a server without
//! revisions (`OpenSubsonic`), the last copy seen of each playlist is kept beside it
//! ([`Library::last_seen_playlist`]), written with the snapshot or the retired edit
//! ([`Library::apply_seen_snapshot`], [`Library::mark_op_done_seen`]). The engine itself
//! lives elsewhere.
//!
//! The schema is a series of `.sql` files under `migrations/` ([`migrations`]), applied at
//! open; a database from a newer Strato is refused ([`Error::TooNew`]), never downgraded.
//!
//! Benchmarks against the targets: `cargo run --release -p strato-library --example
//! bench` (see `examples/bench.rs`).

mod aliases;
mod availability;
mod browse;
mod catalog;
mod catalog_pages;
mod conflicts;
mod covers;
mod downloads;
mod error;
mod history;
mod last_seen;
mod library;
mod listens;
mod loudness;
mod lyrics;
pub mod migrations;
mod offline;
mod op_log;
mod play_metrics;
mod playlist_apply;
mod playlist_batch;
mod playlist_edits;
mod playlists;
mod queue;
mod search;
mod server_state;
mod stars;
mod sync_cursors;
mod sync_records;
mod telemetry;
#[cfg(test)]
mod test_support;
mod uploads;

pub use browse::{OfflineCollection, OfflineTrack, PlayCursor};
pub use catalog_pages::{CatalogRows, CatalogSplice, CatalogWrite};
pub use conflicts::RESTORED_SUFFIX;
pub use covers::{COVERS_KEPT_BYTES, KeptCover};
pub use downloads::{Download, DownloadState, VerifiedFile};
pub use error::{Error, ErrorKind, Result};
pub use history::PlayRecord;
pub use library::Library;
pub use listens::{Listen, ListenState, QueuedListen, SENT_LISTENS_KEPT_SECS, ScrobbleTarget};
pub use loudness::{KnownLoudness, MeasuredFrom, TrackLoudness};
pub use lyrics::{KeptLyrics, LyricsBody, LyricsKey, LyricsSource, NONE_FOUND_KEPT_SECS};
pub use offline::CollectionKind;
pub use op_log::{AddedItem, Anchor, OpState, PendingOp, PlaylistOp};
pub use play_metrics::{METRICS_KEPT_SECS, PlayMetrics};
pub use playlist_apply::MAX_ITEMS as MAX_PLAYLIST_ITEMS;
pub use playlist_batch::{BatchChange, BatchOutcome, ItemEdit};
pub use playlist_edits::EditOutcome;
pub use playlists::{LocalPlaylist, LocalPlaylistItem, PlaylistInfo, PlaylistOutline};
pub use queue::{PlayQueue, QueueEntryRow, QueueRepeat};
pub use server_state::SnapshotOutcome;
pub use stars::{StarEdit, StarKind};
pub use sync_records::{SyncRecord, SyncRecordKind};
pub use telemetry::TelemetryBatchRecord;
pub use uploads::{LocalUpload, NewUpload, UploadSessionInfo, UploadState};

/// The file name of the library of `account_id` on `service` (a host name or any other
/// stable identifier of the service), e.g. `library-api.strato.app-3f2a....sqlite3`.
///
/// Letters, digits, `.`, `-` and `_` are kept; any other byte becomes `~` and two hex digits,
/// so two different accounts or services can never share a file, and the name is valid on
/// every desktop file system.
#[must_use]
pub fn library_file_name(service: &str, account_id: &str) -> String {
    fn escape(part: &str, out: &mut String) {
        use std::fmt::Write as _;
        for byte in part.bytes() {
            if byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'-' | b'_') {
                out.push(char::from(byte));
            } else {
                let _ = write!(out, "~{byte:02x}");
            }
        }
    }
    let mut name = String::from("library-");
    escape(service, &mut name);
    // '+' never survives escaping, so it separates the two parts unambiguously.
    name.push('+');
    escape(account_id, &mut name);
    name.push_str(".sqlite3");
    name
}

#[cfg(test)]
mod tests {
    use super::library_file_name;

    #[test]
    fn file_names_are_safe_and_distinct() {
        assert_eq!(
            library_file_name("api.strato.app", "3f2a-b1"),
            "library-api.strato.app+3f2a-b1.sqlite3"
        );
        assert_eq!(
            library_file_name("http://127.0.0.1:8080", "a/b"),
            "library-http~3a~2f~2f127.0.0.1~3a8080+a~2fb.sqlite3"
        );
        assert_ne!(library_file_name("a+b", "c"), library_file_name("a", "b+c"));
    }
}
