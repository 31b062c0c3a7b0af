//! The library's one error type.
//!
//! [`Error`] keeps the cause chain (the `rusqlite` error is its `source`); its `Display` is a
//! sentence a listener can read when the UI shows it. [`ErrorKind`] is what callers branch on
//! and what crosses the IPC boundary next to the message.

use std::fmt;

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a library operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The database file could not be opened or set up (missing folder, no permission, not a
    /// database, disk full).
    #[error("Strato could not open its library database at {path}")]
    Open {
        path: String,
        #[source]
        source: rusqlite::Error,
    },

    /// The file was written by a newer Strato whose schema this version does not know. It is
    /// left untouched: downgrading would lose the newer data.
    #[error(
        "the library database is newer than this version of Strato (schema {found}, this \
         version knows up to {supported}); please update Strato"
    )]
    TooNew { found: u32, supported: u32 },

    /// Upgrading the schema failed; the database stays at the last version that applied.
    #[error("Strato could not upgrade its library database (step {version}, {name})")]
    Migration {
        version: u32,
        name: &'static str,
        #[source]
        source: rusqlite::Error,
    },

    /// The thing named is not in the library (or, for a playlist, was deleted here).
    #[error("{what} {id} is not in the library")]
    NotFound { what: &'static str, id: String },

    /// The request itself is invalid; the message says how, in the listener's words.
    #[error("{0}")]
    Invalid(String),

    /// A playlist already holds as many items as the service allows.
    #[error("a playlist can hold at most {limit} tracks")]
    PlaylistFull { limit: usize },

    /// A finished download does not match the size and SHA-256 the service promised, or was
    /// never started with a promise to check against.
    #[error(
        "the downloaded file for track {track_id} is not the one the service promised ({detail})"
    )]
    DownloadMismatch { track_id: String, detail: String },

    /// A stored record this version cannot read (an unknown operation kind, bad JSON).
    #[error("the library database holds a record Strato cannot read ({0})")]
    Corrupt(String),

    /// Another Strato process held the database for longer than the busy timeout.
    #[error("the library database is busy (is Strato open twice?)")]
    Busy(#[source] rusqlite::Error),

    /// The disk (or the database's size limit) is full: the change was not made, and
    /// nothing already saved was touched (the transaction rolled back).
    #[error("your disk is full, so the change could not be saved; free some space and try again")]
    DiskFull(#[source] rusqlite::Error),

    /// Any other SQLite failure (I/O error, a constraint that should not fail).
    #[error("the library database failed: {0}")]
    Database(#[source] rusqlite::Error),
}

/// What kind of failure an [`Error`] is, for callers to branch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// See [`Error::Open`].
    Open,
    /// See [`Error::TooNew`].
    TooNew,
    /// See [`Error::Migration`].
    Migration,
    /// See [`Error::NotFound`].
    NotFound,
    /// See [`Error::Invalid`].
    Invalid,
    /// See [`Error::PlaylistFull`].
    PlaylistFull,
    /// See [`Error::DownloadMismatch`].
    DownloadMismatch,
    /// See [`Error::Corrupt`].
    Corrupt,
    /// See [`Error::Busy`].
    Busy,
    /// See [`Error::DiskFull`].
    DiskFull,
    /// See [`Error::Database`].
    Database,
}

impl ErrorKind {
    /// Every kind, so callers that map kinds onward (the app's error kinds) can test each one.
    /// Keep it in step with the enum: the `Display` match below, which has no wildcard, is
    /// where a new kind first fails to compile.
    pub const ALL: [Self; 11] = [
        Self::Open,
        Self::TooNew,
        Self::Migration,
        Self::NotFound,
        Self::Invalid,
        Self::PlaylistFull,
        Self::DownloadMismatch,
        Self::Corrupt,
        Self::Busy,
        Self::DiskFull,
        Self::Database,
    ];
}

impl Error {
    /// The kind of this error.
    #[must_use]
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Open { .. } => ErrorKind::Open,
            Self::TooNew { .. } => ErrorKind::TooNew,
            Self::Migration { .. } => ErrorKind::Migration,
            Self::NotFound { .. } => ErrorKind::NotFound,
            Self::Invalid(_) => ErrorKind::Invalid,
            Self::PlaylistFull { .. } => ErrorKind::PlaylistFull,
            Self::DownloadMismatch { .. } => ErrorKind::DownloadMismatch,
            Self::Corrupt(_) => ErrorKind::Corrupt,
            Self::Busy(_) => ErrorKind::Busy,
            Self::DiskFull(_) => ErrorKind::DiskFull,
            Self::Database(_) => ErrorKind::Database,
        }
    }

    pub(crate) fn not_found(what: &'static str, id: impl Into<String>) -> Self {
        Self::NotFound {
            what,
            id: id.into(),
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(error: rusqlite::Error) -> Self {
        match error.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                Self::Busy(error)
            }
            Some(rusqlite::ErrorCode::DiskFull) => Self::DiskFull(error),
            _ => Self::Database(error),
        }
    }
}

impl From<strato_model::order_key::OrderKeyError> for Error {
    fn from(error: strato_model::order_key::OrderKeyError) -> Self {
        Self::Corrupt(error.to_string())
    }
}

impl From<serde_json::Error> for Error {
    fn from(error: serde_json::Error) -> Self {
        Self::Corrupt(error.to_string())
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Self::Open => "open",
            Self::TooNew => "too_new",
            Self::Migration => "migration",
            Self::NotFound => "not_found",
            Self::Invalid => "invalid",
            Self::PlaylistFull => "playlist_full",
            Self::DownloadMismatch => "download_mismatch",
            Self::Corrupt => "corrupt",
            Self::Busy => "busy",
            Self::DiskFull => "disk_full",
            Self::Database => "database",
        };
        f.write_str(name)
    }
}
