//! `POST /v1/telemetry` over real HTTP: a batch of counts is taken and kept without its
//! sender, a resend is answered as a duplicate and counted once, a malformed or too-large
//! batch and a caller without a token are refused as problems.

mod common;

use std::collections::BTreeMap;

use common::{Api, devcloud, ok_json, problem};
use reqwest::StatusCode;
use strato_model::api::{
    MAX_TELEMETRY_BYTES, ProblemType, TelemetryBatch, TelemetryHour, TelemetryReceipt,
};

fn batch(id: &str) -> TelemetryBatch {
    let mut hour = TelemetryHour {
        hour: 1_780_000_000 / 3600 * 3600,
        plays: 2,
        stalls: 1,
        stalled_ms: 1_400,
        errors: BTreeMap::from([("network".to_owned(), 1)]),
        ..TelemetryHour::default()
    };
    hour.count_first_audio(320);
    TelemetryBatch {
        batch_id: id.to_owned(),
        app_version: "0.9.0".into(),
        os: "linux".into(),
        hours: vec![hour],
    }
}

#[tokio::test]
async fn a_batch_is_kept_once_and_a_bad_one_refused_in_words() {
    let cloud = devcloud().await;
    let api = Api::demo(&cloud).await;
    let sent = batch("5b7e0c52-1111-4a43-9c1e-9d8b6f0e2a01");

    let first: TelemetryReceipt =
        ok_json(api.post("/v1/telemetry").json(&sent).send().await.unwrap()).await;
    assert_eq!(first.batch_id, sent.batch_id);
    assert!(!first.duplicate);
    // The answer was lost, say: the app sends the same batch again.
    let again = api.post("/v1/telemetry").json(&sent).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::ACCEPTED);
    let again: TelemetryReceipt = again.json().await.unwrap();
    assert!(again.duplicate);
    assert_eq!(cloud.telemetry_received().await, vec![sent.clone()]);

    let mut over_counted = batch("5b7e0c52-2222-4a43-9c1e-9d8b6f0e2a01");
    over_counted.hours[0].errors.insert("forbidden".into(), 5);
    let refused = api
        .post("/v1/telemetry")
        .json(&over_counted)
        .send()
        .await
        .unwrap();
    let refused = problem(refused, ProblemType::BadRequest).await;
    assert!(
        refused
            .detail
            .as_deref()
            .is_some_and(|d| d.contains("more than its plays")),
        "{refused:?}"
    );

    let mut huge = batch("5b7e0c52-3333-4a43-9c1e-9d8b6f0e2a01");
    huge.app_version = "x".repeat(MAX_TELEMETRY_BYTES);
    let too_large = api.post("/v1/telemetry").json(&huge).send().await.unwrap();
    assert_eq!(too_large.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        too_large.headers()["content-type"],
        "application/problem+json"
    );

    let stranger = cloud
        .http()
        .post(format!("{}/v1/telemetry", cloud.api_url()))
        .json(&batch("5b7e0c52-4444-4a43-9c1e-9d8b6f0e2a01"))
        .send()
        .await
        .unwrap();
    problem(stranger, ProblemType::Unauthorized).await;

    // Only the one good batch, and nothing of who sent it.
    assert_eq!(cloud.telemetry_received().await, vec![sent]);
    let log = std::fs::read_to_string(cloud.log_path()).unwrap();
    let line = log
        .lines()
        .find(|l| l.contains("playback reports received"))
        .expect("the receipt logged");
    assert!(!line.contains("demo"), "{line}");
}
