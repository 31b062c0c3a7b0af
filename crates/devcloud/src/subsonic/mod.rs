//! `OpenSubsonic` at `/rest/` on the API listener (devcloud only): a test peer for Strato's
//! `OpenSubsonic` client, beside Supysonic, serving what Supysonic lacks (token and API key
//! authentication, `getOpenSubsonicExtensions`, structured lyrics) from the same catalog as
//! the REST API. A real AWS deployment of Strato does not serve it (`docs/api.md`).
//!
//! Every endpoint answers at `/rest/<name>` and `/rest/<name>.view`, to GET and to a form
//! POST (the `formPost` extension), in JSON (`f=json`) or XML. A request passes, in order:
//! its format, `c` and `v` (error 10), its credentials ([`credentials`]), then its endpoint.
//! Per-user state (stars, playlists, scrobbles) lives in devcloud's SQLite ([`store`]).

mod browse;
pub mod credentials;
pub mod envelope;
mod library;
mod lyrics;
mod mapping;
mod media;
pub mod params;
mod playlists;
mod store;

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::extract::{FromRequest as _, Path, Query, Request, State};
use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse as _, Response};
use axum::routing::{any, get};
use serde_json::{Map, Value, json};

use crate::catalog::Catalog;
use crate::db::Db;
use credentials::Credentials;
use envelope::{Format, SubsonicError};
use params::Params;

/// What the Subsonic endpoints need.
#[derive(Debug, Clone)]
pub struct SubsonicState {
    pub catalog: Arc<Catalog>,
    pub db: Db,
    /// Canonical path of the media dir: the files `stream` and `getCoverArt` send.
    pub media_root: Arc<PathBuf>,
    pub credentials: Arc<Credentials>,
}

/// The extensions devcloud implements, as `getOpenSubsonicExtensions` lists them.
const EXTENSIONS: [(&str, u32); 3] = [
    ("apiKeyAuthentication", 1),
    ("songLyrics", 1),
    ("formPost", 1),
];

/// `/rest/{method}` and the loopback-only `/admin/subsonic/scrobbles`, ready to merge into
/// the API router.
pub fn router<S>(state: SubsonicState) -> Router<S> {
    Router::new()
        .route("/rest/{method}", any(handle))
        .merge(
            Router::new()
                .route(
                    "/admin/subsonic/scrobbles",
                    get(library::scrobbles_received),
                )
                .layer(axum::middleware::from_fn(
                    crate::faults::admin::loopback_only,
                )),
        )
        .with_state(state)
}

/// What an endpoint answers: fields for the envelope, or a file (stream, cover art).
enum Reply {
    Fields(Map<String, Value>),
    File(Response),
}

impl Reply {
    fn empty() -> Self {
        Self::Fields(Map::new())
    }

    /// One field, e.g. `("album", {...})`.
    fn field(name: &str, value: Value) -> Self {
        let mut fields = Map::new();
        fields.insert(name.to_owned(), value);
        Self::Fields(fields)
    }
}

/// The request's parameters: its query, then a form body's fields (the `formPost`
/// extension).
async fn read_params(request: Request) -> Result<Params, SubsonicError> {
    let query = Query::<Vec<(String, String)>>::try_from_uri(request.uri())
        .map(|Query(pairs)| pairs)
        .map_err(|e| SubsonicError::generic(format!("The query is not readable: {e}.")))?;
    let mut pairs = query;
    if request.method() == Method::POST {
        let axum::Form(form) = axum::Form::<Vec<(String, String)>>::from_request(request, &())
            .await
            .map_err(|e| {
                SubsonicError::generic(format!(
                    "A POST must carry application/x-www-form-urlencoded fields: {}.",
                    e.body_text()
                ))
            })?;
        pairs.extend(form);
    }
    Ok(Params::new(pairs))
}

async fn handle(
    State(state): State<SubsonicState>,
    Path(method): Path<String>,
    request: Request,
) -> Response {
    let name = method.strip_suffix(".view").unwrap_or(&method).to_owned();
    let http_method = request.method().clone();
    let headers = request.headers().clone();
    // An unreadable request, or a format devcloud does not write, is said in JSON.
    let params = match read_params(request).await {
        Ok(params) => params,
        Err(error) => return error.into_response(Format::Json),
    };
    let Some(format) = Format::from_param(params.one("f")) else {
        return SubsonicError::generic(
            "devcloud answers f=json or XML (no f, or f=xml); jsonp is not served.",
        )
        .into_response(Format::Json);
    };
    let answer = answer(&state, &name, &params, &http_method, &headers).await;
    match answer {
        Ok(Reply::Fields(fields)) => envelope::ok(format, fields),
        Ok(Reply::File(response)) => response,
        Err(error) => error.into_response(format),
    }
}

/// Checks `c`, `v` and the credentials, then runs the endpoint.
async fn answer(
    state: &SubsonicState,
    name: &str,
    params: &Params,
    method: &Method,
    headers: &HeaderMap,
) -> Result<Reply, SubsonicError> {
    // Public, so a client can learn how to sign in before it does (the spec asks so).
    if name == "getOpenSubsonicExtensions" {
        return Ok(extensions());
    }
    params.required("c")?;
    params.required("v")?;
    let user = state.credentials.authenticate(params)?;
    let call = Call {
        state,
        user: &user,
        params,
    };
    match name {
        "ping" => Ok(Reply::empty()),
        // The apiKeyAuthentication extension's: whose credentials these are.
        "tokenInfo" => Ok(Reply::field("tokenInfo", json!({"username": user}))),
        "getLicense" => Ok(Reply::field(
            "license",
            json!({"valid": true, "email": format!("{user}@devcloud.invalid")}),
        )),
        "getMusicFolders" => Ok(Reply::field(
            "musicFolders",
            json!({"musicFolder": [{"id": browse::MUSIC_FOLDER_ID, "name": "Music"}]}),
        )),
        "getArtists" => browse::artists(&call).await,
        "getArtist" => browse::artist(&call).await,
        "getAlbum" => browse::album(&call).await,
        "getSong" => browse::song(&call).await,
        "getAlbumList2" => browse::album_list(&call).await,
        "search3" => browse::search(&call).await,
        "getCoverArt" => media::cover_art(&call, method, headers).await,
        "stream" => media::stream(&call, method, headers).await,
        "download" => media::download(&call, method, headers).await,
        "star" => library::star(&call, true).await,
        "unstar" => library::star(&call, false).await,
        "getStarred2" => library::starred(&call).await,
        "scrobble" => library::scrobble(&call).await,
        "getNowPlaying" => library::now_playing(&call).await,
        "getPlaylists" => playlists::list(&call).await,
        "getPlaylist" => playlists::get(&call).await,
        "createPlaylist" => playlists::create(&call).await,
        "updatePlaylist" => playlists::update(&call).await,
        "deletePlaylist" => playlists::delete(&call).await,
        "getLyricsBySongId" => lyrics::by_song_id(&call),
        other => Err(SubsonicError::not_found(format!(
            "The endpoint {other:?} (devcloud serves only what docs/api.md lists)"
        ))),
    }
}

/// An authenticated call: who asks, with what.
struct Call<'a> {
    state: &'a SubsonicState,
    user: &'a str,
    params: &'a Params,
}

impl Call<'_> {
    fn catalog(&self) -> &Catalog {
        &self.state.catalog
    }

    /// Runs `work` on the database thread.
    async fn db<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut rusqlite::Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, SubsonicError> {
        self.state
            .db
            .call(work)
            .await
            .map_err(|e| SubsonicError::internal(&e))?
            .map_err(|e| SubsonicError::internal(&e))
    }

    /// What this user starred.
    async fn starred(&self) -> Result<mapping::Starred, SubsonicError> {
        let user = self.user.to_owned();
        self.db(move |conn| store::starred(conn, &user)).await
    }
}

fn extensions() -> Reply {
    let list: Vec<Value> = EXTENSIONS
        .iter()
        .map(|(name, version)| json!({"name": name, "versions": [version]}))
        .collect();
    Reply::field("openSubsonicExtensions", Value::Array(list))
}

/// A response for a file, through the CDN's serving (ranges, ETags, HEAD).
async fn file_reply(
    state: &SubsonicState,
    relative: &str,
    method: &Method,
    headers: &HeaderMap,
) -> Result<Reply, SubsonicError> {
    let path = crate::cdn::serve::resolve(&state.media_root, relative)
        .await
        .ok_or_else(|| SubsonicError::not_found("The file"))?;
    let method = if method == Method::HEAD {
        Method::HEAD
    } else {
        Method::GET
    };
    Ok(Reply::File(
        crate::cdn::serve::file(&method, headers, &path)
            .await
            .into_response(),
    ))
}
