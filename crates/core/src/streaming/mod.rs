//! Glue between the services' clients and the streaming engine: catalog tracks become
//! [`TrackMedia`](strato_audio::TrackMedia) that fetch from the CDN with the track's grant,
//! or from a Subsonic server's `stream` address (`subsonic.rs`); links and files play as
//! they are (`url.rs`), downloaded tracks from their files.

mod fetcher;
mod media;
mod plain;
mod subsonic;
mod track;
mod url;

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use strato_audio::{AudioError, MediaOpener, QueueItem, TrackMedia};
use strato_cloud::trace::Trace;
use strato_cloud::{ApiClient, CdnAccess};
use strato_model::ipc::{AppError, ErrorKind};
use strato_stream::abr::Bandwidth;
use tokio::runtime::Handle;
use tokio::sync::watch;

use fetcher::TrackTrace;
pub(crate) use track::{StreamChoices, TrackContext};

use crate::account::Connection;
use crate::offline::AccountLibrary;
pub(crate) use subsonic::SubsonicOpener;
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

/// A grant this close to its expiry is not reused: fetch a fresh one.
const GRANT_REUSE_MARGIN_SECS: i64 = 120;
/// Grants kept for replays, at most.
const GRANTS_KEPT: usize = 256;
/// The tracks opened last whose traces a seek may restart: the one heard and the next,
/// opened ahead for a gapless change, with room to spare.
const TRACES_KEPT: usize = 4;

/// Opens catalog tracks for the player with the signed-in session's API client.
pub(crate) struct CloudOpener {
    context: TrackContext,
    api: Mutex<Option<Arc<ApiClient>>>,
    /// Each track's CDN access while its grant is valid, so playing a track again (a replay,
    /// repeat, going back) costs no round trip to the service.
    accesses: Arc<Mutex<HashMap<String, Arc<CdnAccess>>>>,
    /// The traces of the tracks opened last, newest last, by track id.
    traces: Mutex<VecDeque<(String, TrackTrace)>>,
}

impl TrackContext {
    pub(crate) fn new(runtime: Handle, choices: watch::Receiver<StreamChoices>) -> Self {
        Self {
            runtime,
            choices,
            bandwidth: Arc::new(Mutex::new(Bandwidth::default())),
        }
    }
}

impl CloudOpener {
    pub(crate) fn new(context: TrackContext) -> Self {
        Self {
            context,
            api: Mutex::new(None),
            accesses: Arc::new(Mutex::new(HashMap::new())),
            traces: Mutex::new(VecDeque::with_capacity(TRACES_KEPT)),
        }
    }

    /// The listener seeks in `track_id`: its requests from now on carry a trace of their
    /// own, whose root is returned (`None`: the track is not one this opener opened lately,
    /// a file or a link, say).
    pub(crate) fn trace_seek(&self, track_id: &str) -> Option<String> {
        let traces = lock(&self.traces);
        let (_, trace) = traces.iter().rev().find(|(id, _)| id == track_id)?;
        Some(trace.restart().root().to_owned())
    }

    /// The session whose credentials tracks are fetched with (`None` after sign-out).
    pub(crate) fn set_api(&self, api: Option<Arc<ApiClient>>) {
        let mut current = lock(&self.api);
        let same = match (&*current, &api) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        };
        if !same {
            // Grants belong to the account that asked for them.
            lock(&self.accesses).clear();
        }
        *current = api;
    }
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl MediaOpener for CloudOpener {
    fn open(&self, item: &QueueItem) -> Result<Arc<dyn TrackMedia>, AudioError> {
        let api = lock(&self.api).clone().ok_or_else(|| {
            track::opener_error(AppError::new(
                ErrorKind::NotSignedIn,
                "Sign in to play music.",
            ))
        })?;
        let track_id = item.id.clone();
        // One trace per play: the grant, the playlists and every segment of the track (until
        // the listener seeks in it, a trace of its own).
        let trace = Trace::new();
        // The track is not named: what a listener plays is theirs, and the root joins the lines.
        tracing::info!(trace = trace.root(), "play: opening the track");
        let trace = TrackTrace::new(trace);
        {
            let mut traces = lock(&self.traces);
            if traces.len() == TRACES_KEPT {
                traces.pop_front();
            }
            traces.push_back((track_id.clone(), trace.clone()));
        }
        let fresh = lock(&self.accesses)
            .get(&track_id)
            .filter(|a| a.grant().expires_at - unix_now() > GRANT_REUSE_MARGIN_SECS)
            .cloned();
        let accesses = Arc::clone(&self.accesses);
        let access = async move {
            if let Some(access) = fresh {
                return Ok(access);
            }
            let access = Arc::new(CdnAccess::open((*api).clone(), &track_id).await?);
            let mut kept = lock(&accesses);
            if kept.len() >= GRANTS_KEPT {
                let now = unix_now();
                kept.retain(|_, a| a.grant().expires_at - now > GRANT_REUSE_MARGIN_SECS);
                if kept.len() >= GRANTS_KEPT {
                    kept.clear();
                }
            }
            kept.insert(track_id, Arc::clone(&access));
            Ok(access)
        };
        Ok(Arc::new(track::CloudTrack::start(
            self.context.clone(),
            access,
            item.duration,
            trace,
        )))
    }
}

/// Sends catalog ids to the signed-in account's service (the cloud, or a Subsonic server)
/// and URLs or file paths to plain fetching.
pub(crate) struct RoutingOpener {
    pub(crate) cloud: CloudOpener,
    pub(crate) subsonic: SubsonicOpener,
    pub(crate) urls: UrlOpener,
    /// Downloaded tracks play from their files, online or not.
    pub(crate) library: Arc<Mutex<Option<Arc<AccountLibrary>>>>,
}

impl RoutingOpener {
    /// Streams with `connection`'s credentials from now on (`None`: signed out; nothing but
    /// links, files and downloads opens).
    pub(crate) fn set_connection(&self, connection: Option<&Connection>) {
        self.cloud
            .set_api(connection.and_then(Connection::cloud).cloned());
        self.subsonic
            .set_client(connection.and_then(Connection::subsonic).cloned());
    }

    /// See [`CloudOpener::trace_seek`].
    pub(crate) fn trace_seek(&self, track_id: &str) -> Option<String> {
        self.cloud.trace_seek(track_id)
    }

    /// Whether a queue id names a URL or a file rather than a catalog track.
    pub(crate) fn is_location(id: &str) -> bool {
        id.contains("://") || std::path::Path::new(id).is_absolute() || id.starts_with('.')
    }
}

impl MediaOpener for RoutingOpener {
    fn open(&self, item: &QueueItem) -> Result<Arc<dyn TrackMedia>, AudioError> {
        if Self::is_location(&item.id) {
            return self.urls.open(item);
        }
        let library = lock(&self.library).clone();
        if let Some(library) = library {
            if let Some(file) = library.downloaded_file(&item.id) {
                tracing::debug!(track_id = %item.id, "playing the downloaded file");
                return self.urls.open(&QueueItem {
                    id: file.to_string_lossy().into_owned(),
                    ..item.clone()
                });
            }
            if !library.reachable() {
                // Waiting out the retries would leave the listener in silence; the
                // player moves on to the next track.
                return Err(track::opener_error(AppError::new(
                    ErrorKind::Network,
                    "This track is not available offline, and the service cannot be reached.",
                )));
            }
        }
        if self.subsonic.is_armed() {
            return self.subsonic.open(item);
        }
        self.cloud.open(item)
    }
}
