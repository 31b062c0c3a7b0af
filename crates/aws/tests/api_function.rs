//! The API function as deployed: the built `strato-api` bootstrap in processes of its own,
//! polling Lambda's runtime API ([`strato_aws::runtime`]) behind API Gateway's HTTP API
//! ([`strato_aws::gateway`]), set up from the variables the stack gives it, with moto standing
//! in for every AWS service (`AWS_ENDPOINT_URL`): its tables, buckets and queue, the catalog
//! in the media bucket, the CDN's key in Secrets Manager, the user pool.
//!
//! devcloud's integration tests hold the handlers to the contract (runner `aws`); these hold
//! the function's own set-up to the deployment: the catalog it serves is the bucket's, the
//! grants it signs name the stack's key pair id and CDN, its stores are the stack's tables.
//! moto checks neither IAM (what each role may do is `deploy/aws`'s assertions) nor request
//! signatures (so the hand-signed multipart calls are shown to reach the bucket, not to be
//! signed as S3 would accept).

mod common;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::process::Stdio;
use std::sync::Arc;

use common::{CDN_URL, INSTANCES, KEY_PAIR_ID, deploy, instance, set_up_of};
use rsa::RsaPrivateKey;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};
use strato_aws::gateway;
use strato_aws::runtime::RuntimeApi;
use strato_devcloud::cdn::access;
use strato_devcloud::cdn::signing::Verifier;
use strato_model::api::{StreamGrant, UploadSession};
use strato_testkit::Moto;
use tokio::process::Child;

const API: &str = env!("CARGO_BIN_EXE_strato-api");
const FUNCTION: &str = "strato-api";

/// API Gateway's HTTP API in front of the runtime API, on loopback: its URL.
async fn http_api(runtime: RuntimeApi) -> String {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let front = gateway::front_of(Arc::new(runtime));
    tokio::spawn(async move {
        axum::serve(
            listener,
            front.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    url
}

async fn json_of(response: reqwest::Response) -> Value {
    response.json().await.unwrap()
}

fn header(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("no {name} in {:?}", response.headers()))
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_function_serves_the_contract_from_the_stacks_resources() {
    let moto = Moto::start();
    let deployment = deploy(moto).await;
    let runtime = RuntimeApi::start(FUNCTION).await.unwrap();
    let _instances: Vec<Child> = (0..INSTANCES)
        .map(|_| instance(API, moto, &runtime, &deployment.vars, Stdio::null()))
        .collect();
    let api = http_api(runtime.clone()).await;
    let http = reqwest::Client::new();

    // No token: the configuration, and the contract's own problems.
    let config = http.get(format!("{api}/v1/config")).send().await.unwrap();
    assert_eq!(config.status(), 200);
    let config = json_of(config).await;
    assert_eq!(config["cdn_base_url"], CDN_URL);
    assert_eq!(
        config["live_url"],
        deployment.vars["STRATO_LIVE_URL"].as_str()
    );
    assert_eq!(
        config["cognito"]["client_id"],
        deployment.client_id.as_str()
    );
    let nowhere = http.get(format!("{api}/v1/nowhere")).send().await.unwrap();
    assert_eq!(nowhere.status(), 404);
    assert_eq!(header(&nowhere, "content-type"), "application/problem+json");
    let anonymous = http.get(format!("{api}/v1/tracks")).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
    assert_eq!(
        header(&anonymous, "content-type"),
        "application/problem+json"
    );
    assert!(header(&anonymous, "www-authenticate").starts_with("Bearer"));

    // Signed in: the catalog is the one in the media bucket.
    let token = deployment
        .pool
        .access_token(
            &deployment.client_id,
            strato_devcloud::auth::cognito::DEMO_USERNAME,
            strato_devcloud::auth::cognito::DEMO_PASSWORD,
        )
        .await;
    let get = |path: &str| http.get(format!("{api}{path}")).bearer_auth(&token);
    let tracks = json_of(get("/v1/tracks?limit=100").send().await.unwrap()).await;
    let catalog: Value = serde_json::from_slice(
        &std::fs::read(strato_testkit::media_dir().join("catalog.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        tracks["items"].as_array().unwrap().len(),
        catalog["tracks"].as_array().unwrap().len()
    );
    let track = tracks["items"][0]["id"].as_str().unwrap().to_owned();

    // Its grants are signed for the stack's CDN, under the stack's key pair id.
    let traced = "Root=1-67891233-abcdef012345678912345678;Sampled=1";
    let grant = get(&format!("/v1/tracks/{track}/stream"))
        .header("x-amzn-trace-id", traced)
        .send()
        .await
        .unwrap();
    assert_eq!(grant.status(), 200);
    assert!(
        header(&grant, "x-amzn-trace-id").contains("Root=1-67891233-abcdef012345678912345678"),
        "the client's trace is echoed"
    );
    check_grant(grant, &deployment.key).await;

    // Its playlists are the stack's tables: a write, replayed by its key.
    let create = || {
        http.post(format!("{api}/v1/playlists"))
            .bearer_auth(&token)
            .header("idempotency-key", "first-playlist")
            .json(&json!({"name": "Deployed"}))
    };
    let created = create().send().await.unwrap();
    assert_eq!(created.status(), 201);
    let location = header(&created, "location");
    let etag = header(&created, "etag");
    let replayed = create().send().await.unwrap();
    assert_eq!(replayed.status(), 201);
    assert_eq!(header(&replayed, "location"), location);
    let read = get(&location).send().await.unwrap();
    assert_eq!(header(&read, "etag"), etag);
    assert_eq!(json_of(read).await["name"], "Deployed");

    check_upload(&http, &api, &token, moto, &deployment.vars).await;
}

/// A stream grant: each cookie its own `Set-Cookie`, URLs under the stack's CDN, signed with
/// the key whose public half the trusted key group holds.
async fn check_grant(grant: reqwest::Response, key: &RsaPrivateKey) {
    let set_cookies = grant.headers().get_all("set-cookie").iter().count();
    assert_eq!(
        set_cookies, 3,
        "the grant's cookies, each its own Set-Cookie"
    );
    let grant: StreamGrant = grant.json().await.unwrap();
    let master = &grant.hls_master_url;
    assert!(master.starts_with(CDN_URL), "{master}");
    // The trusted key group's public half accepts the cookies for the track's media.
    let cookie = grant
        .cookies
        .iter()
        .map(|c| format!("{}={}", c.name, c.value))
        .collect::<Vec<_>>()
        .join("; ");
    let mut headers = axum::http::HeaderMap::new();
    headers.insert("cookie", cookie.parse().unwrap());
    let presented = access::presented(None, &headers).unwrap();
    let edge = Verifier::new(key.to_public_key(), KEY_PAIR_ID.to_owned());
    let now = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap();
    assert_eq!(edge.verify(&presented, master, now), Ok(()));
    let other_key = Verifier::new(
        RsaPrivateKey::new(&mut rand::thread_rng(), 2048)
            .unwrap()
            .to_public_key(),
        KEY_PAIR_ID.to_owned(),
    );
    assert!(other_key.verify(&presented, master, now).is_err());
}

/// An upload goes to the stack's bucket in parts, and its job to the processing queue.
async fn check_upload(
    http: &reqwest::Client,
    api: &str,
    token: &str,
    moto: &Moto,
    vars: &HashMap<String, String>,
) {
    let original = b"not audio, but bytes all the same".repeat(1000);
    let announced = http
        .post(format!("{api}/v1/uploads"))
        .bearer_auth(token)
        .json(&json!({
            "file_name": "song.flac",
            "size": original.len(),
            "content_type": "audio/flac",
            "sha256": hex::encode(Sha256::digest(&original)),
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(announced.status(), 201);
    let session: UploadSession = announced.json().await.unwrap();
    let part = &session.parts[0];
    assert!(part.url.starts_with(moto.url()), "{}", part.url);
    let mut put = http
        .put(&part.url)
        .header("content-type", "application/octet-stream");
    for (name, value) in &part.headers {
        put = put.header(name, value);
    }
    let sent = put.body(original.clone()).send().await.unwrap();
    assert!(sent.status().is_success(), "{}", sent.status());
    let etag = header(&sent, "etag");
    let completed = http
        .post(format!("{api}/v1/uploads/{}/complete", session.upload.id))
        .bearer_auth(token)
        .json(&json!({"parts": [{"part_number": 1, "etag": etag, "size": original.len()}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        completed.status(),
        202,
        "{}",
        completed.text().await.unwrap()
    );
    let jobs = strato_aws::queue::local_sqs_client(moto.url(), &vars["STRATO_REGION"])
        .receive_message()
        .queue_url(&vars["STRATO_PROCESS_QUEUE_URL"])
        .max_number_of_messages(10)
        .send()
        .await
        .unwrap();
    let bodies: Vec<&str> = jobs.messages().iter().filter_map(|m| m.body()).collect();
    assert_eq!(bodies, [session.upload.id.as_str()]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_missing_a_variable_stops_in_its_set_up_and_says_which() {
    let moto = Moto::start();
    let deployment = deploy(moto).await;
    let runtime = RuntimeApi::start(FUNCTION).await.unwrap();
    let mut vars = deployment.vars.clone();
    vars.remove("STRATO_CDN_KEY_PAIR_ID");
    let output = set_up_of(instance(API, moto, &runtime, &vars, Stdio::piped())).await;
    assert!(!output.status.success());
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("lacks STRATO_CDN_KEY_PAIR_ID"), "{said}");

    let mut vars = deployment.vars.clone();
    vars.insert(
        "STRATO_CDN_PRIVATE_KEY_SECRET_ARN".into(),
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:none".into(),
    );
    let output = set_up_of(instance(API, moto, &runtime, &vars, Stdio::piped())).await;
    assert!(!output.status.success());
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("reading the CDN's signing key"), "{said}");
}
