//! Where a track's bytes come from: the seam between the download manager and a service.
//!
//! Everything the manager does above it (the queue, resuming part files, verifying, the
//! storage limit, events) is the same for every service; what differs is how access to a
//! track's file is had and renewed, what the service promises of the file, and how it is
//! asked which tracks are gone. A [`DownloadSource`] answers those:
//!
//! - [`DownloadSource::grant`]: access to one track's file with the service's
//!   [`FilePromise`] (its size, a SHA-256 when the service gives one, its format). The Strato
//!   cloud's is a download grant: a signed CDN URL that expires, promising size and SHA-256.
//!   A Subsonic server's is its `download` address, signed anew at each request, promising
//!   the size its `getSong` lists.
//! - [`GrantedFile::open`]: the file's bytes from an offset, of the version the bytes already
//!   held came from (`If-Range` with their [`SourceBody::validator`], which the manager keeps
//!   beside the part file across restarts). A refusal that a fresh grant may cure (the
//!   CDN's 403 for an expired signature) is [`OpenError::Expired`]: the manager asks for a
//!   new grant and goes on; any other is the service's error, by its kind.
//! - [`DownloadSource::unavailable`]: which tracks the service no longer has, and how many
//!   one check may ask about ([`DownloadSource::availability_per_check`]).
//!
//! The implementations are the services' own (`cloud.rs`, `subsonic.rs`), on their clients,
//! so a manager is made from an `ApiClient` or a `SubsonicClient` as it is.

mod cloud;
mod subsonic;

use async_trait::async_trait;
use bytes::Bytes;
use strato_model::api::DownloadQuality;
use strato_service::ServiceError;

/// A service that tracks can be downloaded from.
#[async_trait]
pub trait DownloadSource: Send + Sync + std::fmt::Debug + 'static {
    /// Access to `track_id`'s file, and what the service promises of it. `quality` chooses
    /// among the copies a service offers (one that keeps a single copy ignores it). Asked
    /// again when the access runs out ([`OpenError::Expired`]).
    async fn grant(
        &self,
        track_id: &str,
        quality: DownloadQuality,
    ) -> Result<SourceGrant, ServiceError>;

    /// Which of `track_ids` (at most [`Self::availability_batch`]) the service no longer has
    /// for this listener. An error means no answer: nothing may be concluded from it.
    async fn unavailable(&self, track_ids: &[String]) -> Result<Vec<String>, ServiceError>;

    /// The most tracks one [`Self::unavailable`] question holds.
    fn availability_batch(&self) -> usize;

    /// The most tracks one availability check asks about, the longest unasked first (the
    /// library remembers when each was asked); `None`: every track at each check. A service
    /// asked one track per request says a number, so a listener's thousands of downloads
    /// cost it a steady trickle rather than thousands of requests every check.
    fn availability_per_check(&self) -> Option<usize> {
        None
    }
}

/// Access to one track's file, with the promise it comes with.
#[derive(Debug)]
pub struct SourceGrant {
    pub promise: FilePromise,
    pub file: Box<dyn GrantedFile>,
}

/// What the service says the file is, checked on what arrives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilePromise {
    /// Bytes.
    pub size: u64,
    /// Lowercase hex SHA-256 of the whole file, when the service gives one (the Strato cloud
    /// does; a Subsonic server does not, so its files are checked by size alone).
    pub sha256: Option<String>,
    /// The file's kind as its usual extension (`mp3`, `flac`, `opus`, `m4a`), which names the
    /// kept file; see [`file_extension`].
    pub format: String,
}

/// One track's granted file.
#[async_trait]
pub trait GrantedFile: Send + Sync + std::fmt::Debug {
    /// The file from byte `from` to its end. `if_range` is the [`SourceBody::validator`] of
    /// the bytes before `from`: a server whose file changed since sends it whole. A server
    /// that ignores the range, or whose file changed, sends it from byte 0:
    /// [`SourceBody::offset`] says where the body starts.
    async fn open(
        &self,
        from: u64,
        if_range: Option<&str>,
    ) -> Result<Box<dyn SourceBody>, OpenError>;
}

/// A file's bytes as they arrive.
#[async_trait]
pub trait SourceBody: Send {
    /// Where in the file the body starts.
    fn offset(&self) -> u64;

    /// The whole file's length, when the server says: checked against the promise before a
    /// byte is written.
    fn total_len(&self) -> Option<u64>;

    /// What identifies this version of the file (its `ETag`, else its `Last-Modified`), to
    /// send as `if_range` when asking for the rest of it; `None` when the server says none.
    fn validator(&self) -> Option<String>;

    /// The next piece, `None` at the end.
    async fn chunk(&mut self) -> Result<Option<Bytes>, ServiceError>;
}

/// Why a granted file could not be opened.
#[derive(Debug)]
pub enum OpenError {
    /// The grant's access ran out (a signature expired): a fresh grant may help.
    Expired(ServiceError),
    /// Anything else, by the error's kind: the network and a failing server are tried again,
    /// the rest end the track's download with its words.
    Failed(ServiceError),
}

/// The extension a file of `format` is kept under: the service's format when it is a kind
/// of audio file the player knows, else `audio` (the player then tells the kind by the
/// bytes). Lowercase, so the manager's own files are known by their names.
#[must_use]
pub fn file_extension(format: &str) -> &'static str {
    // The names the player's probe takes a hint from (strato-audio's `hint_for_extension`).
    const KNOWN: [&str; 14] = [
        "mp3", "mp2", "flac", "ogg", "oga", "opus", "m4a", "m4b", "mp4", "aac", "alac", "wav",
        "aif", "aiff",
    ];
    let format = format.trim().trim_start_matches('.').to_ascii_lowercase();
    KNOWN
        .iter()
        .find(|known| **known == format)
        .copied()
        .unwrap_or(UNKNOWN_EXTENSION)
}

/// The extension of a kept file whose format the player does not know by name.
pub(crate) const UNKNOWN_EXTENSION: &str = "audio";

/// Every extension [`file_extension`] gives, for telling the manager's files apart from
/// anything else in its folder.
pub(crate) fn is_kept_file_extension(extension: &str) -> bool {
    extension == UNKNOWN_EXTENSION || file_extension(extension) == extension
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_name_files_the_player_knows_and_the_rest_are_audio() {
        assert_eq!(file_extension("flac"), "flac");
        assert_eq!(file_extension("FLAC"), "flac");
        assert_eq!(file_extension(".opus"), "opus");
        assert_eq!(file_extension("mp3"), "mp3");
        assert_eq!(file_extension("m4a"), "m4a");
        assert_eq!(file_extension("dsf"), "audio");
        assert_eq!(file_extension("../x"), "audio");
        assert_eq!(file_extension(""), "audio");
        assert!(is_kept_file_extension("flac"));
        assert!(is_kept_file_extension("audio"));
        assert!(!is_kept_file_extension("FLAC"));
        assert!(!is_kept_file_extension("jpg"));
        assert!(!is_kept_file_extension("part"));
    }
}
