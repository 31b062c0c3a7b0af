//! The CDN: S3 behind CloudFront, on its own listener.
//!
//! Two cache behaviours, as a real distribution has them:
//! - `/media/*`: private. Every request needs a valid CloudFront signature, from a signed URL's
//!   query string or from signed cookies; 403 with CloudFront's XML body otherwise.
//! - `/art/*`: public cover art, no signature (art is not worth protecting, and public art lets
//!   image caches and `<img>` tags work without cookies).
//! - `/updates/*`: Strato's own releases for the app's updater, public ([`updates`]).

pub mod access;
pub mod keys;
pub mod range;
pub mod serve;
pub mod signing;
pub mod updates;

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::Response;

use crate::faults::FaultPlan;
use crate::unix_now;
use crate::uploads::media::MediaStore;
use access::{denied, xml_error};
use signing::{Denial, Verifier};

/// What the CDN needs.
#[derive(Debug, Clone)]
pub struct CdnState {
    /// Canonical path of the media dir.
    pub media_root: Arc<PathBuf>,
    /// Published uploads: the same origin as the catalog in a real deployment, a second one
    /// here so the catalog's media dir stays read-only.
    pub published: Arc<dyn MediaStore>,
    /// `http://host:port` as clients reach the CDN; signed resources are URLs under it.
    pub base_url: Arc<str>,
    pub verifier: Arc<Verifier>,
    /// The folder of the release the updater is offered (`<data dir>/updates`).
    pub updates_root: Arc<PathBuf>,
}

/// The CDN's routes; fault and logging layers are added by the server.
pub fn router(state: CdnState) -> Router {
    Router::new()
        .route(
            "/updates/{target}/{arch}/{current_version}",
            axum::routing::get(updates::manifest),
        )
        .route("/updates/files/{name}", axum::routing::get(updates::file))
        .fallback(handle)
        .with_state(state)
}

async fn handle(State(state): State<CdnState>, request: Request) -> Response {
    let method = request.method().clone();
    if method != Method::GET && method != Method::HEAD {
        let mut response = xml_error(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            "Use GET or HEAD",
        );
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    let path = request.uri().path();
    // Which behaviour a request falls under is decided on the key storage will see (decoded
    // once, as each origin decodes it), never on the raw path: `/art/..%2Fmedia/…` must not
    // reach private media without a signature.
    let Some(key) = storage_key(path) else {
        return not_found();
    };
    let protected = key.starts_with("media/");
    if !protected && !key.starts_with("art/") {
        return not_found();
    }
    if protected {
        let plan = request.extensions().get::<FaultPlan>();
        if plan.is_some_and(|p| p.reject_signatures) {
            return denied(Denial::Expired);
        }
        let url = format!("{}{path}", state.base_url);
        let verdict = access::presented(request.uri().query(), request.headers())
            .and_then(|presented| state.verifier.verify(&presented, &url, unix_now()));
        if let Err(denial) = verdict {
            tracing::debug!(%path, ?denial, "refused");
            return denied(denial);
        }
    }
    if let Some(file) = serve::resolve(&state.media_root, &path[1..]).await {
        return serve::file(&method, request.headers(), &file).await;
    }
    state
        .published
        .serve(&method, request.headers(), &path[1..])
        .await
        .unwrap_or_else(not_found)
}

/// The object key a URL path names: percent-decoded, without its leading `/`; `None` when it is
/// not plain (empty, `.` or `..` segments, backslashes, NUL), which no origin is asked for.
fn storage_key(path: &str) -> Option<String> {
    let key = percent_encoding::percent_decode_str(path.strip_prefix('/')?)
        .decode_utf8()
        .ok()?;
    let plain = !key.contains(['\\', '\0'])
        && key
            .split('/')
            .all(|segment| !matches!(segment, "" | "." | ".."));
    plain.then(|| key.into_owned())
}

fn not_found() -> Response {
    xml_error(
        StatusCode::NOT_FOUND,
        "NoSuchKey",
        "The specified key does not exist.",
    )
}

#[cfg(test)]
mod tests {
    use super::storage_key;

    #[test]
    fn keys_are_decoded_once_and_plain() {
        assert_eq!(
            storage_key("/media/up-1/mp3/cbr%20128.mp3").as_deref(),
            Some("media/up-1/mp3/cbr 128.mp3")
        );
        assert_eq!(
            storage_key("/art/al-1.jpg").as_deref(),
            Some("art/al-1.jpg")
        );
        for bad in [
            "/art/..%2Fmedia%2Fup-x%2Fmp3%2Fcbr.mp3",
            "/art/../media/up-x/a.mp3",
            "/art/./al.jpg",
            "/media//up-1/a.mp3",
            "/media/up-1/a.mp3%00",
            "/art/a%5C..%5Cb.jpg",
            "/",
            "",
            "/art/%FF.jpg",
        ] {
            assert_eq!(storage_key(bad), None, "{bad}");
        }
    }
}
