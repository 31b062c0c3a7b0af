//! Keeps `CloudFront` credentials and tokens out of logs and error messages, and usernames out
//! of logs.

use sha2::{Digest as _, Sha256};
use url::Url;

/// How logs name an account: the first 8 hex digits of SHA-256 over the username, so two
/// lines about the same account can be matched without the log saying who it is. Not a
/// secret: a guessed username can be checked against it, but a log no longer hands it out.
#[must_use]
pub fn account_tag(username: &str) -> String {
    let digest = Sha256::digest(format!("strato-account:{}", username.trim()).as_bytes());
    hex::encode(&digest[..4])
}

/// `text` with every JWT in it (three base64url parts, the first a JSON header: `eyJ…`)
/// replaced by `[token]`. For messages from elsewhere that may echo one: an emulator's error
/// answers quote the token they refused.
#[must_use]
pub fn tokens(text: &str) -> String {
    let is_part = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("eyJ") {
        out.push_str(&rest[..start]);
        let candidate = &rest[start..];
        let end = candidate
            .find(|c: char| !(is_part(c) || c == '.'))
            .unwrap_or(candidate.len());
        let token = &candidate[..end];
        if token.split('.').filter(|part| !part.is_empty()).count() >= 2 && token.contains('.') {
            out.push_str("[token]");
        } else {
            out.push_str(token);
        }
        rest = &candidate[end..];
    }
    out.push_str(rest);
    out
}

/// Query parameters that authorise a `CloudFront` request.
const SECRET_PARAMS: [&str; 4] = ["Signature", "Policy", "Key-Pair-Id", "Expires"];

/// `url` with the values of `CloudFront`'s signing parameters replaced by `REDACTED`.
#[must_use]
pub fn url(url: &Url) -> String {
    if url.query().is_none() {
        return url.to_string();
    }
    let mut clean = url.clone();
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| {
            let value = if SECRET_PARAMS.contains(&k.as_ref()) {
                "REDACTED".into()
            } else {
                v
            };
            (k.into_owned(), value.into_owned())
        })
        .collect();
    clean.query_pairs_mut().clear().extend_pairs(pairs);
    clean.to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_account_tag_is_short_stable_and_does_not_show_the_name() {
        let tag = super::account_tag("listener-ana");
        assert_eq!(tag.len(), 8);
        assert!(tag.chars().all(|c| c.is_ascii_hexdigit()), "{tag}");
        // The same account (as typed, with stray spaces) gets the same tag; another does not.
        assert_eq!(super::account_tag(" listener-ana "), tag);
        assert_ne!(super::account_tag("listener-bob"), tag);
    }

    #[test]
    fn signatures_are_removed() {
        let u = url::Url::parse(
            "https://cdn.example/media/a.mp3?Expires=1&Signature=abc~def&Key-Pair-Id=K1&x=2",
        )
        .unwrap();
        let shown = super::url(&u);
        assert!(!shown.contains("abc~def"), "{shown}");
        assert!(!shown.contains("K1"), "{shown}");
        assert!(shown.contains("x=2"), "{shown}");
        assert!(shown.starts_with("https://cdn.example/media/a.mp3?"));
    }

    #[test]
    fn tokens_are_taken_out_of_messages() {
        let jwt = "eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
        assert_eq!(
            super::tokens(&format!("NotAuthorizedException: {jwt} is revoked")),
            "NotAuthorizedException: [token] is revoked"
        );
        assert_eq!(super::tokens(&format!("{jwt},{jwt}")), "[token],[token]");
        // Not a token: left as it is.
        assert_eq!(
            super::tokens("eyJ alone, and eyJabc"),
            "eyJ alone, and eyJabc"
        );
        assert_eq!(super::tokens("no token here"), "no token here");
    }
}
