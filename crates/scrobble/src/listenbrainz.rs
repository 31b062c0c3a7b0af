//! The `ListenBrainz` API client (<https://listenbrainz.readthedocs.io>, "Core" and "JSON
//! Documentation"): `POST /1/submit-listens` (`playing_now`, a `single` listen, or an
//! `import` of up to [`MAX_LISTENS_PER_REQUEST`]), `GET /1/validate-token`, and
//! `GET /1/user/{user}/listens` between two times, which tells a sender whether a listen
//! whose answer was lost landed.
//!
//! Every request carries `Authorization: Token <user token>`; the token lives in
//! [`UserToken`], whose `Debug` never shows it, and no URL carries it. The service's rate
//! limit is honoured for every call the client makes: after an answer saying
//! `X-RateLimit-Remaining: 0`, or a 429 (`X-RateLimit-Reset-In`, or `Retry-After` in seconds
//! or as an HTTP date), the next call first waits until the window resets. A 429 always
//! holds the next call, at least a second and [`UNSAID_WAIT`] when it says nothing usable,
//! so a service that forgets its headers is never asked again in a tight loop. Clones share
//! that window.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use reqwest::header::AUTHORIZATION;
use reqwest::{Response, StatusCode, Url};
use serde::{Deserialize, Serialize};
use strato_library::Listen;
use tokio::time::Instant;

use crate::error::{ScrobbleError, ScrobbleErrorKind};

mod rate_limit;

pub use rate_limit::UNSAID_WAIT;
use rate_limit::hold_after;

/// The service's own address.
pub const DEFAULT_BASE_URL: &str = "https://api.listenbrainz.org";

/// The most listens one `import` may carry (the API's `MAX_LISTENS_PER_REQUEST`).
pub const MAX_LISTENS_PER_REQUEST: usize = 1000;

/// The widest window one look-up may span: `ListenBrainz` refuses a wider `min_ts`..`max_ts`.
pub const LONGEST_LOOKUP: Duration = Duration::from_secs(365 * 24 * 3600);

/// How many listens one look-up asks for. The API's `MAX_ITEMS_PER_GET` has been 100 and
/// 1000 over time; 100 is within both.
pub const LISTENS_PER_GET: usize = 100;

/// How Strato names itself in `additional_info`, as the API recommends.
const CLIENT_NAME: &str = "Strato";

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a whole request may take, connection included, unless
/// [`ListenBrainzClient::with_request_timeout`] says otherwise.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// A listener's `ListenBrainz` user token. Never printed: `Debug` shows `[redacted]`.
#[derive(Clone)]
pub struct UserToken(String);

impl UserToken {
    #[must_use]
    pub fn new(token: impl Into<String>) -> Self {
        Self(token.into().trim().to_owned())
    }
}

impl std::fmt::Debug for UserToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("UserToken([redacted])")
    }
}

/// A listen as the service keeps it, as far as a sender needs to recognise one.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ListenSeen {
    pub listened_at: i64,
    pub artist_name: String,
    pub track_name: String,
}

impl ListenSeen {
    /// Whether this is `listen` (its start, artist and title; the service trims names).
    #[must_use]
    pub fn is(&self, listen: &Listen) -> bool {
        self.listened_at == listen.listened_at
            && self.artist_name.trim() == listen.artist_name.trim()
            && self.track_name.trim() == listen.track_name.trim()
    }
}

/// The client. Cheap to clone; clones share the rate-limit window.
#[derive(Clone)]
pub struct ListenBrainzClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base: Url,
    token: UserToken,
    request_timeout: Duration,
    /// No call before this: the service's window is spent. A lock only to read or set it,
    /// never held across a wait.
    not_before: Mutex<Option<Instant>>,
}

impl std::fmt::Debug for ListenBrainzClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ListenBrainzClient")
            .field("base", &self.inner.base.as_str())
            .field("token", &self.inner.token)
            .finish_non_exhaustive()
    }
}

#[derive(Serialize)]
struct Submission<'a> {
    listen_type: &'static str,
    payload: Vec<Payload<'a>>,
}

#[derive(Serialize)]
struct Payload<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    listened_at: Option<i64>,
    track_metadata: TrackMetadata<'a>,
}

#[derive(Serialize)]
struct TrackMetadata<'a> {
    artist_name: &'a str,
    track_name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    release_name: Option<&'a str>,
    additional_info: AdditionalInfo,
}

#[derive(Serialize)]
struct AdditionalInfo {
    #[serde(skip_serializing_if = "Option::is_none")]
    duration_ms: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tracknumber: Option<u32>,
    media_player: &'static str,
    submission_client: &'static str,
    submission_client_version: &'static str,
}

impl<'a> Payload<'a> {
    fn of(listen: &'a Listen, with_time: bool) -> Self {
        Self {
            listened_at: with_time.then_some(listen.listened_at),
            track_metadata: TrackMetadata {
                artist_name: listen.artist_name.trim(),
                track_name: listen.track_name.trim(),
                // The service refuses an empty release name; none is said by leaving it out.
                release_name: listen
                    .release_name
                    .as_deref()
                    .map(str::trim)
                    .filter(|name| !name.is_empty()),
                additional_info: AdditionalInfo {
                    duration_ms: listen.duration_ms.filter(|ms| *ms > 0),
                    tracknumber: listen.track_number.filter(|n| *n > 0),
                    media_player: CLIENT_NAME,
                    submission_client: CLIENT_NAME,
                    submission_client_version: env!("CARGO_PKG_VERSION"),
                },
            },
        }
    }
}

#[derive(Deserialize)]
struct TokenAnswer {
    valid: bool,
    user_name: Option<String>,
}

#[derive(Deserialize)]
struct ListensAnswer {
    payload: ListensPayload,
}

#[derive(Deserialize)]
struct ListensPayload {
    listens: Vec<StoredListen>,
}

#[derive(Deserialize)]
struct StoredListen {
    listened_at: i64,
    track_metadata: StoredMetadata,
}

#[derive(Deserialize)]
struct StoredMetadata {
    artist_name: String,
    track_name: String,
}

/// The API's error answer: `{"code": 400, "error": "..."}`.
#[derive(Deserialize)]
struct ErrorAnswer {
    error: String,
}

impl ListenBrainzClient {
    /// A client of the service at [`DEFAULT_BASE_URL`].
    pub fn new(token: UserToken) -> Result<Self, ScrobbleError> {
        Self::with_base_url(DEFAULT_BASE_URL, token)
    }

    /// A client of a `ListenBrainz`-compatible service at `base_url`: https, or plain http
    /// only to this computer (a test's endpoint, a local proxy).
    pub fn with_base_url(base_url: &str, token: UserToken) -> Result<Self, ScrobbleError> {
        let unusable = || {
            ScrobbleError::new(
                ScrobbleErrorKind::InvalidInput,
                "That ListenBrainz address cannot be used: it must start with https://.",
            )
        };
        let base = Url::parse(base_url).map_err(|e| unusable().with_source(e))?;
        let loopback = base.host_str().is_some_and(|host| {
            host.eq_ignore_ascii_case("localhost")
                || host
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        });
        if !(base.scheme() == "https" || (base.scheme() == "http" && loopback)) {
            return Err(unusable());
        }
        Ok(Self {
            inner: Arc::new(Inner {
                http: http_client(REQUEST_TIMEOUT)?,
                base,
                token,
                request_timeout: REQUEST_TIMEOUT,
                not_before: Mutex::new(None),
            }),
        })
    }

    /// This client with each request given at most `timeout` (connection included).
    pub fn with_request_timeout(self, timeout: Duration) -> Result<Self, ScrobbleError> {
        let not_before = *self
            .inner
            .not_before
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        Ok(Self {
            inner: Arc::new(Inner {
                http: http_client(timeout)?,
                base: self.inner.base.clone(),
                token: self.inner.token.clone(),
                request_timeout: timeout,
                not_before: Mutex::new(not_before),
            }),
        })
    }

    /// How long one request may take before it is given up: a request begun longer ago
    /// than this has surely ended.
    #[must_use]
    pub fn request_timeout(&self) -> Duration {
        self.inner.request_timeout
    }

    /// Checks the token; the `ListenBrainz` user name it belongs to.
    pub async fn validate_token(&self) -> Result<String, ScrobbleError> {
        let url = self.url(&["1", "validate-token"]);
        let what = "check your ListenBrainz user token";
        let response = self.send(what, || self.inner.http.get(url.clone())).await?;
        let answer: TokenAnswer = read_json(response, what).await?;
        match answer.user_name {
            Some(name) if answer.valid => Ok(name),
            _ => Err(refused_token()),
        }
    }

    /// Tells the service `listen`'s track is playing now (its time is not sent).
    pub async fn submit_playing_now(&self, listen: &Listen) -> Result<(), ScrobbleError> {
        let body = Submission {
            listen_type: "playing_now",
            payload: vec![Payload::of(listen, false)],
        };
        self.submit(&body, "tell ListenBrainz what is playing")
            .await
    }

    /// Submits `listens`: one as a `single` listen, more as an `import`.
    ///
    /// # Errors
    /// [`ScrobbleErrorKind::InvalidInput`] for none or more than [`MAX_LISTENS_PER_REQUEST`];
    /// see [`ScrobbleError::may_have_landed`] for a failure after the request went out.
    pub async fn submit_listens(&self, listens: &[Listen]) -> Result<(), ScrobbleError> {
        if listens.is_empty() || listens.len() > MAX_LISTENS_PER_REQUEST {
            return Err(ScrobbleError::new(
                ScrobbleErrorKind::InvalidInput,
                format!(
                    "ListenBrainz takes 1 to {MAX_LISTENS_PER_REQUEST} listens at a time, not {}.",
                    listens.len()
                ),
            ));
        }
        let body = Submission {
            listen_type: if listens.len() == 1 {
                "single"
            } else {
                "import"
            },
            payload: listens.iter().map(|l| Payload::of(l, true)).collect(),
        };
        self.submit(&body, "send your listens to ListenBrainz")
            .await
    }

    /// `user`'s listens that began strictly after `min_ts` and strictly before `max_ts`
    /// (Unix seconds), newest first, at most [`LISTENS_PER_GET`].
    ///
    /// # Errors
    /// [`ScrobbleErrorKind::Rejected`] when the service refuses the look-up for good (a 4xx
    /// other than 401, 408 and 429: a window wider than [`LONGEST_LOOKUP`], a user it does
    /// not know): asking again cannot help.
    pub async fn listens_between(
        &self,
        user: &str,
        min_ts: i64,
        max_ts: i64,
    ) -> Result<Vec<ListenSeen>, ScrobbleError> {
        let mut url = self.url(&["1", "user", user, "listens"]);
        url.query_pairs_mut()
            .append_pair("min_ts", &min_ts.to_string())
            .append_pair("max_ts", &max_ts.to_string())
            .append_pair("count", &LISTENS_PER_GET.to_string());
        let what = "look up your listens on ListenBrainz";
        let response = self
            .send(what, || self.inner.http.get(url.clone()))
            .await
            .map_err(|error| {
                if error.refused_for_good() && error.kind() != ScrobbleErrorKind::Rejected {
                    let status = error.status().unwrap_or_default();
                    ScrobbleError::new(
                        ScrobbleErrorKind::Rejected,
                        format!("ListenBrainz refused to look up your listens (error {status})."),
                    )
                    .with_status(status)
                    .with_source(error)
                } else {
                    error
                }
            })?;
        let answer: ListensAnswer = read_json(response, what).await?;
        Ok(answer
            .payload
            .listens
            .into_iter()
            .map(|stored| ListenSeen {
                listened_at: stored.listened_at,
                artist_name: stored.track_metadata.artist_name,
                track_name: stored.track_metadata.track_name,
            })
            .collect())
    }

    async fn submit(&self, body: &Submission<'_>, what: &str) -> Result<(), ScrobbleError> {
        let url = self.url(&["1", "submit-listens"]);
        let response = self
            .send(what, || self.inner.http.post(url.clone()).json(body))
            .await
            // A server failing mid-way may have stored the listens first.
            .map_err(|error| {
                if error.kind() == ScrobbleErrorKind::Server {
                    error.landed_maybe()
                } else {
                    error
                }
            })?;
        // The body says only "ok"; the status is the acknowledgement.
        drop(response);
        Ok(())
    }

    fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.inner.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }

    /// Sends the request `build` makes once the rate-limit window allows, and notes the
    /// window the answer announces. Only a 2xx comes back `Ok`.
    async fn send(
        &self,
        what: &str,
        build: impl Fn() -> reqwest::RequestBuilder,
    ) -> Result<Response, ScrobbleError> {
        let not_before = *self
            .inner
            .not_before
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(instant) = not_before {
            tokio::time::sleep_until(instant).await;
        }
        let response = build()
            .header(AUTHORIZATION, format!("Token {}", self.inner.token.0))
            .send()
            .await
            .map_err(|e| transport(e, what))?;
        let status = response.status();
        let wait = hold_after(response.headers(), status, SystemTime::now());
        *self
            .inner
            .not_before
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = wait.map(|wait| Instant::now() + wait);
        if status.is_success() {
            return Ok(response);
        }
        let error = match status {
            StatusCode::TOO_MANY_REQUESTS => {
                ScrobbleError::rate_limited(wait.unwrap_or(UNSAID_WAIT))
            }
            StatusCode::UNAUTHORIZED => refused_token(),
            StatusCode::BAD_REQUEST => {
                let said = response.json::<ErrorAnswer>().await.ok().map(|a| a.error);
                ScrobbleError::new(
                    ScrobbleErrorKind::Rejected,
                    format!(
                        "ListenBrainz refused this: {}",
                        said.as_deref().unwrap_or("it did not say why.")
                    ),
                )
            }
            other => ScrobbleError::new(
                ScrobbleErrorKind::Server,
                format!(
                    "ListenBrainz failed (error {}) when Strato tried to {what}; it will try again later.",
                    other.as_u16()
                ),
            ),
        };
        Err(error.with_status(status.as_u16()))
    }
}

fn http_client(timeout: Duration) -> Result<reqwest::Client, ScrobbleError> {
    reqwest::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT.min(timeout))
        .timeout(timeout)
        // A redirect could lead off https; the API never redirects.
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("Strato/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| {
            ScrobbleError::new(
                ScrobbleErrorKind::Server,
                "Strato could not start its network client for ListenBrainz.",
            )
            .with_source(e)
        })
}

fn refused_token() -> ScrobbleError {
    ScrobbleError::new(
        ScrobbleErrorKind::Auth,
        "ListenBrainz did not accept your user token. Copy it again from your ListenBrainz \
         settings page.",
    )
}

async fn read_json<T: serde::de::DeserializeOwned>(
    response: Response,
    what: &str,
) -> Result<T, ScrobbleError> {
    response.json::<T>().await.map_err(|e| {
        ScrobbleError::new(
            ScrobbleErrorKind::Server,
            format!("ListenBrainz sent an answer Strato cannot read when asked to {what}."),
        )
        .with_source(e.without_url())
    })
}

/// A failure to get an answer. A connection never made surely sent nothing; anything later
/// (a timeout, a connection dropped mid-way) may have delivered the request.
fn transport(error: reqwest::Error, what: &str) -> ScrobbleError {
    let error = error.without_url();
    if error.is_connect() {
        ScrobbleError::new(
            ScrobbleErrorKind::Offline,
            format!("Could not reach ListenBrainz to {what}. Check your connection."),
        )
        .with_source(error)
    } else if error.is_builder() {
        ScrobbleError::new(
            ScrobbleErrorKind::InvalidInput,
            format!("Strato could not make the request to {what}."),
        )
        .with_source(error)
    } else {
        ScrobbleError::new(
            ScrobbleErrorKind::Offline,
            format!("The connection to ListenBrainz broke while trying to {what}."),
        )
        .with_source(error)
        .landed_maybe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listen() -> Listen {
        Listen {
            service_kind: "strato".into(),
            account: "ben".into(),
            track_id: "t1".into(),
            artist_name: " Artist ".into(),
            track_name: "Title".into(),
            release_name: Some(String::new()),
            duration_ms: Some(201_000),
            track_number: Some(4),
            listened_at: 1_700_000_000,
        }
    }

    #[test]
    fn payloads_are_as_the_api_documents_them() {
        let listen = listen();
        let single = serde_json::to_value(Submission {
            listen_type: "single",
            payload: vec![Payload::of(&listen, true)],
        })
        .unwrap();
        assert_eq!(
            single,
            serde_json::json!({
                "listen_type": "single",
                "payload": [{
                    "listened_at": 1_700_000_000,
                    "track_metadata": {
                        "artist_name": "Artist",
                        "track_name": "Title",
                        "additional_info": {
                            "duration_ms": 201_000,
                            "tracknumber": 4,
                            "media_player": "Strato",
                            "submission_client": "Strato",
                            "submission_client_version": env!("CARGO_PKG_VERSION"),
                        }
                    }
                }]
            })
        );
        let now = serde_json::to_value(Payload::of(&listen, false)).unwrap();
        assert!(now.get("listened_at").is_none());
    }

    #[test]
    fn only_https_or_this_computer_and_the_token_never_shows() {
        let token = UserToken::new("secret-token-123");
        for bad in [
            "http://api.listenbrainz.org",
            "ftp://127.0.0.1",
            "not a url",
        ] {
            let error = ListenBrainzClient::with_base_url(bad, token.clone()).unwrap_err();
            assert_eq!(error.kind(), ScrobbleErrorKind::InvalidInput, "{bad}");
        }
        for good in [
            "https://api.listenbrainz.org",
            "http://127.0.0.1:9",
            "http://[::1]:9",
        ] {
            let client = ListenBrainzClient::with_base_url(good, token.clone()).unwrap();
            assert!(!format!("{client:?}").contains("secret"), "{client:?}");
        }
        assert_eq!(format!("{token:?}"), "UserToken([redacted])");
    }
}
