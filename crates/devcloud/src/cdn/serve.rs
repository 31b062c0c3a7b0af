//! Serving files from the media dir like S3 behind CloudFront: GET and HEAD, single ranges,
//! strong ETags and `If-None-Match`, content types by extension, streamed from disk.

use std::path::{Component, Path, PathBuf};
use std::time::UNIX_EPOCH;

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use percent_encoding::percent_decode_str;
use tokio::io::{AsyncReadExt as _, AsyncSeekExt as _};
use tokio_util::io::ReaderStream;

use super::access::xml_error;
use super::range::{self, Ranged};

/// Read size of the file stream.
const CHUNK: usize = 64 * 1024;
/// Segments, MP3s, FLAC and art never change under a name.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Playlists get a short lifetime, as live-capable HLS needs.
const PLAYLIST: &str = "public, max-age=60";

/// The content type of a file by its extension.
#[must_use]
pub fn content_type(path: &Path) -> &'static str {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
    {
        "m3u8" => "application/vnd.apple.mpegurl",
        "ts" => "video/mp2t",
        "aac" => "audio/aac",
        "m4s" => "video/iso.segment",
        "mp4" | "m4a" => "audio/mp4",
        "mp3" => "audio/mpeg",
        "flac" => "audio/flac",
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "json" => "application/json",
        _ => "application/octet-stream",
    }
}

/// The `Cache-Control` of a file by its extension: playlists a minute, the rest for good.
#[must_use]
pub fn cache_control(path: &Path) -> &'static str {
    if path.extension().is_some_and(|e| e == "m3u8") {
        PLAYLIST
    } else {
        IMMUTABLE
    }
}

/// The file under `root` that a URL path (percent-encoded, after the leading `/`) names, or
/// `None` if it tries to leave `root`, names a directory or does not exist.
pub async fn resolve(root: &Path, url_path: &str) -> Option<PathBuf> {
    let decoded = percent_decode_str(url_path).decode_utf8().ok()?;
    let relative = Path::new(decoded.as_ref());
    let plain = relative
        .components()
        .all(|c| matches!(c, Component::Normal(_)));
    if !plain || decoded.contains(['\\', '\0']) || decoded.contains("//") || decoded.is_empty() {
        return None;
    }
    // Symlinks must not lead out of the root either.
    let real = tokio::fs::canonicalize(root.join(relative)).await.ok()?;
    if !real.starts_with(root) {
        return None;
    }
    let metadata = tokio::fs::metadata(&real).await.ok()?;
    metadata.is_file().then_some(real)
}

/// Answers a GET or HEAD for `path` (already authorised and resolved).
pub async fn file(method: &Method, headers: &HeaderMap, path: &Path) -> Response {
    let mut file = match tokio::fs::File::open(path).await {
        Ok(file) => file,
        Err(error) => return internal(&error),
    };
    let metadata = match file.metadata().await {
        Ok(metadata) => metadata,
        Err(error) => return internal(&error),
    };
    let len = metadata.len();
    let modified = metadata
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    let etag = format!("\"{len:x}-{modified:x}\"");

    let mut common = HeaderMap::new();
    common.insert(header::ETAG, header_value(&etag));
    common.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(cache_control(path)),
    );
    common.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));

    if etag_listed(headers.get(header::IF_NONE_MATCH), &etag) {
        return (StatusCode::NOT_MODIFIED, common).into_response();
    }
    common.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(path)),
    );

    let if_range_ok = headers
        .get(header::IF_RANGE)
        .is_none_or(|value| value.to_str().is_ok_and(|v| v.trim() == etag));
    let range_header = headers.get(header::RANGE).and_then(|v| v.to_str().ok());
    let ranged = if if_range_ok {
        range::parse(range_header, len)
    } else {
        Ranged::Full
    };
    let (status, start, count) = match ranged {
        Ranged::Full => (StatusCode::OK, 0, len),
        Ranged::Partial { start, end } => {
            let value = format!("bytes {start}-{end}/{len}");
            common.insert(header::CONTENT_RANGE, header_value(&value));
            (StatusCode::PARTIAL_CONTENT, start, end - start + 1)
        }
        Ranged::Unsatisfiable => {
            let mut response = xml_error(
                StatusCode::RANGE_NOT_SATISFIABLE,
                "InvalidRange",
                "The requested range is not satisfiable",
            );
            response.headers_mut().extend(common);
            response.headers_mut().insert(
                header::CONTENT_RANGE,
                header_value(&format!("bytes */{len}")),
            );
            return response;
        }
    };
    common.insert(header::CONTENT_LENGTH, HeaderValue::from(count));
    if method == Method::HEAD {
        return (status, common).into_response();
    }
    if start > 0
        && let Err(error) = file.seek(std::io::SeekFrom::Start(start)).await
    {
        return internal(&error);
    }
    let stream = ReaderStream::with_capacity(file.take(count), CHUNK);
    (status, common, Body::from_stream(stream)).into_response()
}

/// Whether an `If-None-Match` value lists `etag` (weak comparison, as RFC 9110 asks) or is `*`.
fn etag_listed(value: Option<&HeaderValue>, etag: &str) -> bool {
    let Some(value) = value.and_then(|v| v.to_str().ok()) else {
        return false;
    };
    value
        .split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag.trim_start_matches("W/") == etag)
}

fn header_value(text: &str) -> HeaderValue {
    HeaderValue::from_str(text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn internal(error: &std::io::Error) -> Response {
    tracing::error!(%error, "reading a media file");
    xml_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "InternalError",
        "We encountered an internal error",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_follow_extensions() {
        for (name, expected) in [
            ("a/master.m3u8", "application/vnd.apple.mpegurl"),
            ("seg001.ts", "video/mp2t"),
            ("seg.aac", "audio/aac"),
            ("seg1.m4s", "video/iso.segment"),
            ("init.mp4", "audio/mp4"),
            ("cbr.mp3", "audio/mpeg"),
            ("reference.flac", "audio/flac"),
            ("key.key", "application/octet-stream"),
            ("k.bin", "application/octet-stream"),
            ("al-1.jpg", "image/jpeg"),
            ("al-1.png", "image/png"),
        ] {
            assert_eq!(content_type(Path::new(name)), expected, "{name}");
        }
    }

    #[test]
    fn if_none_match_lists() {
        let etag = "\"a-b\"";
        let check = |v: &str| etag_listed(Some(&HeaderValue::from_str(v).unwrap()), etag);
        assert!(check("\"a-b\""));
        assert!(check("\"x\", W/\"a-b\""));
        assert!(check("*"));
        assert!(!check("\"a-c\""));
        assert!(!etag_listed(None, etag));
    }

    #[tokio::test]
    async fn resolving_stays_inside_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("root");
        std::fs::create_dir_all(root.join("media/t")).unwrap();
        std::fs::write(root.join("media/t/a.mp3"), b"x").unwrap();
        std::fs::write(dir.path().join("secret"), b"s").unwrap();
        std::os::unix::fs::symlink(dir.path().join("secret"), root.join("media/t/link")).unwrap();
        let root = std::fs::canonicalize(&root).unwrap();
        assert!(resolve(&root, "media/t/a.mp3").await.is_some());
        assert!(resolve(&root, "media/t/%61.mp3").await.is_some());
        for bad in [
            "media/../../secret",
            "media/t/%2e%2e/%2e%2e/../secret",
            "media/t/link",
            "media/t",
            "media//t/a.mp3",
            "/etc/passwd",
            "media/t/a.mp3%00",
            "",
        ] {
            assert!(resolve(&root, bad).await.is_none(), "{bad}");
        }
    }
}
