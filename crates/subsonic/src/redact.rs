//! Keeps secrets out of every URL this crate logs or hands out for logging.
//!
//! A Subsonic request carries its authentication in the query: `p` (the password, plain or
//! hex), `t` and `s` (a salted token and its salt: together they replay the request, and a
//! weak password can be found from them), `apiKey`. A stream URL given to the audio engine
//! carries them too, so whoever logs one logs [`redact_url`]'s answer instead.

use url::Url;

/// Query parameters whose values authenticate a request.
const SECRET_PARAMS: [&str; 4] = ["p", "t", "s", "apiKey"];

/// `url` with the value of each of `p`, `t`, `s` and `apiKey` replaced by `REDACTED`; every
/// other parameter, and the order, kept.
#[must_use]
pub fn redact_url(url: &Url) -> String {
    if url.query().is_none() {
        return url.to_string();
    }
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(name, value)| {
            let value = if SECRET_PARAMS.contains(&name.as_ref()) {
                "REDACTED".to_owned()
            } else {
                value.into_owned()
            };
            (name.into_owned(), value)
        })
        .collect();
    let mut redacted = url.clone();
    redacted.query_pairs_mut().clear().extend_pairs(pairs);
    redacted.to_string()
}

/// [`redact_url`] for a URL held as text; text that is not a URL is replaced whole, as it
/// may still hold a secret.
#[must_use]
pub fn redact_url_str(url: &str) -> String {
    Url::parse(url).map_or_else(
        |_| "[unreadable address]".to_owned(),
        |url| redact_url(&url),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_secret_parameter_is_replaced_and_the_rest_kept() {
        let url = Url::parse(
            "https://music.example/rest/stream.view?u=ann&t=26719a1196d2a940705a59634eb18eab\
             &s=c19b2d&v=1.16.1&c=Strato&f=json&id=42&maxBitRate=128",
        )
        .unwrap();
        let redacted = redact_url(&url);
        assert_eq!(
            redacted,
            "https://music.example/rest/stream.view?u=ann&t=REDACTED&s=REDACTED&v=1.16.1\
             &c=Strato&f=json&id=42&maxBitRate=128"
        );
        assert!(!redacted.contains("c19b2d"));
    }

    #[test]
    fn the_password_and_the_api_key_are_replaced_plain_or_encoded() {
        let url =
            Url::parse("http://127.0.0.1:4040/rest/ping.view?u=ann&p=enc%3A736573616d65").unwrap();
        assert_eq!(
            redact_url(&url),
            "http://127.0.0.1:4040/rest/ping.view?u=ann&p=REDACTED"
        );
        let url = Url::parse("http://127.0.0.1/rest/ping?apiKey=k-123&p=sesame").unwrap();
        let redacted = redact_url(&url);
        assert!(
            !redacted.contains("k-123") && !redacted.contains("sesame"),
            "{redacted}"
        );
    }

    #[test]
    fn names_are_matched_exactly_so_ids_and_sizes_survive() {
        // `size`, `songId` and `sort` start with `s` but are not the salt.
        let url = Url::parse("http://h/rest/getCoverArt.view?id=7&size=300&songId=s1").unwrap();
        assert_eq!(redact_url(&url), url.as_str());
    }

    #[test]
    fn text_that_is_not_a_url_is_not_echoed() {
        assert_eq!(
            redact_url_str("not a url ?p=secret"),
            "[unreadable address]"
        );
        assert_eq!(
            redact_url_str("http://h/rest/x?p=secret"),
            "http://h/rest/x?p=REDACTED"
        );
        assert_eq!(redact_url_str("http://h/rest/x"), "http://h/rest/x");
    }
}
