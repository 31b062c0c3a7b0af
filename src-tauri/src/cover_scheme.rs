//! `cover://localhost/<album id>`: album art for `<img>` tags, fetched by the core, so the
//! web view itself never talks to the network.

// The handler's signature is Tauri's.
#![allow(clippy::needless_pass_by_value)]

use strato_core::App;
use tauri::http::{Request, Response, StatusCode, header};
use tauri::{Manager, Runtime, UriSchemeContext, UriSchemeResponder};

pub fn handle<R: Runtime>(
    ctx: UriSchemeContext<'_, R>,
    request: Request<Vec<u8>>,
    responder: UriSchemeResponder,
) {
    let app = ctx.app_handle().clone();
    let album_id = request.uri().path().trim_start_matches('/').to_owned();
    tauri::async_runtime::spawn(async move {
        let core = app.state::<App>();
        let response = match core.cover(&album_id).await {
            Ok((bytes, content_type)) => Response::builder()
                .header(header::CONTENT_TYPE, content_type)
                .header(header::CACHE_CONTROL, "max-age=86400")
                .body(bytes.to_vec()),
            Err(err) => {
                tracing::debug!(album_id, %err, "no cover");
                Response::builder()
                    .status(StatusCode::NOT_FOUND)
                    .body(Vec::new())
            }
        };
        responder.respond(response.unwrap_or_else(|_| Response::new(Vec::new())));
    });
}
