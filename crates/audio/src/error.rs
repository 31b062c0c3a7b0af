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
    /// The audio could not be fetched; the message says why, in words.
    #[error("{0}")]
    Unavailable(String),
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
    /// A read error; when it carries an error from the network side, that error's words.
    #[must_use]
    pub fn from_io(io: std::io::Error) -> Self {
        if io.kind() == std::io::ErrorKind::Other
            && let Some(inner) = io.get_ref()
        {
            return Self::Unavailable(inner.to_string());
        }
        Self::Io(io)
    }
}
