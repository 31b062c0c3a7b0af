//! An LRCLIB-compatible lyrics endpoint on loopback, for the lyrics tests: `GET /api/get`
//! answered as LRCLIB documents it (its API page) and as its server does, so a client that
//! passes here asks what the real service answers.
//!
//! - `track_name` and `artist_name` are required and must not be empty; `duration`, when
//!   given, is a number of seconds from 1 to 3600; `album_name` is optional. Anything else is
//!   a 400 in LRCLIB's error shape, `{"message", "name": "ValidationError", "statusCode"}`.
//! - A registered entry matches when its track and artist (and album, when asked) are the
//!   same, case and surrounding spaces aside, and, when a duration is asked, its duration is
//!   within 2 s of it ("±2 seconds", as LRCLIB says). No match is LRCLIB's 404,
//!   `{"message": "Failed to find specified track", "name": "TrackNotFound", ...}`.
//! - A match is the API's record: `id`, `name`, `trackName`, `artistName`, `albumName`,
//!   `duration`, `instrumental`, `plainLyrics`, `syncedLyrics` (null when absent).
//! - Every request is counted and kept ([`LrclibEndpoint::requests`]), with its
//!   `User-Agent`, so a test can prove a cache answered instead.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;

use crate::TestServer;

/// How far a record's duration may be from the one asked, in seconds (LRCLIB's ±2 s).
pub const DURATION_TOLERANCE_SECS: f64 = 2.0;

/// A record the endpoint serves.
#[derive(Debug, Clone, PartialEq)]
pub struct LrclibRecord {
    pub track_name: String,
    pub artist_name: String,
    pub album_name: String,
    /// Seconds.
    pub duration: f64,
    pub instrumental: bool,
    pub plain_lyrics: Option<String>,
    pub synced_lyrics: Option<String>,
}

impl LrclibRecord {
    /// A record with synced lyrics (and their plain text, as LRCLIB keeps both).
    #[must_use]
    pub fn synced(track: &str, artist: &str, album: &str, duration: f64, lrc: &str) -> Self {
        let plain = lrc
            .lines()
            .map(|line| line.rsplit(']').next().unwrap_or(line).trim())
            .collect::<Vec<_>>()
            .join("\n");
        Self {
            synced_lyrics: Some(lrc.to_owned()),
            plain_lyrics: Some(plain),
            ..Self::instrumental(track, artist, album, duration)
        }
        .with_words()
    }

    /// A record with plain lyrics only.
    #[must_use]
    pub fn plain(track: &str, artist: &str, album: &str, duration: f64, text: &str) -> Self {
        Self {
            plain_lyrics: Some(text.to_owned()),
            ..Self::instrumental(track, artist, album, duration)
        }
        .with_words()
    }

    /// A record of an instrumental track: no lyrics at all.
    #[must_use]
    pub fn instrumental(track: &str, artist: &str, album: &str, duration: f64) -> Self {
        Self {
            track_name: track.to_owned(),
            artist_name: artist.to_owned(),
            album_name: album.to_owned(),
            duration,
            instrumental: true,
            plain_lyrics: None,
            synced_lyrics: None,
        }
    }

    fn with_words(mut self) -> Self {
        self.instrumental = false;
        self
    }
}

/// One request as the endpoint saw and answered it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LrclibRequest {
    /// The query's parameters as sent.
    pub query: HashMap<String, String>,
    pub user_agent: Option<String>,
    /// The status answered.
    pub status: u16,
}

/// The endpoint; stops when dropped.
#[derive(Debug)]
pub struct LrclibEndpoint {
    server: TestServer,
    shared: Arc<Mutex<Shared>>,
}

#[derive(Debug, Default)]
struct Shared {
    records: Vec<LrclibRecord>,
    requests: Vec<LrclibRequest>,
}

impl LrclibEndpoint {
    /// Serves on loopback, with no records yet.
    pub async fn start() -> Self {
        let shared = Arc::new(Mutex::new(Shared::default()));
        let router = Router::new()
            .route("/api/get", get(get_lyrics))
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

    /// Serves `record` from now on; its id (from 1).
    #[allow(clippy::must_use_candidate, reason = "the record served is the point")]
    pub fn add(&self, record: LrclibRecord) -> usize {
        let mut shared = lock(&self.shared);
        shared.records.push(record);
        shared.records.len()
    }

    /// Every request so far, in order.
    #[must_use]
    pub fn requests(&self) -> Vec<LrclibRequest> {
        lock(&self.shared).requests.clone()
    }

    /// How many requests reached `/api/get`.
    #[must_use]
    pub fn request_count(&self) -> usize {
        lock(&self.shared).requests.len()
    }
}

fn lock(shared: &Mutex<Shared>) -> std::sync::MutexGuard<'_, Shared> {
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

async fn get_lyrics(
    State(shared): State<Arc<Mutex<Shared>>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let mut shared = lock(&shared);
    let (status, body) = answer(&shared.records, &query);
    shared.requests.push(LrclibRequest {
        query,
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned),
        status: status.as_u16(),
    });
    (status, axum::Json(body)).into_response()
}

fn answer(
    records: &[LrclibRecord],
    query: &HashMap<String, String>,
) -> (StatusCode, serde_json::Value) {
    let required = |name: &str| {
        query
            .get(name)
            .map(String::as_str)
            .filter(|value| !value.is_empty())
            .ok_or_else(|| validation(&format!("{name}: cannot be empty")))
    };
    let (track, artist) = match (required("track_name"), required("artist_name")) {
        (Ok(track), Ok(artist)) => (track, artist),
        (Err(error), _) | (_, Err(error)) => return error,
    };
    let duration = match query.get("duration").map(|text| text.trim().parse::<f64>()) {
        None => None,
        Some(Ok(seconds)) if (1.0..=3600.0).contains(&seconds) => Some(seconds),
        Some(Ok(_)) => return validation("duration: must be between 1 and 3600"),
        Some(Err(_)) => {
            return validation("Failed to deserialize query string: duration: invalid float");
        }
    };
    let album = query.get("album_name").map(|album| fold(album));
    let found = records.iter().enumerate().find(|(_, record)| {
        fold(&record.track_name) == fold(track)
            && fold(&record.artist_name) == fold(artist)
            && album
                .as_ref()
                .is_none_or(|album| *album == fold(&record.album_name))
            && duration
                .is_none_or(|seconds| (record.duration - seconds).abs() <= DURATION_TOLERANCE_SECS)
    });
    let Some((index, record)) = found else {
        return (
            StatusCode::NOT_FOUND,
            json!({
                "message": "Failed to find specified track",
                "name": "TrackNotFound",
                "statusCode": 404,
            }),
        );
    };
    (
        StatusCode::OK,
        json!({
            "id": index + 1,
            "name": record.track_name,
            "trackName": record.track_name,
            "artistName": record.artist_name,
            "albumName": record.album_name,
            "duration": record.duration,
            "instrumental": record.instrumental,
            "plainLyrics": record.plain_lyrics,
            "syncedLyrics": record.synced_lyrics,
        }),
    )
}

fn validation(message: &str) -> (StatusCode, serde_json::Value) {
    (
        StatusCode::BAD_REQUEST,
        json!({"message": message, "name": "ValidationError", "statusCode": 400}),
    )
}

/// LRCLIB compares names lower-cased and trimmed.
fn fold(name: &str) -> String {
    name.trim().to_lowercase()
}
