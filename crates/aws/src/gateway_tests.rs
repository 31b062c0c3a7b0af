//! The HTTP API's translation, over loopback: a small function behind [`front`] sees what a
//! deployment's function sees, and its answers come back as API Gateway returns them.

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{AppendHeaders, IntoResponse};
use axum::routing::{get, post};

use super::{INVOCATION_LIMIT, front};

/// The function: echoes what it was given, or answers in ways the translation must keep.
fn function() -> Router {
    Router::new()
        .route("/echo", post(echo).get(echo))
        .route("/cookies", get(set_cookies))
        .route("/repeated", get(repeated_header))
        .route("/huge", get(|| async { "x".repeat(INVOCATION_LIMIT) }))
        .route("/empty", post(|| async { StatusCode::NO_CONTENT }))
        .route("/panics", get(panics))
}

async fn panics() -> &'static str {
    panic!("a bug in a handler")
}

async fn echo(uri: Uri, headers: HeaderMap, body: Bytes) -> impl IntoResponse {
    let header = |name: &str| {
        headers
            .get(name)
            .map(|value| value.to_str().unwrap_or("<not text>").to_owned())
    };
    let seen = serde_json::json!({
        "query": uri.query(),
        "cookie": header("cookie"),
        "trace": header("x-amzn-trace-id"),
        "accept": header("accept"),
    });
    (
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_owned()),
            (header::HeaderName::from_static("x-seen"), seen.to_string()),
        ],
        body,
    )
}

async fn set_cookies() -> impl IntoResponse {
    (
        AppendHeaders([
            (
                header::SET_COOKIE,
                "CloudFront-Policy=p; Path=/media; HttpOnly",
            ),
            (
                header::SET_COOKIE,
                "CloudFront-Signature=s; Path=/media; HttpOnly",
            ),
        ]),
        "ok",
    )
}

async fn repeated_header() -> impl IntoResponse {
    (
        AppendHeaders([(header::VARY, "origin"), (header::VARY, "accept")]),
        "ok",
    )
}

/// The front served on a loopback port; its base URL.
async fn serve() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, front(function())).await });
    url
}

fn seen(response: &reqwest::Response) -> serde_json::Value {
    serde_json::from_str(response.headers()["x-seen"].to_str().unwrap()).unwrap()
}

#[tokio::test]
async fn a_binary_body_a_raw_query_and_cookies_reach_the_function_unchanged() {
    let url = serve().await;
    let body: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let response = reqwest::Client::new()
        .post(format!("{url}/echo?q=a%20b&tag=x&tag=y"))
        .header(header::CONTENT_TYPE, "image/jpeg")
        .header(header::COOKIE, "a=1; b=2")
        .header(header::ACCEPT, "text/plain")
        .header(header::ACCEPT, "application/json")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let seen = seen(&response);
    assert_eq!(seen["query"], "q=a%20b&tag=x&tag=y");
    assert_eq!(seen["cookie"], "a=1; b=2");
    // Repeated request headers reach a function joined by commas.
    assert_eq!(seen["accept"], "text/plain,application/json");
    assert!(
        response.bytes().await.unwrap() == body,
        "the body changed on its way"
    );
}

#[tokio::test]
async fn the_trace_root_goes_on_and_a_request_without_one_gets_one() {
    let url = serve().await;
    let client = reqwest::Client::new();
    let root = "1-67891233-abcdef012345678912345678";
    let traced = client
        .get(format!("{url}/echo"))
        .header("X-Amzn-Trace-Id", format!("Root={root};Sampled=1"))
        .send()
        .await
        .unwrap();
    let trace = seen(&traced)["trace"].as_str().unwrap().to_owned();
    assert!(
        trace.starts_with(&format!("Root={root};Parent=")),
        "{trace}"
    );

    let untraced = client.get(format!("{url}/echo")).send().await.unwrap();
    let trace = seen(&untraced)["trace"].as_str().unwrap().to_owned();
    assert!(
        trace.starts_with("Root=1-") && !trace.contains(root),
        "{trace}"
    );
}

#[tokio::test]
async fn cookies_set_by_the_function_come_back_as_set_cookie_headers() {
    let url = serve().await;
    let response = reqwest::get(format!("{url}/cookies")).await.unwrap();
    let cookies: Vec<_> = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|value| value.to_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        cookies,
        [
            "CloudFront-Policy=p; Path=/media; HttpOnly",
            "CloudFront-Signature=s; Path=/media; HttpOnly"
        ]
    );
    assert_eq!(response.text().await.unwrap(), "ok");
}

#[tokio::test]
async fn a_header_repeated_in_an_answer_keeps_only_its_first_value_as_on_aws() {
    let url = serve().await;
    let response = reqwest::get(format!("{url}/repeated")).await.unwrap();
    let vary: Vec<_> = response.headers().get_all(header::VARY).iter().collect();
    assert_eq!(vary, ["origin"]);
}

#[tokio::test]
async fn payloads_past_lambdas_limit_get_api_gateways_answers() {
    let url = serve().await;
    let client = reqwest::Client::new();
    let too_big = client
        .post(format!("{url}/echo"))
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .body(vec![0u8; INVOCATION_LIMIT * 3 / 4 + 1])
        .send()
        .await
        .unwrap();
    assert_eq!(too_big.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        too_big.text().await.unwrap(),
        r#"{"message":"Request Entity Too Large"}"#
    );

    let huge = client.get(format!("{url}/huge")).send().await.unwrap();
    assert_eq!(huge.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        huge.text().await.unwrap(),
        r#"{"message":"Internal Server Error"}"#
    );
}

#[tokio::test]
async fn a_panicking_handler_is_api_gateways_500() {
    let url = serve().await;
    let response = reqwest::get(format!("{url}/panics")).await.unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        response.text().await.unwrap(),
        r#"{"message":"Internal Server Error"}"#
    );
}

#[test]
fn the_request_time_is_written_as_api_gateway_writes_it() {
    // 2026-03-09 07:05:02 UTC.
    let at = time::OffsetDateTime::from_unix_timestamp(1_773_039_902).unwrap();
    assert_eq!(super::request_time(at), "09/Mar/2026:07:05:02 +0000");
}

#[tokio::test]
async fn the_functions_own_statuses_and_empty_answers_pass_through() {
    let url = serve().await;
    let client = reqwest::Client::new();
    let empty = client.post(format!("{url}/empty")).send().await.unwrap();
    assert_eq!(empty.status(), StatusCode::NO_CONTENT);
    assert!(empty.bytes().await.unwrap().is_empty());
    let missing = client.get(format!("{url}/nowhere")).send().await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}
