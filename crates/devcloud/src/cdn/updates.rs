//! Strato's own updates, as the CDN serves them to the app's updater (Tauri's plugin): a
//! public path, no signature, as release files are public everywhere.
//!
//! - `GET /updates/{target}/{arch}/{current_version}`: the newest release, when it is newer
//!   than `current_version` (semver), as the `latest.json` the release workflow writes
//!   (`version`, `notes`, `pub_date`, `platforms`: each `{os}-{arch}[-{installer}]` with its
//!   `url` and minisign `signature`), its relative URLs made absolute under
//!   `/updates/files/`; `204 No Content` when there is nothing newer or no release at all.
//! - `GET /updates/files/{name}`: a release's file.
//!
//! The release lives in `<data dir>/updates/`: `latest.json` and the files it names, read on
//! each request, so that a test can publish, or tamper with, a release while devcloud runs.
//! The app checks the signature itself; the server vouches for nothing.

use std::path::{Path, PathBuf};

use axum::Json;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::CdnState;
use super::serve;

/// The release folder's manifest.
const MANIFEST: &str = "latest.json";

/// `GET /updates/{target}/{arch}/{current_version}`.
pub async fn manifest(
    State(state): State<CdnState>,
    UrlPath((_target, _arch, current)): UrlPath<(String, String, String)>,
) -> Response {
    let path = state.updates_root.join(MANIFEST);
    let text = match tokio::fs::read_to_string(&path).await {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return StatusCode::NO_CONTENT.into_response();
        }
        Err(error) => return failed(&path, &error.to_string()),
    };
    // A release that is not JSON is served as it is: the app must refuse it in words, and
    // a test of that needs the damage to reach it.
    let Ok(mut release) = serde_json::from_str::<Value>(&text) else {
        return ([("content-type", "application/json")], text).into_response();
    };
    if !newer(&release, &current) {
        return StatusCode::NO_CONTENT.into_response();
    }
    absolute_urls(&mut release, &format!("{}/updates/files", state.base_url));
    Json(release).into_response()
}

/// `GET /updates/files/{name}`.
pub async fn file(
    State(state): State<CdnState>,
    method: Method,
    headers: HeaderMap,
    UrlPath(name): UrlPath<String>,
) -> Response {
    match serve::resolve(&state.updates_root, &name).await {
        Some(file) => serve::file(&method, &headers, &file).await,
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// Whether the release's version is newer than `current`; a version either side that is
/// not semver is taken as different, hence newer (the app compares again, and verifies).
fn newer(release: &Value, current: &str) -> bool {
    let offered = release
        .get("version")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let plain = |v: &str| semver::Version::parse(v.trim_start_matches('v')).ok();
    match (plain(offered), plain(current)) {
        (Some(offered), Some(current)) => offered > current,
        _ => offered != current,
    }
}

/// Makes each platform's relative `url` (a file name) absolute under `base`.
fn absolute_urls(release: &mut Value, base: &str) {
    let Some(platforms) = release.get_mut("platforms").and_then(Value::as_object_mut) else {
        return;
    };
    for platform in platforms.values_mut() {
        if let Some(url) = platform.get_mut("url")
            && let Some(name) = url.as_str()
            && !name.contains("://")
        {
            *url = Value::String(format!("{base}/{name}"));
        }
    }
}

fn failed(path: &Path, error: &str) -> Response {
    tracing::warn!(path = %path.display(), %error, "the release could not be read");
    StatusCode::INTERNAL_SERVER_ERROR.into_response()
}

/// The release folder under devcloud's data dir.
#[must_use]
pub fn folder(data_dir: &Path) -> PathBuf {
    data_dir.join("updates")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{absolute_urls, newer};

    #[test]
    fn only_a_newer_version_is_offered() {
        let release = json!({ "version": "0.2.0" });
        assert!(newer(&release, "0.1.0"));
        assert!(newer(&release, "0.1.9"));
        assert!(!newer(&release, "0.2.0"));
        assert!(!newer(&release, "1.0.0"));
        assert!(newer(&json!({ "version": "v0.3.0" }), "0.2.0"));
        assert!(newer(&json!({ "version": "next" }), "0.2.0"));
    }

    #[test]
    fn file_names_become_addresses_and_addresses_stay() {
        let mut release = json!({ "platforms": {
            "linux-x86_64-deb": { "url": "strato_0.2.0_amd64.deb", "signature": "s" },
            "windows-x86_64": { "url": "https://example.com/s.exe", "signature": "t" },
        }});
        absolute_urls(&mut release, "http://127.0.0.1:9/updates/files");
        assert_eq!(
            release["platforms"]["linux-x86_64-deb"]["url"],
            "http://127.0.0.1:9/updates/files/strato_0.2.0_amd64.deb"
        );
        assert_eq!(
            release["platforms"]["windows-x86_64"]["url"],
            "https://example.com/s.exe"
        );
    }
}
