//! Why a download stopped, in words a listener can read.

use strato_service::{ServiceError, ServiceErrorKind};

/// A download that could not finish. `Display` is a sentence for the listener; the chain
/// (`source`) keeps the technical cause for the log.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct DownloadError {
    kind: DownloadErrorKind,
    message: String,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

/// The broad reason a download failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DownloadErrorKind {
    /// The service no longer has the track (404).
    Unavailable,
    /// The service could not be reached, after every retry.
    Network,
    /// The service's certificate is not one this computer trusts (expired, for another
    /// name, from an unknown issuer): nothing was sent to it.
    Untrusted,
    /// The service kept answering with errors (5xx, answers this client cannot read), after
    /// every retry.
    Server,
    /// The session was refused (it expired or was revoked): signing in again fixes it.
    Session,
    /// The service or the CDN refused access to the track (403), and a fresh grant did not
    /// help.
    Forbidden,
    /// What arrived did not match the promised size and SHA-256, again and again.
    Damaged,
    /// The disk is full.
    DiskFull,
    /// Writing the file failed for another reason.
    Storage,
    /// The storage limit for offline music is reached and only pinned music is left.
    Quota,
    /// The local library could not record the download (for a reason other than a full
    /// disk).
    Library,
}

impl DownloadErrorKind {
    /// Every kind, so callers that map kinds onward (the app's error kinds) can test each one.
    pub const ALL: [Self; 11] = [
        Self::Unavailable,
        Self::Network,
        Self::Untrusted,
        Self::Server,
        Self::Session,
        Self::Forbidden,
        Self::Damaged,
        Self::DiskFull,
        Self::Storage,
        Self::Quota,
        Self::Library,
    ];
}

impl DownloadError {
    pub(crate) fn new(kind: DownloadErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
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
    pub fn kind(&self) -> DownloadErrorKind {
        self.kind
    }

    pub(crate) fn unavailable(source: ServiceError) -> Self {
        Self::new(
            DownloadErrorKind::Unavailable,
            "This track is no longer available, so it cannot be downloaded.",
        )
        .with_source(source)
    }

    /// A service error that retrying will not fix; its own words are already for listeners.
    /// Every service's errors come here by the same kinds, so a Subsonic server's refusal
    /// reads as the cloud's does.
    pub(crate) fn from_service(source: ServiceError) -> Self {
        let kind = match source.kind() {
            ServiceErrorKind::NotFound => return Self::unavailable(source),
            ServiceErrorKind::Forbidden => DownloadErrorKind::Forbidden,
            ServiceErrorKind::Auth if source.status() == Some(403) => DownloadErrorKind::Forbidden,
            ServiceErrorKind::Auth => DownloadErrorKind::Session,
            ServiceErrorKind::Offline => DownloadErrorKind::Network,
            ServiceErrorKind::Untrusted => DownloadErrorKind::Untrusted,
            _ => DownloadErrorKind::Server,
        };
        Self::new(kind, source.to_string()).with_source(source)
    }

    /// A failure worth retrying (the network, a 5xx) that ran out of retries.
    pub(crate) fn transient(source: ServiceError) -> Self {
        let kind = if source.kind() == ServiceErrorKind::Offline {
            DownloadErrorKind::Network
        } else {
            DownloadErrorKind::Server
        };
        Self::new(kind, source.to_string()).with_source(source)
    }

    /// The CDN refused the track's signature, and fresh grants did not help.
    pub(crate) fn forbidden(source: ServiceError) -> Self {
        Self::new(
            DownloadErrorKind::Forbidden,
            "The music server refused access to this track, even with fresh permission, so \
             it cannot be downloaded now.",
        )
        .with_source(source)
    }

    pub(crate) fn write(source: std::io::Error) -> Self {
        if source.kind() == std::io::ErrorKind::StorageFull {
            Self::new(
                DownloadErrorKind::DiskFull,
                "Your disk is full, so the download stopped. Free some space and try again.",
            )
            .with_source(source)
        } else {
            Self::new(
                DownloadErrorKind::Storage,
                format!("The download could not be saved on this computer ({source})."),
            )
            .with_source(source)
        }
    }

    pub(crate) fn damaged(detail: &str) -> Self {
        Self::new(
            DownloadErrorKind::Damaged,
            format!(
                "The downloaded file was damaged on the way ({detail}) and was thrown away. \
                 Try again later."
            ),
        )
    }

    pub(crate) fn quota(used: u64, quota: u64) -> Self {
        Self::new(
            DownloadErrorKind::Quota,
            format!(
                "Not enough room for offline music: {} of {} used. Remove downloads or raise \
                 the storage limit.",
                human_bytes(used),
                human_bytes(quota)
            ),
        )
    }

    /// The library refused to record the download; a full disk is said as such.
    pub(crate) fn library(source: strato_library::Error) -> Self {
        if source.kind() == strato_library::ErrorKind::DiskFull {
            return Self::new(
                DownloadErrorKind::DiskFull,
                "Your disk is full, so the download could not be recorded. Free some space and \
                 try again.",
            )
            .with_source(source);
        }
        Self::new(
            DownloadErrorKind::Library,
            format!("The download could not be recorded in your library ({source})."),
        )
        .with_source(source)
    }
}

/// Whether another try of the same request may succeed: the network, 5xx and 429, and
/// answers this client could not read (a garbled range).
pub(crate) fn is_transient(error: &ServiceError) -> bool {
    error.kind() == ServiceErrorKind::Offline
        || match error.status() {
            None => error.kind() == ServiceErrorKind::Server,
            Some(status) => status == 429 || status >= 500,
        }
}

/// `1.5 MB`, `820 KB`: sizes as a listener reads them (decimal units, like file managers).
#[must_use]
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["bytes", "KB", "MB", "GB", "TB"];
    let mut unit = 0;
    let mut scaled = bytes;
    let mut tenths = 0;
    while scaled >= 1000 && unit + 1 < UNITS.len() {
        tenths = (scaled % 1000) / 100;
        scaled /= 1000;
        unit += 1;
    }
    if unit == 0 || scaled >= 100 {
        format!("{scaled} {}", UNITS[unit])
    } else {
        format!("{scaled}.{tenths} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_services_errors_end_a_download_by_the_same_kinds() {
        use DownloadErrorKind as D;
        use ServiceErrorKind as S;
        for kind in S::ALL {
            let error = DownloadError::from_service(ServiceError::new(kind, "The words."));
            let expected = match kind {
                S::NotFound => D::Unavailable,
                S::Forbidden => D::Forbidden,
                S::Auth => D::Session,
                S::Offline => D::Network,
                S::Untrusted => D::Untrusted,
                _ => D::Server,
            };
            assert_eq!(error.kind(), expected, "{kind:?}");
            if kind != S::NotFound {
                assert_eq!(error.to_string(), "The words.", "the service's own words");
            }
        }
        // A 403 for a session's request is a refusal, not an ended session.
        let refused = ServiceError::new(S::Auth, "No.").with_status(Some(403));
        assert_eq!(DownloadError::from_service(refused).kind(), D::Forbidden);
        let gone = DownloadError::from_service(ServiceError::new(S::NotFound, "70"));
        assert!(gone.to_string().contains("no longer available"), "{gone}");
    }

    #[test]
    fn only_the_network_and_a_failing_server_are_tried_again() {
        let with = |kind, status| ServiceError::new(kind, "x").with_status(status);
        assert!(is_transient(&with(ServiceErrorKind::Offline, None)));
        assert!(is_transient(&with(ServiceErrorKind::Server, None)));
        assert!(is_transient(&with(ServiceErrorKind::Server, Some(503))));
        assert!(is_transient(&with(ServiceErrorKind::Server, Some(429))));
        assert!(!is_transient(&with(ServiceErrorKind::Server, Some(400))));
        assert!(!is_transient(&with(ServiceErrorKind::Forbidden, None)));
        assert!(!is_transient(&with(ServiceErrorKind::NotFound, Some(404))));
    }

    #[test]
    fn sizes_read_well() {
        assert_eq!(human_bytes(999), "999 bytes");
        assert_eq!(human_bytes(350_030), "350 KB");
        assert_eq!(human_bytes(1_500_000), "1.5 MB");
        assert_eq!(human_bytes(2_000_000_000), "2.0 GB");
    }
}
