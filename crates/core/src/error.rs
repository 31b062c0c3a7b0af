//! Every error reaches the front ends as one [`AppError`]: a kind and a sentence.
//!
//! This module owns the mapping from each source's error kinds (the service, the library,
//! playlist sync, downloads, the audio engine, streams) to the app's [`ErrorKind`], in one
//! place, each with a table test. [`ErrorKind::Internal`] means a bug, so no failure the
//! world can cause (a full disk, a 404, the network) maps to it; today no source kind does.

use strato_audio::{AudioError, SinkError};
use strato_cloud::{CloudError, CloudErrorKind};
use strato_model::ipc::{AppError, ErrorKind};
use strato_service::{ServiceError, ServiceErrorKind};
use strato_subsonic::SubsonicErrorKind;
use strato_sync::downloads::{DownloadError, DownloadErrorKind};
use strato_sync::{SubsonicSyncError, SyncError};

/// The app's kind for a failure talking to the service.
#[expect(
    clippy::match_same_arms,
    reason = "today's kinds are each mapped on purpose; the wildcard is for kinds added later"
)]
pub(crate) fn cloud_kind(kind: CloudErrorKind) -> ErrorKind {
    match kind {
        CloudErrorKind::Offline => ErrorKind::Network,
        CloudErrorKind::Untrusted => ErrorKind::Untrusted,
        CloudErrorKind::Auth => ErrorKind::Auth,
        // Not a session that ended: the listener stays signed in.
        CloudErrorKind::Forbidden => ErrorKind::Forbidden,
        CloudErrorKind::NotFound => ErrorKind::NotFound,
        CloudErrorKind::InvalidInput => ErrorKind::InvalidInput,
        // The OS keychain is where this computer keeps the session: local storage.
        CloudErrorKind::Keychain => ErrorKind::Storage,
        // A conflict that reaches a command (sync handles its own) is the service's answer.
        CloudErrorKind::Conflict | CloudErrorKind::Server => ErrorKind::Server,
        // A kind added to the cloud crate later: its words still say what happened. The
        // table test over `CloudErrorKind::ALL` fails until it is mapped on purpose.
        _ => ErrorKind::Server,
    }
}

pub(crate) fn from_cloud(err: &CloudError) -> AppError {
    AppError::new(cloud_kind(err.kind()), err.to_string())
}

/// The app's kind for a failure of the music service the listener browses (any kind of
/// service: see `strato_service`).
pub(crate) fn service_kind(kind: ServiceErrorKind) -> ErrorKind {
    match kind {
        ServiceErrorKind::Offline => ErrorKind::Network,
        ServiceErrorKind::Untrusted => ErrorKind::Untrusted,
        ServiceErrorKind::Auth => ErrorKind::Auth,
        ServiceErrorKind::Forbidden => ErrorKind::Forbidden,
        ServiceErrorKind::NotFound => ErrorKind::NotFound,
        ServiceErrorKind::InvalidInput => ErrorKind::InvalidInput,
        // A feature the server lacks is hidden in the window; one asked for anyway is the
        // server's answer, in its words.
        ServiceErrorKind::Conflict | ServiceErrorKind::Server | ServiceErrorKind::Unsupported => {
            ErrorKind::Server
        }
        // A kind added later: the table test over `ServiceErrorKind::ALL` fails until it is
        // mapped on purpose.
        _ => ErrorKind::Server,
    }
}

pub(crate) fn from_service(err: &ServiceError) -> AppError {
    AppError::new(service_kind(err.kind()), err.to_string())
}

/// The app's kind for a failure of the offline library (its `SQLite` database).
#[expect(
    clippy::match_same_arms,
    reason = "today's kinds are each mapped on purpose; the wildcard is for kinds added later"
)]
pub(crate) fn library_kind(kind: strato_library::ErrorKind) -> ErrorKind {
    use strato_library::ErrorKind as Library;
    match kind {
        Library::NotFound => ErrorKind::NotFound,
        Library::Invalid | Library::PlaylistFull => ErrorKind::InvalidInput,
        Library::DiskFull => ErrorKind::StorageFull,
        Library::DownloadMismatch => ErrorKind::CorruptDownload,
        // The database could not be opened, upgraded, read (a record it does not know, a
        // newer schema) or written, or another Strato holds it: the file on this computer.
        Library::Open
        | Library::TooNew
        | Library::Migration
        | Library::Corrupt
        | Library::Busy
        | Library::Database => ErrorKind::Storage,
        // A kind added later; the table test over `ALL` fails until it is mapped.
        _ => ErrorKind::Storage,
    }
}

/// A library error in the listener's words, with the kind the UI branches on.
pub(crate) fn from_library(err: &strato_library::Error) -> AppError {
    let kind = library_kind(err.kind());
    let words = capitalise(&err.to_string());
    let message = if kind == ErrorKind::Storage {
        format!("Your library on this computer could not be used: {err}.")
    } else {
        words
    };
    AppError::new(kind, message)
}

/// The app's kind for a failure of the local files' index (`strato-local`).
#[expect(
    clippy::match_same_arms,
    reason = "today's kinds are each mapped on purpose; the wildcard is for kinds added later"
)]
pub(crate) fn local_kind(kind: strato_local::LocalErrorKind) -> ErrorKind {
    use strato_local::LocalErrorKind as Local;
    match kind {
        Local::NotFound => ErrorKind::NotFound,
        // In the index, but damaged, cut short or not audio.
        Local::Unreadable => ErrorKind::DamagedMedia,
        Local::Invalid => ErrorKind::InvalidInput,
        // The index's own file on this computer, or watching the folders.
        Local::Database | Local::TooNew | Local::Watch => ErrorKind::Storage,
        // A kind added later; the table test over `ALL` fails until it is mapped.
        _ => ErrorKind::Storage,
    }
}

/// A local files error in its own words, with the kind the UI branches on.
pub(crate) fn from_local(err: &strato_local::LocalError) -> AppError {
    AppError::new(local_kind(err.kind()), err.message())
}

/// The app's kind for a download that gave up.
#[expect(
    clippy::match_same_arms,
    reason = "today's kinds are each mapped on purpose; the wildcard is for kinds added later"
)]
pub(crate) fn download_kind(kind: DownloadErrorKind) -> ErrorKind {
    match kind {
        DownloadErrorKind::Unavailable => ErrorKind::NotFound,
        DownloadErrorKind::Network => ErrorKind::Network,
        DownloadErrorKind::Untrusted => ErrorKind::Untrusted,
        DownloadErrorKind::Server => ErrorKind::Server,
        DownloadErrorKind::Session => ErrorKind::Auth,
        DownloadErrorKind::Forbidden => ErrorKind::Forbidden,
        DownloadErrorKind::Damaged => ErrorKind::CorruptDownload,
        DownloadErrorKind::DiskFull | DownloadErrorKind::Quota => ErrorKind::StorageFull,
        DownloadErrorKind::Storage | DownloadErrorKind::Library => ErrorKind::Storage,
        // A kind added later; the table test over `ALL` fails until it is mapped.
        _ => ErrorKind::Storage,
    }
}

pub(crate) fn from_download(err: &DownloadError) -> AppError {
    AppError::new(download_kind(err.kind()), err.to_string())
}

/// Why a sync pass stopped, with the kind of its cause.
pub(crate) fn from_sync(err: &SyncError) -> AppError {
    // No wildcard: a new way for sync to fail must be given its kind here.
    match err {
        SyncError::Cloud(cloud) => from_cloud(cloud),
        SyncError::Library(library) => AppError::new(library_kind(library.kind()), err.to_string()),
        // Another device keeps changing the same playlists: the service's state, retried.
        SyncError::Contended => AppError::new(ErrorKind::Server, err.to_string()),
        SyncError::Subsonic(subsonic) => match subsonic {
            SubsonicSyncError::Server(server) => {
                AppError::new(subsonic_kind(server.kind()), server.to_string())
            }
            SubsonicSyncError::Library(library) => {
                AppError::new(library_kind(library.kind()), err.to_string())
            }
            SubsonicSyncError::Contended => AppError::new(ErrorKind::Server, err.to_string()),
        },
    }
}

/// The app's kind for a Subsonic server's failure.
#[expect(
    clippy::match_same_arms,
    reason = "today's kinds are each mapped on purpose; the wildcard is for kinds added later"
)]
fn subsonic_kind(kind: SubsonicErrorKind) -> ErrorKind {
    match kind {
        SubsonicErrorKind::Offline => ErrorKind::Network,
        SubsonicErrorKind::Auth => ErrorKind::Auth,
        SubsonicErrorKind::Forbidden => ErrorKind::Forbidden,
        SubsonicErrorKind::NotFound => ErrorKind::NotFound,
        SubsonicErrorKind::Server => ErrorKind::Server,
        SubsonicErrorKind::InvalidInput | SubsonicErrorKind::Unsupported => ErrorKind::InvalidInput,
        SubsonicErrorKind::Untrusted => ErrorKind::Untrusted,
        // A kind added later: the server's failure.
        _ => ErrorKind::Server,
    }
}

/// An I/O failure on this computer while doing `what` ("open your library").
pub(crate) fn from_io(err: &std::io::Error, what: &str) -> AppError {
    if err.kind() == std::io::ErrorKind::StorageFull {
        AppError::new(
            ErrorKind::StorageFull,
            format!(
                "Your disk is full, so Strato could not {what}. Free some space and try again."
            ),
        )
    } else {
        AppError::new(
            ErrorKind::Storage,
            format!("Strato could not {what} on this computer ({err})."),
        )
    }
}

#[expect(
    clippy::match_same_arms,
    reason = "today's kinds are each mapped on purpose; the wildcard is for kinds added later"
)]
pub(crate) fn from_audio(err: &AudioError) -> AppError {
    let kind = match err {
        AudioError::Output(SinkError::NoDevice(_)) => {
            return AppError::new(
                ErrorKind::NoOutputDevice,
                "No audio output device is available, so nothing can be heard.",
            );
        }
        // Bytes that are not audio at all (a web page, an image): not a format Strato plays.
        AudioError::Unsupported(_) | AudioError::NotAudio(_) => ErrorKind::UnsupportedFormat,
        AudioError::Malformed(_) | AudioError::DamagedPlaylist(_) => ErrorKind::DamagedMedia,
        AudioError::NotFound(_) => ErrorKind::NotFound,
        AudioError::Forbidden(_) => ErrorKind::Forbidden,
        AudioError::Network(_) => ErrorKind::Network,
        AudioError::Io(io) => match io.kind() {
            std::io::ErrorKind::NotFound => ErrorKind::NotFound,
            std::io::ErrorKind::UnexpectedEof => ErrorKind::DamagedMedia,
            std::io::ErrorKind::StorageFull => ErrorKind::StorageFull,
            _ => ErrorKind::Playback,
        },
        AudioError::Output(SinkError::Io { source, .. }) => {
            if source.kind() == std::io::ErrorKind::StorageFull {
                ErrorKind::StorageFull
            } else {
                ErrorKind::Storage
            }
        }
        // The PCM the track decodes to is more than this output can take.
        AudioError::Output(_) => ErrorKind::Playback,
        // The opener's own error, carried whole: the app's (not signed in, the service's
        // refusal, not available offline) keeps its kind, and so does a stream's.
        AudioError::Opener(source) => {
            if let Some(app) = source.downcast_ref::<AppError>() {
                return app.clone();
            }
            if let Some(stream) = source.downcast_ref::<strato_stream::StreamError>() {
                return AppError::new(stream_kind(stream.kind()), stream.for_listener());
            }
            ErrorKind::Playback
        }
        // Never shown (the player has moved on), and not a bug either.
        AudioError::Stopped => ErrorKind::Playback,
        _ => ErrorKind::Playback,
    };
    AppError::new(kind, capitalise(&err.to_string()))
}

/// The app's kind for a stream's failure. The streaming path turns the kinds it knows into
/// the audio engine's errors (`streaming::media`); a stream error it does not know arrives
/// whole, in [`AudioError::Opener`], and is mapped here.
#[expect(
    clippy::match_same_arms,
    reason = "today's kinds are each mapped on purpose; the wildcard is for kinds added later"
)]
pub(crate) fn stream_kind(kind: strato_stream::ErrorKind) -> ErrorKind {
    use strato_stream::ErrorKind as Stream;
    match kind {
        Stream::Playlist | Stream::Decryption | Stream::Container => ErrorKind::DamagedMedia,
        Stream::Unsupported => ErrorKind::UnsupportedFormat,
        Stream::Network => ErrorKind::Network,
        Stream::NotFound => ErrorKind::NotFound,
        Stream::Forbidden => ErrorKind::Forbidden,
        // Stopped on purpose (a skip, a seek); never shown, but not a bug either.
        Stream::Cancelled => ErrorKind::Playback,
        _ => ErrorKind::Playback,
    }
}

pub(crate) fn not_signed_in() -> AppError {
    AppError::new(ErrorKind::NotSignedIn, "Sign in first.")
}

/// What a call of a Strato-only feature answers for an account on another kind of service
/// (its window hides the feature; an older window, or a race with a switch, may still ask).
pub(crate) fn not_offered() -> AppError {
    AppError::new(
        ErrorKind::InvalidInput,
        "Your music server does not offer this: it is a feature of the Strato service.",
    )
}

pub(crate) fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

#[cfg(test)]
#[path = "error_tests.rs"]
mod tests;

/// An error kind's wire name (`network`, `damaged_media`), as kept in the library's metrics.
pub(crate) fn kind_name(kind: ErrorKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|value| value.as_str().map(str::to_owned))
        .unwrap_or_else(|| "internal".to_owned())
}
