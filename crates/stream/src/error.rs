//! One error type for the crate, with a coarse [`ErrorKind`] callers can match on.

use crate::fetch::FetchErrorKind;

/// What went wrong, coarsely: enough for a caller to decide between "retry", "skip this
/// variant" and "tell the user the stream is broken".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A playlist is not valid M3U8, or lacks something this crate needs.
    Playlist,
    /// Valid input using a feature this crate does not handle (SAMPLE-AES, live playlists,
    /// a stream that is not AAC).
    Unsupported,
    /// AES-128 decryption failed: a wrong key or IV, or a ciphertext of the wrong size.
    Decryption,
    /// Segment bytes (MPEG-TS, packed audio, fMP4) are truncated or corrupt.
    Container,
    /// Fetching failed after the retries the policy allows: no connection, a timeout, a
    /// server error, a certificate that is not valid.
    Network,
    /// The server (or the disk) has no such file: a 404, a missing file.
    NotFound,
    /// The server refused access, and fresh credentials did not help (401, 403).
    Forbidden,
    /// The track's fetching was stopped (a seek, a skip, a stop).
    Cancelled,
}

/// An error turning HLS bytes into decoder input.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StreamError {
    /// `hls_m3u8` rejected the playlist text.
    #[error("malformed playlist: {source}")]
    PlaylistSyntax {
        #[from]
        source: hls_m3u8::Error,
    },
    /// `hls_m3u8` panicked on the playlist: input the checks before it did not foresee.
    #[error("the playlist could not be read (the M3U8 parser failed on it: {0})")]
    ParserPanicked(String),
    /// The playlist parsed but is not usable (no segments, a bad URI, ...).
    #[error("invalid playlist: {0}")]
    InvalidPlaylist(String),
    /// A feature outside this crate's scope.
    #[error("unsupported stream: {0}")]
    Unsupported(String),
    /// Decryption failed: a wrong key or IV, or a ciphertext of the wrong size.
    #[error("cannot decrypt segment: {0}")]
    Decryption(String),
    /// An MPEG-TS segment is truncated or corrupt.
    #[error("malformed MPEG-TS: {0}")]
    MalformedTransportStream(String),
    /// A packed-audio (ID3 + ADTS) segment is truncated or corrupt.
    #[error("malformed packed audio: {0}")]
    MalformedPackedAudio(String),
    /// An fMP4 init section or fragment is truncated or corrupt.
    #[error("malformed fMP4: {0}")]
    MalformedFmp4(String),
    /// A playlist, key or segment could not be fetched.
    #[error("{} ({what}).", source.message.trim_end_matches('.'))]
    Fetch {
        what: String,
        #[source]
        source: crate::fetch::FetchError,
    },
    /// Fetching was stopped before it finished.
    #[error("{0}")]
    Cancelled(String),
}

impl StreamError {
    /// A sentence for the listener, the technical detail in parentheses.
    #[must_use]
    pub fn for_listener(&self) -> String {
        match self.kind() {
            ErrorKind::Playlist => format!("This track's playlist is damaged ({self})."),
            ErrorKind::Unsupported => format!("This track's format is not supported ({self})."),
            ErrorKind::Decryption | ErrorKind::Container => {
                format!("This track's audio is damaged ({self}).")
            }
            // Already in words: the fetcher's sentence, with what was being fetched.
            ErrorKind::Network
            | ErrorKind::NotFound
            | ErrorKind::Forbidden
            | ErrorKind::Cancelled => self.to_string(),
        }
    }

    /// The coarse category of this error.
    #[must_use]
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::PlaylistSyntax { .. } | Self::InvalidPlaylist(_) | Self::ParserPanicked(_) => {
                ErrorKind::Playlist
            }
            Self::Unsupported(_) => ErrorKind::Unsupported,
            Self::Decryption(_) => ErrorKind::Decryption,
            Self::MalformedTransportStream(_)
            | Self::MalformedPackedAudio(_)
            | Self::MalformedFmp4(_) => ErrorKind::Container,
            Self::Fetch { source, .. } => match source.kind {
                FetchErrorKind::NotFound => ErrorKind::NotFound,
                FetchErrorKind::Forbidden => ErrorKind::Forbidden,
                _ => ErrorKind::Network,
            },
            Self::Cancelled(_) => ErrorKind::Cancelled,
        }
    }
}

impl From<StreamError> for std::io::Error {
    /// For readers that hand a stream's failure to a decoder: the [`std::io::ErrorKind`]
    /// keeps the coarse kind (`NotFound`, `PermissionDenied` for a refusal, `InvalidData`
    /// for damaged bytes or playlists, `Unsupported`, `Other` for the network), so the
    /// layer above can tell them apart without knowing this crate; the message is the
    /// error's own words.
    fn from(err: StreamError) -> Self {
        use std::io::ErrorKind as Io;
        let kind = match err.kind() {
            ErrorKind::NotFound => Io::NotFound,
            ErrorKind::Forbidden => Io::PermissionDenied,
            ErrorKind::Playlist | ErrorKind::Decryption | ErrorKind::Container => Io::InvalidData,
            ErrorKind::Unsupported => Io::Unsupported,
            ErrorKind::Network | ErrorKind::Cancelled => Io::Other,
        };
        Self::new(kind, err.to_string())
    }
}

/// Shorthand for results in this crate.
pub type Result<T, E = StreamError> = std::result::Result<T, E>;
