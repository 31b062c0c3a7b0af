//! Reading the service's rate-limit headers: how long the client holds its next call after
//! an answer. Apart from the client so the rules (a 429 always holds, at least a second,
//! `Retry-After` as seconds or an HTTP date) are tested on their own, without a server.

use std::time::{Duration, SystemTime};

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};

/// A 429 that says nothing usable of when to come back waits this long.
pub const UNSAID_WAIT: Duration = Duration::from_secs(10);

/// The shortest hold after a 429: one that says 0, or a date already past, would otherwise
/// be asked again at once.
const SHORTEST_429_WAIT: Duration = Duration::from_secs(1);

/// How long to hold the next call after an answer: the window's reset when it is spent, and
/// always after a 429 (what it says, at least [`SHORTEST_429_WAIT`], [`UNSAID_WAIT`] when it
/// says nothing usable); `None` to go on at once.
pub(super) fn hold_after(
    headers: &HeaderMap,
    status: StatusCode,
    now: SystemTime,
) -> Option<Duration> {
    let said = window_wait(headers, now);
    if status == StatusCode::TOO_MANY_REQUESTS {
        return Some(said.unwrap_or(UNSAID_WAIT).max(SHORTEST_429_WAIT));
    }
    let spent = number(headers, "x-ratelimit-remaining").is_some_and(|left| left < 1.0);
    if spent { said } else { None }
}

/// A header's value as a number of seconds, if it is a usable one (finite, not negative).
fn number(headers: &HeaderMap, name: &str) -> Option<f64> {
    headers
        .get(name)?
        .to_str()
        .ok()?
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|value| value.is_finite() && *value >= 0.0)
}

/// How long the headers say the window lasts: `X-RateLimit-Reset-In`, or `Retry-After` as
/// seconds or as an HTTP date (a date already past is no wait), the longer of both.
fn window_wait(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let reset_in = number(headers, "x-ratelimit-reset-in");
    let retry_after = number(headers, RETRY_AFTER.as_str()).or_else(|| {
        let date =
            httpdate::parse_http_date(headers.get(RETRY_AFTER)?.to_str().ok()?.trim()).ok()?;
        Some(date.duration_since(now).unwrap_or_default().as_secs_f64())
    });
    // Both said: the longer, so neither is broken.
    let seconds = match (reset_in, retry_after) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    // Capped at a day: a header that says more is broken, not a reason to stop for good.
    seconds.map(|s| Duration::from_secs_f64(s.min(86_400.0)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn the_window_is_read_from_either_header_and_only_when_spent() {
        let now = SystemTime::now();
        let mut headers = HeaderMap::new();
        headers.insert("x-ratelimit-remaining", HeaderValue::from_static("3"));
        headers.insert("x-ratelimit-reset-in", HeaderValue::from_static("7"));
        assert_eq!(hold_after(&headers, StatusCode::OK, now), None);
        headers.insert("x-ratelimit-remaining", HeaderValue::from_static("0"));
        assert_eq!(
            hold_after(&headers, StatusCode::OK, now),
            Some(Duration::from_secs(7))
        );
        headers.insert(RETRY_AFTER, HeaderValue::from_static("9"));
        assert_eq!(
            hold_after(&headers, StatusCode::TOO_MANY_REQUESTS, now),
            Some(Duration::from_secs(9))
        );
        let mut only_retry = HeaderMap::new();
        only_retry.insert(RETRY_AFTER, HeaderValue::from_static("2"));
        assert_eq!(
            hold_after(&only_retry, StatusCode::TOO_MANY_REQUESTS, now),
            Some(Duration::from_secs(2))
        );
    }

    #[test]
    fn a_429_always_holds_the_next_call() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_000);
        let with = |name: &'static str, value: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(name, HeaderValue::from_static(value));
            hold_after(&headers, StatusCode::TOO_MANY_REQUESTS, now)
        };
        let unsaid = Some(UNSAID_WAIT);
        assert_eq!(
            hold_after(&HeaderMap::new(), StatusCode::TOO_MANY_REQUESTS, now),
            unsaid
        );
        assert_eq!(with("retry-after", "-5"), unsaid);
        assert_eq!(with("x-ratelimit-reset-in", "-1"), unsaid);
        assert_eq!(with("retry-after", "soon"), unsaid);
        // Zero, or a date already past, would be asked again at once: a second at least.
        assert_eq!(with("retry-after", "0"), Some(Duration::from_secs(1)));
        assert_eq!(
            with("retry-after", "Wed, 21 Oct 2015 07:00:00 GMT"),
            Some(Duration::from_secs(1))
        );
        // 1_445_412_000 is 07:20:00 that day: an HTTP date 8 minutes on.
        assert_eq!(
            with("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::from_secs(480))
        );
        // Not a 429 and nothing spent: no hold, whatever Retry-After says.
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_static("30"));
        assert_eq!(hold_after(&headers, StatusCode::OK, now), None);
    }
}
