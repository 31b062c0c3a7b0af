//! Which kind of music service an account is on, and what that service offers: the window
//! shows only what the signed-in service can do.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The kinds of service Strato speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ServiceKind {
    /// Strato's own cloud: Cognito accounts, the REST API, the CDN.
    #[default]
    Strato,
    /// A server speaking the Subsonic API, with or without the `OpenSubsonic` extensions.
    OpenSubsonic,
}

impl ServiceKind {
    /// The kind's name as the listener reads it.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Strato => "Strato",
            Self::OpenSubsonic => "OpenSubsonic",
        }
    }
}

/// What a service offers beyond reading its catalog (home, albums, artists, search, covers,
/// streaming), as this app can use it. A feature it lacks is hidden in the window, not
/// offered and then refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "each is one independent capability a server has or lacks"
)]
pub struct Features {
    /// Listeners upload their own music to it, and share it with others (Explore).
    pub uploads: bool,
    /// Synced lyrics for its tracks.
    pub lyrics: bool,
    /// Tracks, albums and artists can be starred (favourites kept by the server).
    pub stars: bool,
    /// Playlists carry revisions, so a stale write is refused by the server itself; without
    /// them a conflict is found by comparing with the playlist as last seen.
    pub playlist_revisions: bool,
    /// The library's playlists are kept in step with the service's.
    pub playlist_sync: bool,
    /// Its tracks can be kept on this computer to play offline.
    pub downloads: bool,
    /// The whole catalog can be listed page by page (the Catalog screen).
    pub catalog: bool,
    /// It pushes what changed on the listener's other devices as it happens, and playback
    /// moves between them.
    pub live_updates: bool,
    /// It records what was played (Subsonic's `scrobble`).
    pub scrobble: bool,
}
