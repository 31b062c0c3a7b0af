//! A `ListenBrainz`-compatible endpoint on loopback, for the scrobbling tests: it checks every
//! submission as the API documents it ("Core" and "JSON Documentation" at
//! listenbrainz.readthedocs.io) and answers as the service does, so a client that passes
//! here sends what the real service takes.
//!
//! - `POST /1/submit-listens`: `Authorization: Token <token>` against the configured users
//!   (401 otherwise), a JSON body (`Content-Type: application/json`), `listen_type` one of
//!   `single` and `playing_now` (exactly one listen) or `import` (1 to 1000), `playing_now`
//!   without `listened_at` and the others with an integer one no older than 2002-10-01 nor
//!   more than an hour ahead, only the documented top-level keys, a non-empty `artist_name`
//!   and `track_name`, an optional non-empty `release_name`, `additional_info` an object whose
//!   documented fields have their documented types, each listen at most 10240 bytes. Anything
//!   else is a 400 with the API's error shape, `{"code": 400, "error": "..."}`. Accepted
//!   listens are stored per user, `playing_now` apart.
//! - `GET /1/validate-token` and `GET /1/user/{user}/listens` (`min_ts`, `max_ts`, `count`).
//! - Every answer carries `X-RateLimit-Limit`, `-Remaining`, `-Reset-In` and `-Reset`; past
//!   the window's limit, or for the next N requests when told to
//!   ([`ListenBrainzEndpoint::answer_429_for_next`]), a 429 with `Retry-After` too; or one
//!   saying nothing of when to come back
//!   ([`ListenBrainzEndpoint::answer_429_without_wait_for_next`]).
//! - [`ListenBrainzEndpoint::hold_submit_answers`]: a submission is stored, then its answer
//!   waits until released, so a test can kill its client between the send and the record.
//! - As the real service, whose listens go through a queue: stored listens may show in
//!   look-ups only some time later ([`ListenBrainzEndpoint::delay_visibility`]). Look-ups
//!   can be refused ([`ListenBrainzEndpoint::refuse_lookups`]), or refused when their window
//!   is wider than a limit ([`ListenBrainzEndpoint::limit_lookup_window`]).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use tokio::sync::watch;

use crate::TestServer;

mod checks;

use checks::{check_content_type, check_submission};

/// The API's `MAX_LISTENS_PER_REQUEST`.
pub const MAX_LISTENS_PER_REQUEST: usize = 1000;

/// One `submit-listens` request as the endpoint saw and answered it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedSubmission {
    /// The user the token named, if it named one.
    pub user: Option<String>,
    /// The `listen_type` sent, if the body had one.
    pub listen_type: Option<String>,
    /// How many listens the payload held.
    pub listens: usize,
    /// The status answered.
    pub status: u16,
    /// The error answered, for a 4xx.
    pub error: Option<String>,
    /// When it came.
    pub received_at: Instant,
}

/// The endpoint; stops when dropped.
#[derive(Debug)]
pub struct ListenBrainzEndpoint {
    server: TestServer,
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    state: Mutex<EndpointState>,
    /// Bumped on every change, for tests that wait for one.
    changed: watch::Sender<u64>,
    /// Whether submissions' answers are held.
    hold: watch::Sender<bool>,
}

#[derive(Debug)]
struct EndpointState {
    /// Token -> user name.
    users: HashMap<String, String>,
    listens: HashMap<String, Vec<Stored>>,
    playing_now: HashMap<String, Value>,
    submissions: Vec<ReceivedSubmission>,
    forced_429: usize,
    forced_reset_in: u64,
    /// The forced 429s say nothing of when to come back.
    forced_unsaid: bool,
    /// How long after it is stored a listen shows in look-ups.
    visibility_delay: Duration,
    refuse_lookups: bool,
    /// Look-ups over a wider window than this are refused.
    widest_lookup: Option<Duration>,
    limit: u32,
    window: Duration,
    window_started: Instant,
    used: u32,
}

/// A listen as kept: as sent, with when it shows in look-ups.
#[derive(Debug, Clone)]
struct Stored {
    listen: Value,
    visible_at: Instant,
}

impl ListenBrainzEndpoint {
    /// Serves on loopback, knowing `users` as (token, user name) pairs. The rate-limit window
    /// allows 1000 requests a minute until [`Self::set_rate_limit`] says otherwise.
    pub async fn start(users: &[(&str, &str)]) -> Self {
        let shared = Arc::new(Shared {
            state: Mutex::new(EndpointState {
                users: users
                    .iter()
                    .map(|(token, user)| ((*token).to_owned(), (*user).to_owned()))
                    .collect(),
                listens: HashMap::new(),
                playing_now: HashMap::new(),
                submissions: Vec::new(),
                forced_429: 0,
                forced_reset_in: 0,
                forced_unsaid: false,
                visibility_delay: Duration::ZERO,
                refuse_lookups: false,
                widest_lookup: None,
                limit: 1000,
                window: Duration::from_secs(60),
                window_started: Instant::now(),
                used: 0,
            }),
            changed: watch::channel(0).0,
            hold: watch::channel(false).0,
        });
        let router = Router::new()
            .route("/1/submit-listens", post(submit))
            .route("/1/validate-token", get(validate_token))
            .route("/1/user/{user}/listens", get(user_listens))
            .with_state(Arc::clone(&shared));
        Self {
            server: TestServer::http(router).await,
            shared,
        }
    }

    /// `http://127.0.0.1:<port>`, the client's base URL.
    #[must_use]
    pub fn url(&self) -> String {
        format!("http://{}", self.server.address())
    }

    /// `user`'s accepted listens, in the order they were accepted, as sent.
    #[must_use]
    pub fn listens(&self, user: &str) -> Vec<Value> {
        self.shared
            .lock()
            .listens
            .get(user)
            .into_iter()
            .flatten()
            .map(|stored| stored.listen.clone())
            .collect()
    }

    /// What `user` is playing now, as last sent.
    #[must_use]
    pub fn playing_now(&self, user: &str) -> Option<Value> {
        self.shared.lock().playing_now.get(user).cloned()
    }

    /// Every submission received, in order, with its answer.
    #[must_use]
    pub fn submissions(&self) -> Vec<ReceivedSubmission> {
        self.shared.lock().submissions.clone()
    }

    /// Answers the next `requests` requests (of any kind) with a 429 saying to come back in
    /// `reset_in` whole seconds.
    pub fn answer_429_for_next(&self, requests: usize, reset_in: Duration) {
        let mut state = self.shared.lock();
        state.forced_429 = requests;
        state.forced_reset_in = reset_in.as_secs();
        state.forced_unsaid = false;
    }

    /// Answers the next `requests` requests with a 429 that says nothing of when to come
    /// back: no `Retry-After`, no `X-RateLimit-Reset-In`.
    pub fn answer_429_without_wait_for_next(&self, requests: usize) {
        let mut state = self.shared.lock();
        state.forced_429 = requests;
        state.forced_unsaid = true;
    }

    /// Listens stored from now on show in look-ups only `delay` after they were stored.
    pub fn delay_visibility(&self, delay: Duration) {
        self.shared.lock().visibility_delay = delay;
    }

    /// While on, every look-up of a user's listens is refused with a 400.
    pub fn refuse_lookups(&self, refuse: bool) {
        self.shared.lock().refuse_lookups = refuse;
    }

    /// Look-ups whose `max_ts - min_ts` is wider than `widest` are refused with a 400.
    pub fn limit_lookup_window(&self, widest: Duration) {
        self.shared.lock().widest_lookup = Some(widest);
    }

    /// Allows `limit` requests per `window` from now on (a fresh window).
    pub fn set_rate_limit(&self, limit: u32, window: Duration) {
        let mut state = self.shared.lock();
        state.limit = limit;
        state.window = window;
        state.window_started = Instant::now();
        state.used = 0;
    }

    /// While `hold` is on, a submission is stored and its answer waits; turning it off
    /// answers every one held.
    pub fn hold_submit_answers(&self, hold: bool) {
        self.shared.hold.send_replace(hold);
    }

    /// Waits until `user` has at least `count` accepted listens, or `within` passed; whether
    /// it did.
    pub async fn wait_for_listens(&self, user: &str, count: usize, within: Duration) -> bool {
        let mut changed = self.shared.changed.subscribe();
        let reached = changed.wait_for(|_| self.listens(user).len() >= count);
        tokio::time::timeout(within, reached)
            .await
            .is_ok_and(|result| result.is_ok())
    }
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, EndpointState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn bump(&self) {
        self.changed.send_modify(|n| *n += 1);
    }

    /// Counts a request against the window: its rate-limit headers, or (`Err`) those of the
    /// 429 to answer.
    fn take_request(&self) -> Result<HeaderMap, HeaderMap> {
        let mut state = self.lock();
        let now = Instant::now();
        if now.duration_since(state.window_started) >= state.window {
            state.window_started = now;
            state.used = 0;
        }
        let left_in_window = state
            .window
            .saturating_sub(now.duration_since(state.window_started));
        let mut reset_in = left_in_window.as_secs() + u64::from(left_in_window.subsec_nanos() > 0);
        let mut unsaid = false;
        let limited = if state.forced_429 > 0 {
            state.forced_429 -= 1;
            reset_in = state.forced_reset_in;
            unsaid = state.forced_unsaid;
            true
        } else if state.used >= state.limit {
            true
        } else {
            state.used += 1;
            false
        };
        let remaining = if limited { 0 } else { state.limit - state.used };
        let mut headers = HeaderMap::new();
        let mut set = |name: &'static str, value: String| {
            headers.insert(name, HeaderValue::from_str(&value).expect("a header value"));
        };
        set("x-ratelimit-limit", state.limit.to_string());
        set("x-ratelimit-remaining", remaining.to_string());
        if unsaid {
            return Err(headers);
        }
        set("x-ratelimit-reset-in", reset_in.to_string());
        set(
            "x-ratelimit-reset",
            (unix_now() + reset_in.cast_signed()).to_string(),
        );
        if limited {
            set("retry-after", reset_in.to_string());
            return Err(headers);
        }
        Ok(headers)
    }
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs().cast_signed())
}

fn too_many_requests(headers: HeaderMap) -> Response {
    error(
        StatusCode::TOO_MANY_REQUESTS,
        headers,
        "You have exceeded your rate limit.",
    )
}

fn error(status: StatusCode, headers: HeaderMap, message: &str) -> Response {
    let body = json!({"code": status.as_u16(), "error": message});
    (status, headers, axum::Json(body)).into_response()
}

/// The user an `Authorization: Token <token>` header names.
fn user_of(state: &EndpointState, headers: &HeaderMap) -> Result<String, &'static str> {
    let value = headers
        .get(header::AUTHORIZATION)
        .ok_or("You need to provide an Authorization header.")?
        .to_str()
        .map_err(|_| "Provided Authorization header is invalid.")?;
    let token = value
        .strip_prefix("Token ")
        .ok_or("Provided Authorization header is invalid.")?;
    state
        .users
        .get(token.trim())
        .cloned()
        .ok_or("Invalid authorization token.")
}

async fn submit(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    let mut answer_headers = match shared.take_request() {
        Ok(headers) => headers,
        Err(limited) => {
            shared.record(None, None, 0, StatusCode::TOO_MANY_REQUESTS, None);
            return too_many_requests(limited);
        }
    };
    // The guard is dropped before `record` locks again.
    let known = user_of(&shared.lock(), &headers);
    let user = match known {
        Ok(user) => user,
        Err(message) => {
            shared.record(None, None, 0, StatusCode::UNAUTHORIZED, Some(message));
            return error(StatusCode::UNAUTHORIZED, answer_headers, message);
        }
    };
    let parsed = serde_json::from_slice::<Value>(&body);
    let listen_type = parsed
        .as_ref()
        .ok()
        .and_then(|v| v.get("listen_type"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let count = parsed
        .as_ref()
        .ok()
        .and_then(|v| v.get("payload"))
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    let checked = check_content_type(&headers)
        .and_then(|()| parsed.map_err(|e| format!("Cannot parse JSON document: {e}")))
        .and_then(check_submission);
    let (kind, listens) = match checked {
        Ok(checked) => checked,
        Err(message) => {
            shared.record(
                Some(&user),
                listen_type,
                count,
                StatusCode::BAD_REQUEST,
                Some(&message),
            );
            return error(StatusCode::BAD_REQUEST, answer_headers, &message);
        }
    };
    {
        let mut state = shared.lock();
        if kind == "playing_now" {
            state.playing_now.insert(user.clone(), listens[0].clone());
        } else {
            let inserted_at = unix_now();
            let visible_at = Instant::now() + state.visibility_delay;
            let kept = state.listens.entry(user.clone()).or_default();
            for mut listen in listens {
                listen["inserted_at"] = json!(inserted_at);
                listen["user_name"] = json!(user);
                kept.push(Stored { listen, visible_at });
            }
        }
    }
    shared.record(
        Some(&user),
        Some(kind.to_owned()),
        count,
        StatusCode::OK,
        None,
    );
    // Stored: now the answer may be held, as a connection lost on its way back would.
    let mut hold = shared.hold.subscribe();
    let _ = hold.wait_for(|held| !held).await;
    answer_headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    (
        StatusCode::OK,
        answer_headers,
        axum::Json(json!({"status": "ok"})),
    )
        .into_response()
}

impl Shared {
    fn record(
        &self,
        user: Option<&str>,
        listen_type: Option<String>,
        listens: usize,
        status: StatusCode,
        error: Option<&str>,
    ) {
        self.lock().submissions.push(ReceivedSubmission {
            user: user.map(str::to_owned),
            listen_type,
            listens,
            status: status.as_u16(),
            error: error.map(str::to_owned),
            received_at: Instant::now(),
        });
        self.bump();
    }
}

async fn validate_token(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let answer_headers = match shared.take_request() {
        Ok(headers) => headers,
        Err(limited) => return too_many_requests(limited),
    };
    let state = shared.lock();
    let user = user_of(&state, &headers).ok().or_else(|| {
        let token = query.get("token")?;
        state.users.get(token.trim()).cloned()
    });
    let body = match user {
        Some(user) => {
            json!({"code": 200, "message": "Token valid.", "valid": true, "user_name": user})
        }
        None => json!({"code": 200, "message": "Token invalid.", "valid": false}),
    };
    (StatusCode::OK, answer_headers, axum::Json(body)).into_response()
}

async fn user_listens(
    State(shared): State<Arc<Shared>>,
    Path(user): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let answer_headers = match shared.take_request() {
        Ok(headers) => headers,
        Err(limited) => return too_many_requests(limited),
    };
    let number = |key: &str| -> Result<Option<i64>, String> {
        query
            .get(key)
            .map(|v| {
                v.parse::<i64>()
                    .map_err(|_| format!("Invalid {key} argument: {v}"))
            })
            .transpose()
    };
    let (min_ts, max_ts, count) = match (number("min_ts"), number("max_ts"), number("count")) {
        (Ok(min), Ok(max), Ok(count)) => (min, max, count.unwrap_or(25).clamp(0, 1000)),
        (Err(message), _, _) | (_, Err(message), _) | (_, _, Err(message)) => {
            return error(StatusCode::BAD_REQUEST, answer_headers, &message);
        }
    };
    if let (Some(min), Some(max)) = (min_ts, max_ts)
        && max < min
    {
        return error(
            StatusCode::BAD_REQUEST,
            answer_headers,
            "max_ts should be greater than min_ts",
        );
    }
    let state = shared.lock();
    let too_wide = state.widest_lookup.is_some_and(|widest| {
        let (min, max) = (min_ts.unwrap_or(0), max_ts.unwrap_or_else(unix_now));
        u64::try_from(max - min).unwrap_or(0) > widest.as_secs()
    });
    if too_wide {
        return error(
            StatusCode::BAD_REQUEST,
            answer_headers,
            "The time range between min_ts and max_ts is too wide.",
        );
    }
    if state.refuse_lookups {
        return error(
            StatusCode::BAD_REQUEST,
            answer_headers,
            "Listens cannot be looked up now.",
        );
    }
    if !state.users.values().any(|name| *name == user) {
        return error(
            StatusCode::NOT_FOUND,
            answer_headers,
            &format!("Cannot find user: {user}"),
        );
    }
    let now = Instant::now();
    let mut listens: Vec<Value> = state
        .listens
        .get(&user)
        .into_iter()
        .flatten()
        .filter(|stored| stored.visible_at <= now)
        .map(|stored| &stored.listen)
        .filter(|listen| {
            let at = listen["listened_at"].as_i64().unwrap_or_default();
            min_ts.is_none_or(|min| at > min) && max_ts.is_none_or(|max| at < max)
        })
        .cloned()
        .collect();
    listens.sort_by_key(|listen| std::cmp::Reverse(listen["listened_at"].as_i64()));
    listens.truncate(usize::try_from(count).unwrap_or_default());
    let body = json!({"payload": {"count": listens.len(), "listens": listens, "user_id": user}});
    (StatusCode::OK, answer_headers, axum::Json(body)).into_response()
}
