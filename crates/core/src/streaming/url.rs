//! Media named by a URL or a path (the CLI's `strato play <url>`): no account, no grant.
//!
//! An HLS playlist (a path ending in `.m3u8` or `.m3u`) plays from the network or from a
//! file, master or media playlist alike; anything else is a single file, fetched
//! progressively or read from the disk.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use strato_audio::{AudioError, FileMedia, MediaOpener, QueueItem, TrackMedia};
use strato_stream::fetch::MediaFetcher;
use url::Url;

use super::TrackContext;
use super::media::{HlsMedia, HlsTiming, ProgressiveMedia};
use super::plain::PlainFetcher;

/// Opens queue items whose ids are URLs (`http`, `https`, `file`) or file paths.
pub(crate) struct UrlOpener {
    context: TrackContext,
    fetcher: Arc<PlainFetcher>,
}

impl UrlOpener {
    pub(crate) fn new(context: TrackContext) -> Self {
        Self {
            context,
            fetcher: Arc::new(PlainFetcher::new()),
        }
    }

    fn open_hls(&self, playlist: Url) -> Arc<dyn TrackMedia> {
        let ctx = &self.context;
        // A bare URL says nothing of encoder delay; the rate only places seek targets.
        let timing = HlsTiming {
            sample_rate: 44_100,
            delay: 0,
            padding: 0,
        };
        let fetcher: Arc<dyn MediaFetcher> = self.fetcher.clone();
        Arc::new(HlsMedia::start(
            &ctx.runtime,
            fetcher,
            playlist,
            timing,
            ctx.choices().hls,
            Arc::clone(&ctx.bandwidth),
        ))
    }

    fn open_path(&self, path: &Path) -> Result<Arc<dyn TrackMedia>, AudioError> {
        if !is_playlist(&path.to_string_lossy()) {
            return Ok(Arc::new(FileMedia::new(path)));
        }
        // The playlist's segments are named relative to it: it needs an absolute address.
        let absolute = std::path::absolute(path).unwrap_or_else(|_| PathBuf::from(path));
        let url = Url::from_file_path(&absolute).map_err(|()| {
            AudioError::NotFound(format!("The file {} does not exist.", path.display()))
        })?;
        Ok(self.open_hls(url))
    }
}

impl MediaOpener for UrlOpener {
    fn open(&self, item: &QueueItem) -> Result<Arc<dyn TrackMedia>, AudioError> {
        let url = match Url::parse(&item.id) {
            Ok(url) if url.scheme() == "file" => {
                let path = url.to_file_path().map_err(|()| {
                    AudioError::NotFound(format!("{url} does not name a file on this computer."))
                })?;
                return self.open_path(&path);
            }
            Ok(url) if matches!(url.scheme(), "http" | "https") => url,
            _ => return self.open_path(Path::new(&item.id)),
        };
        if is_playlist(url.path()) {
            return Ok(self.open_hls(url));
        }
        let ctx = &self.context;
        let fetcher: Arc<dyn MediaFetcher> = self.fetcher.clone();
        ProgressiveMedia::start(
            &ctx.runtime,
            fetcher,
            url,
            ctx.choices().hls.retry,
            item.duration,
        )
        .map(|m| Arc::new(m) as Arc<dyn TrackMedia>)
        .map_err(AudioError::Io)
    }
}

/// Whether a path names an HLS playlist (RFC 8216 4: `.m3u8`, or `.m3u` for US-ASCII).
fn is_playlist(path: &str) -> bool {
    Path::new(path)
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("m3u8") || e.eq_ignore_ascii_case("m3u"))
}
