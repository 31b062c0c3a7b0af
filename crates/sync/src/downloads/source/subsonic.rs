//! A Subsonic server as a download source. At High quality, the song's `download`: the
//! original file (FLAC, MP3, Opus, M4A... as the listener keeps it), promised by the size and
//! suffix its `getSong` lists. At Normal and Low, a copy the server makes at most at
//! [`bit_rate_limit`] (`stream` with `maxBitRate` and `format=mp3`), promised by the length
//! its answer gives; a song already within the bit rate is kept as it is, and a server that
//! cannot make the copy, or sends it without a length, gets the original kept instead. The server gives no checksum, so the file is checked by its size, and a
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

use std::sync::{Mutex, PoisonError};

use async_trait::async_trait;
use bytes::Bytes;
use futures_util::{StreamExt as _, TryStreamExt as _, stream};
use strato_model::api::DownloadQuality;
use strato_service::{ServiceError, ServiceErrorKind};
use strato_subsonic::{
    SongDownload, StreamOptions, SubsonicClient, SubsonicError, SubsonicErrorKind,
};

use super::{DownloadSource, FilePromise, GrantedFile, OpenError, SourceBody, SourceGrant};

/// The Subsonic error code for "the requested data was not found".
const SONG_NOT_FOUND: u32 = 70;
/// The Subsonic error code for any other failure: a server without a transcoder answers a
/// copy it cannot make with it.
const GENERIC_ERROR: u32 = 0;
/// The format copies are asked in: every server's transcoder makes it, every player plays it.
const COPY_FORMAT: &str = "mp3";
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
    async fn grant(
        &self,
        track_id: &str,
        quality: DownloadQuality,
    ) -> Result<SourceGrant, ServiceError> {
        let song = self.song(track_id).await?;
        // A song already within the bit rate is kept as it is: a copy could only lose.
        let limit =
            bit_rate_limit(quality).filter(|limit| song.bit_rate.is_none_or(|rate| rate > *limit));
        if let Some(limit) = limit
            && let Some(grant) = copy_grant(self, track_id, limit).await?
        {
            return Ok(grant);
        }
        let file = ServerFile::new(self, track_id, None);
        let size = match song.size.and_then(|size| u64::try_from(size).ok()) {
            Some(size) if size > 0 => size,
            // Not listed: the file's own answer says.
            _ => {
                let answer = file.fetch(0, None).await?;
                let size = answer.total_len().ok_or_else(|| no_size(track_id))?;
                file.keep_first(answer);
                size
            }
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

/// The most kbit/s of a download at `quality`; `None`: the original, whatever its rate.
/// Above what streaming asks at the same setting (128, 64), as a kept file is heard for
/// longer than a stream.
fn bit_rate_limit(quality: DownloadQuality) -> Option<u32> {
    match quality {
        DownloadQuality::Low => Some(96),
        DownloadQuality::Normal => Some(160),
        DownloadQuality::High => None,
    }
}

/// A copy of the song at most at `limit` kbit/s, promised by the length of the server's
/// answer (whose body the first fetch takes on). `None` when the server cannot make it (no
/// transcoder) or says no length (it transcodes as it sends): the original then.
async fn copy_grant(
    client: &SubsonicClient,
    track_id: &str,
    limit: u32,
) -> Result<Option<SourceGrant>, ServiceError> {
    let file = ServerFile::new(client, track_id, Some(limit));
    let answer = match file.fetch(0, None).await {
        Ok(answer) => answer,
        Err(error) if error.subsonic_code() == Some(GENERIC_ERROR) => {
            tracing::info!(
                track_id,
                %error,
                "no copy at a lower bit rate: keeping the original"
            );
            return Ok(None);
        }
        Err(error) => return Err(error.into_service()),
    };
    let Some(size) = answer.total_len().filter(|size| *size > 0) else {
        tracing::info!(track_id, "a copy without a length: keeping the original");
        return Ok(None);
    };
    file.keep_first(answer);
    Ok(Some(SourceGrant {
        promise: FilePromise {
            size,
            sha256: None,
            format: COPY_FORMAT.to_owned(),
        },
        file: Box::new(file),
    }))
}

/// A song's file on the server: the original, or a copy at most at a bit rate.
#[derive(Debug)]
struct ServerFile {
    client: SubsonicClient,
    song_id: String,
    /// `Some`: the copy at most at this many kbit/s.
    copy_limit: Option<u32>,
    /// The answer the grant read the length from, for the first fetch from byte 0 (so the
    /// server does not send, or transcode, the file twice).
    first: Mutex<Option<SongDownload>>,
}

impl ServerFile {
    fn new(client: &SubsonicClient, song_id: &str, copy_limit: Option<u32>) -> Self {
        Self {
            client: client.clone(),
            song_id: song_id.to_owned(),
            copy_limit,
            first: Mutex::new(None),
        }
    }

    fn keep_first(&self, answer: SongDownload) {
        *self.first.lock().unwrap_or_else(PoisonError::into_inner) = Some(answer);
    }

    async fn fetch(&self, from: u64, if_range: Option<&str>) -> Result<SongDownload, Refusal> {
        if from == 0 {
            let first = self
                .first
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take();
            if let Some(first) = first {
                return Ok(first);
            }
        }
        let answer = match self.copy_limit {
            None => self.client.download(&self.song_id, from, if_range).await,
            Some(limit) => {
                let options = StreamOptions {
                    max_bitrate_kbps: Some(limit),
                    format: Some(COPY_FORMAT.to_owned()),
                    estimate_content_length: false,
                };
                let asked = self
                    .client
                    .download_stream(&self.song_id, &options, from, if_range);
                asked.await
            }
        };
        answer.map_err(Refusal)
    }
}

/// A download's refusal as the server said it, until it is put in words about downloading.
#[derive(Debug)]
struct Refusal(SubsonicError);

impl Refusal {
    fn subsonic_code(&self) -> Option<u32> {
        self.0.code()
    }

    fn into_service(self) -> ServiceError {
        refused(self.0)
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl From<Refusal> for ServiceError {
    fn from(refusal: Refusal) -> Self {
        refusal.into_service()
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
            Err(error) => Err(OpenError::Failed(error.into_service())),
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
