use crate::sink::SinkError;

/// Why a track could not be played.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AudioError {
    /// The bytes are not a container or codec this player knows.
    #[error("this track's format is not supported ({0})")]
    Unsupported(String),
    /// The stream is damaged or cut short.
    #[error("this track's audio is damaged ({0})")]
    Malformed(String),
    /// Reading the bytes failed (for example the download broke off).
    #[error("the audio could not be read: {0}")]
    Io(#[source] std::io::Error),
    #[error(transparent)]
    Output(#[from] SinkError),
    /// The track's opener failed for a reason of its own (for the app: not signed in, the
    /// service refused the stream, the track is not available offline). Its error is kept
    /// whole, so the kind it carries reaches the listener; it reads as its own words.
    #[error("{0}")]
    Opener(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The track was stopped (a skip, a seek, the queue replaced) before it could play. Never
    /// shown: the player has moved on by then.
    #[error("the track was stopped")]
    Stopped,
    /// The file or the address does not exist (a missing file, a server answering 404). The
    /// message names it.
    #[error("{0}")]
    NotFound(String),
    /// The server, or the file system, refused access (401, 403, a file without read
    /// permission). The message names it.
    #[error("{0}")]
    Forbidden(String),
    /// The network failed: no connection, a timeout, a server error, a certificate that is
    /// not valid. The message says which, and for which address.
    #[error("{0}")]
    Network(String),
    /// The playlist naming the track's audio is not valid, or not a playlist at all.
    #[error("this track's playlist is damaged ({0})")]
    DamagedPlaylist(String),
    /// The bytes are not audio at all (a web page, a text or an image file).
    #[error("this is not audio ({0})")]
    NotAudio(String),
}

impl From<symphonia::core::errors::Error> for AudioError {
    fn from(err: symphonia::core::errors::Error) -> Self {
        use symphonia::core::errors::Error as E;
        match err {
            E::IoError(io) => Self::from_io(io),
            E::Unsupported(what) => Self::Unsupported(what.to_owned()),
            E::DecodeError(what) | E::LimitError(what) => Self::Malformed(what.to_owned()),
            other => Self::Malformed(other.to_string()),
        }
    }
}

impl AudioError {
    /// A read error of a media source. The sources over the network (`strato-stream`'s
    /// readers) say what failed through the error's kind, with their sentence inside:
    /// `NotFound`, `PermissionDenied`, `InvalidData` (damaged bytes), `Unsupported`, and
    /// `Other` for the network.
    #[must_use]
    pub fn from_io(io: std::io::Error) -> Self {
        use std::io::ErrorKind as Io;
        let Some(inner) = io.get_ref() else {
            return Self::Io(io);
        };
        let words = inner.to_string();
        match io.kind() {
            Io::NotFound => Self::NotFound(words),
            Io::PermissionDenied => Self::Forbidden(words),
            Io::InvalidData => Self::Malformed(words),
            Io::Unsupported => Self::Unsupported(words),
            Io::Other => Self::Network(words),
            _ => Self::Io(io),
        }
    }
}
