//! A folder served over HTTP, for tests of media at plain addresses (`strato play <url>`):
//! an axum router to hand to [`TestServer`](crate::TestServer).
//!
//! `GET /<path>` answers the file `<root>/<path>` (200, whole), or 404 when there is none.
//! Two prefixes stand in for a server misbehaving at one address:
//! - `/status/<code>/<path>` answers `<code>` with a short text body (a 403, a 503);
//! - `/silent/<path>` never answers (the request waits until the client gives up).

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The router serving `root` as described above.
pub fn file_router(root: impl Into<PathBuf>) -> Router {
    Router::new()
        .fallback(serve)
        .with_state(Arc::new(root.into()))
}

async fn serve(State(root): State<Arc<PathBuf>>, request: Request) -> Response {
    let path = request.uri().path().to_owned();
    if let Some(rest) = path.strip_prefix("/status/") {
        let code = rest.split('/').next().unwrap_or_default();
        let status = code
            .parse::<u16>()
            .ok()
            .and_then(|c| StatusCode::from_u16(c).ok())
            .unwrap_or(StatusCode::BAD_REQUEST);
        return (status, format!("status {status} on purpose\n")).into_response();
    }
    if path.starts_with("/silent/") {
        std::future::pending::<()>().await;
    }
    let Some(file) = inside(&root, &path) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match tokio::fs::read(&file).await {
        Ok(bytes) => {
            let kind = match file.extension().and_then(|e| e.to_str()) {
                Some("m3u8" | "m3u") => "application/vnd.apple.mpegurl",
                Some("ts") => "video/mp2t",
                Some("mp3") => "audio/mpeg",
                _ => "application/octet-stream",
            };
            ([(header::CONTENT_TYPE, kind)], Body::from(bytes)).into_response()
        }
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

/// The file a URL path names under `root`; `None` for a path that would leave it.
fn inside(root: &Path, url_path: &str) -> Option<PathBuf> {
    let relative = Path::new(url_path.trim_start_matches('/'));
    relative
        .components()
        .all(|c| matches!(c, Component::Normal(_)))
        .then(|| root.join(relative))
}
