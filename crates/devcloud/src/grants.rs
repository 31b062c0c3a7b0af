//! `/v1/tracks/{id}/stream` and `/v1/tracks/{id}/download`: short-lived CDN credentials.
//!
//! Streaming gets signed cookies over the track's HLS folder (a custom policy with a `*`
//! resource, since the player fetches many segment URLs it cannot know in advance) and a signed
//! URL to the CBR MP3 (a canned policy over one URL). Downloads get a signed URL to the VBR MP3.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::{Extension, Json};
use strato_model::api::{CdnCookie, DownloadGrant, DownloadQuality, StreamGrant};

use crate::api::AppState;
use crate::auth::User;
use crate::catalog::routes::no_such;
use crate::faults::FaultPlan;
use crate::problem::{ApiError, ApiPath, ApiQuery};
use crate::unix_now;
use crate::uploads::explore;

/// When a grant made now expires: `--grant-ttl-secs`, unless a fault rule shortens it.
fn expiry(state: &AppState, plan: Option<&FaultPlan>) -> i64 {
    let ttl = plan
        .and_then(|p| p.grant_ttl_secs)
        .unwrap_or(state.settings.grant_ttl_secs);
    unix_now().saturating_add(i64::try_from(ttl).unwrap_or(i64::MAX))
}

pub async fn stream(
    user: User,
    State(state): State<AppState>,
    plan: Option<Extension<FaultPlan>>,
    ApiPath(id): ApiPath<String>,
) -> Result<(HeaderMap, Json<StreamGrant>), ApiError> {
    let (track, media) = explore::visible_track(&state, &user.sub, &id)
        .await?
        .ok_or_else(|| no_such("track", &id))?;
    let media = &media;
    let expires_at = expiry(&state, plan.as_deref());
    let cdn = &state.settings.cdn_base_url;
    let cookie_path = format!("/{}", media.hls_dir);
    let resource = format!("{cdn}{cookie_path}*");
    let max_age = (expires_at - unix_now()).max(0);
    let mut headers = HeaderMap::new();
    let mut cookies = Vec::new();
    for (name, value) in state.signer.signed_cookies(&resource, expires_at) {
        let set_cookie = format!("{name}={value}; Path={cookie_path}; Max-Age={max_age}; HttpOnly");
        let set_cookie = HeaderValue::from_str(&set_cookie).map_err(|e| ApiError::internal(&e))?;
        headers.append(header::SET_COOKIE, set_cookie);
        cookies.push(CdnCookie {
            name: name.to_owned(),
            value,
            path: cookie_path.clone(),
        });
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    let grant = StreamGrant {
        track_id: track.id.clone(),
        hls_master_url: format!("{cdn}/{}", media.hls_master),
        mp3_url: state
            .signer
            .signed_url(&format!("{cdn}/{}", media.cbr.path), expires_at),
        expires_at,
        cookies,
        segment_kind: media.segment_kind,
        encoder_delay_samples: media.encoder_delay_samples,
        padding_samples: media.padding_samples,
        sample_rate: media.sample_rate,
    };
    Ok((headers, Json(grant)))
}

/// `?quality=low|normal|high`; normal when absent.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DownloadQuery {
    #[serde(default)]
    quality: DownloadQuality,
}

pub async fn download(
    user: User,
    State(state): State<AppState>,
    plan: Option<Extension<FaultPlan>>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(query): ApiQuery<DownloadQuery>,
) -> Result<([(header::HeaderName, &'static str); 1], Json<DownloadGrant>), ApiError> {
    let (track, media) = explore::visible_track(&state, &user.sub, &id)
        .await?
        .ok_or_else(|| no_such("track", &id))?;
    let file = media.download(query.quality);
    let expires_at = expiry(&state, plan.as_deref());
    let url = format!("{}/{}", state.settings.cdn_base_url, file.path);
    let grant = DownloadGrant {
        track_id: track.id.clone(),
        url: state.signer.signed_url(&url, expires_at),
        format: "mp3".to_owned(),
        size: file.size,
        sha256: file.sha256.clone(),
        expires_at,
        quality: query.quality,
    };
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(grant)))
}
