//! A catalog track as the player's [`TrackMedia`]: its stream grant first, then HLS or the
//! MP3 with the grant's credentials.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use strato_audio::{AudioError, MediaRun, TrackMedia};
use strato_cloud::{CdnAccess, CloudError};
use strato_model::ipc::{AppError, ErrorKind};
use strato_stream::hls::{HlsConfig, SharedBandwidth};
use tokio::runtime::Handle;
use tokio::sync::{oneshot, watch};
use tokio::task::AbortHandle;
use url::Url;

use super::StreamFormat;
use super::fetcher::{CdnFetcher, TrackTrace};
use super::media::{HlsMedia, HlsTiming, ProgressiveMedia};

/// How a track is fetched; shared by every track of a session.
#[derive(Clone)]
pub(crate) struct TrackContext {
    pub(crate) runtime: Handle,
    /// The listener's choices as they are now: each track takes them when it is opened, so
    /// a change applies from the next track on without touching the one playing.
    pub(crate) choices: watch::Receiver<StreamChoices>,
    pub(crate) bandwidth: SharedBandwidth,
}

/// The choices a stream is opened with.
#[derive(Debug, Clone)]
pub(crate) struct StreamChoices {
    pub(crate) format: StreamFormat,
    /// The forward buffer, the quality and the retries.
    pub(crate) hls: HlsConfig,
}

impl TrackContext {
    /// The choices now.
    pub(crate) fn choices(&self) -> StreamChoices {
        self.choices.borrow().clone()
    }
}

/// The stream grant on its way.
type PendingGrant = oneshot::Receiver<Result<Arc<CdnAccess>, CloudError>>;

/// One track: the grant is being fetched; the stream is built on first use.
pub(crate) struct CloudTrack {
    context: TrackContext,
    /// Taken when the track was opened.
    choices: StreamChoices,
    duration: Option<Duration>,
    grant: Mutex<Option<PendingGrant>>,
    grant_task: AbortHandle,
    /// The trace of the listener's last action on the track, for every request of it.
    trace: TrackTrace,
    built: OnceLock<Result<Box<dyn TrackMedia>, AppError>>,
    /// Serialises building; never taken by `close` or the progress getters.
    building: Mutex<()>,
    closed: AtomicBool,
}

impl CloudTrack {
    /// Starts fetching the track's grant at once; every request of the track carries
    /// `trace`'s current one.
    pub(crate) fn start(
        context: TrackContext,
        access: impl std::future::Future<Output = Result<Arc<CdnAccess>, CloudError>> + Send + 'static,
        duration: Option<Duration>,
        trace: TrackTrace,
    ) -> Self {
        let (tx, rx) = oneshot::channel();
        let task = context.runtime.spawn(trace.current().scope(async move {
            let _ = tx.send(access.await);
        }));
        Self {
            choices: context.choices(),
            context,
            duration,
            trace,
            grant: Mutex::new(Some(rx)),
            grant_task: task.abort_handle(),
            built: OnceLock::new(),
            building: Mutex::new(()),
            closed: AtomicBool::new(false),
        }
    }

    /// The stream, built once the grant is in. Blocks: decoder thread only.
    fn media(&self) -> Result<&dyn TrackMedia, AudioError> {
        let built = if let Some(built) = self.built.get() {
            built
        } else {
            let _building = lock(&self.building);
            if let Some(built) = self.built.get() {
                built
            } else {
                let rx = lock(&self.grant).take().ok_or_else(stopped)?;
                let access = match rx.blocking_recv() {
                    Ok(Ok(access)) => access,
                    Ok(Err(err)) => return Err(opener_error(crate::error::from_cloud(&err))),
                    Err(_) => return Err(stopped()),
                };
                let built = self.built.get_or_init(|| self.build(access));
                if self.closed.load(Ordering::SeqCst)
                    && let Ok(media) = built
                {
                    media.close();
                }
                built
            }
        };
        built
            .as_ref()
            .map(AsRef::as_ref)
            .map_err(|err| opener_error(err.clone()))
    }

    fn build(&self, access: Arc<CdnAccess>) -> Result<Box<dyn TrackMedia>, AppError> {
        let grant = access.grant();
        let fetcher = Arc::new(CdnFetcher {
            access,
            trace: self.trace.clone(),
        });
        let ctx = &self.context;
        let unusable = |_| {
            AppError::new(
                ErrorKind::Server,
                "The service gave an unusable media address.",
            )
        };
        match self.choices.format {
            StreamFormat::Hls => {
                let master = Url::parse(&grant.hls_master_url).map_err(unusable)?;
                let timing = HlsTiming {
                    sample_rate: grant.sample_rate,
                    delay: u64::from(grant.encoder_delay_samples),
                    padding: u64::from(grant.padding_samples),
                };
                Ok(Box::new(HlsMedia::start(
                    &ctx.runtime,
                    fetcher,
                    master,
                    timing,
                    self.choices.hls.clone(),
                    Arc::clone(&ctx.bandwidth),
                )))
            }
            StreamFormat::Mp3 => {
                let url = Url::parse(&grant.mp3_url).map_err(unusable)?;
                ProgressiveMedia::start(
                    &ctx.runtime,
                    fetcher,
                    url,
                    self.choices.hls.retry,
                    self.duration,
                )
                .map(|media| Box::new(media) as Box<dyn TrackMedia>)
                .map_err(|err| crate::error::from_io(&err, "create the track's cache file"))
            }
        }
    }
}

impl TrackMedia for CloudTrack {
    fn open_at(&self, position: Duration) -> Result<MediaRun, AudioError> {
        self.media()?.open_at(position)
    }

    fn next_run(&self) -> Result<Option<MediaRun>, AudioError> {
        match self.built.get() {
            Some(Ok(media)) => media.next_run(),
            _ => Ok(None),
        }
    }

    fn padding_frames(&self) -> u64 {
        match self.built.get() {
            Some(Ok(media)) => media.padding_frames(),
            _ => 0,
        }
    }

    fn buffered_until(&self) -> Option<Duration> {
        match self.built.get() {
            Some(Ok(media)) => media.buffered_until(),
            _ => None,
        }
    }

    fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        self.grant_task.abort();
        if let Some(Ok(media)) = self.built.get() {
            media.close();
        }
    }
}

impl Drop for CloudTrack {
    fn drop(&mut self) {
        self.close();
    }
}

fn stopped() -> AudioError {
    AudioError::Stopped
}

/// The app's own error, carried whole through the engine so its kind reaches the listener.
pub(crate) fn opener_error(err: AppError) -> AudioError {
    AudioError::Opener(Box::new(err))
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
