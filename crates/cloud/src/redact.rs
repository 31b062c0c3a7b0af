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

/// Names whose values authorise a request, in a URL's query or a cookie (lower case; they
/// are found in any case): `CloudFront`'s signed URLs and cookies (`Signature` also ends
/// `CloudFront-Signature`), and an S3 presigned URL's.
const SECRET_NAMES: [&str; 6] = [
    "signature",
    "policy",
    "key-pair-id",
    "x-amz-credential",
    "x-amz-security-token",
    "x-amz-signature",
];

/// `text` (a log line, say) with every JWT replaced as by [`tokens`] and the value after each
/// signing name of [`SECRET_NAMES`] (`Signature=`, `CloudFront-Policy=`, `X-Amz-Signature=`,
/// in any case, and percent-encoded as `Signature%3D`) replaced by `REDACTED`, up to the next
/// `&`, `;`, quote, comma, backslash or space (`%26` for an encoded one). For text that should
/// never hold them but leaves this computer (an exported diagnostics file): a second line of
/// defence after the logs' own care.
#[must_use]
pub fn secrets(text: &str) -> String {
    let text = tokens(text);
    // ASCII lower case keeps every byte where it was: positions found in it hold in `text`.
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut at = 0;
    while at < lower.len() {
        let Some((value_starts, encoded)) = secret_value_at(&lower, at) else {
            at += lower[at..].chars().next().map_or(1, char::len_utf8);
            continue;
        };
        let value = &lower[value_starts..];
        let len = if encoded {
            value
                .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ',' | '\\'))
                .map_or(value.len(), |end| end.min(value.find("%26").unwrap_or(end)))
        } else {
            value
                .find(|c: char| {
                    c.is_whitespace() || matches!(c, '&' | ';' | '"' | '\'' | ',' | '\\')
                })
                .unwrap_or(value.len())
        };
        if len > 0 && !text[value_starts..].starts_with("REDACTED") {
            out.push_str(&text[copied..value_starts]);
            out.push_str("REDACTED");
            copied = value_starts + len;
        }
        at = value_starts + len.max(1);
    }
    out.push_str(&text[copied.min(text.len())..]);
    out
}

/// Where the value of a signing name starting at byte `at` of `lower` begins, and whether
/// the `=` was percent-encoded; `None` when no signing name starts there.
fn secret_value_at(lower: &str, at: usize) -> Option<(usize, bool)> {
    let rest = lower.get(at..)?;
    SECRET_NAMES.iter().find_map(|name| {
        let after = rest.strip_prefix(name)?;
        if after.starts_with('=') {
            Some((at + name.len() + 1, false))
        } else if after.starts_with("%3d") {
            Some((at + name.len() + 3, true))
        } else {
            None
        }
    })
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
        // Encoded, in another case, an S3 presigned URL's, at the end of a line.
        let encoded = "next=%2Fm.mp3%3FSignature%3Denc0ded~sig%26Key-Pair-Id%3DKENC \
                       signature=l0wer X-Amz-Signature=a1b2c3 x-amz-security-token=T0KEN \
                       X-Amz-Credential=AKIA%2F2026 ünïcode Policy=tail";
        let clean = super::secrets(encoded);
        for secret in [
            "enc0ded~sig",
            "KENC",
            "l0wer",
            "a1b2c3",
            "T0KEN",
            "AKIA",
            "tail",
        ] {
            assert!(!clean.contains(secret), "{secret} in {clean}");
        }
        assert!(clean.contains("ünïcode"), "{clean}");
        assert_eq!(
            super::secrets(&clean),
            clean,
            "redacting twice changes nothing"
        );
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
