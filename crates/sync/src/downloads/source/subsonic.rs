//! A Subsonic server as a download source: the song's `download`, always the original file
//! (FLAC, MP3, Opus, M4A... as the listener keeps it), promised by the size and suffix its
//! `getSong` lists. The server gives no checksum, so the file is checked by its size, and a
//! resume asks for the rest only of the same version of the file (`If-Range` with the
//! validator the server sent, which the manager keeps beside the part file, so this holds
//! across a restart too): a file changed on the server comes whole rather than spliced onto
//! the old one's beginning.
//!
//! The address is signed anew at each request (a fresh salt), so access never expires: a
//! refusal is the server's answer, by its code. Code 50 (this account lacks the download
//! permission, which some servers give per user) is said as that.
//!
//! There is no bulk availability question in the API: each track is asked for (`getSong`),
//! a few at a time, at most [`AVAILABILITY_PER_CHECK`] a check (the longest unasked first),
//! and only the server's "not found" (code 70) counts as gone. The first failure ends the
//! check: no further track is asked about a server that does not answer.

use async_trait::async_trait;
use bytes::Bytes;
use futures_util::{StreamExt as _, TryStreamExt as _, stream};
use strato_model::api::DownloadQuality;
use strato_service::{ServiceError, ServiceErrorKind};
use strato_subsonic::{SongDownload, SubsonicClient, SubsonicError, SubsonicErrorKind};

use super::{DownloadSource, FilePromise, GrantedFile, OpenError, SourceBody, SourceGrant};

/// The Subsonic error code for "the requested data was not found".
const SONG_NOT_FOUND: u32 = 70;
/// Tracks asked about at once when checking which are gone.
const AVAILABILITY_IN_FLIGHT: usize = 4;
/// Tracks in one availability question (each one request); the answers are kept after each,
/// so a check cut short keeps what it learnt.
const AVAILABILITY_BATCH: usize = 20;
/// Tracks one check asks about. The app checks every quarter hour: 60 a check is 240
/// requests an hour however many tracks are kept, and 5,000 downloads are each asked about
/// about once a day.
const AVAILABILITY_PER_CHECK: usize = 60;

#[async_trait]
impl DownloadSource for SubsonicClient {
    /// The original whatever the quality: a Subsonic server keeps one copy of a song.
    async fn grant(
        &self,
        track_id: &str,
        _quality: DownloadQuality,
    ) -> Result<SourceGrant, ServiceError> {
        let song = self.song(track_id).await?;
        let file = ServerFile {
            client: self.clone(),
            song_id: track_id.to_owned(),
        };
        let size = match song.size.and_then(|size| u64::try_from(size).ok()) {
            Some(size) if size > 0 => size,
            // Not listed: the file's own answer says.
            _ => file
                .fetch(0, None)
                .await?
                .total_len()
                .ok_or_else(|| no_size(track_id))?,
        };
        Ok(SourceGrant {
            promise: FilePromise {
                size,
                sha256: None,
                format: song.suffix.unwrap_or_default(),
            },
            file: Box::new(file),
        })
    }

    async fn unavailable(&self, track_ids: &[String]) -> Result<Vec<String>, ServiceError> {
        let gone: Vec<Option<String>> = stream::iter(track_ids.to_vec())
            .map(|id| async move {
                match self.song(&id).await {
                    Ok(_) => Ok(None),
                    // Only the server's own word: a bare 404 may be a proxy or a moved
                    // address, and would delete every kept file.
                    Err(error) if error.code() == Some(SONG_NOT_FOUND) => Ok(Some(id)),
                    Err(error) => Err(ServiceError::from(error)),
                }
            })
            .buffer_unordered(AVAILABILITY_IN_FLIGHT)
            .try_collect()
            .await?;
        Ok(gone.into_iter().flatten().collect())
    }

    fn availability_batch(&self) -> usize {
        AVAILABILITY_BATCH
    }

    fn availability_per_check(&self) -> Option<usize> {
        Some(AVAILABILITY_PER_CHECK)
    }
}

/// A song's original file on the server.
#[derive(Debug)]
struct ServerFile {
    client: SubsonicClient,
    song_id: String,
}

impl ServerFile {
    async fn fetch(&self, from: u64, if_range: Option<&str>) -> Result<SongDownload, ServiceError> {
        self.client
            .download(&self.song_id, from, if_range)
            .await
            .map_err(refused)
    }
}

#[async_trait]
impl GrantedFile for ServerFile {
    async fn open(
        &self,
        from: u64,
        if_range: Option<&str>,
    ) -> Result<Box<dyn SourceBody>, OpenError> {
        match self.fetch(from, if_range).await {
            Ok(download) => Ok(Box::new(ServerBody(download))),
            Err(error) => Err(OpenError::Failed(error)),
        }
    }
}

struct ServerBody(SongDownload);

#[async_trait]
impl SourceBody for ServerBody {
    fn offset(&self) -> u64 {
        self.0.offset()
    }

    fn total_len(&self) -> Option<u64> {
        self.0.total_len()
    }

    fn validator(&self) -> Option<String> {
        self.0.validator().map(str::to_owned)
    }

    async fn chunk(&mut self) -> Result<Option<Bytes>, ServiceError> {
        Ok(self.0.chunk().await?)
    }
}

/// The server's refusal of a download, in words about downloading where its own are about
/// anything: code 50 and HTTP 403 are this account's missing permission.
fn refused(error: SubsonicError) -> ServiceError {
    let no_permission = error.code() == Some(50)
        || (error.code().is_none() && error.kind() == SubsonicErrorKind::Forbidden);
    if !no_permission {
        return error.into();
    }
    let status = error.status();
    ServiceError::new(
        ServiceErrorKind::Forbidden,
        "The server does not let this account download music, so this track cannot be kept \
         offline. The server's owner can give the account the download permission.",
    )
    .with_status(status)
    .with_source(error)
}

fn no_size(track_id: &str) -> ServiceError {
    tracing::warn!(track_id, "the server says no size for a download");
    // For good: asking again gets the same answer (and costs a whole file each time).
    ServiceError::new(
        ServiceErrorKind::Unsupported,
        "The server does not say how big this track's file is, so it cannot be kept offline.",
    )
}
