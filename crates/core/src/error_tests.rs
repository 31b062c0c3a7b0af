//! Table tests: every kind of every error source maps to the app kind meant for it, and none
//! to `Internal` (a bug), unless listed in [`BUGS`].

use std::fmt::Debug;

use strato_audio::{AudioError, PcmFormat, SinkError};
use strato_cloud::CloudErrorKind;
use strato_library::ErrorKind as LibraryKind;
use strato_model::ipc::ErrorKind;
use strato_service::ServiceErrorKind;
use strato_stream::ErrorKind as StreamKind;
use strato_sync::SyncError;
use strato_sync::downloads::DownloadErrorKind;

use super::*;

/// Source kinds that are bugs by design, and so map to `Internal`. None today: a panicked
/// task resumes its panic and a poisoned lock is taken over, so neither becomes an error.
const BUGS: &[&str] = &[];

/// Checks `map` over `all` against `table`: each kind has exactly one row, maps to it, and
/// is not `Internal` unless it is a documented bug.
fn check_table<K: Copy + Debug + PartialEq>(
    source: &str,
    all: &[K],
    table: &[(K, ErrorKind)],
    map: impl Fn(K) -> ErrorKind,
) {
    assert_eq!(
        table.len(),
        all.len(),
        "{source}: the table and the source's list of kinds differ in length"
    );
    for &kind in all {
        let rows: Vec<_> = table.iter().filter(|(k, _)| *k == kind).collect();
        assert_eq!(
            rows.len(),
            1,
            "{source}: {kind:?} needs exactly one row in the table: decide its app kind"
        );
        let expected = rows[0].1;
        let mapped = map(kind);
        assert_eq!(mapped, expected, "{source}: {kind:?}");
        let name = format!("{source}::{kind:?}");
        if !BUGS.contains(&name.as_str()) {
            assert_ne!(mapped, ErrorKind::Internal, "{name} is not a bug");
        }
    }
}

#[test]
fn every_cloud_kind_has_its_app_kind() {
    check_table(
        "CloudErrorKind",
        &CloudErrorKind::ALL,
        &[
            (CloudErrorKind::Offline, ErrorKind::Network),
            (CloudErrorKind::Untrusted, ErrorKind::Untrusted),
            (CloudErrorKind::Auth, ErrorKind::Auth),
            (CloudErrorKind::Forbidden, ErrorKind::Forbidden),
            (CloudErrorKind::NotFound, ErrorKind::NotFound),
            (CloudErrorKind::Conflict, ErrorKind::Server),
            (CloudErrorKind::Server, ErrorKind::Server),
            (CloudErrorKind::InvalidInput, ErrorKind::InvalidInput),
            (CloudErrorKind::Keychain, ErrorKind::Storage),
        ],
        cloud_kind,
    );
}

#[test]
fn every_service_kind_has_its_app_kind() {
    check_table(
        "ServiceErrorKind",
        &ServiceErrorKind::ALL,
        &[
            (ServiceErrorKind::Offline, ErrorKind::Network),
            (ServiceErrorKind::Untrusted, ErrorKind::Untrusted),
            (ServiceErrorKind::Auth, ErrorKind::Auth),
            (ServiceErrorKind::Forbidden, ErrorKind::Forbidden),
            (ServiceErrorKind::NotFound, ErrorKind::NotFound),
            (ServiceErrorKind::Conflict, ErrorKind::Server),
            (ServiceErrorKind::Server, ErrorKind::Server),
            (ServiceErrorKind::InvalidInput, ErrorKind::InvalidInput),
            (ServiceErrorKind::Unsupported, ErrorKind::Server),
        ],
        service_kind,
    );
}

#[test]
fn every_library_kind_has_its_app_kind() {
    check_table(
        "strato_library::ErrorKind",
        &LibraryKind::ALL,
        &[
            (LibraryKind::Open, ErrorKind::Storage),
            (LibraryKind::TooNew, ErrorKind::Storage),
            (LibraryKind::Migration, ErrorKind::Storage),
            (LibraryKind::NotFound, ErrorKind::NotFound),
            (LibraryKind::Invalid, ErrorKind::InvalidInput),
            (LibraryKind::PlaylistFull, ErrorKind::InvalidInput),
            (LibraryKind::DownloadMismatch, ErrorKind::CorruptDownload),
            (LibraryKind::Corrupt, ErrorKind::Storage),
            (LibraryKind::Busy, ErrorKind::Storage),
            (LibraryKind::DiskFull, ErrorKind::StorageFull),
            (LibraryKind::Database, ErrorKind::Storage),
        ],
        library_kind,
    );
}

#[test]
fn every_local_files_kind_has_its_app_kind() {
    use strato_local::LocalErrorKind as Local;
    check_table(
        "LocalErrorKind",
        &Local::ALL,
        &[
            (Local::NotFound, ErrorKind::NotFound),
            (Local::Unreadable, ErrorKind::DamagedMedia),
            (Local::Invalid, ErrorKind::InvalidInput),
            (Local::Database, ErrorKind::Storage),
            (Local::TooNew, ErrorKind::Storage),
            (Local::Watch, ErrorKind::Storage),
        ],
        local_kind,
    );
}

#[test]
fn every_download_kind_has_its_app_kind() {
    check_table(
        "DownloadErrorKind",
        &DownloadErrorKind::ALL,
        &[
            (DownloadErrorKind::Unavailable, ErrorKind::NotFound),
            (DownloadErrorKind::Network, ErrorKind::Network),
            (DownloadErrorKind::Untrusted, ErrorKind::Untrusted),
            (DownloadErrorKind::Server, ErrorKind::Server),
            (DownloadErrorKind::Session, ErrorKind::Auth),
            (DownloadErrorKind::Forbidden, ErrorKind::Forbidden),
            (DownloadErrorKind::Damaged, ErrorKind::CorruptDownload),
            (DownloadErrorKind::DiskFull, ErrorKind::StorageFull),
            (DownloadErrorKind::Quota, ErrorKind::StorageFull),
            (DownloadErrorKind::Storage, ErrorKind::Storage),
            (DownloadErrorKind::Library, ErrorKind::Storage),
        ],
        download_kind,
    );
}

#[test]
fn every_stream_kind_has_its_app_kind() {
    // strato_stream has no list of its kinds; these are all of them today (the match in
    // `StreamError::kind`, which has no wildcard, is where a new one first shows).
    let all = [
        StreamKind::Playlist,
        StreamKind::Unsupported,
        StreamKind::Decryption,
        StreamKind::Container,
        StreamKind::Network,
        StreamKind::NotFound,
        StreamKind::Forbidden,
        StreamKind::Cancelled,
    ];
    check_table(
        "strato_stream::ErrorKind",
        &all,
        &[
            (StreamKind::Playlist, ErrorKind::DamagedMedia),
            (StreamKind::Unsupported, ErrorKind::UnsupportedFormat),
            (StreamKind::Decryption, ErrorKind::DamagedMedia),
            (StreamKind::Container, ErrorKind::DamagedMedia),
            (StreamKind::Network, ErrorKind::Network),
            (StreamKind::NotFound, ErrorKind::NotFound),
            (StreamKind::Forbidden, ErrorKind::Forbidden),
            (StreamKind::Cancelled, ErrorKind::Playback),
        ],
        stream_kind,
    );
}

#[test]
fn every_audio_error_has_its_app_kind() {
    let io = |kind: std::io::ErrorKind| std::io::Error::new(kind, "test");
    let sink_io = |kind| SinkError::Io {
        path: "out.wav".into(),
        source: io(kind),
    };
    let format = PcmFormat {
        sample_rate: 44_100,
        channels: 2,
    };
    let table = [
        (
            AudioError::Unsupported("opus".into()),
            ErrorKind::UnsupportedFormat,
        ),
        (
            AudioError::Malformed("bad frame".into()),
            ErrorKind::DamagedMedia,
        ),
        (
            AudioError::Io(io(std::io::ErrorKind::NotFound)),
            ErrorKind::NotFound,
        ),
        (
            AudioError::Io(io(std::io::ErrorKind::UnexpectedEof)),
            ErrorKind::DamagedMedia,
        ),
        (
            AudioError::Io(io(std::io::ErrorKind::StorageFull)),
            ErrorKind::StorageFull,
        ),
        (
            AudioError::Io(io(std::io::ErrorKind::PermissionDenied)),
            ErrorKind::Playback,
        ),
        (
            AudioError::Output(SinkError::NoDevice("no card".into())),
            ErrorKind::NoOutputDevice,
        ),
        (
            AudioError::Output(SinkError::UnsupportedFormat(format)),
            ErrorKind::Playback,
        ),
        (
            AudioError::Output(sink_io(std::io::ErrorKind::StorageFull)),
            ErrorKind::StorageFull,
        ),
        (
            AudioError::Output(sink_io(std::io::ErrorKind::PermissionDenied)),
            ErrorKind::Storage,
        ),
        (
            AudioError::Opener(Box::new(AppError::new(
                ErrorKind::NotSignedIn,
                "Sign in to play music.",
            ))),
            ErrorKind::NotSignedIn,
        ),
        (
            AudioError::Opener(Box::new(AppError::new(
                ErrorKind::Network,
                "This track is not available offline, and the service cannot be reached.",
            ))),
            ErrorKind::Network,
        ),
        (
            AudioError::Opener(Box::new(strato_stream::StreamError::Unsupported(
                "SAMPLE-AES".into(),
            ))),
            ErrorKind::UnsupportedFormat,
        ),
        (AudioError::Stopped, ErrorKind::Playback),
        (
            AudioError::NotFound("No such file: a.mp3".into()),
            ErrorKind::NotFound,
        ),
        (
            AudioError::Forbidden("The server refused access (403).".into()),
            ErrorKind::Forbidden,
        ),
        (
            AudioError::Network("Could not connect to host.".into()),
            ErrorKind::Network,
        ),
        (
            AudioError::DamagedPlaylist("no segments".into()),
            ErrorKind::DamagedMedia,
        ),
        (
            AudioError::NotAudio("an HTML page".into()),
            ErrorKind::UnsupportedFormat,
        ),
    ];
    for (error, expected) in &table {
        let mapped = from_audio(error);
        assert_eq!(mapped.kind, *expected, "{error:?}");
        assert_ne!(mapped.kind, ErrorKind::Internal, "{error:?}");
        assert!(mapped.message.starts_with(char::is_uppercase), "{mapped:?}");
    }
}

#[test]
fn a_missing_device_is_its_own_kind_in_words() {
    let err = from_audio(&AudioError::Output(SinkError::NoDevice(
        "no ALSA card".into(),
    )));
    assert_eq!(err.kind, ErrorKind::NoOutputDevice);
    assert_eq!(
        err.message,
        "No audio output device is available, so nothing can be heard."
    );
}

#[test]
fn decoder_errors_read_as_sentences() {
    let err = from_audio(&AudioError::Malformed("bad frame".into()));
    assert_eq!(err.kind, ErrorKind::DamagedMedia);
    assert!(
        err.message.starts_with("This track's audio is damaged"),
        "{}",
        err.message
    );
}

#[test]
fn sync_failures_keep_their_cause_kind() {
    let full = SyncError::Library(strato_library::Error::PlaylistFull { limit: 10_000 });
    let err = from_sync(&full);
    assert_eq!(err.kind, ErrorKind::InvalidInput);
    assert!(
        err.message.contains("at most 10000 tracks"),
        "{}",
        err.message
    );
    let gone = SyncError::Library(strato_library::Error::NotFound {
        what: "playlist",
        id: "pl-1".into(),
    });
    assert_eq!(from_sync(&gone).kind, ErrorKind::NotFound);
    let busy = from_sync(&SyncError::Contended);
    assert_eq!(busy.kind, ErrorKind::Server);
    assert!(busy.message.contains("another device"), "{}", busy.message);
}

#[test]
fn library_errors_read_as_sentences_with_their_kind() {
    let err = from_library(&strato_library::Error::NotFound {
        what: "playlist",
        id: "pl-1".into(),
    });
    assert_eq!(err.kind, ErrorKind::NotFound);
    assert_eq!(err.message, "Playlist pl-1 is not in the library");
    let err = from_library(&strato_library::Error::TooNew {
        found: 9,
        supported: 4,
    });
    assert_eq!(err.kind, ErrorKind::Storage);
    assert!(
        err.message.starts_with(
            "Your library on this computer could not be used: the library database is newer"
        ),
        "{}",
        err.message
    );
}

#[test]
fn a_full_disk_on_plain_files_is_storage_full() {
    let full = std::io::Error::from(std::io::ErrorKind::StorageFull);
    let err = from_io(&full, "open your library");
    assert_eq!(err.kind, ErrorKind::StorageFull);
    assert!(
        err.message.starts_with("Your disk is full"),
        "{}",
        err.message
    );
    let denied = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
    assert_eq!(
        from_io(&denied, "open your library").kind,
        ErrorKind::Storage
    );
}
