//! Keeps `CloudFront` credentials out of logs and error messages, and usernames out of logs.

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
}
