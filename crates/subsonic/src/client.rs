//! The connection to one Subsonic server: how it is opened (extensions first, then the best
//! way of signing in the server takes), what is known of the server, and how every request
//! is built, sent and read.
//!
//! Every request is a GET of `<base>rest/<endpoint>.view` with the authentication of the
//! chosen [`AuthMethod`] (a fresh salt each time for a token), `v=1.16.1`, `c=Strato` and
//! `f=json`, then the call's own parameters. The answer is the JSON envelope
//! (`wire::Envelope`): `status: failed` is an error by its Subsonic code whatever the HTTP
//! status (servers send errors under 200, Supysonic some under 404); an HTTP error without an
//! envelope is an error by its status. Only redacted URLs reach the log.

use std::time::Duration;

use serde::de::DeserializeOwned;
use url::Url;

use crate::address::{check_address, parse_server_url, secure_builder};
use crate::auth::{AuthMethod, Credentials, auth_params, new_salt};
use crate::extensions::Extensions;
use crate::redact::redact_url;
use crate::{SubsonicError, SubsonicErrorKind, wire};

/// The API version Strato speaks (OpenSubsonic's baseline).
pub const API_VERSION: &str = "1.16.1";
/// The client name servers see (`c=`), and show in their "now playing" lists.
pub const CLIENT_NAME: &str = "Strato";
/// As strato-cloud's: a server that does not accept a connection in 5 s is unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Between two reads of an answer; a stream is fetched by the audio engine, not here.
const READ_TIMEOUT: Duration = Duration::from_secs(20);

/// Subsonic codes after which a token sign-in is tried again with the password: 41 (token
/// authentication not supported for LDAP users), 42 (the mechanism is not supported), and
/// 10 (a required parameter is missing: a server before API 1.13 wants `p`; Supysonic).
const TOKEN_REFUSED_CODES: [u32; 3] = [41, 42, 10];

/// How a connection may be opened.
#[derive(Debug, Clone, Copy, Default)]
pub struct ConnectOptions {
    /// The developer setting: plain http to a server beyond this computer. A front end that
    /// turns it on must say so where the listener signs in.
    pub allow_insecure: bool,
}

/// What is known of the server, from the envelope of its answers and its extensions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerInfo {
    /// The Subsonic API version it speaks (`version`).
    pub api_version: String,
    /// Its software (`type`: `navidrome`, `gonic`...), when it says.
    pub server_type: Option<String>,
    /// Its software's version (`serverVersion`), when it says.
    pub server_version: Option<String>,
    /// Whether it says it speaks OpenSubsonic (`openSubsonic`).
    pub open_subsonic: bool,
    /// Its OpenSubsonic extensions (none for a plain Subsonic server).
    pub extensions: Extensions,
}

/// A signed-in connection to a Subsonic server.
#[derive(Debug, Clone)]
pub struct SubsonicClient {
    pub(crate) http: reqwest::Client,
    /// The server's base address, ending in `/`.
    pub(crate) base: Url,
    pub(crate) credentials: Credentials,
    pub(crate) auth: AuthMethod,
    pub(crate) server: ServerInfo,
    /// Whose API key signed in, as the server's `tokenInfo` says (`None` with a password,
    /// whose username is in the credentials).
    pub(crate) key_owner: Option<String>,
}

impl SubsonicClient {
    /// Connects to the server at `address` (https, or plain http on this computer) and signs
    /// in; see [`Self::connect_with`].
    pub async fn connect(address: &str, credentials: Credentials) -> Result<Self, SubsonicError> {
        Self::connect_with(address, credentials, ConnectOptions::default()).await
    }

    /// Connects and signs in:
    /// 1. `getOpenSubsonicExtensions`, without credentials as OpenSubsonic has servers allow
    ///    (a plain Subsonic server answers an error: then it has no extensions);
    /// 2. with an API key: `ping` with it, if the server offers `apiKeyAuthentication` (else
    ///    `Unsupported`, without sending the key); with a password: `ping` with a salted
    ///    token, then, if the server refuses tokens (codes 41, 42, 10), with the password;
    /// 3. the extensions again, signed in, if the server speaks OpenSubsonic but would not
    ///    list them before;
    /// 4. with an API key, `tokenInfo`: whose key it is ([`Self::username`]).
    ///
    /// What was chosen is [`Self::auth_method`]; what the server is, [`Self::server`].
    pub async fn connect_with(
        address: &str,
        credentials: Credentials,
        options: ConnectOptions,
    ) -> Result<Self, SubsonicError> {
        let base = parse_server_url(address)?;
        check_address(&base, options.allow_insecure)?;
        let builder = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .read_timeout(READ_TIMEOUT)
            .user_agent(concat!("Strato/", env!("CARGO_PKG_VERSION")));
        let http = secure_builder(builder, &base, options.allow_insecure)
            .build()
            .map_err(|e| {
                SubsonicError::new(
                    SubsonicErrorKind::Server,
                    "Could not start the network client.",
                )
                .with_source(e)
            })?;
        let first = match credentials {
            Credentials::ApiKey { .. } => AuthMethod::ApiKey,
            Credentials::Password { .. } => AuthMethod::Token,
        };
        let mut client = Self {
            http,
            base,
            credentials,
            auth: first,
            server: ServerInfo {
                api_version: String::new(),
                server_type: None,
                server_version: None,
                open_subsonic: false,
                extensions: Extensions::none(),
            },
            key_owner: None,
        };
        let listed = client.read_extensions(false).await?;
        let ping = client.sign_in(listed.as_ref()).await?;
        let extensions = match listed {
            Some(extensions) => extensions,
            None if ping.open_subsonic => client.read_extensions(true).await?.unwrap_or_default(),
            None => Extensions::none(),
        };
        client.server = ServerInfo {
            api_version: ping.version,
            server_type: ping.server_type,
            server_version: ping.server_version,
            open_subsonic: ping.open_subsonic,
            extensions,
        };
        if client.auth == AuthMethod::ApiKey {
            client.key_owner = Some(client.key_owner_from_server().await?);
        }
        tracing::info!(
            server = %client.base,
            api = %client.server.api_version,
            kind = client.server.server_type.as_deref().unwrap_or("subsonic"),
            auth = client.auth.label(),
            extensions = client.server.extensions.names().collect::<Vec<_>>().join(","),
            "signed in to a Subsonic server"
        );
        Ok(client)
    }

    /// How requests are authenticated, as chosen at connect.
    #[must_use]
    pub fn auth_method(&self) -> AuthMethod {
        self.auth
    }

    /// What is known of the server.
    #[must_use]
    pub fn server(&self) -> &ServerInfo {
        &self.server
    }

    /// The server's extensions (shorthand for `server().extensions`).
    #[must_use]
    pub fn extensions(&self) -> &Extensions {
        &self.server.extensions
    }

    /// The server's base address (no credentials in it).
    #[must_use]
    pub fn base_url(&self) -> &Url {
        &self.base
    }

    /// `ping`: whether the server answers and still takes the credentials.
    pub async fn ping(&self) -> Result<(), SubsonicError> {
        self.request("ping", &[], "reach the server")
            .await
            .map(drop)
    }

    /// The extensions as the server lists them now, signed in.
    pub async fn open_subsonic_extensions(&self) -> Result<Extensions, SubsonicError> {
        let list: Vec<wire::Extension> = self
            .call_list(
                "getOpenSubsonicExtensions",
                "openSubsonicExtensions",
                &[],
                "read the server's extensions",
            )
            .await?;
        Ok(Extensions::from_wire(list))
    }

    /// Pings with each way of signing in the credentials allow, best first, and keeps the
    /// first the server takes. Returns the ping's envelope (who the server is).
    async fn sign_in(
        &mut self,
        listed: Option<&Extensions>,
    ) -> Result<wire::Response, SubsonicError> {
        if self.auth == AuthMethod::ApiKey {
            if listed.is_some_and(|extensions| !extensions.supports_api_key()) {
                return Err(api_key_unsupported());
            }
            return self
                .request("ping", &[], "sign in")
                .await
                .map_err(|err| match err.code() {
                    Some(code) if TOKEN_REFUSED_CODES.contains(&code) => api_key_unsupported(),
                    _ => err,
                });
        }
        match self.request("ping", &[], "sign in").await {
            Err(err)
                if err
                    .code()
                    .is_some_and(|code| TOKEN_REFUSED_CODES.contains(&code)) =>
            {
                tracing::info!(
                    code = err.code(),
                    "the server refused a token sign-in; signing in with the password"
                );
                self.auth = AuthMethod::LegacyPassword;
                self.request("ping", &[], "sign in").await
            }
            answer => answer,
        }
    }

    /// The extensions, or `None` when the server does not list them (a plain Subsonic
    /// server, or one that wants credentials for it). Only a failure to reach the server is
    /// an error.
    async fn read_extensions(&self, signed_in: bool) -> Result<Option<Extensions>, SubsonicError> {
        let url = self.url(
            "getOpenSubsonicExtensions",
            &[],
            signed_in,
            "read the server's extensions",
        )?;
        match self.send(url, "connect to the server").await {
            Ok(mut response) => {
                let list = response
                    .payload
                    .remove("openSubsonicExtensions")
                    .and_then(|value| serde_json::from_value::<Vec<wire::Extension>>(value).ok());
                Ok(list.map(Extensions::from_wire))
            }
            Err(err)
                if matches!(
                    err.kind(),
                    SubsonicErrorKind::Offline | SubsonicErrorKind::Untrusted
                ) =>
            {
                Err(err)
            }
            Err(_) => Ok(None),
        }
    }

    /// The URL of `endpoint` with `params`, signed in (or not, for the extensions before
    /// signing in).
    pub(crate) fn url(
        &self,
        endpoint: &str,
        params: &[(&str, String)],
        signed_in: bool,
        what: &str,
    ) -> Result<Url, SubsonicError> {
        let mut url = self
            .base
            .join(&format!("rest/{endpoint}.view"))
            .map_err(|e| {
                SubsonicError::new(
                    SubsonicErrorKind::InvalidInput,
                    format!("Could not {what}: the server's address cannot be used."),
                )
                .with_source(e)
            })?;
        let auth = if signed_in {
            auth_params(self.auth, &self.credentials, &new_salt())?
        } else {
            Vec::new()
        };
        {
            let mut query = url.query_pairs_mut();
            for (name, value) in &auth {
                query.append_pair(name, value);
            }
            query
                .append_pair("v", API_VERSION)
                .append_pair("c", CLIENT_NAME)
                .append_pair("f", "json");
            for (name, value) in params {
                query.append_pair(name, value);
            }
        }
        Ok(url)
    }

    /// Sends `endpoint` signed in, and reads the envelope.
    pub(crate) async fn request(
        &self,
        endpoint: &str,
        params: &[(&str, String)],
        what: &str,
    ) -> Result<wire::Response, SubsonicError> {
        let url = self.url(endpoint, params, true, what)?;
        self.send(url, what).await
    }

    /// The payload under `key`, read as `T`; its absence is an error.
    pub(crate) async fn call<T: DeserializeOwned>(
        &self,
        endpoint: &str,
        key: &str,
        params: &[(&str, String)],
        what: &str,
    ) -> Result<T, SubsonicError> {
        let mut response = self.request(endpoint, params, what).await?;
        let value = response.payload.remove(key).ok_or_else(|| {
            SubsonicError::new(
                SubsonicErrorKind::Server,
                format!("The server's answer to {what} was empty."),
            )
        })?;
        serde_json::from_value(value).map_err(|e| SubsonicError::unreadable(what, e))
    }

    /// The payload under `key`, read as `T`, or `T::default()` when the server left it out
    /// (servers drop empty lists).
    pub(crate) async fn call_list<T: DeserializeOwned + Default>(
        &self,
        endpoint: &str,
        key: &str,
        params: &[(&str, String)],
        what: &str,
    ) -> Result<T, SubsonicError> {
        let mut response = self.request(endpoint, params, what).await?;
        match response.payload.remove(key) {
            None | Some(serde_json::Value::Null) => Ok(T::default()),
            Some(value) => {
                serde_json::from_value(value).map_err(|e| SubsonicError::unreadable(what, e))
            }
        }
    }

    async fn send(&self, url: Url, what: &str) -> Result<wire::Response, SubsonicError> {
        tracing::debug!(url = %redact_url(&url), "subsonic request");
        let response = self
            .http
            .get(url)
            .send()
            .await
            .map_err(|e| SubsonicError::transport(e, what))?;
        let status = response.status();
        let body = response
            .bytes()
            .await
            .map_err(|e| SubsonicError::transport(e, what))?;
        read_envelope(status, &body, what)
    }
}

/// The envelope in `body`, or the error it (or else the HTTP status) says.
pub(crate) fn read_envelope(
    status: reqwest::StatusCode,
    body: &[u8],
    what: &str,
) -> Result<wire::Response, SubsonicError> {
    let envelope = match serde_json::from_slice::<wire::Envelope>(body) {
        Ok(envelope) => envelope,
        Err(_) if !status.is_success() => {
            return Err(SubsonicError::from_status(status.as_u16(), what));
        }
        Err(e) => return Err(SubsonicError::unreadable(what, e)),
    };
    let response = envelope.response;
    if response.status == "ok" {
        return Ok(response);
    }
    Err(match response.error {
        Some(error) => SubsonicError::from_code(error.code, &error.message),
        None if !status.is_success() => SubsonicError::from_status(status.as_u16(), what),
        None => SubsonicError::new(
            SubsonicErrorKind::Server,
            format!("The server failed to {what} without saying why."),
        ),
    })
}

fn api_key_unsupported() -> SubsonicError {
    SubsonicError::new(
        SubsonicErrorKind::Unsupported,
        "This server does not accept API keys; sign in with your name and password.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::StatusCode;

    #[test]
    fn an_error_envelope_is_an_error_by_its_code_whatever_the_status() {
        let body = br#"{"subsonic-response":{"error":{"code":40,"message":"Wrong username or password."},"status":"failed","version":"1.12.0"}}"#;
        let err = read_envelope(StatusCode::OK, body, "sign in").unwrap_err();
        assert_eq!(
            (err.kind(), err.code()),
            (SubsonicErrorKind::Auth, Some(40))
        );
        let body = br#"{"subsonic-response":{"error":{"code":0,"message":"Unknown method"},"status":"failed","version":"1.12.0"}}"#;
        let err = read_envelope(StatusCode::NOT_FOUND, body, "x").unwrap_err();
        assert_eq!(err.code(), Some(0));
    }

    #[test]
    fn an_http_error_without_an_envelope_is_an_error_by_its_status() {
        let err =
            read_envelope(StatusCode::BAD_GATEWAY, b"<html>bad gateway</html>", "x").unwrap_err();
        assert_eq!(
            (err.kind(), err.status()),
            (SubsonicErrorKind::Server, Some(502))
        );
        let err = read_envelope(StatusCode::OK, b"<html>a login page</html>", "x").unwrap_err();
        assert_eq!(err.kind(), SubsonicErrorKind::Server);
    }

    fn client_with(credentials: Credentials, auth: AuthMethod) -> SubsonicClient {
        SubsonicClient {
            http: reqwest::Client::new(),
            base: Url::parse("https://music.example/sub/").unwrap(),
            credentials,
            auth,
            server: ServerInfo {
                api_version: "1.16.1".into(),
                server_type: None,
                server_version: None,
                open_subsonic: true,
                extensions: Extensions::none(),
            },
            key_owner: None,
        }
    }

    fn query(url: &Url) -> Vec<(String, String)> {
        url.query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    #[test]
    fn a_token_request_has_a_new_salt_each_time_and_the_common_parameters() {
        let client = client_with(Credentials::password("ann", "sesame"), AuthMethod::Token);
        let params = [("id", "al 1".to_owned())];
        let first = client.url("getAlbum", &params, true, "x").unwrap();
        let second = client.url("getAlbum", &params, true, "x").unwrap();
        assert_eq!(first.path(), "/sub/rest/getAlbum.view");
        let pairs = query(&first);
        let names: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names, ["u", "t", "s", "v", "c", "f", "id"]);
        let salt = &pairs[2].1;
        assert_eq!(pairs[1].1, crate::salted_token("sesame", salt));
        assert_eq!(
            &pairs[3..],
            &[
                ("v".to_owned(), "1.16.1".to_owned()),
                ("c".to_owned(), "Strato".to_owned()),
                ("f".to_owned(), "json".to_owned()),
                ("id".to_owned(), "al 1".to_owned()),
            ]
        );
        assert_ne!(query(&second)[2].1, *salt, "a salt is never reused");
        assert!(!first.as_str().contains("sesame"));
    }

    #[test]
    fn legacy_and_api_key_requests_carry_only_their_own_secret() {
        let legacy = client_with(
            Credentials::password("ann", "sesame"),
            AuthMethod::LegacyPassword,
        );
        let url = legacy.url("ping", &[], true, "x").unwrap();
        let names: Vec<String> = query(&url).into_iter().map(|(k, _)| k).collect();
        assert_eq!(names, ["u", "p", "v", "c", "f"]);
        assert_eq!(query(&url)[1].1, "enc:736573616d65");
        let keyed = client_with(Credentials::api_key("k-1"), AuthMethod::ApiKey);
        let url = keyed.url("ping", &[], true, "x").unwrap();
        let names: Vec<String> = query(&url).into_iter().map(|(k, _)| k).collect();
        assert_eq!(names, ["apiKey", "v", "c", "f"], "no username with a key");
        let anonymous = legacy
            .url("getOpenSubsonicExtensions", &[], false, "x")
            .unwrap();
        assert_eq!(query(&anonymous).len(), 3, "v, c and f only");
    }
}
