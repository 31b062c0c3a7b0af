//! An HLS VOD track as a stream of decoder input.
//!
//! [`HlsStream::start`] begins loading the master and media playlists on the tokio runtime
//! at once (so a queued track is ready before it is needed). The decoder thread then asks
//! for a [`Run`] at a position: a byte reader over the decoder input of consecutive
//! segments, fetched ahead by a task into a bounded queue (the forward buffer). A run ends
//! where the decoder must start afresh: at a discontinuity, or when an fMP4 variant switch
//! brings a new init section.

mod loader;
mod prepare;
mod reader;

use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::runtime::Handle;
use tokio::sync::oneshot;
use tokio::task::AbortHandle;
use url::Url;

pub use reader::SegmentReader;

use crate::abr::{Bandwidth, Quality};
use crate::fetch::{MediaFetcher, RetryPolicy};
use crate::{Result, StreamError};
use prepare::Prepared;

/// AAC frames are 1024 samples; segments hold whole frames.
const AAC_FRAME: u64 = 1024;
const AAC_FRAME_F64: f64 = 1024.0;

/// How a track is streamed.
#[derive(Debug, Clone)]
pub struct HlsConfig {
    /// Seconds of audio to hold fetched ahead of the decoder.
    pub forward_buffer: Duration,
    /// Decoded segments kept for seeking back without the network, in bytes.
    pub segment_cache_bytes: usize,
    pub quality: Quality,
    pub retry: RetryPolicy,
}

impl Default for HlsConfig {
    fn default() -> Self {
        Self {
            forward_buffer: Duration::from_secs(30),
            segment_cache_bytes: 16 << 20,
            quality: Quality::Auto,
            retry: RetryPolicy::default(),
        }
    }
}

/// Shared by the tracks of a session: what the network has been measured to carry.
pub type SharedBandwidth = Arc<Mutex<Bandwidth>>;

/// A reader over consecutive segments, and where it starts.
#[derive(Debug)]
pub struct Run {
    pub reader: SegmentReader,
    /// The file extension the decoder should probe with ("aac", "mp4").
    pub hint: &'static str,
    /// The first decoded frame's index in the track's timeline (encoder delay included).
    pub start_frame: u64,
}

/// Progress a player shows: how far ahead audio has been fetched.
#[derive(Debug, Default)]
pub struct Progress {
    /// End of the fetched audio, in milliseconds of the track.
    pub buffered_until_ms: AtomicU64,
    /// The bandwidth of the variant last fetched, bits per second.
    pub variant_bandwidth: AtomicU64,
}

/// One HLS track.
pub struct HlsStream {
    runtime: Handle,
    fetcher: Arc<dyn MediaFetcher>,
    config: HlsConfig,
    bandwidth: SharedBandwidth,
    sample_rate: u32,
    pending: Option<oneshot::Receiver<Result<Arc<Prepared>>>>,
    prepared: Option<Arc<Prepared>>,
    tasks: Arc<Mutex<Tasks>>,
    current: Option<reader::RunSource>,
    progress: Arc<Progress>,
}

impl std::fmt::Debug for HlsStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HlsStream")
            .field("config", &self.config)
            .field("sample_rate", &self.sample_rate)
            .finish_non_exhaustive()
    }
}

impl HlsStream {
    /// Starts fetching `master_url`'s playlists. `sample_rate` is the track's, from the
    /// service, for placing segments on the timeline before any audio is decoded.
    pub fn start(
        runtime: Handle,
        fetcher: Arc<dyn MediaFetcher>,
        master_url: Url,
        sample_rate: u32,
        config: HlsConfig,
        bandwidth: SharedBandwidth,
    ) -> Self {
        let (tx, rx) = oneshot::channel();
        let task = runtime.spawn(prepare::prepare(
            Arc::clone(&fetcher),
            master_url,
            config.clone(),
            Arc::clone(&bandwidth),
            tx,
        ));
        Self {
            runtime,
            fetcher,
            config,
            bandwidth,
            sample_rate,
            pending: Some(rx),
            prepared: None,
            tasks: Arc::new(Mutex::new(Tasks {
                playlists: Some(task.abort_handle()),
                segments: None,
            })),
            current: None,
            progress: Arc::new(Progress::default()),
        }
    }

    /// Fetch progress, for the player's buffered-range events.
    #[must_use]
    pub fn progress(&self) -> Arc<Progress> {
        Arc::clone(&self.progress)
    }

    /// A closure that stops every fetch of this track, which also wakes a reader blocked
    /// waiting for data (it then sees the end of its input).
    pub fn canceller(&self) -> impl Fn() + Send + Sync + 'static {
        let tasks = Arc::clone(&self.tasks);
        move || lock(&tasks).abort_all()
    }

    /// Opens a run at `frame` of the track's timeline (encoder delay included). Blocks until
    /// the playlists are in: call it from the decoder thread, never from async code.
    pub fn open_at(&mut self, frame: u64) -> Result<Run> {
        let prepared = self.prepared()?;
        let index = prepared.segment_at(frame, self.sample_rate);
        self.stop_loading();
        let (source, run) = self.spawn_loader(&prepared, index);
        self.current = Some(source);
        Ok(run)
    }

    /// After a run's reader reached its end: the next run of the track, or `None` at the
    /// track's end.
    pub fn next_run(&mut self) -> Result<Option<Run>> {
        let Some(source) = self.current.as_ref() else {
            return Ok(None);
        };
        Ok(source.next_run().map(|(reader, hint)| Run {
            reader,
            hint,
            start_frame: 0,
        }))
    }

    /// The track's length in frames, from the playlist (encoder delay and padding included).
    pub fn total_frames(&mut self) -> Result<u64> {
        let prepared = self.prepared()?;
        Ok(prepared.segment_start_frame(prepared.segment_count(), self.sample_rate))
    }

    fn prepared(&mut self) -> Result<Arc<Prepared>> {
        if let Some(prepared) = &self.prepared {
            return Ok(Arc::clone(prepared));
        }
        let rx = self
            .pending
            .take()
            .ok_or_else(|| StreamError::Cancelled("the track was stopped".into()))?;
        let prepared = rx
            .blocking_recv()
            .map_err(|_| StreamError::Cancelled("the track was stopped".into()))??;
        self.prepared = Some(Arc::clone(&prepared));
        Ok(prepared)
    }

    fn spawn_loader(&self, prepared: &Arc<Prepared>, index: usize) -> (reader::RunSource, Run) {
        let queue_len = self.queue_len(prepared);
        let (source, sender) = reader::RunSource::new(queue_len);
        let job = loader::Loader {
            fetcher: Arc::clone(&self.fetcher),
            prepared: Arc::clone(prepared),
            config: self.config.clone(),
            bandwidth: Arc::clone(&self.bandwidth),
            progress: Arc::clone(&self.progress),
            out: sender,
        };
        let task = self.runtime.spawn(job.run(index));
        lock(&self.tasks).segments = Some(task.abort_handle());
        let first = source.first_reader();
        let run = Run {
            reader: first,
            hint: prepared.kind_at(index).decoder_hint(),
            start_frame: prepared.segment_start_frame(index, self.sample_rate),
        };
        (source, run)
    }

    /// Segments to hold ahead: the forward buffer over the target duration, at least two.
    fn queue_len(&self, prepared: &Prepared) -> usize {
        let target = prepared.target_duration.as_secs_f64().max(0.5);
        let segments = (self.config.forward_buffer.as_secs_f64() / target).ceil();
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let segments = segments as usize;
        segments.max(2)
    }

    fn stop_loading(&mut self) {
        self.current = None;
        if let Some(task) = lock(&self.tasks).segments.take() {
            task.abort();
        }
    }
}

impl Drop for HlsStream {
    fn drop(&mut self) {
        lock(&self.tasks).abort_all();
    }
}

/// The tasks fetching for a track.
#[derive(Debug)]
struct Tasks {
    playlists: Option<AbortHandle>,
    segments: Option<AbortHandle>,
}

impl Tasks {
    fn abort_all(&mut self) {
        for task in [self.playlists.take(), self.segments.take()]
            .into_iter()
            .flatten()
        {
            task.abort();
        }
    }
}

/// Rounds a time to the AAC frame grid at `rate`.
fn frames_at(seconds: f64, sample_rate: u32) -> u64 {
    let frames = seconds * f64::from(sample_rate) / AAC_FRAME_F64;
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let whole = frames.round().max(0.0) as u64;
    whole * AAC_FRAME
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
