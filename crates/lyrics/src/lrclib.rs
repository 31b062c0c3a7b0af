//! The LRCLIB client: `GET /api/get` with a track's artist, title, album and duration, as
//! LRCLIB's API page documents it (it matches durations within 2 s, so the duration sent is
//! the track's, rounded to whole seconds).
//!
//! - LRCLIB's 404 (its JSON error named `TrackNotFound`) means it has no record:
//!   [`LyricsOutcome::NoneFound`], not an error. Any other 404 (a proxy's page, a wrong
//!   address) is a `Server` error, so that a broken service is not taken for "no lyrics" and
//!   kept for a week.
//! - The duration is sent only within the 1 to 3600 s LRCLIB accepts; outside, LRCLIB would
//!   refuse the whole request (400) on every play, so the track is asked by its names alone.
//! - A record's `syncedLyrics` are read as LRC (`strato_formats::lrc`); when they cannot be
//!   read, or hold no timed line, its `plainLyrics` are taken instead, so a malformed record
//!   still shows its words. A record marked `instrumental` is [`LyricsOutcome::Instrumental`].
//! - Every request says who asks (`User-Agent: Strato/<version>`), as LRCLIB asks clients to.
//! - Plain `http` is refused except to this computer (the tests' endpoint): lyrics requests
//!   name what the listener plays, which the network has no business reading. Redirects are
//!   held to the same rule, so an `https` service cannot send the request on in the clear.
//! - Errors are [`LyricsError`]s: `Offline` (no connection, a timeout), `Server` (a 5xx, a
//!   429, an answer that is not LRCLIB's JSON), `Rejected` (another 4xx; an unusable base
//!   address).

use std::net::IpAddr;
use std::time::Duration;

use serde::Deserialize;
use strato_formats::lrc;
use strato_library::LyricsSource;
use url::{Host, Url};

use crate::error::{LyricsError, LyricsErrorKind};
use crate::{LyricsOutcome, TrackQuery};

/// LRCLIB's own address.
pub const DEFAULT_BASE_URL: &str = "https://lrclib.net";
/// How long a connection may take to open.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// reqwest's own default.
const MAX_REDIRECTS: usize = 10;
/// The durations LRCLIB accepts, in whole seconds.
const DURATION_SECS: std::ops::RangeInclusive<u128> = 1..=3600;
/// How long a whole request may take. `/api/get` may ask LRCLIB's external sources for a
/// track it has never seen, which takes seconds, so this is generous.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);
/// Who asks, as LRCLIB asks clients to say.
const USER_AGENT: &str = concat!(
    "Strato/",
    env!("CARGO_PKG_VERSION"),
    " (desktop music player)"
);

/// A client of one LRCLIB-compatible service.
#[derive(Debug, Clone)]
pub struct LrclibClient {
    http: reqwest::Client,
    endpoint: Url,
}

/// A record as `/api/get` returns it (only the fields read).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Record {
    #[serde(default)]
    instrumental: bool,
    plain_lyrics: Option<String>,
    synced_lyrics: Option<String>,
}

/// LRCLIB's error body, `{"message", "name", "statusCode"}`.
#[derive(Debug, Deserialize)]
struct Problem {
    message: Option<String>,
    name: Option<String>,
}

/// Why a redirect was not followed.
#[derive(Debug, thiserror::Error)]
#[error("a redirect to plain http was refused")]
struct InsecureRedirect;

impl LrclibClient {
    /// A client of LRCLIB itself.
    ///
    /// # Errors
    /// `Rejected` if the HTTP client cannot be built (no TLS roots on this system).
    pub fn new() -> Result<Self, LyricsError> {
        Self::with_base_url(DEFAULT_BASE_URL, DEFAULT_TIMEOUT)
    }

    /// A client of the LRCLIB-compatible service at `base` (`https://`, or `http://` to this
    /// computer), each request given at most `timeout`.
    ///
    /// # Errors
    /// `Rejected` for an address that is not a URL, or plain `http` beyond this computer.
    pub fn with_base_url(base: &str, timeout: Duration) -> Result<Self, LyricsError> {
        let rejected = |why: &str| {
            LyricsError::new(
                LyricsErrorKind::Rejected,
                format!("the lyrics service address {base} cannot be used: {why}"),
            )
        };
        let base = Url::parse(base).map_err(|_| rejected("it is not a web address"))?;
        match base.scheme() {
            "https" => {}
            "http" if is_loopback(&base) => {}
            "http" => return Err(rejected("it must start with https://")),
            _ => return Err(rejected("it is not a web address")),
        }
        let endpoint = base
            .join("api/get")
            .map_err(|_| rejected("it is not a web address"))?;
        let loopback = is_loopback(&base);
        let redirects = reqwest::redirect::Policy::custom(|attempt| {
            if attempt.previous().len() >= MAX_REDIRECTS {
                attempt.error("too many redirects")
            } else if attempt.url().scheme() == "https" || is_loopback(attempt.url()) {
                attempt.follow()
            } else {
                attempt.error(InsecureRedirect)
            }
        });
        let http = reqwest::Client::builder()
            .https_only(!loopback)
            .redirect(redirects)
            .user_agent(USER_AGENT)
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(timeout)
            .build()
            .map_err(|error| {
                LyricsError::new(
                    LyricsErrorKind::Rejected,
                    "Strato could not set up its connection to the lyrics service",
                )
                .with_source(error)
            })?;
        Ok(Self { http, endpoint })
    }

    /// Asks for `track`'s lyrics.
    pub async fn get(&self, track: &TrackQuery) -> Result<LyricsOutcome, LyricsError> {
        let mut url = self.endpoint.clone();
        {
            let mut query = url.query_pairs_mut();
            query.append_pair("artist_name", &track.artist);
            query.append_pair("track_name", &track.title);
            if let Some(album) = track.album.as_deref().filter(|a| !a.is_empty()) {
                query.append_pair("album_name", album);
            }
            if let Some(seconds) = track.duration.and_then(duration_secs) {
                query.append_pair("duration", &seconds.to_string());
            }
        }
        let response = self.http.get(url).send().await.map_err(transport_error)?;
        let status = response.status();
        let body = response.bytes().await.map_err(transport_error)?;
        if status == reqwest::StatusCode::NOT_FOUND && is_track_not_found(&body) {
            return Ok(LyricsOutcome::NoneFound);
        }
        if !status.is_success() {
            return Err(status_error(status, &body));
        }
        let record: Record = serde_json::from_slice(&body).map_err(|error| {
            LyricsError::new(
                LyricsErrorKind::Server,
                "LRCLIB sent an answer Strato cannot read; lyrics will be looked up again later",
            )
            .with_source(error)
        })?;
        Ok(read_record(record))
    }
}

/// `duration` in whole seconds, rounded (LRCLIB matches within 2 s), when LRCLIB accepts it.
fn duration_secs(duration: Duration) -> Option<u128> {
    let seconds = (duration.as_millis() + 500) / 1000;
    DURATION_SECS.contains(&seconds).then_some(seconds)
}

/// Whether a 404's body is LRCLIB's own "no such track".
fn is_track_not_found(body: &[u8]) -> bool {
    serde_json::from_slice::<Problem>(body)
        .is_ok_and(|problem| problem.name.as_deref() == Some("TrackNotFound"))
}

/// What a record says: synced lyrics when they read as such, else its plain text.
fn read_record(record: Record) -> LyricsOutcome {
    let source = LyricsSource::LrcLib;
    let nonempty = |text: Option<String>| text.filter(|t| !t.trim().is_empty());
    let synced = nonempty(record.synced_lyrics);
    let plain = nonempty(record.plain_lyrics);
    if let Some(text) = synced.as_deref() {
        match lrc::parse_text(text) {
            Ok(lyrics)
                if lyrics
                    .synced
                    .as_ref()
                    .is_some_and(|lines| !lines.is_empty()) =>
            {
                return LyricsOutcome::Found { source, lyrics };
            }
            Ok(_) => tracing::info!("LRCLIB's synced lyrics have no timed line; using plain"),
            Err(error) => tracing::info!("LRCLIB's synced lyrics are unreadable ({error})"),
        }
    }
    // The plain text, else whatever the synced field held read as plain lines.
    for text in [plain, synced].into_iter().flatten() {
        if let Ok(lyrics) = lrc::parse_text(&text)
            && !lyrics.plain.trim().is_empty()
        {
            let lyrics = lrc::Lyrics {
                synced: None,
                ..lyrics
            };
            return LyricsOutcome::Found { source, lyrics };
        }
    }
    if record.instrumental {
        LyricsOutcome::Instrumental { source }
    } else {
        LyricsOutcome::NoneFound
    }
}

fn transport_error(error: reqwest::Error) -> LyricsError {
    if error.is_redirect() {
        // The service moved the request somewhere Strato does not send it: its fault, and
        // perhaps passing, so asked again later like any trouble of the service's.
        let message = if has_in_chain::<InsecureRedirect>(&error) {
            "LRCLIB redirected Strato to an address without https, so it was not followed"
        } else {
            "LRCLIB redirected Strato too many times; lyrics will be looked up again later"
        };
        return LyricsError::new(LyricsErrorKind::Server, message).with_source(error.without_url());
    }
    let message = if error.is_timeout() {
        "LRCLIB took too long to answer; lyrics will be looked up again later"
    } else if error.is_connect() || error.is_request() {
        "Strato could not reach LRCLIB to look up lyrics; check your internet connection"
    } else {
        "the connection to LRCLIB broke off; lyrics will be looked up again later"
    };
    // The error's own words name the URL, which names the track: kept as the source only.
    LyricsError::new(LyricsErrorKind::Offline, message).with_source(error.without_url())
}

fn status_error(status: reqwest::StatusCode, body: &[u8]) -> LyricsError {
    let said = serde_json::from_slice::<Problem>(body)
        .ok()
        .and_then(|problem| problem.message)
        .filter(|message| !message.trim().is_empty());
    let code = status.as_u16();
    // A 404 that is not LRCLIB's "no such track" is not an answer about the track.
    if status == reqwest::StatusCode::NOT_FOUND {
        return LyricsError::new(
            LyricsErrorKind::Server,
            "the lyrics service answered as LRCLIB does not (error 404); lyrics will be \
             looked up again later",
        );
    }
    if status == reqwest::StatusCode::TOO_MANY_REQUESTS {
        return LyricsError::new(
            LyricsErrorKind::Server,
            "LRCLIB is busy right now; lyrics will be looked up again later",
        );
    }
    if status.is_client_error() {
        let why = said.map_or_else(String::new, |said| format!(": {said}"));
        return LyricsError::new(
            LyricsErrorKind::Rejected,
            format!("LRCLIB refused the lyrics lookup (error {code}){why}"),
        );
    }
    LyricsError::new(
        LyricsErrorKind::Server,
        format!("LRCLIB is having trouble (error {code}); lyrics will be looked up again later"),
    )
}

/// Whether an error of type `E` is in `error`'s chain of causes.
fn has_in_chain<E: std::error::Error + 'static>(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(error);
    while let Some(error) = next {
        if error.is::<E>() {
            return true;
        }
        next = error.source();
    }
    false
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        Some(Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(instrumental: bool, plain: Option<&str>, synced: Option<&str>) -> Record {
        Record {
            instrumental,
            plain_lyrics: plain.map(str::to_owned),
            synced_lyrics: synced.map(str::to_owned),
        }
    }

    #[test]
    fn plain_http_only_to_this_computer() {
        for good in [
            "https://lrclib.net",
            "http://127.0.0.1:8080",
            "http://[::1]:80/",
            "http://localhost:1",
        ] {
            assert!(
                LrclibClient::with_base_url(good, DEFAULT_TIMEOUT).is_ok(),
                "{good}"
            );
        }
        for bad in ["http://lrclib.net", "ftp://127.0.0.1", "lrclib.net"] {
            let error = LrclibClient::with_base_url(bad, DEFAULT_TIMEOUT).unwrap_err();
            assert_eq!(error.kind(), LyricsErrorKind::Rejected, "{bad}");
            assert!(error.to_string().contains("cannot be used"), "{error}");
        }
    }

    #[test]
    fn records_read_synced_then_plain_then_instrumental() {
        let synced = read_record(record(false, Some("One"), Some("[00:01.00]One")));
        let LyricsOutcome::Found { lyrics, .. } = synced else {
            panic!("{synced:?}")
        };
        assert_eq!(lyrics.synced.unwrap()[0].at, Duration::from_secs(1));

        // Times that do not read: the plain text instead.
        let broken = read_record(record(false, Some("Plain"), Some("[0x:zz]One\nTwo")));
        let LyricsOutcome::Found { lyrics, .. } = broken else {
            panic!("{broken:?}")
        };
        assert_eq!((lyrics.synced, lyrics.plain.as_str()), (None, "Plain"));

        // No plain text either: the synced field's lines, as plain.
        let only = read_record(record(false, None, Some("Just words")));
        assert!(
            matches!(only, LyricsOutcome::Found { lyrics, .. } if lyrics.plain == "Just words")
        );

        assert!(matches!(
            read_record(record(true, None, None)),
            LyricsOutcome::Instrumental { .. }
        ));
        assert!(matches!(
            read_record(record(false, Some(" "), Some("\0\0"))),
            LyricsOutcome::NoneFound
        ));
    }

    #[test]
    fn a_duration_is_sent_only_where_lrclib_takes_it() {
        let secs = |millis| duration_secs(Duration::from_millis(millis));
        assert_eq!(secs(200_300), Some(200));
        assert_eq!(secs(500), Some(1), "rounded up to a second");
        assert_eq!(secs(3_600_400), Some(3600));
        assert_eq!(secs(499), None, "rounds to 0 s");
        assert_eq!(secs(3_600_500), None, "rounds to 3601 s");
    }

    #[test]
    fn only_lrclibs_own_not_found_is_no_such_track() {
        assert!(is_track_not_found(
            br#"{"message":"Failed to find specified track","name":"TrackNotFound","statusCode":404}"#
        ));
        assert!(!is_track_not_found(br#"{"name":"NotFound"}"#));
        assert!(!is_track_not_found(b"<html>Not Found</html>"));
        assert!(!is_track_not_found(b""));
    }
}
