//! The Strato cloud as a download source: a download grant (`GET /v1/tracks/{id}/download`)
//! is a signed CDN URL with the file's size and SHA-256; the CDN refuses it with a 403 once
//! its signature expires, and a fresh grant carries on. Which tracks are gone is one
//! question per 500 (`POST /v1/tracks/availability`).
//!
//! No `If-Range` is sent: a grant promises the file's SHA-256, so a part file kept across a
//! restart is resumed only under a grant promising the same SHA-256 (the manager drops it
//! otherwise), and a file that is not the promised one whole is thrown away at the end.

use async_trait::async_trait;
use bytes::Bytes;
use strato_cloud::{ApiClient, CdnResponse, CloudErrorKind};
use strato_model::api::{AvailabilityRequest, DownloadGrant, DownloadQuality};
use strato_service::ServiceError;

use super::{DownloadSource, FilePromise, GrantedFile, OpenError, SourceBody, SourceGrant};

#[async_trait]
impl DownloadSource for ApiClient {
    async fn grant(
        &self,
        track_id: &str,
        quality: DownloadQuality,
    ) -> Result<SourceGrant, ServiceError> {
        let grant = self.download_grant(track_id, quality).await?;
        Ok(SourceGrant {
            promise: FilePromise {
                size: grant.size,
                sha256: Some(grant.sha256.to_ascii_lowercase()),
                format: grant.format.clone(),
            },
            file: Box::new(SignedFile {
                api: self.clone(),
                grant,
            }),
        })
    }

    async fn unavailable(&self, track_ids: &[String]) -> Result<Vec<String>, ServiceError> {
        Ok(self.unavailable_tracks(track_ids).await?)
    }

    fn availability_batch(&self) -> usize {
        AvailabilityRequest::MAX_TRACKS
    }
}

/// A grant's file on the CDN, by its signed URL (its `Debug` hides the signature).
#[derive(Debug)]
struct SignedFile {
    api: ApiClient,
    grant: DownloadGrant,
}

#[async_trait]
impl GrantedFile for SignedFile {
    async fn open(
        &self,
        from: u64,
        _if_range: Option<&str>,
    ) -> Result<Box<dyn SourceBody>, OpenError> {
        match self.api.download(&self.grant, Some((from, None))).await {
            Ok(response) => Ok(Box::new(CdnBody(response))),
            // The CDN's 403: the signature expired.
            Err(error) if error.kind() == CloudErrorKind::Auth => {
                Err(OpenError::Expired(error.into()))
            }
            Err(error) => Err(OpenError::Failed(error.into())),
        }
    }
}

struct CdnBody(CdnResponse);

#[async_trait]
impl SourceBody for CdnBody {
    fn offset(&self) -> u64 {
        self.0.offset()
    }

    fn total_len(&self) -> Option<u64> {
        self.0.total_len()
    }

    /// The SHA-256 of the grant stands for the version: see the module's doc.
    fn validator(&self) -> Option<String> {
        None
    }

    async fn chunk(&mut self) -> Result<Option<Bytes>, ServiceError> {
        Ok(self.0.chunk().await?)
    }
}
