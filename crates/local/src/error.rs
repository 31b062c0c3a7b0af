//! The crate's one error: a kind callers branch on and a sentence a listener can read.
//!
//! A file that cannot be read during a scan is not an error of the scan: it is kept in the
//! index with its reason (see [`crate::FailedFile`]). A [`LocalError`] means an operation
//! itself could not be done: a folder that is not there, the index's database failing, a
//! track asked for that the index does not hold or cannot play.

/// Shorthand for results of this crate.
pub type Result<T, E = LocalError> = std::result::Result<T, E>;

/// Why an operation on local files failed.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct LocalError {
    kind: LocalErrorKind,
    message: String,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

/// The broad reason, for callers that act differently on each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LocalErrorKind {
    /// The folder, file or track asked for is not there (not on disk, or not in the index).
    NotFound,
    /// The file is in the index but cannot be played: damaged, cut short, not audio.
    Unreadable,
    /// What was asked cannot be done as asked (a path that is not a folder, a track id that
    /// is not a local file's).
    Invalid,
    /// The index's database could not be opened, read or written.
    Database,
    /// The index was written by a newer Strato; it is left untouched.
    TooNew,
    /// The folders could not be watched for changes.
    Watch,
}

impl LocalErrorKind {
    /// Every kind, so callers that map kinds onward can test each one.
    pub const ALL: [Self; 6] = [
        Self::NotFound,
        Self::Unreadable,
        Self::Invalid,
        Self::Database,
        Self::TooNew,
        Self::Watch,
    ];
}

impl LocalError {
    /// An error of `kind` with `message`, a sentence for the listener.
    pub fn new(kind: LocalErrorKind, message: impl Into<String>) -> Self {
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
    pub fn kind(&self) -> LocalErrorKind {
        self.kind
    }

    /// The sentence, without the kind.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl From<rusqlite::Error> for LocalError {
    fn from(error: rusqlite::Error) -> Self {
        let message = match error.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DiskFull) => {
                "Your disk is full, so the index of your local files could not be saved."
            }
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                "The index of your local files is busy (is Strato open twice?)."
            }
            _ => "The index of your local files could not be read or written.",
        };
        Self::new(LocalErrorKind::Database, message).with_source(error)
    }
}

impl From<notify_debouncer_full::notify::Error> for LocalError {
    fn from(error: notify_debouncer_full::notify::Error) -> Self {
        let message = format!("Strato cannot watch your music folders for changes: {error}.");
        Self::new(LocalErrorKind::Watch, message).with_source(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_disk_is_said_as_such() {
        let error = LocalError::from(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL),
            None,
        ));
        assert_eq!(error.kind(), LocalErrorKind::Database);
        assert!(error.message().contains("disk is full"), "{error}");
        assert!(std::error::Error::source(&error).is_some());
    }
}
