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

pub mod rule;

pub use rule::{PlayEvent, Scrobble, ScrobbleRule};
