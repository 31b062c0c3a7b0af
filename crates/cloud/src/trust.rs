//! Which services sign-in trusts with a password and a refresh token, and how a failed
//! check reads.
//!
//! - A service is reached over `https`, unless it runs on this computer (a loopback address)
//!   or the developer setting [`Trust::allow_insecure`] is on. Loopback means a literal
//!   address in 127.0.0.0/8 or `::1`, or the name `localhost`: no other name counts, even one
//!   that resolves to a loopback address, as whoever answers the DNS query could point it
//!   anywhere. The check runs before any request is made.
//! - A redirect may not lead from there to plain `http` elsewhere: the same rule applies to
//!   every hop.
//! - The service's `/v1/config` may name a Cognito endpoint (for an emulator). It is honoured
//!   for a loopback service or under the developer setting; otherwise sign-in goes to the
//!   region's real `https://cognito-idp.<region>.amazonaws.com`, so a hostile service cannot
//!   collect passwords or refresh tokens by naming its own endpoint.
//! - TLS failures are told in words ([`certificate_problem`]): expired, issued for another
//!   name, from an issuer this computer does not trust.

use std::error::Error as StdError;
use std::net::SocketAddr;

use rustls::CertificateError;
use url::{Host, Url};

use strato_model::api::API_PREFIX;

use crate::{CloudError, CloudErrorKind};

/// How far the app trusts the service addresses it is given. The default is strict.
#[derive(Clone, Default)]
pub struct Trust {
    allow_insecure: bool,
    extra_roots: Vec<reqwest::Certificate>,
    resolve: Vec<(String, SocketAddr)>,
}

impl std::fmt::Debug for Trust {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Trust")
            .field("allow_insecure", &self.allow_insecure)
            .field("extra_roots", &self.extra_roots.len())
            .field("resolve", &self.resolve)
            .finish()
    }
}

impl Trust {
    /// Only `https` services (and loopback ones), and the real Cognito endpoint for them.
    #[must_use]
    pub fn strict() -> Self {
        Self::default()
    }

    /// The developer setting: plain `http` to any host, and the service's own Cognito
    /// endpoint. A front end that turns it on must say so where the listener signs in.
    #[must_use]
    pub fn allow_insecure() -> Self {
        Self {
            allow_insecure: true,
            ..Self::default()
        }
    }

    /// Whether the developer setting is on.
    #[must_use]
    pub fn insecure_allowed(&self) -> bool {
        self.allow_insecure
    }

    /// Trusts `certificate` (PEM) as a root beside the system's. For tests, which make their
    /// own certificate authority; the app never calls it.
    ///
    /// # Errors
    /// If the PEM cannot be read.
    #[doc(hidden)]
    pub fn with_root_for_tests(mut self, pem: &[u8]) -> Result<Self, CloudError> {
        let certificate = reqwest::Certificate::from_pem(pem).map_err(|e| {
            CloudError::new(CloudErrorKind::InvalidInput, "Not a PEM certificate.").with_source(e)
        })?;
        self.extra_roots.push(certificate);
        Ok(self)
    }

    /// Resolves `name` to `address` instead of asking DNS. For tests, which need a name that
    /// is not loopback by name but answers on this computer; the app never calls it.
    #[doc(hidden)]
    #[must_use]
    pub fn resolving_for_tests(mut self, name: &str, address: SocketAddr) -> Self {
        self.resolve.push((name.to_owned(), address));
        self
    }

    /// Refuses `url` unless it may be trusted: `https`, loopback, or the developer setting.
    pub(crate) fn check_address(&self, url: &Url) -> Result<(), CloudError> {
        if url.scheme() == "https" || self.allow_insecure || is_loopback(url) {
            return Ok(());
        }
        let host = url.host_str().unwrap_or_default();
        Err(CloudError::new(
            CloudErrorKind::InvalidInput,
            format!(
                "Strato signs in only over a secure connection: use https://{host} (plain http \
                 is accepted only for a service on this computer)."
            ),
        ))
    }

    /// The Cognito endpoint to sign in at, for a service at `service` whose configuration
    /// named `endpoint` (an emulator's) and `region`.
    pub(crate) fn cognito_endpoint(
        &self,
        service: &Url,
        endpoint: Option<&str>,
        region: &str,
    ) -> Result<String, CloudError> {
        if let Some(endpoint) = endpoint {
            if self.allow_insecure || is_loopback(service) {
                return Ok(endpoint.to_owned());
            }
            tracing::warn!(
                service = %service,
                "the service named its own sign-in endpoint; ignored, as it is not on this computer"
            );
        }
        if !is_region(region) {
            return Err(CloudError::new(
                CloudErrorKind::Server,
                "The service's sign-in settings cannot be used (its region is not valid).",
            ));
        }
        Ok(format!("https://cognito-idp.{region}.amazonaws.com"))
    }

    /// Refuses a service beyond this computer whose configuration names a CDN without
    /// https: the signed cookies and URLs it hands out would travel in the clear.
    pub(crate) fn check_cdn_base(&self, service: &Url, cdn_base: &str) -> Result<(), CloudError> {
        if self.allow_insecure || is_loopback(service) {
            return Ok(());
        }
        let secure = Url::parse(cdn_base).is_ok_and(|cdn| cdn.scheme() == "https");
        if secure {
            Ok(())
        } else {
            Err(CloudError::new(
                CloudErrorKind::Untrusted,
                "The service sends its music without a secure connection (its media address \
                 is not https), so Strato will not sign in to it.",
            ))
        }
    }

    /// Where the live channel opens, as an `https`/`http` URL the HTTP client upgrades: the
    /// service's own `/v1/live` unless its configuration named another (`live_url`, a
    /// `wss://` address), which must be secure unless the service is on this computer (or
    /// the developer setting allows it), as its media must ([`Self::check_cdn_base`]).
    pub(crate) fn live_endpoint(
        &self,
        service: &Url,
        live_url: Option<&str>,
    ) -> Result<Url, CloudError> {
        let Some(live_url) = live_url else {
            return Ok(service
                .join(&format!("{}/live", API_PREFIX.trim_start_matches('/')))
                .expect("the API's paths are valid relative URLs"));
        };
        let unusable = || {
            CloudError::new(
                CloudErrorKind::Server,
                "The service names an address for live updates that cannot be used.",
            )
        };
        let mut url = Url::parse(live_url).map_err(|e| unusable().with_source(e))?;
        let scheme = match url.scheme() {
            "wss" | "https" => "https",
            "ws" | "http" if self.allow_insecure || is_loopback(service) => "http",
            "ws" | "http" => {
                return Err(CloudError::new(
                    CloudErrorKind::Untrusted,
                    "The service sends live updates without a secure connection (its address \
                     is not wss), so Strato will not open them.",
                ));
            }
            _ => return Err(unusable()),
        };
        url.set_scheme(scheme).map_err(|()| unusable())?;
        Ok(url)
    }

    /// The HTTP client for the service at `service`: these roots and overrides, redirects
    /// that keep to the rule of [`Self::check_address`], and for a service beyond this
    /// computer (without the developer setting) https only, for every request the client
    /// makes: the API, and the CDN addresses the service names (grants, segments, covers).
    pub(crate) fn client(
        &self,
        builder: reqwest::ClientBuilder,
        service: &Url,
    ) -> reqwest::Result<reqwest::Client> {
        let https_only = !self.allow_insecure && !is_loopback(service);
        let allow_insecure = self.allow_insecure;
        let redirects = reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() >= MAX_REDIRECTS {
                attempt.error("too many redirects")
            } else if attempt.url().scheme() == "https"
                || allow_insecure
                || is_loopback(attempt.url())
            {
                attempt.follow()
            } else {
                attempt.error(InsecureRedirect)
            }
        });
        let mut builder = builder.redirect(redirects).https_only(https_only);
        if !self.extra_roots.is_empty() {
            builder = builder.tls_certs_merge(self.extra_roots.iter().cloned());
        }
        for (name, address) in &self.resolve {
            builder = builder.resolve(name, *address);
        }
        builder.build()
    }
}

/// reqwest's own default.
const MAX_REDIRECTS: usize = 10;

/// Why [`Trust::client`] stopped a redirect.
#[derive(Debug, thiserror::Error)]
#[error("a redirect to plain http was refused")]
struct InsecureRedirect;

/// Whether `err` is a redirect [`Trust::client`] refused.
pub(crate) fn is_insecure_redirect(err: &(dyn StdError + 'static)) -> bool {
    let mut next = Some(err);
    while let Some(err) = next {
        if err.is::<InsecureRedirect>() {
            return true;
        }
        next = err.source();
    }
    false
}

/// Whether `url` names this computer: a literal loopback address, or `localhost`.
#[must_use]
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => {
            ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
        Some(Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// An AWS region's shape (`us-east-1`): one DNS label, so it cannot lead the endpoint to
/// another domain.
fn is_region(region: &str) -> bool {
    !region.is_empty()
        && region.len() <= 63
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !region.starts_with('-')
        && !region.ends_with('-')
}

/// What a TLS failure anywhere in `err`'s chain means, in a sentence; `None` when the
/// failure was not about TLS.
#[must_use]
pub fn certificate_problem(err: &(dyn StdError + 'static)) -> Option<&'static str> {
    let mut next = Some(err);
    while let Some(err) = next {
        if let Some(tls) = as_rustls(err) {
            return Some(tls_words(tls));
        }
        next = err.source();
    }
    None
}

/// `io::Error` hides its inner error from `source()` (hyper nests one in another): look
/// inside them too.
fn as_rustls<'a>(err: &'a (dyn StdError + 'static)) -> Option<&'a rustls::Error> {
    let mut err: &(dyn StdError + 'static) = err;
    loop {
        if let Some(tls) = err.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        let inner = err.downcast_ref::<std::io::Error>()?.get_ref()?;
        err = inner;
    }
}

fn tls_words(err: &rustls::Error) -> &'static str {
    match err {
        rustls::Error::InvalidCertificate(problem) => match problem {
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                "The service's certificate has expired, so the connection cannot be trusted."
            }
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                "The service's certificate is not valid yet. Check this computer's date and time."
            }
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                "The service's certificate is not valid for this address."
            }
            CertificateError::UnknownIssuer => {
                "The service's certificate was not issued by an authority this computer trusts."
            }
            CertificateError::Revoked => "The service's certificate has been revoked.",
            _ => "The service's certificate could not be verified.",
        },
        _ => "A secure connection to the service could not be made.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn the_live_channel_is_the_services_own_unless_its_configuration_names_a_secure_one() {
        let strict = Trust::strict();
        let live = |trust: &Trust, service: &str, live_url: Option<&str>| {
            trust
                .live_endpoint(&url(service), live_url)
                .map(String::from)
                .map_err(|e| e.kind())
        };
        let service = "https://music.example.com/api/";
        assert_eq!(
            live(&strict, service, None),
            Ok("https://music.example.com/api/v1/live".into())
        );
        let stage = "wss://a1b2.execute-api.eu-west-1.amazonaws.com/live";
        assert_eq!(
            live(&strict, service, Some(stage)),
            Ok("https://a1b2.execute-api.eu-west-1.amazonaws.com/live".into())
        );
        let plain = "ws://live.example.com/live";
        assert_eq!(
            live(&strict, service, Some(plain)),
            Err(CloudErrorKind::Untrusted)
        );
        assert_eq!(
            live(&Trust::allow_insecure(), service, Some(plain)),
            Ok("http://live.example.com/live".into())
        );
        assert_eq!(
            live(
                &strict,
                "http://127.0.0.1:8787/",
                Some("ws://127.0.0.1:9000/live")
            ),
            Ok("http://127.0.0.1:9000/live".into())
        );
        // A remote service's client speaks https only: a plain channel on this computer is
        // refused at once, not on every try to open it.
        assert_eq!(
            live(&strict, service, Some("ws://127.0.0.1:9000/live")),
            Err(CloudErrorKind::Untrusted)
        );
        for unusable in ["ftp://live.example.com/", "not a url"] {
            assert_eq!(
                live(&strict, service, Some(unusable)),
                Err(CloudErrorKind::Server)
            );
        }
    }

    #[test]
    fn loopback_is_literal_addresses_and_localhost_only() {
        for yes in [
            "http://127.0.0.1:8787/",
            "http://127.1.2.3/",
            "http://[::1]:8787/",
            "http://localhost:8787/",
            "http://LOCALHOST/",
            "http://[::ffff:127.0.0.1]/",
        ] {
            assert!(is_loopback(&url(yes)), "{yes}");
        }
        for no in [
            "http://music.example.com/",
            "http://10.0.0.1/",
            "http://localhost.example.com/",
            "http://127.0.0.1.nip.io/",
            "http://[::2]/",
        ] {
            assert!(!is_loopback(&url(no)), "{no}");
        }
    }

    #[test]
    fn plain_http_is_refused_for_other_hosts_unless_the_setting_is_on() {
        let strict = Trust::strict();
        let err = strict
            .check_address(&url("http://music.example.com/"))
            .unwrap_err();
        assert_eq!(err.kind(), CloudErrorKind::InvalidInput);
        assert!(
            err.to_string().contains("use https://music.example.com"),
            "{err}"
        );
        strict
            .check_address(&url("https://music.example.com/"))
            .unwrap();
        strict.check_address(&url("http://127.0.0.1:9/")).unwrap();
        Trust::allow_insecure()
            .check_address(&url("http://music.example.com/"))
            .unwrap();
    }

    /// The client of a service beyond this computer makes no plain http request, even to an
    /// address the service names later (a grant, a segment): a real listener counts.
    #[tokio::test]
    async fn a_remote_service_client_is_https_only() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let target = format!("http://{}/media/tr-1.mp3", listener.local_addr().unwrap());
        let remote = url("https://music.example.com/");

        let client = Trust::strict()
            .client(reqwest::Client::builder(), &remote)
            .unwrap();
        let err = client.get(&target).send().await.unwrap_err();
        let err = CloudError::transport(err, "fetch the audio");
        assert_eq!(err.kind(), CloudErrorKind::Untrusted, "{err}");
        assert!(err.to_string().contains("without https"), "{err}");
        assert!(
            listener.accept().is_err(),
            "the plain http address was reached"
        );

        // A local service's client, and the developer setting's, reach it.
        for (trust, service) in [
            (Trust::strict(), url("http://127.0.0.1:9/")),
            (Trust::allow_insecure(), remote),
        ] {
            let client = trust.client(reqwest::Client::builder(), &service).unwrap();
            let request = tokio::spawn(client.get(&target).send());
            let accepted = loop {
                match listener.accept() {
                    Ok(_) => break true,
                    Err(_) if !request.is_finished() => tokio::task::yield_now().await,
                    Err(_) => break false,
                }
            };
            assert!(accepted, "{trust:?} did not reach the address");
            request.abort();
        }
    }

    #[test]
    fn the_cognito_override_is_honoured_only_for_loopback_or_the_setting() {
        let emulator = Some("http://127.0.0.1:5000");
        let remote = url("https://music.example.com/");
        let local = url("http://127.0.0.1:8787/");
        assert_eq!(
            Trust::strict()
                .cognito_endpoint(&remote, emulator, "eu-west-1")
                .unwrap(),
            "https://cognito-idp.eu-west-1.amazonaws.com"
        );
        assert_eq!(
            Trust::strict()
                .cognito_endpoint(&local, emulator, "us-east-1")
                .unwrap(),
            "http://127.0.0.1:5000"
        );
        assert_eq!(
            Trust::allow_insecure()
                .cognito_endpoint(&remote, emulator, "us-east-1")
                .unwrap(),
            "http://127.0.0.1:5000"
        );
        assert_eq!(
            Trust::strict()
                .cognito_endpoint(&remote, None, "us-east-1")
                .unwrap(),
            "https://cognito-idp.us-east-1.amazonaws.com"
        );
    }

    #[test]
    fn a_region_cannot_lead_the_endpoint_elsewhere() {
        let remote = url("https://music.example.com/");
        for bad in ["evil.example.com#", "x.evil", "", "-a", "US-EAST-1", "a/b"] {
            let err = Trust::strict()
                .cognito_endpoint(&remote, None, bad)
                .unwrap_err();
            assert_eq!(err.kind(), CloudErrorKind::Server, "{bad}");
        }
    }

    #[test]
    fn certificate_failures_read_in_words_even_inside_an_io_error() {
        // As hyper hands it over: an io::Error inside an io::Error.
        let expired = std::io::Error::other(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            rustls::Error::InvalidCertificate(CertificateError::Expired),
        ));
        assert_eq!(
            certificate_problem(&expired),
            Some("The service's certificate has expired, so the connection cannot be trusted.")
        );
        let wrong_name = rustls::Error::InvalidCertificate(CertificateError::NotValidForName);
        assert_eq!(
            certificate_problem(&wrong_name),
            Some("The service's certificate is not valid for this address.")
        );
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert_eq!(certificate_problem(&refused), None);
    }
}
