//! The error every service speaks: a kind the app acts on, and a sentence the listener reads.

/// What went wrong asking a service, with a sentence a listener can read.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct ServiceError {
    kind: ServiceErrorKind,
    message: String,
    /// The HTTP status, when the service answered with one.
    status: Option<u16>,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

/// The broad reason, for callers that act differently on each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServiceErrorKind {
    /// The service could not be reached at all (offline, DNS, refused, timed out).
    Offline,
    /// Credentials were refused: a wrong password or key, an expired or revoked session.
    Auth,
    /// The service knows who is asking and refuses anyway.
    Forbidden,
    /// The thing asked for does not exist.
    NotFound,
    /// A write was based on a stale copy.
    Conflict,
    /// The service answered with an error or with something this client cannot read.
    Server,
    /// What the listener typed cannot be used.
    InvalidInput,
    /// The service could not prove who it is (TLS), or sent Strato to plain http.
    Untrusted,
    /// The service does not offer this (an OpenSubsonic extension it lacks, an API too old).
    Unsupported,
}

impl ServiceErrorKind {
    /// Every kind, so callers that map kinds onward can test each one. Add new kinds here.
    pub const ALL: [Self; 9] = [
        Self::Offline,
        Self::Auth,
        Self::Forbidden,
        Self::NotFound,
        Self::Conflict,
        Self::Server,
        Self::InvalidInput,
        Self::Untrusted,
        Self::Unsupported,
    ];
}

impl ServiceError {
    pub fn new(kind: ServiceErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            status: None,
            source: None,
        }
    }

    #[must_use]
    pub fn with_status(mut self, status: Option<u16>) -> Self {
        self.status = status;
        self
    }

    #[must_use]
    pub fn with_source(
        mut self,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        self.source = Some(source.into());
        self
    }

    #[must_use]
    pub fn kind(&self) -> ServiceErrorKind {
        self.kind
    }

    /// The HTTP status the service answered with, if it answered.
    #[must_use]
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// The service could not answer: not reachable, or failing itself (a 5xx, a 408 or 429). What
    /// this computer has seen is the better answer then; any other failure is the answer.
    #[must_use]
    pub fn is_unreachable(&self) -> bool {
        match self.kind {
            ServiceErrorKind::Offline => true,
            // 408 and 429: a proxy's timeout, the service's "not now".
            ServiceErrorKind::Server => {
                self.status.is_none_or(|s| s == 408 || s == 429 || s >= 500)
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_absent_or_failing_service_is_unreachable() {
        let offline = ServiceError::new(ServiceErrorKind::Offline, "offline");
        assert!(offline.is_unreachable());
        let failing = ServiceError::new(ServiceErrorKind::Server, "5xx").with_status(Some(503));
        assert!(failing.is_unreachable());
        let throttled = ServiceError::new(ServiceErrorKind::Server, "429").with_status(Some(429));
        assert!(throttled.is_unreachable());
        let timed_out = ServiceError::new(ServiceErrorKind::Server, "408").with_status(Some(408));
        assert!(timed_out.is_unreachable());
        let refused = ServiceError::new(ServiceErrorKind::Server, "400").with_status(Some(400));
        assert!(!refused.is_unreachable(), "a request refused is the answer");
        let unreadable =
            ServiceError::new(ServiceErrorKind::Server, "garbled").with_status(Some(200));
        assert!(!unreadable.is_unreachable());
        for kind in [
            ServiceErrorKind::Auth,
            ServiceErrorKind::NotFound,
            ServiceErrorKind::Forbidden,
            ServiceErrorKind::Unsupported,
        ] {
            assert!(
                !ServiceError::new(kind, "no")
                    .with_status(Some(500))
                    .is_unreachable()
            );
        }
    }
}
