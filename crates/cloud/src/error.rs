use strato_model::api::{Problem, ProblemType};

/// What went wrong talking to the service, with a sentence a listener can read.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct CloudError {
    kind: CloudErrorKind,
    message: String,
    /// For [`CloudErrorKind::Conflict`]: the playlist's current revision (412's `ETag`).
    revision: Option<u64>,
    /// The HTTP status, when the service answered.
    status: Option<u16>,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

/// The broad reason, for callers that act differently on each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CloudErrorKind {
    /// The service could not be reached at all (offline, DNS, refused, timed out).
    Offline,
    /// Credentials were refused: wrong password, expired or revoked session.
    Auth,
    /// The service knows who is asking and refuses anyway (403): not this listener's to see
    /// or change. Signing in again would not help.
    Forbidden,
    /// The thing asked for does not exist.
    NotFound,
    /// A playlist write named a stale revision (412).
    Conflict,
    /// The service answered with an error or with something this client cannot read.
    Server,
    /// What the listener typed cannot be used (a malformed URL, an empty field).
    InvalidInput,
    /// The OS keychain refused to keep or give back a token.
    Keychain,
    /// The service could not prove who it is (its TLS certificate is expired, for another
    /// name, or from an issuer this computer does not trust), or it redirected to plain http.
    Untrusted,
}

impl CloudErrorKind {
    /// Every kind, so callers that map kinds onward (the app's error kinds) can test each
    /// one. Add a new kind here too.
    pub const ALL: [Self; 9] = [
        Self::Offline,
        Self::Auth,
        Self::Forbidden,
        Self::NotFound,
        Self::Conflict,
        Self::Server,
        Self::InvalidInput,
        Self::Keychain,
        Self::Untrusted,
    ];
}

impl CloudError {
    pub(crate) fn new(kind: CloudErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            revision: None,
            status: None,
            source: None,
        }
    }

    pub(crate) fn with_source(
        mut self,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        self.source = Some(source.into());
        self
    }

    #[must_use]
    pub fn kind(&self) -> CloudErrorKind {
        self.kind
    }

    /// For a [`CloudErrorKind::Conflict`] on a playlist write: the revision now current, to
    /// rebase on.
    #[must_use]
    pub fn current_revision(&self) -> Option<u64> {
        self.revision
    }

    /// The HTTP status the service answered with, if it answered.
    #[must_use]
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    pub(crate) fn with_revision(mut self, revision: Option<u64>) -> Self {
        self.revision = revision;
        self
    }

    /// Worth another try of an idempotent request: the network, or a 5xx / 429.
    /// Worth trying again: the network, a 5xx, or 429.
    #[must_use]
    pub fn is_transient(&self) -> bool {
        self.kind == CloudErrorKind::Offline || self.status.is_some_and(|s| s == 429 || s >= 500)
    }

    /// Maps a transport failure. Request URLs are stripped from the error, as they may carry
    /// CDN signatures.
    pub(crate) fn transport(err: reqwest::Error, what: &str) -> Self {
        // The client is https-only for a service beyond this computer (`Trust::client`).
        let plain_http = err.is_builder() && err.url().is_some_and(|url| url.scheme() == "http");
        let err = err.without_url();
        if plain_http {
            return Self::new(
                CloudErrorKind::Untrusted,
                format!(
                    "Could not {what}: the service named an address without https, which \
                     Strato does not use for a service beyond this computer."
                ),
            )
            .with_source(err);
        }
        if let Some(words) = crate::trust::certificate_problem(&err) {
            Self::new(CloudErrorKind::Untrusted, words).with_source(err)
        } else if crate::trust::is_insecure_redirect(&err) {
            Self::new(
                CloudErrorKind::Untrusted,
                "The service redirected Strato to an address without https, so it was not followed.",
            )
            .with_source(err)
        } else if err.is_connect() || err.is_timeout() || err.is_request() {
            Self::new(
                CloudErrorKind::Offline,
                format!("Could not reach the service to {what}. Check your connection."),
            )
            .with_source(err)
        } else if err.is_decode() {
            Self::new(
                CloudErrorKind::Server,
                format!("The service sent an unreadable answer to {what}."),
            )
            .with_source(err)
        } else {
            Self::new(
                CloudErrorKind::Offline,
                format!("The connection broke while trying to {what}."),
            )
            .with_source(err)
        }
    }

    /// Object storage refused a part (it answers in XML, not problem JSON): an expired or
    /// refused URL (403), an upload it no longer holds (404), or a fault of its own.
    pub(crate) fn from_storage(status: u16, what: &str) -> Self {
        let (kind, message) = match status {
            403 => (
                CloudErrorKind::Forbidden,
                format!("Could not {what}: the upload link expired."),
            ),
            404 => (
                CloudErrorKind::NotFound,
                format!("Could not {what}: storage no longer holds this upload."),
            ),
            _ => (
                CloudErrorKind::Server,
                format!("Could not {what}: storage answered with error {status}."),
            ),
        };
        let mut err = Self::new(kind, message);
        err.status = Some(status);
        err
    }

    /// Maps an error response, reading its problem+json body when there is one.
    pub(crate) fn from_response(status: u16, problem: Option<Problem>, what: &str) -> Self {
        let kind = match problem.as_ref().and_then(Problem::kind) {
            Some(ProblemType::Unauthorized) => CloudErrorKind::Auth,
            Some(ProblemType::NotFound) => CloudErrorKind::NotFound,
            // A stale playlist revision; an upload whose state does not allow the request.
            Some(ProblemType::RevisionMismatch | ProblemType::UploadConflict) => {
                CloudErrorKind::Conflict
            }
            // A malformed request; a file the service does not take (its own words say why).
            Some(
                ProblemType::BadRequest
                | ProblemType::FileTooLarge
                | ProblemType::QuotaExceeded
                | ProblemType::UnsupportedFormat,
            ) => CloudErrorKind::InvalidInput,
            Some(ProblemType::Forbidden) => CloudErrorKind::Forbidden,
            _ => match status {
                401 => CloudErrorKind::Auth,
                403 => CloudErrorKind::Forbidden,
                404 => CloudErrorKind::NotFound,
                412 => CloudErrorKind::Conflict,
                _ => CloudErrorKind::Server,
            },
        };
        let listeners_words = problem.as_ref().filter(|p| {
            matches!(
                p.kind(),
                Some(
                    ProblemType::FileTooLarge
                        | ProblemType::QuotaExceeded
                        | ProblemType::UnsupportedFormat
                        | ProblemType::UploadConflict
                )
            )
        });
        let message = match kind {
            _ if listeners_words.is_some() => listeners_words
                .and_then(|p| p.detail.clone())
                .unwrap_or_else(|| format!("Could not {what}.")),
            CloudErrorKind::Auth => "Your session has expired. Please sign in again.".to_owned(),
            CloudErrorKind::Forbidden => {
                format!("Could not {what}: the service does not allow it for your account.")
            }
            CloudErrorKind::NotFound => format!("Could not {what}: it no longer exists."),
            CloudErrorKind::Conflict => format!("Could not {what}: it was changed elsewhere."),
            _ => {
                let title = problem.map_or_else(|| format!("error {status}"), |p| p.title);
                format!("The service could not {what} ({title}).")
            }
        };
        let mut err = Self::new(kind, message);
        err.status = Some(status);
        err
    }
}
