//! Scrobbling (issue 20): telling a listener's scrobble service what they hear.
//!
//! - [`rule`]: when a play counts as a listen (half the track or 4 minutes, tracks of 30 s
//!   or more), a pure state machine fed with the player's events.
//! - [`listenbrainz`]: the `ListenBrainz` API client: `playing_now`, listens one at a time or
//!   in batches, the user's listens between two times, token validation, rate limits.
//! - [`submitter`]: the task that drains the library's queue of listens (`strato-library`,
//!   [`strato_library::Library::claim_listens`]) to `ListenBrainz` in order and in batches,
//!   when online, and never submits a listen twice: a listen whose answer was lost is looked
//!   up on the service before it is sent again.
//!
//! The queue is the library's and is generic over the target: the `OpenSubsonic` `scrobble`
//! target uses the same rows (target `subsonic`) with its own sender, elsewhere. This crate
//! knows no Tauri, no cloud and no sync engine; the app wires it to the player.

pub mod error;
pub mod listenbrainz;
pub mod rule;
pub mod submitter;

pub use error::{ScrobbleError, ScrobbleErrorKind};
pub use listenbrainz::{ListenBrainzClient, ListenSeen, UserToken};
pub use rule::{PlayEvent, PlayId, Scrobble, ScrobbleRule};
pub use submitter::{SharedLibrary, Submitter, SubmitterConfig, SubmitterStatus};

use strato_library::Listen;
use strato_model::api::Track;

/// The listen of `track`, heard from `account` on a service of `service_kind`, begun at
/// `listened_at` (Unix seconds): what the queue keeps. Unknown numbers (0) are left out.
#[must_use]
pub fn listen_of(track: &Track, service_kind: &str, account: &str, listened_at: i64) -> Listen {
    Listen {
        service_kind: service_kind.to_owned(),
        account: account.to_owned(),
        track_id: track.id.clone(),
        artist_name: track.artist_name.clone(),
        track_name: track.title.clone(),
        release_name: Some(track.album_title.clone()).filter(|name| !name.trim().is_empty()),
        duration_ms: Some(track.duration_ms).filter(|ms| *ms > 0),
        track_number: Some(track.track_number).filter(|n| *n > 0),
        listened_at,
    }
}
