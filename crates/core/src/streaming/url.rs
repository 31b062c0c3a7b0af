//! Media named by a URL or a path (the CLI's `strato play <url>`): no account, no grant.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use strato_audio::{AudioError, FileMedia, MediaOpener, QueueItem, TrackMedia};
use strato_stream::fetch::{BoxFuture, FetchBody, FetchError, FetchErrorKind, MediaFetcher};
use strato_stream::hls::HlsConfig;
use url::Url;

use super::TrackContext;
use super::media::{HlsMedia, HlsTiming, ProgressiveMedia};

/// Opens queue items whose ids are URLs (`http`, `https`, `file`) or file paths.
pub(crate) struct UrlOpener {
    context: TrackContext,
    fetcher: Arc<PlainFetcher>,
}

impl UrlOpener {
    pub(crate) fn new(context: TrackContext) -> Self {
        Self {
            context,
            fetcher: Arc::new(PlainFetcher {
                http: reqwest::Client::builder()
                    .connect_timeout(Duration::from_secs(5))
                    .read_timeout(Duration::from_secs(20))
                    .build()
                    .unwrap_or_default(),
            }),
        }
    }
}

impl MediaOpener for UrlOpener {
    fn open(&self, item: &QueueItem) -> Result<Arc<dyn TrackMedia>, AudioError> {
        let url = match Url::parse(&item.id) {
            Ok(url) if url.scheme() == "file" => {
                let path = url.to_file_path().map_err(|()| {
                    AudioError::Unavailable("That file address is not usable.".into())
                })?;
                return Ok(Arc::new(FileMedia::new(path)));
            }
            Ok(url) if matches!(url.scheme(), "http" | "https") => url,
            _ => return Ok(Arc::new(FileMedia::new(&item.id))),
        };
        let ctx = &self.context;
        let fetcher: Arc<dyn MediaFetcher> = self.fetcher.clone();
        if url.path().to_ascii_lowercase().ends_with(".m3u8") {
            // A bare URL says nothing of encoder delay; the rate only places seek targets.
            let timing = HlsTiming {
                sample_rate: 44_100,
                delay: 0,
                padding: 0,
            };
            let config = HlsConfig { ..ctx.hls.clone() };
            Ok(Arc::new(HlsMedia::start(
                &ctx.runtime,
                fetcher,
                url,
                timing,
                config,
                Arc::clone(&ctx.bandwidth),
            )))
        } else {
            ProgressiveMedia::start(&ctx.runtime, fetcher, url, ctx.hls.retry, item.duration)
                .map(|m| Arc::new(m) as Arc<dyn TrackMedia>)
                .map_err(AudioError::Io)
        }
    }
}

/// Plain HTTP, no credentials.
#[derive(Debug)]
struct PlainFetcher {
    http: reqwest::Client,
}

impl MediaFetcher for PlainFetcher {
    fn get<'a>(
        &'a self,
        url: &'a Url,
        range: Option<(u64, Option<u64>)>,
    ) -> BoxFuture<'a, Result<Box<dyn FetchBody>, FetchError>> {
        Box::pin(async move {
            let mut request = self.http.get(url.clone());
            if let Some((start, end)) = range {
                let value = match end {
                    Some(end) => format!("bytes={start}-{}", end.saturating_sub(1)),
                    None => format!("bytes={start}-"),
                };
                request = request.header(reqwest::header::RANGE, value);
            }
            let response = request.send().await.map_err(|e| {
                FetchError::new(
                    FetchErrorKind::Transient,
                    format!("Could not fetch {url}: {}", e.without_url()),
                )
            })?;
            let status = response.status();
            if !status.is_success() {
                let kind = match status.as_u16() {
                    403 => FetchErrorKind::Forbidden,
                    404 => FetchErrorKind::NotFound,
                    500..=599 => FetchErrorKind::Transient,
                    _ => FetchErrorKind::Fatal,
                };
                return Err(FetchError::new(kind, format!("{url} answered {status}.")));
            }
            let partial = status == reqwest::StatusCode::PARTIAL_CONTENT;
            let (offset, total) = if partial {
                let (start, total) = response
                    .headers()
                    .get(reqwest::header::CONTENT_RANGE)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.strip_prefix("bytes "))
                    .and_then(|v| v.split_once('/'))
                    .map_or((None, None), |(span, total)| {
                        let start = span.split('-').next().and_then(|s| s.parse().ok());
                        (start, total.parse().ok())
                    });
                (start.unwrap_or(0), total)
            } else {
                (0, response.content_length())
            };
            Ok(Box::new(PlainBody {
                response,
                offset,
                total,
            }) as Box<dyn FetchBody>)
        })
    }

    fn renew<'a>(&'a self, url: &'a Url) -> BoxFuture<'a, Result<Url, FetchError>> {
        Box::pin(async move {
            Err(FetchError::new(
                FetchErrorKind::Forbidden,
                format!("{url} refused access."),
            ))
        })
    }
}

struct PlainBody {
    response: reqwest::Response,
    offset: u64,
    total: Option<u64>,
}

impl FetchBody for PlainBody {
    fn offset(&self) -> u64 {
        self.offset
    }

    fn total_len(&self) -> Option<u64> {
        self.total
    }

    fn next_chunk(&mut self) -> BoxFuture<'_, Result<Option<Bytes>, FetchError>> {
        Box::pin(async move {
            self.response.chunk().await.map_err(|e| {
                FetchError::new(
                    FetchErrorKind::Transient,
                    format!("The download broke off: {}", e.without_url()),
                )
            })
        })
    }
}
