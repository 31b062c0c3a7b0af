//! What went wrong talking to a Subsonic server, in a sentence a listener understands.
//!
//! Three sources: the server's own error envelope (`status: failed` with a numeric `code`,
//! usually under HTTP 200), an HTTP status without an envelope, and the transport. Each maps
//! to a [`SubsonicErrorKind`] that mirrors strato-cloud's, so the app treats both services'
//! failures alike; the Subsonic code is kept ([`SubsonicError::code`]) for callers that act on
//! one (code 41: fall back to the password) and for Diagnostics.

/// What went wrong, with a sentence a listener can read.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct SubsonicError {
    kind: SubsonicErrorKind,
    /// The Subsonic error code, when the server answered with an error envelope.
    code: Option<u32>,
    /// The HTTP status, when the server answered one that was not a success.
    status: Option<u16>,
    message: String,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

/// The broad reason, for callers that act differently on each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SubsonicErrorKind {
    /// The server could not be reached (offline, DNS, refused, timed out).
    Offline,
    /// The username, password or API key was refused, or this way of signing in is not
    /// taken for this account.
    Auth,
    /// The server knows who is asking and refuses (code 50): not this account's to do.
    Forbidden,
    /// The thing asked for does not exist (code 70, HTTP 404).
    NotFound,
    /// The server failed, or answered something this client cannot read.
    Server,
    /// What the listener typed cannot be used (an address, an empty name).
    InvalidInput,
    /// The server lacks what was asked (an extension it does not offer, an API too old or
    /// too new).
    Unsupported,
    /// The server could not prove who it is (its certificate), or redirected to plain http.
    Untrusted,
}

impl SubsonicErrorKind {
    /// Every kind, so callers that map kinds onward can test each one.
    pub const ALL: [Self; 8] = [
        Self::Offline,
        Self::Auth,
        Self::Forbidden,
        Self::NotFound,
        Self::Server,
        Self::InvalidInput,
        Self::Unsupported,
        Self::Untrusted,
    ];
}

impl SubsonicError {
    pub(crate) fn new(kind: SubsonicErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            code: None,
            status: None,
            message: message.into(),
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
    pub fn kind(&self) -> SubsonicErrorKind {
        self.kind
    }

    /// The Subsonic error code (0, 10, 20, 30, 40, 41, 42, 43, 44, 50, 60, 70), when the
    /// server sent one.
    #[must_use]
    pub fn code(&self) -> Option<u32> {
        self.code
    }

    /// The HTTP status, when the server answered one that was not a success.
    #[must_use]
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// The sentence for the listener (also the `Display`).
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Worth another try: the network, or a server failure (HTTP 5xx, 429).
    #[must_use]
    pub fn is_transient(&self) -> bool {
        self.kind == SubsonicErrorKind::Offline || self.status.is_some_and(|s| s == 429 || s >= 500)
    }

    /// The error for the server's envelope `{code, message}`. The server's own message is
    /// added after ours when it says more than the code does (code 0, "generic").
    pub(crate) fn from_code(code: u32, server_message: &str) -> Self {
        use SubsonicErrorKind as K;
        let (kind, words): (SubsonicErrorKind, &str) = match code {
            10 => (
                K::Server,
                "The server says a request from Strato was incomplete; it may not speak the \
                 Subsonic API as Strato expects.",
            ),
            20 => (
                K::Unsupported,
                "This server needs a newer app than this Strato; update Strato.",
            ),
            30 => (
                K::Unsupported,
                "This server is older than Strato needs; ask its owner to update it.",
            ),
            40 => (
                K::Auth,
                "The server says the username or password is wrong.",
            ),
            41 => (
                K::Auth,
                "The server does not take Strato's salted-token sign-in for this account \
                 (an LDAP account); Strato then signs in with the password itself.",
            ),
            42 => (
                K::Auth,
                "The server does not accept this way of signing in.",
            ),
            43 => (
                K::Auth,
                "The server refused a request that signed in two ways at once.",
            ),
            44 => (
                K::Auth,
                "The server says the API key is wrong or was revoked; make a new one on the \
                 server.",
            ),
            50 => (
                K::Forbidden,
                "The server says this account is not allowed to do that.",
            ),
            60 => (
                K::Forbidden,
                "The server's trial period is over; ask its owner.",
            ),
            70 => (
                K::NotFound,
                "The server no longer has that; it may have been deleted or moved.",
            ),
            _ => (K::Server, "The server could not do that."),
        };
        let detail = server_message.trim();
        let message = if (code == 0 || !matches!(code, 10..=70)) && !detail.is_empty() {
            format!("{words} It said: \u{201c}{detail}\u{201d}")
        } else {
            words.to_owned()
        };
        Self {
            code: Some(code),
            ..Self::new(kind, message)
        }
    }

    /// The error for an HTTP status without a readable envelope, while trying to `what`.
    pub(crate) fn from_status(status: u16, what: &str) -> Self {
        use SubsonicErrorKind as K;
        let (kind, message) = match status {
            401 => (
                K::Auth,
                format!("The server refused to {what}: it asks to sign in again."),
            ),
            403 => (
                K::Forbidden,
                format!("The server does not allow this account to {what}."),
            ),
            404 => (
                K::NotFound,
                format!(
                    "Could not {what}: the server does not know that address (is it a Subsonic server?)."
                ),
            ),
            429 => (
                K::Server,
                format!("The server is busy; Strato will {what} a little later."),
            ),
            500..=599 => (
                K::Server,
                format!("The server failed to {what}; try again later."),
            ),
            _ => (
                K::Server,
                format!("The server gave an unexpected answer (HTTP {status}) to {what}."),
            ),
        };
        Self {
            status: Some(status),
            ..Self::new(kind, message)
        }
    }

    /// The error for a transport failure while trying to `what`. URLs are stripped from the
    /// source: they carry the password, token or key.
    pub(crate) fn transport(err: reqwest::Error, what: &str) -> Self {
        use SubsonicErrorKind as K;
        let plain_http = err.is_builder() && err.url().is_some_and(|url| url.scheme() == "http");
        let err = err.without_url();
        let (kind, message) = if plain_http {
            (
                K::Untrusted,
                format!(
                    "Could not {what}: the address is not https, which Strato does not use for \
                     a server beyond this computer."
                ),
            )
        } else if let Some(words) = certificate_problem(&err) {
            (K::Untrusted, words.to_owned())
        } else if has_in_chain::<crate::address::ForeignRedirect>(&err) {
            (
                K::Untrusted,
                "The server redirected Strato to another server, so it was not followed: \
                 your sign-in would have gone with it."
                    .to_owned(),
            )
        } else if has_in_chain::<crate::address::InsecureRedirect>(&err) {
            (
                K::Untrusted,
                "The server redirected Strato to an address without https, so it was not \
                 followed."
                    .to_owned(),
            )
        } else if err.is_connect() || err.is_timeout() || err.is_request() {
            (
                K::Offline,
                format!("Could not reach the server to {what}. Check your connection."),
            )
        } else if err.is_decode() {
            (
                K::Server,
                format!("The server sent an unreadable answer to {what}."),
            )
        } else {
            (
                K::Offline,
                format!("The connection broke while trying to {what}."),
            )
        };
        Self::new(kind, message).with_source(err)
    }

    /// An answer that is not the Subsonic JSON it should be.
    pub(crate) fn unreadable(
        what: &str,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Self::new(
            SubsonicErrorKind::Server,
            format!("The server's answer to {what} could not be read; is it a Subsonic server?"),
        )
        .with_source(source)
    }
}

/// Whether an `E` is anywhere in `err`'s chain.
fn has_in_chain<E: std::error::Error + 'static>(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(err);
    while let Some(err) = next {
        if err.is::<E>() {
            return true;
        }
        next = err.source();
    }
    false
}

/// What a TLS failure in `err`'s chain means, in a sentence; `None` when it was not about TLS.
fn certificate_problem(err: &(dyn std::error::Error + 'static)) -> Option<&'static str> {
    let mut next = Some(err);
    while let Some(err) = next {
        // io::Error hides its inner error from source(): look inside it too.
        let tls = err.downcast_ref::<rustls::Error>().or_else(|| {
            err.downcast_ref::<std::io::Error>()
                .and_then(|io| io.get_ref())
                .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        });
        if let Some(tls) = tls {
            return Some(match tls {
                rustls::Error::InvalidCertificate(
                    rustls::CertificateError::Expired
                    | rustls::CertificateError::ExpiredContext { .. },
                ) => "The server's certificate has expired, so the connection cannot be trusted.",
                rustls::Error::InvalidCertificate(
                    rustls::CertificateError::NotValidForName
                    | rustls::CertificateError::NotValidForNameContext { .. },
                ) => {
                    "The server's certificate is for another address, so the connection cannot be trusted."
                }
                rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer) => {
                    "The server's certificate is not from an issuer this computer trusts."
                }
                _ => "The secure connection to the server failed, so it cannot be trusted.",
            });
        }
        next = err.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_subsonic_code_has_a_kind_and_words() {
        use SubsonicErrorKind as K;
        let expected = [
            (0, K::Server),
            (10, K::Server),
            (20, K::Unsupported),
            (30, K::Unsupported),
            (40, K::Auth),
            (41, K::Auth),
            (42, K::Auth),
            (43, K::Auth),
            (44, K::Auth),
            (50, K::Forbidden),
            (60, K::Forbidden),
            (70, K::NotFound),
            (99, K::Server),
        ];
        for (code, kind) in expected {
            let err = SubsonicError::from_code(code, "raw text");
            assert_eq!(err.kind(), kind, "code {code}");
            assert_eq!(err.code(), Some(code));
            assert!(err.message().ends_with(['.', '\u{201d}']), "{err}");
        }
        assert_eq!(
            SubsonicError::from_code(40, "Wrong username or password.").to_string(),
            "The server says the username or password is wrong."
        );
        assert_eq!(
            SubsonicError::from_code(30, "").to_string(),
            "This server is older than Strato needs; ask its owner to update it."
        );
    }

    #[test]
    fn a_generic_error_says_what_the_server_said() {
        let err = SubsonicError::from_code(0, "No way to transcode from m4a to m4a");
        assert!(err.message().contains("No way to transcode"), "{err}");
        let bare = SubsonicError::from_code(0, " ");
        assert_eq!(bare.message(), "The server could not do that.");
    }

    #[test]
    fn http_statuses_map_to_kinds() {
        use SubsonicErrorKind as K;
        for (status, kind) in [
            (401, K::Auth),
            (403, K::Forbidden),
            (404, K::NotFound),
            (500, K::Server),
            (502, K::Server),
            (418, K::Server),
        ] {
            let err = SubsonicError::from_status(status, "load the album");
            assert_eq!(err.kind(), kind, "{status}");
            assert_eq!(err.status(), Some(status));
            assert_eq!(err.code(), None);
        }
        assert!(SubsonicError::from_status(503, "x").is_transient());
        assert!(!SubsonicError::from_status(404, "x").is_transient());
    }
}
