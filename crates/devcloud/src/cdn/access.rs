//! Reading a request's CloudFront credentials (query string first, then cookies, as
//! CloudFront does) and answering refusals with CloudFront's XML error body.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use percent_encoding::percent_decode_str;

use super::signing::{
    COOKIE_EXPIRES, COOKIE_KEY_PAIR_ID, COOKIE_POLICY, COOKIE_SIGNATURE, Denial, Presented,
};

/// The credentials a request carries, or [`Denial::Missing`].
pub fn presented(query: Option<&str>, headers: &HeaderMap) -> Result<Presented, Denial> {
    let query_params: Vec<(String, String)> = query
        .unwrap_or_default()
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(name, value)| (decode(name), decode(value)))
        .collect();
    let from_query = |name: &str| {
        query_params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    if let Some(found) = assemble(
        from_query("Policy"),
        from_query("Expires"),
        from_query("Signature"),
        from_query("Key-Pair-Id"),
    ) {
        return found;
    }
    let cookies: Vec<(&str, &str)> = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .collect();
    let cookie = |name: &str| {
        cookies
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.trim_matches('"').to_owned())
    };
    assemble(
        cookie(COOKIE_POLICY),
        cookie(COOKIE_EXPIRES),
        cookie(COOKIE_SIGNATURE),
        cookie(COOKIE_KEY_PAIR_ID),
    )
    .unwrap_or(Err(Denial::Missing))
}

/// `None` when no part is present; an error when the set is incomplete.
fn assemble(
    policy: Option<String>,
    expires: Option<String>,
    signature: Option<String>,
    key_pair_id: Option<String>,
) -> Option<Result<Presented, Denial>> {
    if policy.is_none() && expires.is_none() && signature.is_none() && key_pair_id.is_none() {
        return None;
    }
    let (Some(signature), Some(key_pair_id)) = (signature, key_pair_id) else {
        return Some(Err(Denial::Missing));
    };
    Some(match (policy, expires) {
        (Some(policy), _) => Ok(Presented::Custom {
            policy,
            signature,
            key_pair_id,
        }),
        (None, Some(expires)) => Ok(Presented::Canned {
            expires,
            signature,
            key_pair_id,
        }),
        (None, None) => Err(Denial::Missing),
    })
}

fn decode(text: &str) -> String {
    percent_decode_str(text).decode_utf8_lossy().into_owned()
}

/// CloudFront's error body: `<Error><Code>..</Code><Message>..</Message></Error>`.
#[must_use]
pub fn xml_error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message></Error>\n"
    );
    let mut response = (status, body).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/xml"));
    response
}

/// The 403 for a refused signature.
#[must_use]
pub fn denied(denial: Denial) -> Response {
    xml_error(StatusCode::FORBIDDEN, denial.code(), &denial.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cookies(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn query_credentials_win_over_cookies() {
        let headers =
            cookies("CloudFront-Policy=p; CloudFront-Signature=s; CloudFront-Key-Pair-Id=k");
        let found = presented(Some("Expires=5&Signature=a%7Eb&Key-Pair-Id=K1"), &headers);
        assert_eq!(
            found,
            Ok(Presented::Canned {
                expires: "5".into(),
                signature: "a~b".into(),
                key_pair_id: "K1".into()
            })
        );
    }

    #[test]
    fn cookies_are_read_when_the_query_has_none() {
        let headers = cookies(
            "other=1; CloudFront-Policy=p; CloudFront-Signature=s; CloudFront-Key-Pair-Id=k",
        );
        assert_eq!(
            presented(Some("x=1"), &headers),
            Ok(Presented::Custom {
                policy: "p".into(),
                signature: "s".into(),
                key_pair_id: "k".into()
            })
        );
    }

    #[test]
    fn nothing_or_half_a_set_is_missing() {
        assert_eq!(presented(None, &HeaderMap::new()), Err(Denial::Missing));
        assert_eq!(
            presented(Some("Signature=s"), &HeaderMap::new()),
            Err(Denial::Missing)
        );
        assert_eq!(
            presented(None, &cookies("CloudFront-Policy=p")),
            Err(Denial::Missing)
        );
    }
}
