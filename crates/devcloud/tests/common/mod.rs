//! Shared set-up for devcloud's integration tests: a real devcloud process per test, the
//! shared moto, the generated media.

#![allow(dead_code)]

pub mod live;
pub mod subsonic;
pub mod uploads;

use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde::de::DeserializeOwned;
use strato_model::api::{Problem, ProblemType};
use strato_testkit::{DevCloud, DevCloudBuilder, Moto};

/// A builder for this crate's freshly built binary, or for `$STRATO_DEVCLOUD_BIN` when set:
/// the contract's other home (`aws-local`, `scripts/lib/contract-on-lambda.sh`) runs these
/// tests too.
pub fn builder() -> DevCloudBuilder {
    let binary = std::env::var_os("STRATO_DEVCLOUD_BIN").map_or_else(
        || env!("CARGO_BIN_EXE_devcloud").into(),
        std::path::PathBuf::from,
    );
    DevCloud::builder(Moto::start()).binary(binary)
}

/// A devcloud with default options.
pub async fn devcloud() -> DevCloud {
    builder().start().await
}

/// A signed-in API client.
pub struct Api<'a> {
    pub cloud: &'a DevCloud,
    pub token: String,
}

impl<'a> Api<'a> {
    pub async fn demo(cloud: &'a DevCloud) -> Self {
        Self {
            cloud,
            token: cloud.demo_access_token().await,
        }
    }

    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.cloud
            .http()
            .request(method, format!("{}{path}", self.cloud.api_url()))
            .bearer_auth(&self.token)
    }

    pub fn get(&self, path: &str) -> RequestBuilder {
        self.request(Method::GET, path)
    }

    pub fn post(&self, path: &str) -> RequestBuilder {
        self.request(Method::POST, path)
    }

    /// GET `path`, expecting 200 and JSON.
    pub async fn json<T: DeserializeOwned>(&self, path: &str) -> T {
        ok_json(self.get(path).send().await.unwrap()).await
    }
}

/// Asserts 2xx and decodes the body.
pub async fn ok_json<T: DeserializeOwned>(response: Response) -> T {
    let status = response.status();
    let url = response.url().path().to_owned();
    let text = response.text().await.unwrap();
    assert!(status.is_success(), "{url}: {status}: {text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{url}: {e}: {text}"))
}

/// Asserts a problem response of `kind` and returns it.
pub async fn problem(response: Response, kind: ProblemType) -> Problem {
    let status = response.status();
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json",
        "status {status}"
    );
    let problem: Problem = response.json().await.unwrap();
    assert_eq!(problem.kind(), Some(kind), "{problem:?}");
    assert_eq!(
        status,
        StatusCode::from_u16(kind.status()).unwrap(),
        "{problem:?}"
    );
    problem
}
