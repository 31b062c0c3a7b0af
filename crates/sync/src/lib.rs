//! Keeps the offline [`Library`](strato_library::Library) and the service in step.
//!
//! - [`playlists`]: sends the pending playlist edits in order (with `Idempotency-Key` and
//!   `If-Match`), pulls the changes feed, rebases on `412` and applies the conflict policy,
//!   so an offline edit is never lost.
//! - [`subsonic_playlists`]: the same for an `OpenSubsonic` server, whose API has neither
//!   revisions nor idempotency keys: another client's edit, and a write whose answer was
//!   lost, are found by comparing the server's playlist with the last copy seen.
//! - [`subsonic_stars`]: the stars toggled on this computer, sent to an `OpenSubsonic`
//!   server in the order they were made, offline ones when it can be reached again.
//! - [`live`]: follows the live channel, so another device's edit is pulled as it is made.
//! - [`downloads`]: fetches the tracks the listener wants offline, verified and written
//!   atomically, within the storage quota.
//! - [`uploads`]: sends the listener's own files straight to object storage, part by part,
//!   resumable from the parts recorded in the library, and follows their processing.
//! - [`telemetry`]: for a listener who opted in, sends playback reports (counts by the
//!   hour, nothing personal), kept in the library until the service has taken them.
//!
//! Everything here runs on tokio; the database is reached through [`LibraryHandle`], which
//! runs each call on the blocking pool so no async task ever waits on SQLite.

pub mod downloads;
mod handle;
pub mod live;
pub mod playlists;
mod schedule;
pub mod subsonic_playlists;
pub mod subsonic_stars;
pub mod telemetry;
pub mod uploads;

pub use handle::LibraryHandle;
pub use live::{CommandNotSent, DevicePresence, LiveFollower, LiveNews, LiveSchedule, LiveState};
pub use playlists::{PlaylistSync, SyncError, SyncReport};
pub use schedule::{PlaylistPasses, SyncEvent, SyncLoop, SyncSchedule, SyncTrigger};
pub use subsonic_playlists::{SubsonicPlaylistSync, SubsonicSyncError};
pub use subsonic_stars::{RefusedStar, StarsSent, StarsTakenIn, send_star_edits, take_in_starred};
pub use telemetry::{TelemetryReport, TelemetryReporter};
