//! Fetching without an account: plain `http(s)` addresses and `file://` URLs, for media the
//! listener named themselves (`strato play <url>`, a playlist file).
//!
//! Every failure names its cause and the address, in words: "The server answered 404 Not
//! Found for `http://host/x.mp3`", "Could not connect to host:8000: the connection was
//! refused", "The certificate of host is not valid for this address". Addresses are shown
//! without their query (where signatures live) or user name and password.

use std::collections::HashMap;
use std::error::Error as StdError;
use std::sync::Mutex;
use std::time::Duration;

use bytes::Bytes;
use strato_stream::fetch::{BoxFuture, FetchBody, FetchError, FetchErrorKind, MediaFetcher};
use url::Url;

/// Plain HTTP without credentials, and local files.
#[derive(Debug)]
pub(crate) struct PlainFetcher {
    http: reqwest::Client,
    /// The sentence of the last refusal (401, 403) of each address: there are no credentials
    /// to renew, so a renewal answers with the refusal itself.
    refusals: Mutex<HashMap<Url, String>>,
}

impl PlainFetcher {
    pub(crate) fn new() -> Self {
        Self {
            http: reqwest::Client::builder()
                .connect_timeout(Duration::from_secs(5))
                .read_timeout(Duration::from_secs(20))
                .build()
                .unwrap_or_default(),
            refusals: Mutex::new(HashMap::new()),
        }
    }

    async fn get_http(
        &self,
        url: &Url,
        range: Option<(u64, Option<u64>)>,
    ) -> Result<Box<dyn FetchBody>, FetchError> {
        let mut request = self.http.get(url.clone());
        if let Some((start, end)) = range {
            let value = match end {
                Some(end) => format!("bytes={start}-{}", end.saturating_sub(1)),
                None => format!("bytes={start}-"),
            };
            request = request.header(reqwest::header::RANGE, value);
        }
        let response = request.send().await.map_err(|e| request_error(&e, url))?;
        let status = response.status();
        if !status.is_success() {
            let kind = match status.as_u16() {
                401 | 403 => FetchErrorKind::Forbidden,
                404 | 410 => FetchErrorKind::NotFound,
                // Busy or failing for now (429 Too Many Requests, 5xx): worth trying again.
                429 | 500..=599 => FetchErrorKind::Transient,
                _ => FetchErrorKind::Fatal,
            };
            let sentence = format!("The server answered {status} for {}.", shown(url));
            if kind == FetchErrorKind::Forbidden {
                lock(&self.refusals).insert(url.clone(), sentence.clone());
            }
            return Err(FetchError::new(kind, sentence));
        }
        if is_text_answer(&response) {
            let refusal = text_answer(response, url).await;
            if refusal.kind == FetchErrorKind::Forbidden {
                lock(&self.refusals).insert(url.clone(), refusal.message.clone());
            }
            return Err(refusal);
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
        Ok(Box::new(HttpBody {
            response,
            offset,
            total,
            url: shown(url),
        }))
    }
}

impl MediaFetcher for PlainFetcher {
    fn get<'a>(
        &'a self,
        url: &'a Url,
        range: Option<(u64, Option<u64>)>,
    ) -> BoxFuture<'a, Result<Box<dyn FetchBody>, FetchError>> {
        Box::pin(async move {
            if url.scheme() == "file" {
                read_file(url, range).await
            } else {
                self.get_http(url, range).await
            }
        })
    }

    fn renew<'a>(&'a self, url: &'a Url) -> BoxFuture<'a, Result<Url, FetchError>> {
        Box::pin(async move {
            let refusal = lock(&self.refusals)
                .remove(url)
                .unwrap_or_else(|| format!("The server refused access to {}.", shown(url)));
            Err(FetchError::new(FetchErrorKind::Forbidden, refusal))
        })
    }
}

/// Whether a successful answer is a page or an error envelope (JSON, XML, HTML), never
/// audio. (Not `text/plain`: servers send HLS playlists as that.)
fn is_text_answer(response: &reqwest::Response) -> bool {
    response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .map(str::to_ascii_lowercase)
        .is_some_and(|kind| {
            [
                "application/json",
                "text/xml",
                "application/xml",
                "text/html",
            ]
            .iter()
            .any(|text| kind.starts_with(text))
        })
}

/// The most of a text answer read to say why it is not audio.
const TEXT_ANSWER_LIMIT: usize = 64 * 1024;

/// Why a text answer came instead of audio. A Subsonic server answers a stream it cannot
/// give (the song gone, the password changed, not allowed) with 200 and its JSON error
/// envelope: its code gives the kind and its words are the listener's.
async fn text_answer(mut response: reqwest::Response, url: &Url) -> FetchError {
    let mut body = Vec::new();
    while body.len() < TEXT_ANSWER_LIMIT {
        match response.chunk().await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            Ok(None) | Err(_) => break,
        }
    }
    match subsonic_error(&body) {
        Some((code, message)) => {
            let kind = match code {
                70 => FetchErrorKind::NotFound,
                40 | 41 | 44 | 50 => FetchErrorKind::Forbidden,
                _ => FetchErrorKind::Fatal,
            };
            FetchError::new(
                kind,
                format!("The server could not send this track: {message}"),
            )
        }
        None => FetchError::new(
            FetchErrorKind::Fatal,
            format!("{} answered with a page, not audio.", shown(url)),
        ),
    }
}

/// The code and words of a Subsonic JSON error envelope.
fn subsonic_error(body: &[u8]) -> Option<(u64, String)> {
    let envelope: serde_json::Value = serde_json::from_slice(body).ok()?;
    let error = envelope.get("subsonic-response")?.get("error")?;
    let code = error.get("code")?.as_u64()?;
    let message = error
        .get("message")
        .and_then(serde_json::Value::as_str)
        .unwrap_or("it did not say why")
        .to_owned();
    Some((code, message))
}

/// `url` as shown to the listener and in logs: without user name, password, query or
/// fragment (signed addresses carry their signature in the query).
pub(crate) fn shown(url: &Url) -> String {
    let mut shown = url.clone();
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    shown.set_query(None);
    shown.set_fragment(None);
    shown.to_string()
}

/// Why a request got no answer, in words.
fn request_error(err: &reqwest::Error, url: &Url) -> FetchError {
    let host = match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_owned(),
        (None, _) => shown(url),
    };
    if let Some(problem) = certificate_problem(err) {
        // A certificate does not mend itself: no retry.
        return FetchError::new(
            FetchErrorKind::Fatal,
            format!("The certificate of {host} {problem}, so the connection cannot be trusted."),
        );
    }
    let sentence = if err.is_timeout() {
        format!("The server {host} did not answer in time.")
    } else if chain(err).any(|e| e.to_string().starts_with("dns error")) {
        format!(
            "Could not find the server {host}: the name is unknown, or this computer is offline."
        )
    } else if let Some(io) = io_error_in(err) {
        match io.kind() {
            std::io::ErrorKind::ConnectionRefused => {
                format!("Could not connect to {host}: the connection was refused.")
            }
            std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::ConnectionAborted => {
                format!("The server {host} closed the connection before answering.")
            }
            _ => format!("Could not connect to {host} ({io})."),
        }
    } else if err.is_connect() {
        format!("Could not connect to {host}.")
    } else {
        format!("Could not fetch {} ({}).", shown(url), innermost(err))
    };
    // No answer yet may be a moment's outage: worth trying again.
    FetchError::new(FetchErrorKind::Transient, sentence)
}

/// The error and its sources, looking inside `io::Error`s (hyper nests errors in them).
fn chain<'a>(
    err: &'a (dyn StdError + 'static),
) -> impl Iterator<Item = &'a (dyn StdError + 'static)> {
    let mut next = Some(err);
    std::iter::from_fn(move || {
        let current = next?;
        // `io::Error::source` skips the error it wraps: step into that one first.
        next = current
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .map(|inner| inner as &(dyn StdError + 'static))
            .or_else(|| current.source());
        Some(current)
    })
}

fn io_error_in<'a>(err: &'a (dyn StdError + 'static)) -> Option<&'a std::io::Error> {
    chain(err).find_map(|e| e.downcast_ref::<std::io::Error>())
}

fn innermost(err: &(dyn StdError + 'static)) -> String {
    chain(err)
        .last()
        .map(ToString::to_string)
        .unwrap_or_default()
}

/// What is wrong with a server's certificate, when that is why the connection failed.
fn certificate_problem(err: &(dyn StdError + 'static)) -> Option<&'static str> {
    use rustls::CertificateError as C;
    let tls = chain(err).find_map(|e| e.downcast_ref::<rustls::Error>())?;
    Some(match tls {
        rustls::Error::InvalidCertificate(problem) => match problem {
            C::Expired | C::ExpiredContext { .. } => "has expired",
            C::NotValidYet | C::NotValidYetContext { .. } => {
                "is not valid yet (is this computer's date right?)"
            }
            C::NotValidForName | C::NotValidForNameContext { .. } => {
                "is not valid for this address"
            }
            C::UnknownIssuer => "was not issued by an authority this computer trusts",
            C::Revoked => "has been revoked",
            _ => "could not be verified",
        },
        _ => "could not be verified (the secure connection failed)",
    })
}

/// A local file (a playlist file and the segments it lists), whole or a byte range of it.
async fn read_file(
    url: &Url,
    range: Option<(u64, Option<u64>)>,
) -> Result<Box<dyn FetchBody>, FetchError> {
    let path = url.to_file_path().map_err(|()| {
        FetchError::new(
            FetchErrorKind::Fatal,
            format!("{url} does not name a file on this computer."),
        )
    })?;
    let shown_path = path.display().to_string();
    let bytes = tokio::fs::read(&path)
        .await
        .map_err(|err| match err.kind() {
            std::io::ErrorKind::NotFound => FetchError::new(
                FetchErrorKind::NotFound,
                format!("The file {shown_path} does not exist."),
            ),
            std::io::ErrorKind::PermissionDenied => FetchError::new(
                FetchErrorKind::Forbidden,
                format!("Strato may not read the file {shown_path}."),
            ),
            _ => FetchError::new(
                FetchErrorKind::Fatal,
                format!("Could not read the file {shown_path} ({err})."),
            ),
        })?;
    let total = bytes.len() as u64;
    let (start, end) = range.unwrap_or((0, None));
    let end = end.unwrap_or(total).min(total);
    let slice = usize::try_from(start)
        .ok()
        .zip(usize::try_from(end).ok())
        .and_then(|(start, end)| bytes.get(start..end))
        .ok_or_else(|| {
            FetchError::new(
                FetchErrorKind::Fatal,
                format!("The file {shown_path} is shorter than its playlist says."),
            )
        })?;
    Ok(Box::new(FileBody {
        chunk: Some(Bytes::copy_from_slice(slice)),
        offset: start,
        total,
    }))
}

struct FileBody {
    chunk: Option<Bytes>,
    offset: u64,
    total: u64,
}

impl FetchBody for FileBody {
    fn offset(&self) -> u64 {
        self.offset
    }

    fn total_len(&self) -> Option<u64> {
        Some(self.total)
    }

    fn next_chunk(&mut self) -> BoxFuture<'_, Result<Option<Bytes>, FetchError>> {
        let chunk = self.chunk.take();
        Box::pin(async move { Ok(chunk) })
    }
}

struct HttpBody {
    response: reqwest::Response,
    offset: u64,
    total: Option<u64>,
    url: String,
}

impl FetchBody for HttpBody {
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
                    format!(
                        "The download of {} broke off ({}).",
                        self.url,
                        innermost(&e)
                    ),
                )
            })
        })
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subsonic_error_envelope_gives_its_code_and_words() {
        let body = br#"{"subsonic-response":{"status":"failed","version":"1.16.1",
            "error":{"code":70,"message":"Song not found"}}}"#;
        assert_eq!(
            subsonic_error(body),
            Some((70, "Song not found".to_owned()))
        );
        let silent = br#"{"subsonic-response":{"status":"failed","error":{"code":40}}}"#;
        assert_eq!(
            subsonic_error(silent),
            Some((40, "it did not say why".to_owned()))
        );
        assert_eq!(subsonic_error(b"<html>Not found</html>"), None);
        assert_eq!(
            subsonic_error(br#"{"subsonic-response":{"status":"ok"}}"#),
            None
        );
    }

    #[test]
    fn addresses_are_shown_without_secrets() {
        let url = Url::parse("https://me:pw@cdn.example:8443/a/b.m3u8?Signature=s3cr3t#x").unwrap();
        assert_eq!(shown(&url), "https://cdn.example:8443/a/b.m3u8");
    }
}
