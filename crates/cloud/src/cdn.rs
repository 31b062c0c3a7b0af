//! The CDN: audio, HLS playlists, keys and segments, and cover art.
//!
//! Audio is signed: the MP3 by its signed URL, everything under the HLS folder by the signed
//! cookies of the track's [`StreamGrant`]. [`CdnAccess`] holds one track's grant, attaches
//! the right credentials to each request, and renews the grant when the CDN refuses it.
//! Nothing here logs a signature: URLs go through [`redact::url`].

use std::sync::{Arc, RwLock};

use bytes::Bytes;
use strato_model::api::{DownloadGrant, StreamGrant};
use url::Url;

use crate::{ApiClient, CloudError, CloudErrorKind, redact};

impl ApiClient {
    /// The MP3 rendition of a grant, by its signed URL.
    pub fn mp3_request(&self, grant: &StreamGrant) -> Result<CdnRequest, CloudError> {
        Ok(CdnRequest {
            http: self.service().http.clone(),
            url: parse_cdn_url(&grant.mp3_url)?,
            cookie: None,
        })
    }

    /// GET a download grant's file by its signed URL, from `range` (`start..end`, `end`
    /// exclusive, `None` for "to the end") so a broken download resumes where it stopped. A
    /// 403 means the signature expired: ask for a new [`ApiClient::download_grant`].
    pub async fn download(
        &self,
        grant: &DownloadGrant,
        range: Option<(u64, Option<u64>)>,
    ) -> Result<CdnResponse, CloudError> {
        let url = parse_cdn_url(&grant.url)?;
        let response = send(&self.service().http, &url, None, range).await?;
        CdnResponse::new(response, range)
    }

    /// Cover art, which the CDN serves publicly.
    pub fn art_request(&self, cover_path: &str) -> Result<CdnRequest, CloudError> {
        let base = &self.service().config.cdn_base_url;
        let url = format!(
            "{}/{}",
            base.trim_end_matches('/'),
            cover_path.trim_start_matches('/')
        );
        Ok(CdnRequest {
            http: self.service().http.clone(),
            url: parse_cdn_url(&url)?,
            cookie: None,
        })
    }
}

/// A one-shot request to the CDN with its credentials attached. `Debug` shows no signature.
pub struct CdnRequest {
    http: reqwest::Client,
    url: Url,
    cookie: Option<String>,
}

impl std::fmt::Debug for CdnRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CdnRequest")
            .field("url", &redact::url(&self.url))
            .field("cookie", &self.cookie.as_ref().map(|_| "<redacted>"))
            .finish_non_exhaustive()
    }
}

impl CdnRequest {
    /// The whole body and its content type.
    pub async fn bytes(self) -> Result<(Vec<u8>, Option<String>), CloudError> {
        let response = send(&self.http, &self.url, self.cookie.as_deref(), None).await?;
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = response
            .bytes()
            .await
            .map_err(|e| CloudError::transport(e, "fetch the audio"))?;
        Ok((body.to_vec(), content_type))
    }
}

/// One track's access to the CDN: its current grant, renewed on demand.
///
/// Cheap to share (`Arc`); the grant sits behind a short-lived std lock that is never held
/// across an `.await`.
#[derive(Debug)]
pub struct CdnAccess {
    api: ApiClient,
    track_id: String,
    grant: RwLock<Arc<StreamGrant>>,
    /// When the grant was last renewed. Behind an async lock that serialises renewals, so a
    /// burst of refusals asks the service once.
    renewed_at: tokio::sync::Mutex<Option<std::time::Instant>>,
}

impl CdnAccess {
    /// Asks the service for `track_id`'s stream grant.
    pub async fn open(api: ApiClient, track_id: &str) -> Result<Self, CloudError> {
        let grant = api.stream_grant(track_id).await?;
        Ok(Self::with_grant(api, grant))
    }

    #[must_use]
    pub fn with_grant(api: ApiClient, grant: StreamGrant) -> Self {
        Self {
            api,
            track_id: grant.track_id.clone(),
            grant: RwLock::new(Arc::new(grant)),
            renewed_at: tokio::sync::Mutex::new(None),
        }
    }

    /// The grant in force.
    #[must_use]
    pub fn grant(&self) -> Arc<StreamGrant> {
        Arc::clone(
            &self
                .grant
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }

    /// Fetches a fresh grant after a refusal, unless one was fetched within `fresh_for`
    /// (then the refusals in flight were of the old grant, and the new one stands).
    pub async fn renew(
        &self,
        fresh_for: std::time::Duration,
    ) -> Result<Arc<StreamGrant>, CloudError> {
        let mut renewed_at = self.renewed_at.lock().await;
        if renewed_at.is_none_or(|at| at.elapsed() >= fresh_for) {
            let fresh = self.api.stream_grant(&self.track_id).await?;
            *self
                .grant
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(fresh);
            *renewed_at = Some(std::time::Instant::now());
            tracing::info!(track_id = %self.track_id, "CDN access renewed");
        }
        Ok(self.grant())
    }

    /// GET `url` with the grant's credentials: the signed cookies when `url` is under their
    /// path, otherwise the URL is expected to carry its own signature. `range` is a byte
    /// range `start..end` (`end` exclusive, `None` for "to the end").
    pub async fn get(
        &self,
        url: &Url,
        range: Option<(u64, Option<u64>)>,
    ) -> Result<CdnResponse, CloudError> {
        let cookie = cookie_header(&self.grant(), url);
        let response = send(&self.api.service().http, url, cookie.as_deref(), range).await?;
        CdnResponse::new(response, range)
    }
}

/// A CDN response whose body is read chunk by chunk, as it arrives.
#[derive(Debug)]
pub struct CdnResponse {
    response: reqwest::Response,
    offset: u64,
    total_len: Option<u64>,
}

impl CdnResponse {
    fn new(
        response: reqwest::Response,
        range: Option<(u64, Option<u64>)>,
    ) -> Result<Self, CloudError> {
        let partial = response.status() == reqwest::StatusCode::PARTIAL_CONTENT;
        let content_range = response
            .headers()
            .get(reqwest::header::CONTENT_RANGE)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_content_range);
        let (offset, total_len) = match (partial, content_range) {
            (true, Some((start, total))) => (start, total),
            (true, None) => {
                return Err(CloudError::new(
                    CloudErrorKind::Server,
                    "The music server sent part of a file without saying which part.",
                ));
            }
            // A server that ignores Range sends the whole file from its start.
            (false, _) => (0, response.content_length()),
        };
        if let Some((start, _)) = range
            && partial
            && offset != start
        {
            return Err(CloudError::new(
                CloudErrorKind::Server,
                "The music server sent a different part of the file than was asked for.",
            ));
        }
        Ok(Self {
            response,
            offset,
            total_len,
        })
    }

    /// Where in the file the body starts.
    #[must_use]
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The whole file's length, when the server says.
    #[must_use]
    pub fn total_len(&self) -> Option<u64> {
        self.total_len
    }

    /// The next piece of the body, `None` at its end.
    pub async fn chunk(&mut self) -> Result<Option<Bytes>, CloudError> {
        self.response
            .chunk()
            .await
            .map_err(|e| CloudError::transport(e, "fetch the audio"))
    }
}

async fn send(
    http: &reqwest::Client,
    url: &Url,
    cookie: Option<&str>,
    range: Option<(u64, Option<u64>)>,
) -> Result<reqwest::Response, CloudError> {
    let trace = crate::trace::Trace::current();
    tracing::debug!(
        url = %redact::url(url),
        ?range,
        trace = trace.as_ref().map(crate::trace::Trace::root),
        "CDN GET"
    );
    let mut request = http.get(url.clone());
    if let Some(trace) = &trace {
        request = request.header(crate::trace::TRACE_HEADER, trace.header());
    }
    if let Some(cookie) = cookie {
        request = request.header(reqwest::header::COOKIE, cookie);
    }
    if let Some((start, end)) = range {
        let value = match end {
            Some(end) => format!("bytes={start}-{}", end.saturating_sub(1)),
            None => format!("bytes={start}-"),
        };
        request = request.header(reqwest::header::RANGE, value);
    }
    let response = request
        .send()
        .await
        .map_err(|e| CloudError::transport(e, "fetch the audio"))?;
    let status = response.status();
    if status == reqwest::StatusCode::FORBIDDEN {
        return Err(CloudError::new(
            CloudErrorKind::Auth,
            "The music server refused access to this track (its permission may have expired).",
        ));
    }
    if !status.is_success() {
        return Err(CloudError::from_response(
            status.as_u16(),
            None,
            "fetch the audio",
        ));
    }
    Ok(response)
}

/// The `Cookie` header for `url`: the grant's cookies whose path covers it.
fn cookie_header(grant: &StreamGrant, url: &Url) -> Option<String> {
    let master = Url::parse(&grant.hls_master_url).ok()?;
    if master.origin() != url.origin() {
        return None;
    }
    let pairs: Vec<String> = grant
        .cookies
        .iter()
        .filter(|c| url.path().starts_with(&c.path))
        .map(|c| format!("{}={}", c.name, c.value))
        .collect();
    (!pairs.is_empty()).then(|| pairs.join("; "))
}

/// `bytes START-END/TOTAL` to `(START, Some(TOTAL))`; a `*` total is `None`.
fn parse_content_range(value: &str) -> Option<(u64, Option<u64>)> {
    let rest = value.trim().strip_prefix("bytes ")?;
    let (span, total) = rest.split_once('/')?;
    let (start, _end) = span.split_once('-')?;
    let start = start.trim().parse().ok()?;
    let total = match total.trim() {
        "*" => None,
        n => Some(n.parse().ok()?),
    };
    Some((start, total))
}

fn parse_cdn_url(url: &str) -> Result<Url, CloudError> {
    Url::parse(url).map_err(|e| {
        CloudError::new(
            CloudErrorKind::Server,
            "The service gave an unusable media address.",
        )
        .with_source(e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use strato_model::api::{CdnCookie, SegmentKind};

    fn grant(cookie_path: &str) -> StreamGrant {
        StreamGrant {
            track_id: "t1".into(),
            hls_master_url: "http://127.0.0.1:9/media/t1/hls/master.m3u8".into(),
            mp3_url: "http://127.0.0.1:9/media/t1/t1.mp3?Signature=x".into(),
            expires_at: 0,
            cookies: vec![CdnCookie {
                name: "CloudFront-Policy".into(),
                value: "p".into(),
                path: cookie_path.into(),
            }],
            segment_kind: SegmentKind::Ts,
            encoder_delay_samples: 1024,
            padding_samples: 0,
            sample_rate: 44_100,
        }
    }

    #[test]
    fn cookies_go_only_where_their_path_covers() {
        let g = grant("/media/t1/hls/");
        let seg = Url::parse("http://127.0.0.1:9/media/t1/hls/128k/seg0.ts").unwrap();
        assert_eq!(
            cookie_header(&g, &seg).as_deref(),
            Some("CloudFront-Policy=p")
        );
        let other = Url::parse("http://127.0.0.1:9/media/t2/hls/128k/seg0.ts").unwrap();
        assert_eq!(cookie_header(&g, &other), None);
        let elsewhere = Url::parse("http://example.com/media/t1/hls/128k/seg0.ts").unwrap();
        assert_eq!(cookie_header(&g, &elsewhere), None);
    }

    #[test]
    fn content_ranges_parse() {
        assert_eq!(
            parse_content_range("bytes 100-199/1000"),
            Some((100, Some(1000)))
        );
        assert_eq!(parse_content_range("bytes 0-0/*"), Some((0, None)));
        assert_eq!(parse_content_range("items 0-1/2"), None);
        assert_eq!(parse_content_range("bytes x-1/2"), None);
    }
}
