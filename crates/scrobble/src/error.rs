//! The crate's one error: a kind to branch on and a sentence a listener understands, plus
//! what a sender needs to act safely: how long a rate limit asks to wait, and whether a
//! failed submission may still have landed.

use std::time::Duration;

/// What went wrong scrobbling, with a sentence a listener can read.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct ScrobbleError {
    kind: ScrobbleErrorKind,
    message: String,
    /// For [`ScrobbleErrorKind::RateLimited`]: how long the service asked to wait.
    wait: Option<Duration>,
    /// The request was sent and its answer never came (a timeout, a dropped connection, a
    /// server failing mid-way): the service may have taken it.
    may_have_landed: bool,
    /// The HTTP status the service answered, when it answered with an error.
    status: Option<u16>,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

/// The broad reason, for callers that act differently on each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ScrobbleErrorKind {
    /// The service could not be reached (offline, refused, timed out, connection broken).
    Offline,
    /// The service refused the user token (401), or said it is not valid.
    Auth,
    /// The service asked to slow down (429); [`ScrobbleError::wait`] says for how long.
    RateLimited,
    /// The service refused what was sent (400), saying why; sending it again cannot help.
    Rejected,
    /// The service failed, or answered with something this client cannot read.
    Server,
    /// The address given for the service cannot be used.
    InvalidInput,
    /// The library (the queue of listens) could not be read or written.
    Library,
}

impl ScrobbleErrorKind {
    /// Every kind, so callers that map kinds onward can test each one.
    pub const ALL: [Self; 7] = [
        Self::Offline,
        Self::Auth,
        Self::RateLimited,
        Self::Rejected,
        Self::Server,
        Self::InvalidInput,
        Self::Library,
    ];
}

impl ScrobbleError {
    pub(crate) fn new(kind: ScrobbleErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            wait: None,
            may_have_landed: false,
            status: None,
            source: None,
        }
    }

    pub(crate) fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    /// Whether the service answered with a refusal that asking again cannot change (a 4xx
    /// other than a refused token, a rate limit or a request timeout).
    pub(crate) fn refused_for_good(&self) -> bool {
        self.status.is_some_and(|status| {
            (400..500).contains(&status) && ![401, 408, 429].contains(&status)
        })
    }

    pub(crate) fn with_source(
        mut self,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        self.source = Some(source.into());
        self
    }

    pub(crate) fn landed_maybe(mut self) -> Self {
        self.may_have_landed = true;
        self
    }

    pub(crate) fn rate_limited(wait: Duration) -> Self {
        let mut error = Self::new(
            ScrobbleErrorKind::RateLimited,
            format!(
                "ListenBrainz asked Strato to slow down; your listens will be sent in {} s.",
                wait.as_secs().max(1)
            ),
        );
        error.wait = Some(wait);
        error
    }

    #[must_use]
    pub fn kind(&self) -> ScrobbleErrorKind {
        self.kind
    }

    /// For [`ScrobbleErrorKind::RateLimited`]: how long to wait (what the service said, at
    /// least a second, or a default when it said nothing usable).
    #[must_use]
    pub fn wait(&self) -> Option<Duration> {
        self.wait
    }

    /// Whether the service may have taken the request although no answer said so: the
    /// listens must be looked up before they are sent again.
    #[must_use]
    pub fn may_have_landed(&self) -> bool {
        self.may_have_landed
    }

    /// The HTTP status of the service's error answer, if it answered.
    #[must_use]
    pub fn status(&self) -> Option<u16> {
        self.status
    }
}

impl From<strato_library::Error> for ScrobbleError {
    fn from(error: strato_library::Error) -> Self {
        Self::new(
            ScrobbleErrorKind::Library,
            format!("Strato could not keep your listens: {error}"),
        )
        .with_source(error)
    }
}
