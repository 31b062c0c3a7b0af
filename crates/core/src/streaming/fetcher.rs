//! The streaming engine's [`MediaFetcher`] over the cloud client's CDN access. Every request
//! carries the trace of the listener's last action on the track (the play, or a seek in it):
//! the engine fetches from tasks of its own, so the trace goes with the fetcher rather than
//! with the task that started the play.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use strato_cloud::trace::Trace;
use strato_cloud::{CdnAccess, CdnResponse, CloudError, CloudErrorKind};
use strato_stream::fetch::{BoxFuture, FetchBody, FetchError, FetchErrorKind, MediaFetcher};
use url::Url;

/// A renewal within this long before a refusal already answered it.
const RENEWAL_FRESH_FOR: Duration = Duration::from_secs(2);

/// The trace a track's requests carry now: the play's, until the listener seeks in the
/// track, when it is the seek's own (one trace per user action). Shared by the track, its
/// fetcher and the opener, which starts a seek's.
#[derive(Debug, Clone)]
pub(crate) struct TrackTrace(Arc<Mutex<Trace>>);

impl TrackTrace {
    pub(crate) fn new(trace: Trace) -> Self {
        Self(Arc::new(Mutex::new(trace)))
    }

    /// The trace of the track's latest action.
    pub(crate) fn current(&self) -> Trace {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// A new action on the track (a seek): its requests from now on carry a new trace.
    pub(crate) fn restart(&self) -> Trace {
        let trace = Trace::new();
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = trace.clone();
        trace
    }
}

/// One track's CDN access as the engine's fetcher.
#[derive(Debug)]
pub(crate) struct CdnFetcher {
    pub(crate) access: Arc<CdnAccess>,
    /// The action this track's requests belong to.
    pub(crate) trace: TrackTrace,
}

impl MediaFetcher for CdnFetcher {
    fn get<'a>(
        &'a self,
        url: &'a Url,
        range: Option<(u64, Option<u64>)>,
    ) -> BoxFuture<'a, Result<Box<dyn FetchBody>, FetchError>> {
        Box::pin(async move {
            let response = self
                .trace
                .current()
                .scope(self.access.get(url, range))
                .await
                .map_err(|e| fetch_error(&e))?;
            Ok(Box::new(Body(response)) as Box<dyn FetchBody>)
        })
    }

    fn renew<'a>(&'a self, url: &'a Url) -> BoxFuture<'a, Result<Url, FetchError>> {
        Box::pin(async move {
            let old = self.access.grant();
            let fresh = self
                .trace
                .current()
                .scope(Box::pin(self.access.renew(RENEWAL_FRESH_FOR)))
                .await
                .map_err(|e| fetch_error(&e))?;
            // The MP3's signature is in its URL, so its URL changes; cookie-signed URLs don't.
            let was_mp3 = Url::parse(&old.mp3_url).is_ok_and(|u| u.path() == url.path());
            if was_mp3 {
                Url::parse(&fresh.mp3_url).map_err(|_| {
                    FetchError::new(
                        FetchErrorKind::Fatal,
                        "The service gave an unusable media address.",
                    )
                })
            } else {
                Ok(url.clone())
            }
        })
    }
}

struct Body(CdnResponse);

impl FetchBody for Body {
    fn offset(&self) -> u64 {
        self.0.offset()
    }

    fn total_len(&self) -> Option<u64> {
        self.0.total_len()
    }

    fn next_chunk(&mut self) -> BoxFuture<'_, Result<Option<bytes::Bytes>, FetchError>> {
        Box::pin(async move { self.0.chunk().await.map_err(|e| fetch_error(&e)) })
    }
}

fn fetch_error(err: &CloudError) -> FetchError {
    let kind = match err.kind() {
        CloudErrorKind::Auth => FetchErrorKind::Forbidden,
        CloudErrorKind::NotFound => FetchErrorKind::NotFound,
        CloudErrorKind::Offline | CloudErrorKind::Server => FetchErrorKind::Transient,
        _ => FetchErrorKind::Fatal,
    };
    FetchError::new(kind, err.to_string())
}
