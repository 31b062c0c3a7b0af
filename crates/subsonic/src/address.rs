//! Which server addresses Strato sends a Subsonic password to, and how a redirect may move.
//!
//! The rule is strato-cloud's (`crates/cloud/src/trust.rs`): `https`, unless the server runs
//! on this computer (a literal loopback address or the name `localhost`; no other name,
//! even one resolving to loopback, as whoever answers DNS could point it anywhere) or the
//! developer setting allows plain http. It matters more here: the legacy password travels
//! in every request's query, merely hex-encoded. The check is a few lines, written again
//! rather than borrowed, because depending on strato-cloud would bring its Cognito, AWS SDK
//! and keychain crates into a client that needs none of them.

use url::{Host, Url};

use crate::{SubsonicError, SubsonicErrorKind};

/// reqwest's own default.
const MAX_REDIRECTS: usize = 10;

/// The server's base address from what the listener typed: `https://` added when no scheme
/// was given, path kept (a server under `/music/`) with a trailing `/` so `rest/...` joins
/// beneath it, query and fragment dropped. Credentials in the address are refused: they
/// would end up in logs.
pub(crate) fn parse_server_url(text: &str) -> Result<Url, SubsonicError> {
    let text = text.trim();
    let invalid = || {
        SubsonicError::new(
            SubsonicErrorKind::InvalidInput,
            "That server address cannot be used: type it as https://music.example.com.",
        )
    };
    if text.is_empty() {
        return Err(invalid());
    }
    let with_scheme = if text.contains("://") {
        text.to_owned()
    } else {
        format!("https://{text}")
    };
    let mut url = Url::parse(&with_scheme).map_err(|e| invalid().with_source(e))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(invalid());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(SubsonicError::new(
            SubsonicErrorKind::InvalidInput,
            "Type the server address without a name or password in it; Strato asks for them \
             separately.",
        ));
    }
    url.set_query(None);
    url.set_fragment(None);
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    // The API's own folder, as listeners often copy it from a client's settings: the base is
    // the folder above it, where every call adds `rest/` again.
    if let Some(above) = url.path().strip_suffix("/rest/").map(|a| format!("{a}/")) {
        url.set_path(&above);
    }
    Ok(url)
}

/// Refuses `url` unless it is `https`, on this computer, or `allow_insecure` is set.
pub(crate) fn check_address(url: &Url, allow_insecure: bool) -> Result<(), SubsonicError> {
    if url.scheme() == "https" || allow_insecure || is_loopback(url) {
        return Ok(());
    }
    let host = url.host_str().unwrap_or_default();
    Err(SubsonicError::new(
        SubsonicErrorKind::InvalidInput,
        format!(
            "Strato signs in only over a secure connection: use https://{host} (plain http is \
             accepted only for a server on this computer)."
        ),
    ))
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

/// Why a redirect was not followed: it led to plain http.
#[derive(Debug, thiserror::Error)]
#[error("a redirect to plain http was refused")]
pub(crate) struct InsecureRedirect;

/// Why a redirect was not followed: it led to another server.
#[derive(Debug, thiserror::Error)]
#[error("a redirect to another server was refused")]
pub(crate) struct ForeignRedirect;

/// The HTTP client's rules for `server`: https only for a server beyond this computer
/// (unless `allow_insecure`), and redirects only to the same server where [`check_address`]
/// would go. Every Subsonic request carries the credentials in its query, so a redirect to
/// another host (or another port of this one) would hand them to whoever listens there.
pub(crate) fn secure_builder(
    builder: reqwest::ClientBuilder,
    server: &Url,
    allow_insecure: bool,
) -> reqwest::ClientBuilder {
    let https_only = !allow_insecure && !is_loopback(server);
    let redirects = reqwest::redirect::Policy::custom(move |attempt| {
        let same_server = attempt
            .previous()
            .last()
            .is_none_or(|from| is_same_server(from, attempt.url()));
        if attempt.previous().len() >= MAX_REDIRECTS {
            attempt.error("too many redirects")
        } else if !same_server {
            attempt.error(ForeignRedirect)
        } else if attempt.url().scheme() == "https" || allow_insecure || is_loopback(attempt.url())
        {
            attempt.follow()
        } else {
            attempt.error(InsecureRedirect)
        }
    });
    builder.redirect(redirects).https_only(https_only)
}

/// Whether a redirect from `from` to `to` stays on the same server: the same host and port,
/// or the same host moving from http to https on https's own port (the usual upgrade).
fn is_same_server(from: &Url, to: &Url) -> bool {
    let same_host = from
        .host_str()
        .zip(to.host_str())
        .is_some_and(|(a, b)| a.eq_ignore_ascii_case(b));
    if !same_host {
        return false;
    }
    let upgrade = from.scheme() == "http" && to.scheme() == "https" && to.port().is_none();
    upgrade || from.port_or_known_default() == to.port_or_known_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_gets_https_and_a_trailing_slash() {
        let url = parse_server_url(" music.example.com ").unwrap();
        assert_eq!(url.as_str(), "https://music.example.com/");
        let url = parse_server_url("https://host/navidrome?x=1#y").unwrap();
        assert_eq!(url.as_str(), "https://host/navidrome/");
        assert_eq!(
            url.join("rest/ping.view").unwrap().as_str(),
            "https://host/navidrome/rest/ping.view"
        );
    }

    #[test]
    fn the_apis_own_folder_is_the_folder_above_it() {
        for (typed, base) in [
            ("https://host/rest", "https://host/"),
            ("https://host/rest/", "https://host/"),
            ("https://host/navidrome/rest/", "https://host/navidrome/"),
            ("https://host/myrest/", "https://host/myrest/"),
        ] {
            assert_eq!(parse_server_url(typed).unwrap().as_str(), base, "{typed}");
        }
    }

    #[test]
    fn addresses_that_cannot_be_used_are_refused_in_words() {
        for text in ["", "ftp://host", "http://", "https://ann:pw@host/"] {
            let err = parse_server_url(text).unwrap_err();
            assert_eq!(err.kind(), SubsonicErrorKind::InvalidInput, "{text}");
        }
    }

    #[test]
    fn plain_http_only_to_this_computer() {
        let check = |text: &str| check_address(&Url::parse(text).unwrap(), false);
        assert!(check("https://music.example.com/").is_ok());
        assert!(check("http://127.0.0.1:4533/").is_ok());
        assert!(check("http://127.8.0.1/").is_ok());
        assert!(check("http://[::1]:4533/").is_ok());
        assert!(check("http://LOCALHOST/").is_ok());
        let err = check("http://music.example.com/").unwrap_err();
        assert_eq!(err.kind(), SubsonicErrorKind::InvalidInput);
        assert!(
            err.to_string().contains("https://music.example.com"),
            "{err}"
        );
        assert!(
            check("http://localhost.example.com/").is_err(),
            "a name is not loopback"
        );
        assert!(check("http://192.168.1.2/").is_err());
        let url = Url::parse("http://192.168.1.2/").unwrap();
        assert!(check_address(&url, true).is_ok(), "the developer setting");
    }

    #[test]
    fn a_redirect_stays_on_the_same_host_and_port_or_upgrades_to_https() {
        let same = |from: &str, to: &str| {
            is_same_server(&Url::parse(from).unwrap(), &Url::parse(to).unwrap())
        };
        assert!(same(
            "https://music.example.com/rest/ping",
            "https://MUSIC.example.com/x"
        ));
        assert!(same(
            "http://music.example.com/",
            "https://music.example.com/"
        ));
        assert!(same(
            "https://music.example.com/",
            "https://music.example.com:443/"
        ));
        assert!(!same(
            "https://music.example.com/",
            "https://evil.example.com/"
        ));
        assert!(!same("http://127.0.0.1:4533/", "http://127.0.0.1:4534/"));
        assert!(!same("http://127.0.0.1:4533/", "http://localhost:4533/"));
        assert!(!same(
            "http://music.example.com/",
            "https://music.example.com:8443/"
        ));
        assert!(!same(
            "https://music.example.com/",
            "http://music.example.com/"
        ));
    }
}
