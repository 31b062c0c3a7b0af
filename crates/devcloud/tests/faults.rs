//! Fault injection over real connections.

mod common;

use std::time::{Duration, Instant};

use common::{Api, builder, devcloud, problem};
use futures_util::StreamExt as _;
use strato_model::api::{Page, ProblemType, StreamGrant, Track};
use strato_testkit::{FaultRule, FaultTarget};

async fn mp3_url(api: &Api<'_>) -> (String, u64) {
    let page: Page<Track> = api.json("/v1/tracks?limit=1").await;
    let grant: StreamGrant = api
        .json(&format!("/v1/tracks/{}/stream", page.items[0].id))
        .await;
    let head = api.cloud.http().head(&grant.mp3_url).send().await.unwrap();
    let len = head.headers()["content-length"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    (grant.mp3_url, len)
}

#[tokio::test]
async fn latency_delays_at_least_the_given_time() {
    let cloud = devcloud().await;
    let rule = FaultRule {
        latency_ms: Some(400),
        ..FaultRule::new("/v1/config")
    };
    cloud.add_fault(&rule.on(FaultTarget::Api)).await;
    let started = Instant::now();
    let response = cloud
        .http()
        .get(format!("{}/v1/config", cloud.api_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        started.elapsed() >= Duration::from_millis(400),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn drop_after_bytes_cuts_the_connection() {
    let cloud = devcloud().await;
    let api = Api::demo(&cloud).await;
    let (url, len) = mp3_url(&api).await;
    assert!(len > 20_000, "the MP3 is big enough to cut");
    let rule = FaultRule {
        drop_after_bytes: Some(10_000),
        ..FaultRule::new("/media/*/mp3/*")
    };
    cloud.add_fault(&rule.on(FaultTarget::Cdn)).await;
    let response = cloud.http().get(&url).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.content_length(),
        Some(len),
        "the full length is promised"
    );
    let mut stream = response.bytes_stream();
    let mut received = 0usize;
    let mut failed = false;
    while let Some(chunk) = stream.next().await {
        if let Ok(bytes) = chunk {
            received += bytes.len();
        } else {
            failed = true;
            break;
        }
    }
    assert!(
        failed,
        "the body read must fail, got {received} bytes and a clean end"
    );
    // All of the first N bytes arrive (devcloud flushes before it drops), none after.
    assert_eq!(received, 10_000);
}

#[tokio::test]
async fn bandwidth_slows_the_body() {
    let cloud = devcloud().await;
    let api = Api::demo(&cloud).await;
    let (url, _) = mp3_url(&api).await;
    let rule = FaultRule {
        bandwidth_bytes_per_sec: Some(100_000),
        ..FaultRule::new("/media/**")
    };
    cloud.add_fault(&rule.on(FaultTarget::Cdn)).await;
    let started = Instant::now();
    let response = cloud
        .http()
        .get(&url)
        .header("range", "bytes=0-149999")
        .send()
        .await
        .unwrap();
    assert_eq!(response.bytes().await.unwrap().len(), 150_000);
    assert!(
        started.elapsed() >= Duration::from_millis(1400),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn error_rate_one_fails_and_times_limits_it() {
    let cloud = devcloud().await;
    let api = Api::demo(&cloud).await;
    let rule = FaultRule {
        error_rate: Some(1.0),
        times: Some(1),
        ..FaultRule::new("/v1/home")
    };
    let stored = cloud.add_fault(&rule).await;
    let failed = api.get("/v1/home").send().await.unwrap();
    assert_eq!(failed.status(), 503);
    let injected = failed.json::<strato_model::api::Problem>().await.unwrap();
    assert_eq!(injected.kind(), Some(ProblemType::Internal));
    assert_eq!(
        api.get("/v1/home").send().await.unwrap().status(),
        200,
        "spent after once"
    );
    let listed: serde_json::Value = cloud
        .http()
        .get(format!("{}/admin/faults", cloud.api_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed[0]["id"], stored.id.unwrap().as_str());
    assert_eq!(
        (listed[0]["applied"].as_u64(), listed[0]["spent"].as_bool()),
        (Some(1), Some(true))
    );

    let cdn = FaultRule {
        error_rate: Some(1.0),
        error_status: Some(500),
        ..FaultRule::new("/art/*")
    };
    cloud.add_fault(&cdn.on(FaultTarget::Cdn)).await;
    let art = cloud
        .http()
        .get(format!("{}/art/x.jpg", cloud.cdn_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(art.status(), 500);
    assert!(
        art.text()
            .await
            .unwrap()
            .contains("<Code>InjectedFault</Code>")
    );
}

#[tokio::test]
async fn the_admin_api_manages_rules() {
    let cloud = devcloud().await;
    let http = cloud.http();
    let admin = format!("{}/admin/faults", cloud.api_url());
    let added = cloud.add_fault(&FaultRule::new("/v1/tracks")).await;
    let named = cloud
        .add_fault(&FaultRule {
            id: Some("mine".into()),
            ..FaultRule::new("/media/**")
        })
        .await;
    assert_eq!(named.id.as_deref(), Some("mine"));
    let duplicate = http.post(&admin).json(&named).send().await.unwrap();
    assert_eq!(duplicate.status(), 409);
    let invalid = http
        .post(&admin)
        .json(&serde_json::json!({"path": "/x", "error_rate": 2}))
        .send();
    problem(invalid.await.unwrap(), ProblemType::BadRequest).await;
    let typo = http
        .post(&admin)
        .json(&serde_json::json!({"path": "/x", "latency": 5}))
        .send();
    problem(typo.await.unwrap(), ProblemType::BadRequest).await;
    let listed: Vec<serde_json::Value> =
        http.get(&admin).send().await.unwrap().json().await.unwrap();
    assert_eq!(listed.len(), 2);
    cloud.remove_fault(added.id.as_deref().unwrap()).await;
    let missing = http
        .delete(format!("{admin}/{}", added.id.unwrap()))
        .send()
        .await
        .unwrap();
    problem(missing, ProblemType::NotFound).await;
    cloud.clear_faults().await;
    let listed: Vec<serde_json::Value> =
        http.get(&admin).send().await.unwrap().json().await.unwrap();
    assert!(listed.is_empty());
}

#[tokio::test]
async fn rules_can_be_loaded_at_start() {
    let rule = FaultRule {
        error_rate: Some(1.0),
        error_status: Some(502),
        ..FaultRule::new("/v1/config")
    };
    let cloud = builder().fault(rule.on(FaultTarget::Api)).start().await;
    let response = cloud
        .http()
        .get(format!("{}/v1/config", cloud.api_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 502);
    cloud.clear_faults().await;
    let response = cloud
        .http()
        .get(format!("{}/v1/config", cloud.api_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}
