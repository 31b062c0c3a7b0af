//! The Strato cloud as a [`MusicService`]: the REST API's catalog and the CDN's art behind
//! the trait the app browses through. Everything Strato-only (stream grants, uploads, the
//! live channel, playlist revisions) stays on [`ApiClient`] itself.

use async_trait::async_trait;
use strato_model::api::{Album, AlbumDetail, ArtistDetail, HomeFeed, SearchResults, Track};
use strato_service::{
    CoverImage, Features, MusicService, ServiceError, ServiceErrorKind, ServiceKind,
};

use crate::{ApiClient, CloudError, CloudErrorKind};

/// What the Strato cloud offers: everything but what only other kinds of server have.
pub const FEATURES: Features = Features {
    uploads: true,
    lyrics: false,
    stars: false,
    playlist_revisions: true,
    playlist_sync: true,
    downloads: true,
    catalog: true,
    live_updates: true,
    scrobble: false,
};

#[async_trait]
impl MusicService for ApiClient {
    fn kind(&self) -> ServiceKind {
        ServiceKind::Strato
    }

    fn features(&self) -> Features {
        FEATURES
    }

    async fn home(&self) -> Result<HomeFeed, ServiceError> {
        Ok(ApiClient::home(self).await?)
    }

    async fn newest_albums(&self, limit: u32) -> Result<Vec<Album>, ServiceError> {
        Ok(ApiClient::newest_albums(self, None, limit).await?.items)
    }

    async fn album(&self, album_id: &str) -> Result<AlbumDetail, ServiceError> {
        Ok(ApiClient::album(self, album_id).await?)
    }

    async fn artist(&self, artist_id: &str) -> Result<ArtistDetail, ServiceError> {
        Ok(ApiClient::artist(self, artist_id).await?)
    }

    async fn track(&self, track_id: &str) -> Result<Track, ServiceError> {
        Ok(ApiClient::track(self, track_id).await?)
    }

    async fn search(&self, query: &str, limit: u32) -> Result<SearchResults, ServiceError> {
        Ok(ApiClient::search(self, query, limit).await?)
    }

    async fn cover(&self, cover_path: &str) -> Result<CoverImage, ServiceError> {
        let (bytes, content_type) = self.art_request(cover_path)?.bytes().await?;
        Ok(CoverImage {
            bytes,
            content_type: content_type.unwrap_or_else(|| "image/jpeg".to_owned()),
        })
    }
}

impl From<CloudError> for ServiceError {
    fn from(err: CloudError) -> Self {
        let kind = match err.kind() {
            CloudErrorKind::Offline => ServiceErrorKind::Offline,
            CloudErrorKind::Auth => ServiceErrorKind::Auth,
            CloudErrorKind::Forbidden => ServiceErrorKind::Forbidden,
            CloudErrorKind::NotFound => ServiceErrorKind::NotFound,
            CloudErrorKind::Conflict => ServiceErrorKind::Conflict,
            CloudErrorKind::InvalidInput => ServiceErrorKind::InvalidInput,
            CloudErrorKind::Untrusted => ServiceErrorKind::Untrusted,
            // The keychain is not asked for the catalog; were it, it is this computer's
            // fault, not the listener's input: the service could not be asked.
            CloudErrorKind::Server | CloudErrorKind::Keychain => ServiceErrorKind::Server,
        };
        let message = err.to_string();
        let status = err.status();
        ServiceError::new(kind, message)
            .with_status(status)
            .with_source(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cloud_error_keeps_its_kind_words_and_status() {
        for kind in CloudErrorKind::ALL {
            let service: ServiceError = CloudError::new(kind, "Could not list the albums.").into();
            assert_eq!(service.to_string(), "Could not list the albums.");
            let expected = match kind {
                CloudErrorKind::Offline => ServiceErrorKind::Offline,
                CloudErrorKind::Auth => ServiceErrorKind::Auth,
                CloudErrorKind::Forbidden => ServiceErrorKind::Forbidden,
                CloudErrorKind::NotFound => ServiceErrorKind::NotFound,
                CloudErrorKind::Conflict => ServiceErrorKind::Conflict,
                CloudErrorKind::InvalidInput => ServiceErrorKind::InvalidInput,
                CloudErrorKind::Untrusted => ServiceErrorKind::Untrusted,
                _ => ServiceErrorKind::Server,
            };
            assert_eq!(service.kind(), expected, "{kind:?}");
        }
        let answered: ServiceError = CloudError::from_response(503, None, "list the albums").into();
        assert_eq!(answered.status(), Some(503));
        assert!(answered.is_unreachable());
    }
}
