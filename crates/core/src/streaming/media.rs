//! Streams of the engine as the player's [`TrackMedia`]: HLS and a progressively fetched
//! file, over any [`MediaFetcher`](strato_stream::fetch::MediaFetcher).

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use strato_audio::media::hint_for_extension;
use strato_audio::{AudioError, MediaRun, ReadOnlySource, TrackMedia};
use strato_stream::fetch::{MediaFetcher, RetryPolicy};
use strato_stream::hls::{HlsConfig, HlsStream, Progress, SharedBandwidth};
use strato_stream::progressive::{ProgressiveStream, RangeReader};
use tokio::runtime::Handle;
use url::Url;

/// Bytes past the estimated target that must be held for an exact MP3 seek (the estimate
/// is proportional; VBR strays from it).
const ACCURATE_SEEK_MARGIN: u64 = 128 * 1024;

/// What the engine needs to know about an HLS rendition before decoding it.
#[derive(Debug, Clone, Copy)]
pub struct HlsTiming {
    pub sample_rate: u32,
    /// Frames of encoder priming at the start of the decoded audio.
    pub delay: u64,
    /// Frames of padding at its end.
    pub padding: u64,
}

/// An HLS track.
pub struct HlsMedia {
    stream: Mutex<HlsStream>,
    progress: Arc<Progress>,
    cancel: Box<dyn Fn() + Send + Sync>,
    timing: HlsTiming,
}

impl HlsMedia {
    /// Starts loading `master`'s playlists at once.
    #[must_use]
    pub fn start(
        runtime: &Handle,
        fetcher: Arc<dyn MediaFetcher>,
        master: Url,
        timing: HlsTiming,
        config: HlsConfig,
        bandwidth: SharedBandwidth,
    ) -> Self {
        let stream = HlsStream::start(
            runtime.clone(),
            fetcher,
            master,
            timing.sample_rate,
            config,
            bandwidth,
        );
        Self {
            progress: stream.progress(),
            cancel: Box::new(stream.canceller()),
            stream: Mutex::new(stream),
            timing,
        }
    }
}

impl TrackMedia for HlsMedia {
    fn open_at(&self, position: Duration) -> Result<MediaRun, AudioError> {
        let frame = frames(position, self.timing.sample_rate) + self.timing.delay;
        let run = lock(&self.stream).open_at(frame).map_err(stream_error)?;
        Ok(MediaRun {
            skip_frames: frame.saturating_sub(run.start_frame),
            hint: Some(run.hint),
            source: Box::new(ReadOnlySource::new(run.reader)),
            seek_to: None,
            accurate_seek: true,
        })
    }

    fn next_run(&self) -> Result<Option<MediaRun>, AudioError> {
        let next = lock(&self.stream).next_run().map_err(stream_error)?;
        Ok(next.map(|run| MediaRun {
            source: Box::new(ReadOnlySource::new(run.reader)),
            hint: Some(run.hint),
            skip_frames: 0,
            seek_to: None,
            accurate_seek: true,
        }))
    }

    fn padding_frames(&self) -> u64 {
        self.timing.padding
    }

    fn buffered_until(&self) -> Option<Duration> {
        Some(Duration::from_millis(
            self.progress.buffered_until_ms.load(Ordering::Relaxed),
        ))
    }

    fn close(&self) {
        (self.cancel)();
    }
}

/// A file fetched progressively into a range cache (the MP3 rendition, or a URL).
pub struct ProgressiveMedia {
    stream: ProgressiveStream,
    hint: Option<&'static str>,
    /// The track's length, when the catalog says: places seek targets in the file.
    duration: Option<Duration>,
}

impl ProgressiveMedia {
    /// Starts downloading `url` at once.
    pub fn start(
        runtime: &Handle,
        fetcher: Arc<dyn MediaFetcher>,
        url: Url,
        retry: RetryPolicy,
        duration: Option<Duration>,
    ) -> std::io::Result<Self> {
        // The probe reads the bytes whatever the name says; the name only tells it where to
        // look first (a listener's FLAC, Ogg or WAV address as much as the catalog's MP3).
        let hint = url
            .path()
            .rsplit_once('.')
            .and_then(|(_, ext)| hint_for_extension(&ext.to_ascii_lowercase()));
        Ok(Self {
            stream: ProgressiveStream::start(runtime, fetcher, url, retry)?,
            hint,
            duration,
        })
    }
}

impl ProgressiveMedia {
    /// Whether the bytes up to `position` are at hand. Then the seek walks the frames from
    /// the start and is sample-exact; otherwise it is placed by the file's size (within one
    /// frame for CBR), which costs one request instead of fetching everything before it.
    fn bytes_before_are_held(&self, position: Duration) -> bool {
        let Some(len) = self.stream.byte_len() else {
            return false;
        };
        let target = match self.duration.filter(|d| !d.is_zero()) {
            Some(duration) => {
                let fraction = (position.as_secs_f64() / duration.as_secs_f64()).min(1.0);
                #[allow(
                    clippy::cast_possible_truncation,
                    clippy::cast_sign_loss,
                    clippy::cast_precision_loss
                )]
                let byte = (len as f64 * fraction) as u64;
                (byte + ACCURATE_SEEK_MARGIN).min(len)
            }
            None => len,
        };
        self.stream.is_held(target)
    }
}

impl TrackMedia for ProgressiveMedia {
    fn open_at(&self, position: Duration) -> Result<MediaRun, AudioError> {
        let reader = self.stream.reader().map_err(AudioError::Io)?;
        let accurate = position.is_zero() || self.bytes_before_are_held(position);
        Ok(MediaRun {
            source: Box::new(RangeSource(reader)),
            hint: self.hint,
            skip_frames: 0,
            seek_to: (!position.is_zero()).then_some(position),
            accurate_seek: accurate,
        })
    }

    fn next_run(&self) -> Result<Option<MediaRun>, AudioError> {
        Ok(None)
    }

    fn close(&self) {
        self.stream.close();
    }
}

/// The range-cached file as a symphonia source: seekable, with a known length.
struct RangeSource(RangeReader);

impl std::io::Read for RangeSource {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.0.read(buf)
    }
}

impl std::io::Seek for RangeSource {
    fn seek(&mut self, pos: std::io::SeekFrom) -> std::io::Result<u64> {
        self.0.seek(pos)
    }
}

impl strato_audio::MediaSource for RangeSource {
    fn is_seekable(&self) -> bool {
        true
    }

    fn byte_len(&self) -> Option<u64> {
        self.0.byte_len()
    }
}

fn frames(position: Duration, sample_rate: u32) -> u64 {
    let frames = position.as_secs_f64() * f64::from(sample_rate);
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let frames = frames.round() as u64;
    frames
}

#[allow(clippy::needless_pass_by_value)] // used as `map_err(stream_error)`
fn stream_error(err: strato_stream::StreamError) -> AudioError {
    use strato_stream::ErrorKind;
    let words = err.to_string();
    match err.kind() {
        ErrorKind::Unsupported => AudioError::Unsupported(words),
        ErrorKind::Playlist => AudioError::DamagedPlaylist(words),
        ErrorKind::Decryption | ErrorKind::Container => AudioError::Malformed(words),
        ErrorKind::NotFound => AudioError::NotFound(words),
        ErrorKind::Forbidden => AudioError::Forbidden(words),
        ErrorKind::Network => AudioError::Network(words),
        ErrorKind::Cancelled => AudioError::Stopped,
        // A kind added later: kept whole, so `error::from_audio` maps it by its kind.
        _ => AudioError::Opener(Box::new(err)),
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
