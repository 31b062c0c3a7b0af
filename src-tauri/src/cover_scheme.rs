//! `cover://localhost/<album id>` (`http://cover.localhost/<album id>` on Windows): album art
//! for `<img>` tags, fetched by the core, so the web view itself never talks to the network.
//!
//! [`respond`] is the whole logic, a plain function of the core and the request's path, so
//! tests call it against a real signed-in [`App`]; [`handle`] only adapts it to Tauri.
//!
//! A service's cover is kept a day: a new cover of an album comes with a new version in the
//! window's URL. A local album's can change on disk under the same URL (a retagged file, a
//! new cover.jpg), so it is `no-cache` with an `ETag` (its files' paths, sizes and times):
//! the web view asks again each time and is answered `304 Not Modified`, with that `ETag`,
//! while it is the same (without one, when its files could not be looked at, it is sent
//! whole each time).

use strato_core::{App, CoverAnswer, CoverKeeping};
use tauri::http::{Request, Response, StatusCode, header};
use tauri::{Manager, Runtime, UriSchemeContext, UriSchemeResponder};

/// Longer than any album id; a longer path is not one.
const MAX_ALBUM_ID_LEN: usize = 128;

/// Tauri's handler: answers on the async runtime, never on the main thread.
// The handler's signature is Tauri's.
#[allow(clippy::needless_pass_by_value)]
pub fn handle<R: Runtime>(
    ctx: UriSchemeContext<'_, R>,
    request: Request<Vec<u8>>,
    responder: UriSchemeResponder,
) {
    let app = ctx.app_handle().clone();
    let path = request.uri().path().to_owned();
    let if_none_match = request
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    tauri::async_runtime::spawn(async move {
        let response = match app.try_state::<App>() {
            Some(core) => respond(&core, &path, if_none_match.as_deref()).await,
            // Before the core has started: nothing to show yet, the <img> falls back.
            None => not_found(),
        };
        responder.respond(response);
    });
}

/// The response to a request for `path` (`/<album id>`), the web view holding a copy of
/// `ETag` `if_none_match`: the album's cover with its content type, `304` when the copy is
/// still the cover, or an empty 404 for anything else (an unknown album, an album without a
/// cover, no session, or a path that is not a plain album id). The `<img>` shows its
/// fallback then.
pub async fn respond(core: &App, path: &str, if_none_match: Option<&str>) -> Response<Vec<u8>> {
    let Some(album_id) = album_id(path) else {
        tracing::debug!(path, "not a cover path");
        return not_found();
    };
    let known = if_none_match.map(|tag| tag.trim().trim_start_matches("W/").trim_matches('"'));
    let answer = core.cover_unless_unchanged(&album_id, known).await;
    let response = match answer {
        Ok(CoverAnswer::Unchanged { validator }) => Response::builder()
            .status(StatusCode::NOT_MODIFIED)
            .header(header::CACHE_CONTROL, "no-cache")
            .header(header::ETAG, format!("\"{validator}\""))
            .body(Vec::new()),
        Ok(CoverAnswer::Image {
            cover: (bytes, content_type),
            keeping,
        }) => {
            let cached = Response::builder().header(header::CONTENT_TYPE, content_type);
            match keeping {
                CoverKeeping::Versioned => cached.header(header::CACHE_CONTROL, "max-age=86400"),
                CoverKeeping::Revalidate { validator: None } => {
                    cached.header(header::CACHE_CONTROL, "no-cache")
                }
                CoverKeeping::Revalidate {
                    validator: Some(validator),
                } => cached
                    .header(header::CACHE_CONTROL, "no-cache")
                    .header(header::ETAG, format!("\"{validator}\"")),
            }
            .body(bytes.to_vec())
        }
        Err(err) => {
            tracing::debug!(album_id, %err, "no cover");
            return not_found();
        }
    };
    // Only a content type that is not a valid header value can fail here.
    response.unwrap_or_else(|_| not_found())
}

/// The album id a path names: one segment of letters, digits, `-` and `_`, as the service's
/// ids are, or a local album's (`local-album:` and hex digits, its colon escaped as the page's
/// URL has it). Anything else (`..`, more segments, other percent-escapes, an empty path)
/// names none, so nothing the page asks for can steer the request elsewhere.
fn album_id(path: &str) -> Option<String> {
    let id = path.strip_prefix('/').unwrap_or(path);
    if let Some(local) = local_album_id(id) {
        return Some(local);
    }
    let plain = !id.is_empty()
        && id.len() <= MAX_ALBUM_ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    plain.then(|| id.to_owned())
}

/// A local album's id (strato-local's `local-album:<hex>`), from the path's segment.
fn local_album_id(segment: &str) -> Option<String> {
    let rest = segment.strip_prefix("local-album")?;
    let hash = rest
        .strip_prefix("%3A")
        .or_else(|| rest.strip_prefix("%3a"))
        .or_else(|| rest.strip_prefix(':'))?;
    let hex = !hash.is_empty() && hash.len() <= 64 && hash.bytes().all(|b| b.is_ascii_hexdigit());
    hex.then(|| format!("local-album:{hash}"))
}

fn not_found() -> Response<Vec<u8>> {
    let mut response = Response::new(Vec::new());
    *response.status_mut() = StatusCode::NOT_FOUND;
    response
}

#[cfg(test)]
mod tests {
    use super::album_id;

    #[test]
    fn only_a_single_plain_segment_is_an_album_id() {
        assert_eq!(
            album_id("/al-northern-drift").as_deref(),
            Some("al-northern-drift")
        );
        assert_eq!(album_id("/al_2").as_deref(), Some("al_2"));
        // A local album's, its colon escaped by the page's URL.
        let local = Some("local-album:0123456789abcdef");
        assert_eq!(
            album_id("/local-album%3A0123456789abcdef").as_deref(),
            local
        );
        assert_eq!(album_id("/local-album:0123456789abcdef").as_deref(), local);
        for path in [
            "",
            "/",
            "/..",
            "/../etc/passwd",
            "/al-1/../al-2",
            "/al-1/",
            "/%2e%2e",
            "/al 1",
            "/al.jpg",
            "/local-album%3A",
            "/local-album%3A../x",
            "/local-album%3Aab%2Fcd",
            "/local-album%2F0123",
        ] {
            assert_eq!(album_id(path), None, "{path:?}");
        }
        assert_eq!(album_id(&format!("/{}", "a".repeat(129))), None);
    }
}
