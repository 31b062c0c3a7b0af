//! A file over HTTP (the MP3 rendition) as a seekable reader, backed by an on-disk range
//! cache.
//!
//! A download task on tokio writes what arrives into a temporary file and records the
//! ranges held. The decoder thread reads through a [`RangeReader`]: a read blocks only when
//! its bytes are not held yet, and then tells the downloader where it is waiting, so a seek
//! forward restarts the download there with a `Range` request. A seek backward is served
//! from the file. A dropped connection resumes where it broke.

mod ranges;

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use tokio::io::{AsyncSeekExt, AsyncWriteExt};
use tokio::runtime::Handle;
use tokio::sync::Notify;
use url::Url;

pub use ranges::RangeSet;

use crate::fetch::{FetchError, FetchErrorKind, MediaFetcher, RetryPolicy, no_answer, stalled};

/// A reader that waits longer than this re-announces where it is waiting (in case the
/// downloader missed it) and checks for cancellation.
const WAIT_SLICE: Duration = Duration::from_millis(100);
/// A reader this far ahead of the download's position is a seek: restart the download there
/// rather than fetch everything in between.
const SEEK_DISTANCE: u64 = 256 * 1024;

/// What the reader and the downloader share.
#[derive(Debug)]
struct Shared {
    state: Mutex<State>,
    /// Wakes the reader when bytes arrive or the download fails.
    arrived: Condvar,
    /// Wakes the downloader when the reader moved or the stream was cancelled.
    wanted: Notify,
}

#[derive(Debug, Default)]
struct State {
    held: RangeSet,
    len: Option<u64>,
    /// Where the reader waits (or last read).
    want: u64,
    error: Option<FetchError>,
    cancelled: bool,
    /// The reader in service; older ones are retired.
    generation: u64,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A file being downloaded into a temporary range cache. Readers are made with
/// [`Self::reader`]; making one retires the earlier ones (their reads fail), which is how a
/// decoder abandoned by a seek lets go.
#[derive(Debug)]
pub struct ProgressiveStream {
    shared: Arc<Shared>,
    cache: Arc<tempfile::NamedTempFile>,
    task: tokio::task::AbortHandle,
}

impl ProgressiveStream {
    /// Starts downloading `url` from its first byte.
    pub fn start(
        runtime: &Handle,
        fetcher: Arc<dyn MediaFetcher>,
        url: Url,
        policy: RetryPolicy,
    ) -> std::io::Result<Self> {
        let cache = tempfile::Builder::new()
            .prefix("strato-stream-")
            .tempfile()?;
        let writer = tokio::fs::File::from_std(cache.reopen()?);
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            arrived: Condvar::new(),
            wanted: Notify::new(),
        });
        let downloader = Downloader {
            fetcher,
            url,
            policy,
            shared: Arc::clone(&shared),
            file: writer,
        };
        let task = runtime.spawn(downloader.run());
        Ok(Self {
            shared,
            cache: Arc::new(cache),
            task: task.abort_handle(),
        })
    }

    /// A reader from the file's start; earlier readers are retired.
    pub fn reader(&self) -> std::io::Result<RangeReader> {
        let generation = {
            let mut state = self.shared.lock();
            state.generation += 1;
            state.want = 0;
            state.generation
        };
        self.shared.arrived.notify_all();
        self.shared.wanted.notify_one();
        Ok(RangeReader {
            shared: Arc::clone(&self.shared),
            file: self.cache.reopen()?,
            pos: 0,
            generation,
            _cache: Arc::clone(&self.cache),
        })
    }

    /// The file's length, once the server has said (blocks until the first response).
    #[must_use]
    pub fn byte_len(&self) -> Option<u64> {
        wait_for_len(&self.shared)
    }

    /// Whether `0..end` is held, so reading it needs no network.
    #[must_use]
    pub fn is_held(&self, end: u64) -> bool {
        self.shared
            .lock()
            .held
            .held_until(0)
            .is_some_and(|e| e >= end)
    }

    /// What is held, for buffered-range events.
    #[must_use]
    pub fn held(&self) -> RangeSet {
        self.shared.lock().held.clone()
    }

    /// Stops the download; blocked reads fail.
    pub fn close(&self) {
        self.shared.lock().cancelled = true;
        self.shared.arrived.notify_all();
        self.task.abort();
    }
}

impl Drop for ProgressiveStream {
    fn drop(&mut self) {
        self.close();
    }
}

fn wait_for_len(shared: &Shared) -> Option<u64> {
    let mut state = shared.lock();
    loop {
        if state.len.is_some() || state.error.is_some() || state.cancelled {
            return state.len;
        }
        state = shared
            .arrived
            .wait_timeout(state, WAIT_SLICE)
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .0;
    }
}

/// The decoder's view of the file: `Read + Seek`, blocking for bytes not yet held.
#[derive(Debug)]
pub struct RangeReader {
    shared: Arc<Shared>,
    file: File,
    pos: u64,
    generation: u64,
    /// The cache file is deleted when the stream and its last reader are gone.
    _cache: Arc<tempfile::NamedTempFile>,
}

impl RangeReader {
    /// The file's length, once the server has said (blocks until the first response).
    #[must_use]
    pub fn byte_len(&self) -> Option<u64> {
        wait_for_len(&self.shared)
    }

    /// Waits until `pos` is held; returns the end of the held range there.
    fn wait_for(&self, pos: u64) -> std::io::Result<u64> {
        let mut state = self.shared.lock();
        loop {
            if let Some(end) = state.held.held_until(pos) {
                return Ok(end);
            }
            if state.len.is_some_and(|len| pos >= len) {
                return Ok(pos); // end of file
            }
            if state.cancelled || state.generation != self.generation {
                // Not `Interrupted`: readers retry on that, and this reader is finished.
                return Err(std::io::Error::other("the track was stopped"));
            }
            if let Some(err) = &state.error {
                return Err(err.clone().into());
            }
            if state.want != pos {
                state.want = pos;
                self.shared.wanted.notify_one();
            }
            state = self
                .shared
                .arrived
                .wait_timeout(state, WAIT_SLICE)
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .0;
        }
    }
}

impl Read for RangeReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let held_end = self.wait_for(self.pos)?;
        let n = usize::try_from(held_end - self.pos)
            .unwrap_or(usize::MAX)
            .min(buf.len());
        if n == 0 {
            return Ok(0);
        }
        self.file.seek(SeekFrom::Start(self.pos))?;
        self.file.read_exact(&mut buf[..n])?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for RangeReader {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        let target = match to {
            SeekFrom::Start(p) => Some(p),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
            SeekFrom::End(d) => self.byte_len().and_then(|len| len.checked_add_signed(d)),
        }
        .ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "seek out of range")
        })?;
        self.pos = target;
        // Tell the downloader early, so the bytes are on their way before the read.
        let mut state = self.shared.lock();
        if state.held.held_until(target).is_none() && state.want != target {
            state.want = target;
            self.shared.wanted.notify_one();
        }
        Ok(target)
    }
}

struct Downloader {
    fetcher: Arc<dyn MediaFetcher>,
    url: Url,
    policy: RetryPolicy,
    shared: Arc<Shared>,
    file: tokio::fs::File,
}

/// Why one fetch ended.
enum Stop {
    /// The body ended or the reader moved away: look again at what is wanted.
    Again,
    Failed(FetchError),
}

impl Downloader {
    async fn run(mut self) {
        let mut renewed = false;
        let mut failures = 0;
        loop {
            // Registered before the state is read, so a move in between is not missed.
            let shared = Arc::clone(&self.shared);
            let moved = shared.wanted.notified();
            tokio::pin!(moved);
            moved.as_mut().enable();
            let next = {
                let state = self.shared.lock();
                if state.cancelled {
                    return;
                }
                let start = state.held.next_missing(state.want);
                let done = state.len.is_some_and(|len| start >= len);
                (!done).then(|| {
                    let end = state.held.next_held_after(start).or(state.len);
                    (start, end)
                })
            };
            let Some((start, end)) = next else {
                moved.await; // everything from the reader on is held
                continue;
            };
            match self.fetch(start, end).await {
                Stop::Again => failures = 0,
                Stop::Failed(err) => match err.kind {
                    FetchErrorKind::Forbidden if !renewed => {
                        renewed = true;
                        match self.fetcher.renew(&self.url).await {
                            Ok(url) => self.url = url,
                            Err(err) => return self.fail(err),
                        }
                    }
                    FetchErrorKind::Transient if failures + 1 < self.policy.attempts => {
                        failures += 1;
                        let wait = self.policy.backoff(failures);
                        tracing::debug!(failures, ?wait, error = %err, "retrying the download");
                        tokio::time::sleep(wait).await;
                    }
                    _ => return self.fail(err),
                },
            }
        }
    }

    /// Fetches `start..end` into the cache until it ends or the reader moves elsewhere.
    async fn fetch(&mut self, start: u64, end: Option<u64>) -> Stop {
        let range = (start > 0 || end.is_some()).then_some((start, end));
        let body = tokio::time::timeout(
            self.policy.stall_timeout,
            self.fetcher.get(&self.url, range),
        );
        let mut body = match body.await {
            Ok(Ok(body)) => body,
            Ok(Err(err)) => return Stop::Failed(err),
            Err(_) => return Stop::Failed(no_answer(&self.url, self.policy.stall_timeout)),
        };
        let mut offset = body.offset();
        {
            let mut state = self.shared.lock();
            if state.len.is_none() {
                state.len = body.total_len();
                self.shared.arrived.notify_all();
            }
        }
        if let Err(err) = self.file.seek(SeekFrom::Start(offset)).await {
            return Stop::Failed(disk_error(&err));
        }
        loop {
            let chunk =
                match tokio::time::timeout(self.policy.stall_timeout, body.next_chunk()).await {
                    Ok(Ok(Some(chunk))) => chunk,
                    Ok(Ok(None)) => {
                        let complete = self.shared.lock().len.is_none_or(|len| offset >= len)
                            || end.is_some_and(|end| offset >= end);
                        return if complete {
                            Stop::Again
                        } else {
                            Stop::Failed(FetchError::new(
                                FetchErrorKind::Transient,
                                "The connection broke off in the middle of the track.",
                            ))
                        };
                    }
                    Ok(Err(err)) => return Stop::Failed(err),
                    Err(_) => return Stop::Failed(stalled(&self.url, self.policy.stall_timeout)),
                };
            // Flushed before it is announced: a reader may open those bytes at once.
            let written = async {
                self.file.write_all(&chunk).await?;
                self.file.flush().await
            };
            if let Err(err) = written.await {
                return Stop::Failed(disk_error(&err));
            }
            let chunk_end = offset + chunk.len() as u64;
            let mut state = self.shared.lock();
            state.held.insert(offset, chunk_end);
            offset = chunk_end;
            self.shared.arrived.notify_all();
            if state.cancelled {
                return Stop::Again;
            }
            // The reader jumped away (behind us, or far ahead): fetch for it instead.
            let want = state.want;
            let jumped = (want < start || want > offset + SEEK_DISTANCE)
                && state.held.held_until(want).is_none();
            if jumped {
                return Stop::Again;
            }
        }
    }

    fn fail(&self, err: FetchError) {
        tracing::warn!(error = %err, "the download stopped");
        self.shared.lock().error = Some(err);
        self.shared.arrived.notify_all();
    }
}

fn disk_error(err: &std::io::Error) -> FetchError {
    FetchError::new(
        FetchErrorKind::Fatal,
        format!("Could not write the track to the disk cache ({err})."),
    )
}
