use strato_model::api::{API_PREFIX, AlbumDetail, Page, StreamGrant, Track};
use url::Url;

use crate::service::read_json;
use crate::{CloudError, CloudErrorKind, ServiceClient, Tokens, redact};

/// The typed REST client of a signed-in session.
#[derive(Debug, Clone)]
pub struct ApiClient {
    service: ServiceClient,
    tokens: Tokens,
}

impl ApiClient {
    #[must_use]
    pub fn new(service: ServiceClient, tokens: Tokens) -> Self {
        Self { service, tokens }
    }

    #[must_use]
    pub fn service(&self) -> &ServiceClient {
        &self.service
    }

    /// One page of the whole catalog, in catalog order.
    pub async fn tracks(
        &self,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<Page<Track>, CloudError> {
        let mut url = self.endpoint("tracks");
        url.query_pairs_mut()
            .append_pair("limit", &limit.to_string());
        if let Some(cursor) = cursor {
            url.query_pairs_mut().append_pair("cursor", cursor);
        }
        self.get(url, "load the catalog").await
    }

    pub async fn track(&self, track_id: &str) -> Result<Track, CloudError> {
        self.get(
            self.endpoint(&format!("tracks/{}", encode(track_id))),
            "load the track",
        )
        .await
    }

    pub async fn album(&self, album_id: &str) -> Result<AlbumDetail, CloudError> {
        self.get(
            self.endpoint(&format!("albums/{}", encode(album_id))),
            "load the album",
        )
        .await
    }

    /// Where to fetch a track and the CDN credentials to do it with.
    pub async fn stream_grant(&self, track_id: &str) -> Result<StreamGrant, CloudError> {
        let url = self.endpoint(&format!("tracks/{}/stream", encode(track_id)));
        self.get(url, "start the track").await
    }

    /// The MP3 rendition of a grant, by its signed URL.
    pub fn mp3_request(&self, grant: &StreamGrant) -> Result<CdnRequest, CloudError> {
        Ok(CdnRequest {
            http: self.service.http.clone(),
            url: parse_cdn_url(&grant.mp3_url)?,
            cookie: None,
        })
    }

    /// A file under the grant's HLS folder, authorised by the grant's signed cookies.
    pub fn hls_request(&self, grant: &StreamGrant, url: &str) -> Result<CdnRequest, CloudError> {
        let cookie = grant
            .cookies
            .iter()
            .map(|c| format!("{}={}", c.name, c.value))
            .collect::<Vec<_>>()
            .join("; ");
        Ok(CdnRequest {
            http: self.service.http.clone(),
            url: parse_cdn_url(url)?,
            cookie: Some(cookie),
        })
    }

    /// Cover art, which the CDN serves publicly.
    pub fn art_request(&self, cover_path: &str) -> Result<CdnRequest, CloudError> {
        let base = &self.service.config.cdn_base_url;
        let url = format!(
            "{}/{}",
            base.trim_end_matches('/'),
            cover_path.trim_start_matches('/')
        );
        Ok(CdnRequest {
            http: self.service.http.clone(),
            url: parse_cdn_url(&url)?,
            cookie: None,
        })
    }

    fn endpoint(&self, path: &str) -> Url {
        self.service
            .base
            .join(&format!("{}/{path}", API_PREFIX.trim_start_matches('/')))
            .expect("API paths are valid relative URLs")
    }

    async fn get<T: serde::de::DeserializeOwned>(
        &self,
        url: Url,
        what: &str,
    ) -> Result<T, CloudError> {
        tracing::debug!(url = %url, "GET");
        let response = self
            .service
            .http
            .get(url)
            .bearer_auth(&self.tokens.access_token)
            .send()
            .await
            .map_err(|e| CloudError::transport(e, what))?;
        read_json(response, what).await
    }
}

/// A request to the CDN with its credentials attached. `Debug` shows no signature.
pub struct CdnRequest {
    http: reqwest::Client,
    url: Url,
    cookie: Option<String>,
}

impl std::fmt::Debug for CdnRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CdnRequest")
            .field("url", &redact::url(&self.url))
            .field("cookie", &self.cookie.as_ref().map(|_| "<redacted>"))
            .finish_non_exhaustive()
    }
}

impl CdnRequest {
    /// The whole body and its content type.
    pub async fn bytes(self) -> Result<(Vec<u8>, Option<String>), CloudError> {
        tracing::debug!(url = %redact::url(&self.url), "CDN GET");
        let mut request = self.http.get(self.url);
        if let Some(cookie) = self.cookie {
            request = request.header(reqwest::header::COOKIE, cookie);
        }
        let response = request
            .send()
            .await
            .map_err(|e| CloudError::transport(e, "fetch the audio"))?;
        let status = response.status();
        if status == reqwest::StatusCode::FORBIDDEN {
            return Err(CloudError::new(
                CloudErrorKind::Auth,
                "The music server refused access to this track (its permission may have expired).",
            ));
        }
        if !status.is_success() {
            return Err(CloudError::from_response(
                status.as_u16(),
                None,
                "fetch the audio",
            ));
        }
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = response
            .bytes()
            .await
            .map_err(|e| CloudError::transport(e, "fetch the audio"))?;
        Ok((body.to_vec(), content_type))
    }
}

fn parse_cdn_url(url: &str) -> Result<Url, CloudError> {
    Url::parse(url).map_err(|e| {
        CloudError::new(
            CloudErrorKind::Server,
            "The service gave an unusable media address.",
        )
        .with_source(e)
    })
}

/// Percent-encodes one path segment.
fn encode(segment: &str) -> String {
    url::form_urlencoded::byte_serialize(segment.as_bytes()).collect()
}
