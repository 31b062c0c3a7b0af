use std::time::Duration;

use strato_model::api::{API_PREFIX, Problem, ServiceConfig};
use url::Url;

use crate::auth::AuthFlow;
use crate::trust::Trust;
use crate::{CloudError, CloudErrorKind};

const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const READ_TIMEOUT: Duration = Duration::from_secs(20);

/// A service, known by its URL, with the configuration it published.
#[derive(Debug, Clone)]
pub struct ServiceClient {
    pub(crate) http: reqwest::Client,
    pub(crate) base: Url,
    pub(crate) config: ServiceConfig,
    pub(crate) auth_flow: AuthFlow,
    /// Where Cognito is called: the region's real endpoint unless [`Trust`] allowed the one
    /// the configuration named.
    pub(crate) cognito_endpoint: String,
    /// Where the live channel opens ([`Trust::live_endpoint`]).
    pub(crate) live_endpoint: Url,
}

impl ServiceClient {
    /// Reads `GET /v1/config` from `service_url`, trusting it as [`Trust::strict`] does.
    /// Sign-in uses [`AuthFlow::from_env`] until [`Self::with_auth_flow`] says otherwise.
    pub async fn connect(service_url: &str) -> Result<Self, CloudError> {
        Self::connect_with(service_url, &Trust::strict()).await
    }

    /// Reads `GET /v1/config` from `service_url`, if `trust` allows that address (checked
    /// before any request); everything else follows from it.
    pub async fn connect_with(service_url: &str, trust: &Trust) -> Result<Self, CloudError> {
        let base = parse_service_url(service_url)?;
        trust.check_address(&base)?;
        let builder = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .read_timeout(READ_TIMEOUT)
            .user_agent(concat!("Strato/", env!("CARGO_PKG_VERSION")));
        let http = trust.client(builder, &base).map_err(|e| {
            CloudError::new(
                CloudErrorKind::Server,
                "Could not start the network client.",
            )
            .with_source(e)
        })?;
        // Relative, so a service under a path prefix (https://host/api/) keeps it.
        let url = base
            .join(&format!("{}/config", API_PREFIX.trim_start_matches('/')))
            .map_err(|e| {
                CloudError::new(
                    CloudErrorKind::InvalidInput,
                    "That service address cannot be used.",
                )
                .with_source(e)
            })?;
        let response = http
            .get(url)
            .send()
            .await
            .map_err(|e| CloudError::transport(e, "connect to the service"))?;
        let config: ServiceConfig = read_json(response, "connect to the service").await?;
        trust.check_cdn_base(&base, &config.cdn_base_url)?;
        let live_endpoint = trust.live_endpoint(&base, config.live_url.as_deref())?;
        let cognito_endpoint = trust.cognito_endpoint(
            &base,
            config.cognito.endpoint.as_deref(),
            &config.cognito.region,
        )?;
        tracing::info!(
            service = %base,
            api_version = %config.api_version,
            cognito = %cognito_endpoint,
            "service configuration read"
        );
        Ok(Self {
            http,
            base,
            config,
            auth_flow: AuthFlow::from_env(),
            cognito_endpoint,
            live_endpoint,
        })
    }

    /// Signs in with `flow` instead.
    #[must_use]
    pub fn with_auth_flow(mut self, flow: AuthFlow) -> Self {
        self.auth_flow = flow;
        self
    }

    #[must_use]
    pub fn auth_flow(&self) -> AuthFlow {
        self.auth_flow
    }

    #[must_use]
    pub fn config(&self) -> &ServiceConfig {
        &self.config
    }

    #[must_use]
    pub fn url(&self) -> &Url {
        &self.base
    }

    /// Where sign-in talks to Cognito (see [`Trust`]).
    #[must_use]
    pub fn cognito_endpoint(&self) -> &str {
        &self.cognito_endpoint
    }
}

fn parse_service_url(input: &str) -> Result<Url, CloudError> {
    let trimmed = input.trim();
    let invalid = || {
        CloudError::new(
            CloudErrorKind::InvalidInput,
            format!(
                "\u{201c}{trimmed}\u{201d} is not a service address. It should look like https://music.example.com"
            ),
        )
    };
    let mut url = Url::parse(trimmed).map_err(|_| invalid())?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(invalid());
    }
    // Paths are joined onto the base, so it must end with a slash.
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

/// Reads a JSON body, or turns an error status into a [`CloudError`].
pub(crate) async fn read_json<T: serde::de::DeserializeOwned>(
    response: reqwest::Response,
    what: &str,
) -> Result<T, CloudError> {
    let status = response.status();
    if status.is_success() {
        return response
            .json()
            .await
            .map_err(|e| CloudError::transport(e, what));
    }
    let problem = response.json::<Problem>().await.ok();
    Err(CloudError::from_response(status.as_u16(), problem, what))
}

#[cfg(test)]
mod tests {
    use super::parse_service_url;

    #[test]
    fn service_urls_are_normalised() {
        assert_eq!(
            parse_service_url(" http://127.0.0.1:8787 ")
                .unwrap()
                .as_str(),
            "http://127.0.0.1:8787/"
        );
        assert_eq!(
            parse_service_url("https://x.example/api").unwrap().as_str(),
            "https://x.example/api/"
        );
    }

    #[test]
    fn bad_service_urls_are_refused_in_words() {
        for bad in ["", "music", "ftp://x.example", "http://"] {
            let err = parse_service_url(bad).unwrap_err();
            assert!(
                err.to_string().contains("is not a service address"),
                "{bad}: {err}"
            );
        }
    }
}
