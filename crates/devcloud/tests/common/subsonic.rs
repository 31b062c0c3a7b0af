//! A plain `OpenSubsonic` caller over reqwest for devcloud's `/rest/` tests: no client crate,
//! the parameters written out as the spec names them.

use md5::{Digest as _, Md5};
use reqwest::RequestBuilder;
use serde_json::Value;
use strato_testkit::{DevCloud, DevCloudBuilder};

pub const ALICE: &str = "alice";
pub const ALICE_PASSWORD: &str = "se:cret-pass";
pub const BOB: &str = "bob";
pub const BOB_PASSWORD: &str = "hunter2";
pub const ALICE_KEY: &str = "k3y-of-alice";

/// devcloud with alice (a password and an API key) and bob.
pub fn with_accounts(builder: DevCloudBuilder) -> DevCloudBuilder {
    builder
        .subsonic_user(ALICE, ALICE_PASSWORD)
        .subsonic_user(BOB, BOB_PASSWORD)
        .subsonic_api_key(ALICE_KEY, ALICE)
}

/// A caller with fixed credentials.
pub struct Rest<'a> {
    pub cloud: &'a DevCloud,
    pub auth: Vec<(String, String)>,
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// `pairs` as `application/x-www-form-urlencoded` (a query string or a form body).
pub fn encode(pairs: &[(&str, &str)]) -> String {
    // Everything but RFC 3986's unreserved characters.
    const RESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    let part = |text: &str| percent_encoding::utf8_percent_encode(text, RESERVED).to_string();
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", part(k), part(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// GET `url` with `pairs` as its query.
pub fn get_with(cloud: &DevCloud, url: &str, pairs: &[(&str, &str)]) -> RequestBuilder {
    cloud.http().get(format!("{url}?{}", encode(pairs)))
}

/// POST `pairs` to `url` as a form.
pub fn post_form(cloud: &DevCloud, url: &str, pairs: &[(&str, &str)]) -> RequestBuilder {
    cloud
        .http()
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(encode(pairs))
}

/// md5 hex of `password` + `salt`, as the spec defines the token.
pub fn token(password: &str, salt: &str) -> String {
    hex::encode(Md5::digest(format!("{password}{salt}")))
}

impl<'a> Rest<'a> {
    /// Token and salt authentication.
    pub fn token(cloud: &'a DevCloud, user: &str, password: &str) -> Self {
        let salt = "s4lt-of-test";
        Self {
            cloud,
            auth: pairs(&[("u", user), ("t", &token(password, salt)), ("s", salt)]),
        }
    }

    pub fn alice(cloud: &'a DevCloud) -> Self {
        Self::token(cloud, ALICE, ALICE_PASSWORD)
    }

    pub fn bob(cloud: &'a DevCloud) -> Self {
        Self::token(cloud, BOB, BOB_PASSWORD)
    }

    pub fn with_auth(cloud: &'a DevCloud, auth: &[(&str, &str)]) -> Self {
        Self {
            cloud,
            auth: pairs(auth),
        }
    }

    /// GET `endpoint` with `c`, `v`, `f=json`, the credentials and `params`.
    pub fn get(&self, endpoint: &str, params: &[(&str, &str)]) -> RequestBuilder {
        let mut query = vec![("c", "devcloud-tests"), ("v", "1.16.1"), ("f", "json")];
        query.extend(self.auth.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        query.extend_from_slice(params);
        get_with(
            self.cloud,
            &format!("{}{endpoint}", self.cloud.subsonic_url()),
            &query,
        )
    }

    /// The `subsonic-response` of a call that must succeed.
    pub async fn ok(&self, endpoint: &str, params: &[(&str, &str)]) -> Value {
        let response = envelope(self.get(endpoint, params)).await;
        assert_eq!(
            response["status"], "ok",
            "{endpoint} {params:?}: {response}"
        );
        response
    }

    /// The error code and message of a call that must fail.
    pub async fn error(&self, endpoint: &str, params: &[(&str, &str)]) -> (u64, String) {
        error_of(&envelope(self.get(endpoint, params)).await)
    }
}

/// Sends and returns the JSON `subsonic-response`, checking the envelope's fields.
pub async fn envelope(request: RequestBuilder) -> Value {
    let response = request.send().await.unwrap();
    assert_eq!(
        response.status(),
        200,
        "Subsonic answers errors with 200 too"
    );
    assert_eq!(response.headers()["content-type"], "application/json");
    let mut body: Value = response.json().await.unwrap();
    let inner = body["subsonic-response"].take();
    assert_eq!(inner["version"], "1.16.1", "{inner}");
    assert_eq!(inner["type"], "devcloud", "{inner}");
    assert_eq!(inner["openSubsonic"], true, "{inner}");
    assert!(inner["serverVersion"].is_string(), "{inner}");
    inner
}

pub fn error_of(response: &Value) -> (u64, String) {
    assert_eq!(response["status"], "failed", "{response}");
    (
        response["error"]["code"].as_u64().unwrap(),
        response["error"]["message"].as_str().unwrap().to_owned(),
    )
}

/// `catalog.json` of the media devcloud serves.
pub fn catalog_json(cloud: &DevCloud) -> Value {
    serde_json::from_slice(&std::fs::read(cloud.media_dir().join("catalog.json")).unwrap()).unwrap()
}

/// The ids of a list field (`[{"id": ...}]`), in order.
pub fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|item| item["id"].as_str().unwrap().to_owned())
        .collect()
}
