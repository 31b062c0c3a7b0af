//! A song's file, fetched for keeping offline: the original (`download`), or a copy the
//! server makes at a bit rate (`stream` with `maxBitRate` and `format`), with a byte range, so
//! a broken download goes on where it stopped, read chunk by chunk as it arrives.
//!
//! A server answers a download it will not give (the song gone, the account without the
//! download permission, the password changed) with its error envelope, often under HTTP 200:
//! an answer that is JSON or XML is read (a little of it) as that envelope and becomes the
//! error its code says, never bytes of a music file. The address carries the account's
//! credentials: it is logged only through [`redact_url`], and transport errors drop it.

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::{
    CONTENT_RANGE, CONTENT_TYPE, ETAG, HeaderMap, IF_RANGE, LAST_MODIFIED, RANGE,
};

use crate::client::{SubsonicClient, read_envelope};
use crate::media::StreamOptions;
use crate::redact::redact_url;
use crate::{SubsonicError, SubsonicErrorKind};

/// What the listener is told the app was doing when a download fails.
const WHAT: &str = "download the track";
/// The most of an error envelope read: envelopes are a few hundred bytes.
const ENVELOPE_LIMIT: usize = 64 * 1024;

/// A song's file as the server sends it: where in the file the body starts, the file's whole
/// length when the server says, and the body chunk by chunk. Its `Debug` leaves out the
/// response, whose address holds the credentials.
pub struct SongDownload {
    response: reqwest::Response,
    offset: u64,
    total_len: Option<u64>,
    validator: Option<String>,
}

impl std::fmt::Debug for SongDownload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SongDownload")
            .field("status", &self.response.status())
            .field("offset", &self.offset)
            .field("total_len", &self.total_len)
            .field("validator", &self.validator)
            .finish_non_exhaustive()
    }
}

impl SongDownload {
    /// Where in the file the body starts: the byte asked for, or 0 when the server sent the
    /// whole file (it ignored the range, or the file changed since `if_range`'s copy).
    #[must_use]
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The whole file's length, when the server says.
    #[must_use]
    pub fn total_len(&self) -> Option<u64> {
        self.total_len
    }

    /// What identifies this version of the file (its `ETag`, else its `Last-Modified`), to
    /// send as `if_range` when asking for the rest of it.
    #[must_use]
    pub fn validator(&self) -> Option<&str> {
        self.validator.as_deref()
    }

    /// The next piece of the body, `None` at its end.
    ///
    /// # Errors
    /// When the connection breaks (`Offline`).
    pub async fn chunk(&mut self) -> Result<Option<Bytes>, SubsonicError> {
        self.response
            .chunk()
            .await
            .map_err(|e| SubsonicError::transport(e, WHAT))
    }
}

impl SubsonicClient {
    /// `download` of song `id`, the original file, from byte `from` on. With `if_range` (a
    /// [`SongDownload::validator`] of the bytes already held), a server whose file changed
    /// since sends it whole, from byte 0, rather than the rest of another file.
    ///
    /// # Errors
    /// The server's refusal by its code (50: this account may not download; 70: the song is
    /// gone; 40, 44: the credentials), an HTTP error by its status, or the transport's.
    pub async fn download(
        &self,
        id: &str,
        from: u64,
        if_range: Option<&str>,
    ) -> Result<SongDownload, SubsonicError> {
        let url = self.url("download", &[("id", id.to_owned())], true, WHAT)?;
        self.fetch_song_file(url, from, if_range).await
    }

    /// `stream` of song `id` with `options` (a bit rate, a format), for keeping: the copy
    /// the server makes, from byte `from` on, as [`Self::download`] fetches the original. A
    /// server that transcodes as it sends usually says no length and takes no range: the
    /// answer's [`SongDownload::total_len`] is then `None` and its offset 0.
    ///
    /// # Errors
    /// As [`Self::download`].
    pub async fn download_stream(
        &self,
        id: &str,
        options: &StreamOptions,
        from: u64,
        if_range: Option<&str>,
    ) -> Result<SongDownload, SubsonicError> {
        let url = self.stream_url_of(id, options)?.url().clone();
        self.fetch_song_file(url, from, if_range).await
    }

    async fn fetch_song_file(
        &self,
        url: url::Url,
        from: u64,
        if_range: Option<&str>,
    ) -> Result<SongDownload, SubsonicError> {
        tracing::debug!(url = %redact_url(&url), from, "subsonic download");
        let mut request = self.http.get(url);
        if from > 0 {
            request = request.header(RANGE, format!("bytes={from}-"));
            if let Some(validator) = if_range {
                request = request.header(IF_RANGE, validator);
            }
        }
        let response = request
            .send()
            .await
            .map_err(|e| SubsonicError::transport(e, WHAT))?;
        let status = response.status();
        if !status.is_success() || is_envelope(response.headers()) {
            return Err(refusal(response).await);
        }
        let (offset, total_len) = placement(status, response.headers(), response.content_length())?;
        if status == StatusCode::PARTIAL_CONTENT && offset != from {
            return Err(SubsonicError::new(
                SubsonicErrorKind::Server,
                "The server sent a different part of the file than was asked for.",
            ));
        }
        let validator = [ETAG, LAST_MODIFIED]
            .iter()
            .find_map(|name| response.headers().get(name)?.to_str().ok())
            .map(str::to_owned);
        Ok(SongDownload {
            response,
            offset,
            total_len,
            validator,
        })
    }
}

/// Whether a successful answer is not a file: the server's JSON or XML envelope, or any
/// text (a proxy's sign-in page, a maintenance notice), which kept as the track would be
/// taken for it and never fetched again.
fn is_envelope(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .map(str::to_ascii_lowercase)
        .is_some_and(|kind| {
            ["application/json", "application/xml", "text/"]
                .iter()
                .any(|envelope| kind.starts_with(envelope))
        })
}

/// The error an answer that is not the file says: its envelope's code, else its status.
async fn refusal(mut response: reqwest::Response) -> SubsonicError {
    let status = response.status();
    let mut body = Vec::new();
    while body.len() < ENVELOPE_LIMIT {
        match response.chunk().await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            Ok(None) | Err(_) => break,
        }
    }
    refusal_of(status, &body)
}

/// The error in an answer of `status` with `body` that is not the file.
fn refusal_of(status: StatusCode, body: &[u8]) -> SubsonicError {
    match read_envelope(status, body, WHAT) {
        Err(error) => error,
        // An envelope saying "ok" where a file was due: not a Subsonic download.
        Ok(_) => SubsonicError::new(
            SubsonicErrorKind::Server,
            "The server answered the download with a message instead of the file.",
        ),
    }
}

/// Where the body starts in the file and the file's whole length: a 206's `Content-Range`,
/// else (the whole file) 0 and its `Content-Length`.
fn placement(
    status: StatusCode,
    headers: &HeaderMap,
    content_length: Option<u64>,
) -> Result<(u64, Option<u64>), SubsonicError> {
    if status != StatusCode::PARTIAL_CONTENT {
        return Ok((0, content_length));
    }
    headers
        .get(CONTENT_RANGE)
        .and_then(|value| value.to_str().ok())
        .and_then(parse_content_range)
        .ok_or_else(|| {
            SubsonicError::new(
                SubsonicErrorKind::Server,
                "The server sent part of a file without saying which part.",
            )
        })
}

/// `bytes START-END/TOTAL` to `(START, Some(TOTAL))`; a `*` total is `None`.
fn parse_content_range(value: &str) -> Option<(u64, Option<u64>)> {
    let rest = value.trim().strip_prefix("bytes ")?;
    let (span, total) = rest.split_once('/')?;
    let (start, end) = span.split_once('-')?;
    let start: u64 = start.trim().parse().ok()?;
    let end: u64 = end.trim().parse().ok()?;
    if end < start {
        return None;
    }
    let total = match total.trim() {
        "*" => None,
        total => Some(total.parse().ok()?),
    };
    Some((start, total))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn content_ranges_are_read_and_nonsense_is_not() {
        assert_eq!(
            parse_content_range("bytes 100-199/1000"),
            Some((100, Some(1000)))
        );
        assert_eq!(parse_content_range("bytes 0-0/*"), Some((0, None)));
        assert_eq!(parse_content_range("bytes */1000"), None);
        assert_eq!(parse_content_range("bytes 200-100/1000"), None);
        assert_eq!(parse_content_range("items 0-1/2"), None);
    }

    #[test]
    fn a_partial_answer_must_say_which_part() {
        let mut headers = HeaderMap::new();
        assert_eq!(
            placement(StatusCode::OK, &headers, Some(5000)).unwrap(),
            (0, Some(5000))
        );
        let unsaid = placement(StatusCode::PARTIAL_CONTENT, &headers, Some(10)).unwrap_err();
        assert_eq!(unsaid.kind(), SubsonicErrorKind::Server);
        headers.insert(
            CONTENT_RANGE,
            HeaderValue::from_static("bytes 4990-4999/5000"),
        );
        assert_eq!(
            placement(StatusCode::PARTIAL_CONTENT, &headers, Some(10)).unwrap(),
            (4990, Some(5000))
        );
    }

    #[test]
    fn envelopes_are_told_from_files_by_their_type() {
        let typed = |kind: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(CONTENT_TYPE, HeaderValue::from_static(kind));
            is_envelope(&headers)
        };
        assert!(typed("application/json; charset=utf-8"));
        assert!(typed("text/xml"));
        assert!(
            typed("text/html; charset=utf-8"),
            "a proxy's page is no file"
        );
        assert!(typed("text/plain"));
        assert!(!typed("audio/flac"));
        assert!(!typed("application/octet-stream"));
        assert!(!is_envelope(&HeaderMap::new()));
    }

    #[test]
    fn a_refused_download_is_said_by_its_code() {
        let envelope = |code: u32, message: &str| {
            format!(
                r#"{{"subsonic-response":{{"status":"failed","version":"1.16.1","error":{{"code":{code},"message":"{message}"}}}}}}"#
            )
        };
        let not_allowed = refusal_of(
            StatusCode::OK,
            envelope(50, "User is not authorized for the given operation.").as_bytes(),
        );
        assert_eq!(
            (not_allowed.kind(), not_allowed.code()),
            (SubsonicErrorKind::Forbidden, Some(50))
        );
        let gone = refusal_of(StatusCode::OK, envelope(70, "Song not found").as_bytes());
        assert_eq!(gone.kind(), SubsonicErrorKind::NotFound);
        let missing = refusal_of(StatusCode::NOT_FOUND, b"<html>Not Found</html>");
        assert_eq!(
            (missing.kind(), missing.status()),
            (SubsonicErrorKind::NotFound, Some(404))
        );
        let ok = br#"{"subsonic-response":{"status":"ok","version":"1.16.1"}}"#;
        assert_eq!(
            refusal_of(StatusCode::OK, ok).kind(),
            SubsonicErrorKind::Server
        );
    }
}
