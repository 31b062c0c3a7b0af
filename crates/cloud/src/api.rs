//! The typed REST client of a signed-in session: every `/v1` call of `docs/api.md`.
//!
//! - Each request carries a bearer token from the [`AuthSession`]; a 401 refreshes once (one
//!   refresh for all concurrent requests) and retries once.
//! - Idempotent requests (`GET`, `DELETE`, `PATCH` with `If-Match`, and `POST` with an
//!   `Idempotency-Key`) are retried on network errors, 5xx and 429, with exponential backoff
//!   and full jitter. Every POST carries an `Idempotency-Key`, kept across its retries.
//! - Playlist writes send `If-Match`; a 412 is a [`CloudErrorKind::Conflict`] whose
//!   [`CloudError::current_revision`] tells the sync layer what to rebase on.

use std::sync::Arc;
use std::time::Duration;

use rand::Rng as _;
use reqwest::header::{ETAG, HeaderMap, HeaderValue, IF_MATCH};
use reqwest::{Method, StatusCode};
use strato_model::api::{
    API_PREFIX, AddItems, Album, AlbumDetail, Artist, ArtistDetail, Availability,
    AvailabilityRequest, DownloadGrant, DownloadQuality, HomeFeed, MoveItem, NewPlaylist, Page,
    Playlist, PlaylistChanges, PlaylistPatch, PlaylistSummary, Problem, SearchResults, StreamGrant,
    Track,
};
use url::Url;

use crate::auth::AuthSession;
use crate::auth::session::Bearer;
use crate::{CloudError, CloudErrorKind, ServiceClient, Tokens};

/// Attempts of an idempotent request (the first and two retries).
const MAX_ATTEMPTS: u32 = 3;
/// Backoff before retry n is uniform in `[0, BASE · 2^n]` ("full jitter"): retries of many
/// clients after an outage spread out instead of arriving together.
const BACKOFF_BASE: Duration = Duration::from_millis(200);
const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// The typed REST client of a signed-in session. Cheap to clone; clones share the session.
#[derive(Debug, Clone)]
pub struct ApiClient {
    service: ServiceClient,
    session: Arc<AuthSession>,
}

impl ApiClient {
    /// A client for a session that just signed in.
    #[must_use]
    pub fn new(service: ServiceClient, tokens: Tokens) -> Self {
        let session = Arc::new(AuthSession::new(service.clone(), tokens));
        Self { service, session }
    }

    /// A client sharing an existing session (its refreshes and its end).
    #[must_use]
    pub fn with_session(session: Arc<AuthSession>) -> Self {
        Self {
            service: session.service().clone(),
            session,
        }
    }

    #[must_use]
    pub fn service(&self) -> &ServiceClient {
        &self.service
    }

    #[must_use]
    pub fn session(&self) -> &Arc<AuthSession> {
        &self.session
    }

    // ---- catalog ----

    /// One page of the whole catalog, in catalog order.
    pub async fn tracks(
        &self,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<Page<Track>, CloudError> {
        self.get(self.paged("tracks", cursor, limit), "load the catalog")
            .await
    }

    pub async fn track(&self, track_id: &str) -> Result<Track, CloudError> {
        self.get(
            self.endpoint(&format!("tracks/{}", encode(track_id))),
            "load the track",
        )
        .await
    }

    pub async fn albums(
        &self,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<Page<Album>, CloudError> {
        self.get(self.paged("albums", cursor, limit), "load the albums")
            .await
    }

    /// One page of albums, newest first (by year, then title).
    pub async fn newest_albums(
        &self,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<Page<Album>, CloudError> {
        let mut url = self.paged("albums", cursor, limit);
        url.query_pairs_mut().append_pair("sort", "newest");
        self.get(url, "load the new albums").await
    }

    pub async fn album(&self, album_id: &str) -> Result<AlbumDetail, CloudError> {
        self.get(
            self.endpoint(&format!("albums/{}", encode(album_id))),
            "load the album",
        )
        .await
    }

    pub async fn artists(
        &self,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<Page<Artist>, CloudError> {
        self.get(self.paged("artists", cursor, limit), "load the artists")
            .await
    }

    pub async fn artist(&self, artist_id: &str) -> Result<ArtistDetail, CloudError> {
        self.get(
            self.endpoint(&format!("artists/{}", encode(artist_id))),
            "load the artist",
        )
        .await
    }

    pub async fn search(&self, query: &str, limit: u32) -> Result<SearchResults, CloudError> {
        if query.trim().is_empty() {
            return Err(CloudError::new(
                CloudErrorKind::InvalidInput,
                "Type something to search for.",
            ));
        }
        let mut url = self.endpoint("search");
        url.query_pairs_mut()
            .append_pair("q", query.trim())
            .append_pair("limit", &limit.to_string());
        self.get(url, "search").await
    }

    pub async fn home(&self) -> Result<HomeFeed, CloudError> {
        self.get(self.endpoint("home"), "load the home page").await
    }

    // ---- streaming and downloads ----

    /// Where to fetch a track and the CDN credentials to do it with.
    pub async fn stream_grant(&self, track_id: &str) -> Result<StreamGrant, CloudError> {
        let url = self.endpoint(&format!("tracks/{}/stream", encode(track_id)));
        self.get(url, "start the track").await
    }

    /// The signed URL of a track's file at `quality`, for keeping it offline.
    pub async fn download_grant(
        &self,
        track_id: &str,
        quality: DownloadQuality,
    ) -> Result<DownloadGrant, CloudError> {
        let mut url = self.endpoint(&format!("tracks/{}/download", encode(track_id)));
        url.query_pairs_mut()
            .append_pair("quality", quality.as_str());
        self.get(url, "download the track").await
    }

    /// Which of `track_ids` (at most [`AvailabilityRequest::MAX_TRACKS`]) the listener can
    /// no longer play: deleted, taken down, or made private by their owner. A question, not
    /// a write: safe to retry.
    pub async fn unavailable_tracks(
        &self,
        track_ids: &[String],
    ) -> Result<Vec<String>, CloudError> {
        let body = AvailabilityRequest {
            track_ids: track_ids.to_vec(),
        };
        let request = Request::new(
            Method::POST,
            self.endpoint("tracks/availability"),
            "check your offline tracks",
        )
        .json(&body)?
        .retry_safe();
        let answer: Availability = self.send_json(request).await?;
        Ok(answer.unavailable)
    }

    // ---- playlists ----

    pub async fn playlists(&self) -> Result<Vec<PlaylistSummary>, CloudError> {
        self.get(self.endpoint("playlists"), "load your playlists")
            .await
    }

    pub async fn playlist(&self, playlist_id: &str) -> Result<Playlist, CloudError> {
        self.get(self.playlist_url(playlist_id, ""), "load the playlist")
            .await
    }

    /// Creates a playlist. `idempotency_key` makes a retry (even after a restart) safe: pass
    /// the sync layer's operation id, or `None` for a fresh key.
    pub async fn create_playlist(
        &self,
        new: &NewPlaylist,
        idempotency_key: Option<&str>,
    ) -> Result<Playlist, CloudError> {
        let request = Request::new(
            Method::POST,
            self.endpoint("playlists"),
            "create the playlist",
        )
        .json(new)?
        .idempotency_key(idempotency_key);
        self.send_json(request).await
    }

    /// Renames or re-describes a playlist at `revision`.
    pub async fn update_playlist(
        &self,
        playlist_id: &str,
        revision: u64,
        patch: &PlaylistPatch,
    ) -> Result<Playlist, CloudError> {
        let request = Request::new(
            Method::PATCH,
            self.playlist_url(playlist_id, ""),
            "change the playlist",
        )
        .json(patch)?
        .if_match(revision);
        self.send_json(request).await
    }

    /// Shows a playlist on its owner's page for every listener, or stops. At any revision
    /// (`If-Match: *`): sharing does not depend on what the playlist holds, so it never
    /// conflicts with an edit made elsewhere (it still bumps the revision, as every write).
    pub async fn set_playlist_public(
        &self,
        playlist_id: &str,
        public: bool,
    ) -> Result<Playlist, CloudError> {
        let patch = PlaylistPatch {
            public: Some(public),
            ..PlaylistPatch::default()
        };
        let request = Request::new(
            Method::PATCH,
            self.playlist_url(playlist_id, ""),
            if public {
                "share the playlist"
            } else {
                "stop sharing the playlist"
            },
        )
        .json(&patch)?
        .if_match_any()
        .retry_safe();
        self.send_json(request).await
    }

    pub async fn delete_playlist(
        &self,
        playlist_id: &str,
        revision: u64,
    ) -> Result<(), CloudError> {
        let request = Request::new(
            Method::DELETE,
            self.playlist_url(playlist_id, ""),
            "delete the playlist",
        )
        .if_match(revision);
        self.send(request).await.map(drop)
    }

    pub async fn add_playlist_items(
        &self,
        playlist_id: &str,
        revision: u64,
        items: &AddItems,
        idempotency_key: Option<&str>,
    ) -> Result<Playlist, CloudError> {
        let request = Request::new(
            Method::POST,
            self.playlist_url(playlist_id, "/items"),
            "add to the playlist",
        )
        .json(items)?
        .if_match(revision)
        .idempotency_key(idempotency_key);
        self.send_json(request).await
    }

    pub async fn remove_playlist_item(
        &self,
        playlist_id: &str,
        revision: u64,
        item_id: &str,
    ) -> Result<Playlist, CloudError> {
        let url = self.playlist_url(playlist_id, &format!("/items/{}", encode(item_id)));
        let request =
            Request::new(Method::DELETE, url, "remove from the playlist").if_match(revision);
        self.send_json(request).await
    }

    pub async fn move_playlist_item(
        &self,
        playlist_id: &str,
        revision: u64,
        item_id: &str,
        to: MoveItem,
        idempotency_key: Option<&str>,
    ) -> Result<Playlist, CloudError> {
        let url = self.playlist_url(playlist_id, &format!("/items/{}/move", encode(item_id)));
        let request = Request::new(Method::POST, url, "move the playlist item")
            .json(&to)?
            .if_match(revision)
            .idempotency_key(idempotency_key);
        self.send_json(request).await
    }

    /// Playlist changes after `since` (0 for all); pass the answer's `cursor` next time.
    pub async fn playlist_changes(&self, since: u64) -> Result<PlaylistChanges, CloudError> {
        let mut url = self.endpoint("playlists/changes");
        url.query_pairs_mut()
            .append_pair("since", &since.to_string());
        self.get(url, "sync your playlists").await
    }

    // ---- plumbing ----

    pub(crate) fn endpoint(&self, path: &str) -> Url {
        self.service
            .base
            .join(&format!("{}/{path}", API_PREFIX.trim_start_matches('/')))
            .expect("API paths are valid relative URLs")
    }

    pub(crate) fn paged(&self, path: &str, cursor: Option<&str>, limit: u32) -> Url {
        let mut url = self.endpoint(path);
        url.query_pairs_mut()
            .append_pair("limit", &limit.to_string());
        if let Some(cursor) = cursor {
            url.query_pairs_mut().append_pair("cursor", cursor);
        }
        url
    }

    fn playlist_url(&self, playlist_id: &str, rest: &str) -> Url {
        self.endpoint(&format!("playlists/{}{rest}", encode(playlist_id)))
    }

    pub(crate) async fn get<T: serde::de::DeserializeOwned>(
        &self,
        url: Url,
        what: &'static str,
    ) -> Result<T, CloudError> {
        self.send_json(Request::new(Method::GET, url, what)).await
    }

    pub(crate) async fn send_json<T: serde::de::DeserializeOwned>(
        &self,
        request: Request,
    ) -> Result<T, CloudError> {
        let what = request.what;
        let response = self.send(request).await?;
        response
            .json()
            .await
            .map_err(|e| CloudError::transport(e, what))
    }

    /// Sends with auth, one refresh on 401, and retries when the request is idempotent.
    pub(crate) async fn send(&self, request: Request) -> Result<reqwest::Response, CloudError> {
        let mut bearer = self.session.bearer().await?;
        let mut refreshed = false;
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.send_once(&request, &bearer).await {
                Ok(response) => return Ok(response),
                Err(err) if err.status() == Some(401) && !refreshed => {
                    tracing::debug!(what = request.what, "401: refreshing the session once");
                    refreshed = true;
                    bearer = self.session.bearer_after_unauthorized(&bearer).await?;
                }
                Err(err)
                    if err.is_transient() && request.is_idempotent() && attempt < MAX_ATTEMPTS =>
                {
                    let ceiling = BACKOFF_BASE * 2u32.pow(attempt - 1);
                    let wait = rand::thread_rng().gen_range(Duration::ZERO..=ceiling);
                    tracing::debug!(what = request.what, attempt, ?wait, error = %err, "retrying");
                    tokio::time::sleep(wait).await;
                }
                Err(err) => return Err(err),
            }
        }
    }

    async fn send_once(
        &self,
        request: &Request,
        bearer: &Bearer,
    ) -> Result<reqwest::Response, CloudError> {
        let trace = crate::trace::Trace::current();
        tracing::debug!(
            method = %request.method,
            url = %request.url,
            trace = trace.as_ref().map(crate::trace::Trace::root),
            "API request"
        );
        let mut builder = self
            .service
            .http
            .request(request.method.clone(), request.url.clone())
            .bearer_auth(&bearer.token)
            .headers(request.headers.clone());
        if let Some(trace) = &trace {
            builder = builder.header(crate::trace::TRACE_HEADER, trace.header());
        }
        if let Some(body) = &request.body {
            builder = builder
                .header(reqwest::header::CONTENT_TYPE, request.content_type)
                .body(body.clone());
        }
        let response = builder
            .send()
            .await
            .map_err(|e| CloudError::transport(e, request.what))?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let revision = (status == StatusCode::PRECONDITION_FAILED)
            .then(|| response.headers().get(ETAG).and_then(parse_etag))
            .flatten();
        let problem = response.json::<Problem>().await.ok();
        Err(
            CloudError::from_response(status.as_u16(), problem, request.what)
                .with_revision(revision),
        )
    }
}

/// One API request, kept whole so that it can be sent again.
pub(crate) struct Request {
    method: Method,
    url: Url,
    headers: HeaderMap,
    body: Option<Vec<u8>>,
    /// The body's type: JSON unless [`Request::raw`] says otherwise.
    content_type: &'static str,
    /// Safe to send twice though nothing in the request says so (a PATCH of plain values).
    retry_safe: bool,
    what: &'static str,
}

impl Request {
    pub(crate) fn new(method: Method, url: Url, what: &'static str) -> Self {
        Self {
            method,
            url,
            headers: HeaderMap::new(),
            body: None,
            content_type: "application/json",
            retry_safe: false,
            what,
        }
    }

    /// A body of another type than JSON (an image).
    pub(crate) fn raw(mut self, body: Vec<u8>, content_type: &'static str) -> Self {
        self.body = Some(body);
        self.content_type = content_type;
        self
    }

    /// Marks a request that sending twice does no harm to.
    pub(crate) fn retry_safe(mut self) -> Self {
        self.retry_safe = true;
        self
    }

    pub(crate) fn json(mut self, body: &impl serde::Serialize) -> Result<Self, CloudError> {
        self.body = Some(serde_json::to_vec(body).map_err(|e| {
            CloudError::new(CloudErrorKind::InvalidInput, "That request cannot be sent.")
                .with_source(e)
        })?);
        Ok(self)
    }

    fn if_match(mut self, revision: u64) -> Self {
        let value =
            HeaderValue::from_str(&format!("\"{revision}\"")).expect("digits are a valid header");
        self.headers.insert(IF_MATCH, value);
        self
    }

    /// `If-Match: *`: any revision.
    fn if_match_any(mut self) -> Self {
        self.headers.insert(IF_MATCH, HeaderValue::from_static("*"));
        self
    }

    /// The caller's key, or a fresh one: the same for every retry of this request.
    pub(crate) fn idempotency_key(mut self, key: Option<&str>) -> Self {
        let key = key.map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_owned);
        if let Ok(value) = HeaderValue::from_str(&key) {
            self.headers.insert(IDEMPOTENCY_KEY, value);
        }
        self
    }

    /// Safe to send twice: reads, deletes and conditional writes by nature; POSTs only with a
    /// key the service deduplicates on.
    fn is_idempotent(&self) -> bool {
        if self.retry_safe {
            return true;
        }
        match self.method {
            Method::GET | Method::HEAD | Method::DELETE | Method::PUT => true,
            Method::PATCH => self.headers.contains_key(IF_MATCH),
            Method::POST => self.headers.contains_key(IDEMPOTENCY_KEY),
            _ => false,
        }
    }
}

/// `"7"` or `W/"7"` → 7.
fn parse_etag(value: &HeaderValue) -> Option<u64> {
    value
        .to_str()
        .ok()?
        .trim_start_matches("W/")
        .trim_matches('"')
        .parse()
        .ok()
}

/// Percent-encodes one path segment.
pub(crate) fn encode(segment: &str) -> String {
    url::form_urlencoded::byte_serialize(segment.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etags_name_revisions() {
        assert_eq!(parse_etag(&HeaderValue::from_static("\"7\"")), Some(7));
        assert_eq!(parse_etag(&HeaderValue::from_static("W/\"12\"")), Some(12));
        assert_eq!(parse_etag(&HeaderValue::from_static("abc")), None);
    }

    #[test]
    fn only_safe_requests_are_retried() {
        let url = Url::parse("http://x.example/v1/playlists").unwrap();
        let bare_post = Request::new(Method::POST, url.clone(), "x");
        assert!(!bare_post.is_idempotent());
        assert!(
            Request::new(Method::POST, url.clone(), "x")
                .idempotency_key(None)
                .is_idempotent()
        );
        assert!(Request::new(Method::GET, url.clone(), "x").is_idempotent());
        assert!(!Request::new(Method::PATCH, url.clone(), "x").is_idempotent());
        assert!(
            Request::new(Method::PATCH, url, "x")
                .if_match(3)
                .is_idempotent()
        );
    }
}
