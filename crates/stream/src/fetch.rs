//! The seam to the network: how this crate asks for bytes, and how it retries.
//!
//! The crate never builds a request itself: a [`MediaFetcher`] (implemented by the app over
//! its CDN client, or over files in tests) attaches credentials and speaks HTTP. What lives
//! here is the policy every fetch shares: timeouts, retries with backoff and jitter, one
//! credential renewal after a refusal, and resuming a broken body with a range request.

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

use bytes::Bytes;
use url::Url;

/// A boxed, sendable future, so the seam stays object-safe.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Why a fetch failed, coarsely: what decides between retrying, renewing and giving up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FetchErrorKind {
    /// The CDN refused the credentials (403): renew them once, then give up.
    Forbidden,
    /// The file does not exist (404): no retry helps.
    NotFound,
    /// Timeouts, dropped connections, 5xx: worth retrying.
    Transient,
    /// Anything else (a 4xx, an unusable answer): give up.
    Fatal,
}

/// A failed fetch, with a sentence for the listener.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct FetchError {
    pub kind: FetchErrorKind,
    pub message: String,
}

impl FetchError {
    pub fn new(kind: FetchErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }
}

impl From<FetchError> for std::io::Error {
    /// For readers that hand a failed fetch to a decoder: `NotFound` and `PermissionDenied`
    /// keep the two kinds a listener is told apart; the rest is `Other`. The message is the
    /// fetch error's sentence.
    fn from(err: FetchError) -> Self {
        let kind = match err.kind {
            FetchErrorKind::NotFound => std::io::ErrorKind::NotFound,
            FetchErrorKind::Forbidden => std::io::ErrorKind::PermissionDenied,
            FetchErrorKind::Transient | FetchErrorKind::Fatal => std::io::ErrorKind::Other,
        };
        Self::new(kind, err)
    }
}

/// A response whose body arrives in pieces.
pub trait FetchBody: Send {
    /// Where in the resource the body starts (the range start, or 0).
    fn offset(&self) -> u64;
    /// The whole resource's length, when known.
    fn total_len(&self) -> Option<u64>;
    /// The next piece, `None` at the end.
    fn next_chunk(&mut self) -> BoxFuture<'_, Result<Option<Bytes>, FetchError>>;
}

/// Fetches a track's media with whatever credentials the track needs.
pub trait MediaFetcher: Send + Sync {
    /// GET `url`, or its byte range `start..end` (`end` exclusive; `None` to the end).
    fn get<'a>(
        &'a self,
        url: &'a Url,
        range: Option<(u64, Option<u64>)>,
    ) -> BoxFuture<'a, Result<Box<dyn FetchBody>, FetchError>>;

    /// Fresh credentials after a refusal. Returns the URL to use for `url` from now on (a
    /// signed URL changes with its signature; cookie-signed URLs stay the same).
    fn renew<'a>(&'a self, url: &'a Url) -> BoxFuture<'a, Result<Url, FetchError>>;
}

/// How hard to try.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts for transient failures, the first included.
    pub attempts: u32,
    pub first_backoff: Duration,
    pub max_backoff: Duration,
    /// How long one attempt may wait for the first byte and between pieces.
    pub stall_timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            // About 20 s of trying before giving up: longer than a typical outage (a train in
            // a tunnel, a Wi-Fi handover), shorter than the forward buffer.
            attempts: 12,
            first_backoff: Duration::from_millis(150),
            max_backoff: Duration::from_secs(3),
            stall_timeout: Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    /// The wait before retry number `retry` (1-based): exponential, with full jitter in its
    /// upper half, so many clients failing together do not retry together.
    #[must_use]
    pub fn backoff(&self, retry: u32) -> Duration {
        let exp = self
            .first_backoff
            .saturating_mul(1 << retry.saturating_sub(1).min(16))
            .min(self.max_backoff);
        let jitter = f64::from(jitter_unit());
        exp.mul_f64(0.5 + 0.5 * jitter)
    }
}

/// A uniform-ish number in `[0, 1)`, from the clock: plenty for spreading retries.
fn jitter_unit() -> f32 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let mixed = nanos.wrapping_mul(2_654_435_761) >> 8;
    #[allow(clippy::cast_precision_loss)]
    let unit = (mixed & 0xFFFF) as f32 / 65_536.0;
    unit
}

/// A finished download and how long it took (for the throughput estimate).
#[derive(Debug)]
pub struct Fetched {
    pub bytes: Vec<u8>,
    /// From the request being sent to the last byte.
    pub elapsed: Duration,
}

/// Fetches the whole of `url` (or its range), retrying transient failures, renewing the
/// credentials once after a refusal, and resuming a body that breaks off where it broke.
pub async fn fetch_all(
    fetcher: &dyn MediaFetcher,
    url: &Url,
    range: Option<(u64, u64)>,
    policy: &RetryPolicy,
) -> Result<Fetched, FetchError> {
    let started = Instant::now();
    let mut url = url.clone();
    let mut bytes = Vec::new();
    let mut renewed = false;
    let mut failures = 0;
    loop {
        let (start, end) = match range {
            Some((start, end)) => (start + bytes.len() as u64, Some(end)),
            None => (bytes.len() as u64, None),
        };
        let ask = (start > 0 || end.is_some()).then_some((start, end));
        let outcome = fetch_into(fetcher, &url, ask, policy, &mut bytes).await;
        let error = match outcome {
            Ok(total_len) => {
                let expected = range.map(|(start, end)| end - start).or(total_len);
                if expected.is_none_or(|n| n == bytes.len() as u64) {
                    return Ok(Fetched {
                        bytes,
                        elapsed: started.elapsed(),
                    });
                }
                FetchError::new(
                    FetchErrorKind::Transient,
                    "The connection broke off in the middle of a file.",
                )
            }
            Err(e) => e,
        };
        match error.kind {
            FetchErrorKind::Forbidden if !renewed => {
                renewed = true;
                url = fetcher.renew(&url).await?;
            }
            FetchErrorKind::Transient if failures + 1 < policy.attempts => {
                failures += 1;
                let wait = policy.backoff(failures);
                tracing::debug!(failures, ?wait, error = %error, "retrying a fetch");
                tokio::time::sleep(wait).await;
            }
            _ => return Err(error),
        }
    }
}

/// One attempt: appends what arrives to `out`, so a retry can resume after it. Returns the
/// resource's length when the server said.
async fn fetch_into(
    fetcher: &dyn MediaFetcher,
    url: &Url,
    range: Option<(u64, Option<u64>)>,
    policy: &RetryPolicy,
    out: &mut Vec<u8>,
) -> Result<Option<u64>, FetchError> {
    let mut body = tokio::time::timeout(policy.stall_timeout, fetcher.get(url, range))
        .await
        .map_err(|_| no_answer(url, policy.stall_timeout))??;
    let wanted_start = range.map_or(0, |(start, _)| start);
    if body.offset() != wanted_start {
        // The server ignored the range; start over from what it sent.
        if body.offset() != 0 {
            return Err(FetchError::new(
                FetchErrorKind::Fatal,
                "The music server sent the wrong part of a file.",
            ));
        }
        out.clear();
    }
    while let Some(chunk) = tokio::time::timeout(policy.stall_timeout, body.next_chunk())
        .await
        .map_err(|_| stalled(url, policy.stall_timeout))??
    {
        out.extend_from_slice(&chunk);
    }
    Ok(body.total_len())
}

/// The server of `url` did not start answering within `timeout`.
#[must_use]
pub fn no_answer(url: &Url, timeout: Duration) -> FetchError {
    FetchError::new(
        FetchErrorKind::Transient,
        format!(
            "{} did not answer within {} s.",
            server_of(url),
            timeout.as_secs_f32()
        ),
    )
}

/// The server of `url` stopped sending in the middle of a body for `timeout`.
#[must_use]
pub fn stalled(url: &Url, timeout: Duration) -> FetchError {
    FetchError::new(
        FetchErrorKind::Transient,
        format!(
            "{} stopped sending data for {} s.",
            server_of(url),
            timeout.as_secs_f32()
        ),
    )
}

/// `host[:port]` of `url`, as a listener would name the server (never the path or query,
/// where a signature may be).
fn server_of(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("The server {host}:{port}"),
        (Some(host), None) => format!("The server {host}"),
        (None, _) => "The server".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped_and_jittered() {
        let policy = RetryPolicy::default();
        for retry in 1..10 {
            let wait = policy.backoff(retry);
            let exp = policy
                .first_backoff
                .saturating_mul(1 << (retry - 1))
                .min(policy.max_backoff);
            assert!(wait >= exp / 2 && wait <= exp, "retry {retry}: {wait:?}");
        }
    }
}
