//! The crate's one error: a kind callers branch on and a sentence a listener can read.
//!
//! A lookup that finds nothing is not an error (it is [`crate::LyricsOutcome::NoneFound`]);
//! an error means a source could not answer, so nothing is kept and the track is asked
//! about again next time.

/// Why lyrics could not be looked up.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct LyricsError {
    kind: LyricsErrorKind,
    message: String,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

/// The broad reason, for callers that act differently on each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LyricsErrorKind {
    /// The source could not be reached (offline, refused, timed out).
    Offline,
    /// The source answered with an error or with something that cannot be read.
    Server,
    /// The source refused the request (a 4xx other than "not found"), or the address it
    /// was given cannot be used.
    Rejected,
    /// The library could not read or keep the lyrics.
    Library,
}

impl LyricsErrorKind {
    /// Every kind, so callers that map kinds onward can test each one.
    pub const ALL: [Self; 4] = [Self::Offline, Self::Server, Self::Rejected, Self::Library];
}

impl LyricsError {
    /// An error of `kind` with `message`, a sentence for the listener.
    pub fn new(kind: LyricsErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            source: None,
        }
    }

    /// The same, keeping what caused it.
    #[must_use]
    pub fn with_source(
        mut self,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        self.source = Some(source.into());
        self
    }

    #[must_use]
    pub fn kind(&self) -> LyricsErrorKind {
        self.kind
    }

    /// The sentence, without the kind.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl From<strato_library::Error> for LyricsError {
    fn from(error: strato_library::Error) -> Self {
        Self::new(
            LyricsErrorKind::Library,
            format!("Strato could not keep the lyrics: {error}"),
        )
        .with_source(error)
    }
}
