//! What a service is and what it offers beyond the catalog every service has.

/// The kinds of service Strato speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ServiceKind {
    /// Strato's own cloud: Cognito accounts, the REST API, the CDN.
    Strato,
    /// A server speaking the Subsonic API, with or without the OpenSubsonic extensions.
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

/// What a service offers beyond reading its catalog. A feature it lacks is hidden in the
/// window, not offered and then refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "each is one independent capability a server has or lacks"
)]
pub struct Features {
    /// Listeners upload their own music to it.
    pub uploads: bool,
    /// Synced lyrics for its tracks.
    pub lyrics: bool,
    /// Tracks, albums and artists can be starred (favourites kept by the server).
    pub stars: bool,
    /// Playlists carry revisions, so a stale write is refused by the server itself; without
    /// them a conflict is found by comparing with the playlist as last seen.
    pub playlist_revisions: bool,
    /// It pushes what changed on the listener's other devices as it happens.
    pub live_updates: bool,
    /// It records what was played (Subsonic's `scrobble`).
    pub scrobble: bool,
}
