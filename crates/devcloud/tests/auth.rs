//! Token checks against real moto-issued tokens.

mod common;

use common::{Api, devcloud, ok_json, problem};
use strato_model::api::{ProblemType, ServiceConfig};

#[tokio::test]
async fn config_is_public_and_names_the_pool() {
    let cloud = devcloud().await;
    let response = cloud
        .http()
        .get(format!("{}/v1/config", cloud.api_url()))
        .send()
        .await
        .unwrap();
    let config: ServiceConfig = ok_json(response).await;
    assert_eq!(config.api_version, "1");
    assert_eq!(config.cognito.user_pool_id, cloud.config().user_pool_id);
    assert_eq!(config.cognito.client_id, cloud.config().client_id);
    assert_eq!(config.cognito.region, "us-east-1");
    assert_eq!(
        config.cognito.endpoint.as_deref(),
        Some(strato_testkit::Moto::start().url())
    );
    assert_eq!(config.cdn_base_url, cloud.cdn_url());
}

#[tokio::test]
async fn a_valid_access_token_is_accepted_and_none_is_401() {
    let cloud = devcloud().await;
    let api = Api::demo(&cloud).await;
    assert_eq!(api.get("/v1/home").send().await.unwrap().status(), 200);

    let url = format!("{}/v1/home", cloud.api_url());
    let missing = cloud.http().get(&url).send().await.unwrap();
    assert_eq!(missing.headers()["www-authenticate"], "Bearer");
    let detail = problem(missing, ProblemType::Unauthorized)
        .await
        .detail
        .unwrap();
    assert!(detail.contains("no bearer token"), "{detail}");

    let garbage = cloud
        .http()
        .get(&url)
        .bearer_auth("not-a-jwt")
        .send()
        .await
        .unwrap();
    assert_eq!(
        garbage.headers()["www-authenticate"],
        "Bearer error=\"invalid_token\""
    );
    problem(garbage, ProblemType::Unauthorized).await;
}

#[tokio::test]
async fn a_tampered_payload_is_401() {
    let cloud = devcloud().await;
    let token = cloud.demo_access_token().await;
    let (header, rest) = token.split_once('.').unwrap();
    let (payload, signature) = rest.split_once('.').unwrap();
    // Flip one character in the middle of the payload; still valid base64url.
    let mut chars: Vec<char> = payload.chars().collect();
    let middle = chars.len() / 2;
    chars[middle] = if chars[middle] == 'A' { 'B' } else { 'A' };
    let tampered = format!(
        "{header}.{}.{signature}",
        chars.into_iter().collect::<String>()
    );
    assert_ne!(tampered, token);
    let response = cloud
        .http()
        .get(format!("{}/v1/tracks", cloud.api_url()))
        .bearer_auth(&tampered)
        .send()
        .await
        .unwrap();
    let detail = problem(response, ProblemType::Unauthorized)
        .await
        .detail
        .unwrap();
    assert!(detail.contains("signature"), "{detail}");
}

#[tokio::test]
async fn a_token_for_another_app_client_is_401() {
    let cloud = devcloud().await;
    let cognito = cloud.cognito();
    let other_client = cognito.create_app_client("someone-elses-app").await;
    assert_ne!(other_client, cloud.config().client_id);
    let ready = cloud.config();
    let token = cognito
        .access_token(
            &other_client,
            ready.demo_username.as_deref().unwrap(),
            ready.demo_password.as_deref().unwrap(),
        )
        .await;
    let response = cloud
        .http()
        .get(format!("{}/v1/tracks", cloud.api_url()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let detail = problem(response, ProblemType::Unauthorized)
        .await
        .detail
        .unwrap();
    assert!(detail.contains("another app client"), "{detail}");
}

#[tokio::test]
async fn provisioning_is_idempotent_across_devclouds() {
    // Started concurrently against one moto: the file lock keeps them from racing.
    let (first, second) = tokio::join!(devcloud(), devcloud());
    assert_eq!(first.config().user_pool_id, second.config().user_pool_id);
    assert_eq!(first.config().client_id, second.config().client_id);
    // A token from one is good at the other: same pool, same client.
    let token = first.demo_access_token().await;
    let response = second
        .http()
        .get(format!("{}/v1/home", second.api_url()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn unknown_routes_and_methods_are_problems() {
    let cloud = devcloud().await;
    let api = Api::demo(&cloud).await;
    problem(
        api.get("/v1/nope").send().await.unwrap(),
        ProblemType::NotFound,
    )
    .await;
    let wrong_method = api
        .request(reqwest::Method::PUT, "/v1/tracks")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_method.status(), 405);
    assert_eq!(
        wrong_method.headers()["content-type"],
        "application/problem+json"
    );
    let bad_query = api
        .get("/v1/playlists/changes?since=soon")
        .send()
        .await
        .unwrap();
    problem(bad_query, ProblemType::BadRequest).await;
}
