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

/// Names whose values authorise a `CloudFront` request, in a URL's query or a cookie.
const SECRET_NAMES: [&str; 6] = [
    "Signature=",
    "Policy=",
    "Key-Pair-Id=",
    "CloudFront-Signature=",
    "CloudFront-Policy=",
    "CloudFront-Key-Pair-Id=",
];

/// `text` (a log line, say) with every JWT replaced as by [`tokens`] and the value after each
/// `CloudFront` signing name (`Signature=`, `Policy=`, `Key-Pair-Id=`, and their
/// `CloudFront-` cookie forms) replaced by `REDACTED`, up to the next `&`, `;`, quote,
/// space or end. For text that should never hold them but leaves this computer (an exported
/// diagnostics file): a second line of defence after the logs' own care.
#[must_use]
pub fn secrets(text: &str) -> String {
    let mut out = tokens(text);
    for name in SECRET_NAMES {
        let mut redacted = String::with_capacity(out.len());
        let mut rest = out.as_str();
        while let Some(at) = rest.find(name) {
            let value_starts = at + name.len();
            // `Signature=` inside `CloudFront-Signature=` is the same value: one pass does it.
            redacted.push_str(&rest[..value_starts]);
            let value = &rest[value_starts..];
            let len = value
                .find(|c: char| {
                    matches!(c, '&' | ';' | '"' | '\'' | ' ' | ',' | '\\') || c.is_whitespace()
                })
                .unwrap_or(value.len());
            if len > 0 && &value[..len] != "REDACTED" {
                redacted.push_str("REDACTED");
            } else {
                redacted.push_str(&value[..len]);
            }
            rest = &value[len..];
        }
        redacted.push_str(rest);
        out = redacted;
    }
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
    fn signatures_cookies_and_tokens_are_taken_out_of_any_text() {
        let jwt = "eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
        let line = format!(
            "GET https://cdn.example/m.mp3?Expires=9&Signature=abc~def_&Key-Pair-Id=K1 \
             cookie: CloudFront-Policy=eyJTdGF0ZW1lbnQi; CloudFront-Signature=x-y~z; \
             auth=\"{jwt}\" policy=\"Policy=p0l1cy\""
        );
        let clean = super::secrets(&line);
        for secret in ["abc~def_", "K1", "eyJTdGF0ZW1lbnQi", "x-y~z", jwt, "p0l1cy"] {
            assert!(!clean.contains(secret), "{secret} in {clean}");
        }
        assert!(clean.contains("Expires=9"), "{clean}");
        assert!(clean.contains("https://cdn.example/m.mp3?"), "{clean}");
        assert_eq!(super::secrets("nothing to hide"), "nothing to hide");
        assert_eq!(super::secrets("Signature="), "Signature=");
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
