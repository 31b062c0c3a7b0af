//! Glue between the cloud client and the streaming engine: catalog tracks become
//! [`TrackMedia`](strato_audio::TrackMedia) that fetch from the CDN with the track's grant.

mod fetcher;
mod media;
mod track;
mod url;

use std::sync::{Arc, Mutex};

use strato_audio::{AudioError, MediaOpener, QueueItem, TrackMedia};
use strato_cloud::{ApiClient, CdnAccess};
use strato_stream::abr::Bandwidth;
use strato_stream::hls::HlsConfig;
use tokio::runtime::Handle;

pub(crate) use track::TrackContext;
pub(crate) use url::UrlOpener;

/// Which rendition the app streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StreamFormat {
    /// Adaptive HLS (AAC): the default.
    #[default]
    Hls,
    /// The single-bitrate MP3, fetched progressively.
    Mp3,
}

/// Opens catalog tracks for the player with the signed-in session's API client.
pub(crate) struct CloudOpener {
    context: TrackContext,
    api: Mutex<Option<Arc<ApiClient>>>,
}

impl TrackContext {
    pub(crate) fn new(runtime: Handle, format: StreamFormat, hls: HlsConfig) -> Self {
        Self {
            runtime,
            format,
            hls,
            bandwidth: Arc::new(Mutex::new(Bandwidth::default())),
        }
    }
}

impl CloudOpener {
    pub(crate) fn new(context: TrackContext) -> Self {
        Self {
            context,
            api: Mutex::new(None),
        }
    }

    /// The session whose credentials tracks are fetched with (`None` after sign-out).
    pub(crate) fn set_api(&self, api: Option<Arc<ApiClient>>) {
        *self
            .api
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = api;
    }
}

impl MediaOpener for CloudOpener {
    fn open(&self, item: &QueueItem) -> Result<Arc<dyn TrackMedia>, AudioError> {
        let api = self
            .api
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
            .ok_or_else(|| AudioError::Unavailable("Sign in to play music.".into()))?;
        let track_id = item.id.clone();
        let access = async move { CdnAccess::open((*api).clone(), &track_id).await };
        Ok(Arc::new(track::CloudTrack::start(
            self.context.clone(),
            access,
            item.duration,
        )))
    }
}

/// Sends catalog ids to the cloud and URLs or file paths to plain fetching.
pub(crate) struct RoutingOpener {
    pub(crate) cloud: Arc<CloudOpener>,
    pub(crate) urls: UrlOpener,
}

impl RoutingOpener {
    /// Whether a queue id names a URL or a file rather than a catalog track.
    pub(crate) fn is_location(id: &str) -> bool {
        id.contains("://") || std::path::Path::new(id).is_absolute() || id.starts_with('.')
    }
}

impl MediaOpener for RoutingOpener {
    fn open(&self, item: &QueueItem) -> Result<Arc<dyn TrackMedia>, AudioError> {
        if Self::is_location(&item.id) {
            self.urls.open(item)
        } else {
            self.cloud.open(item)
        }
    }
}
