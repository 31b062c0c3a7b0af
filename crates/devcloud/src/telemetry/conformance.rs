//! The contract every [`TelemetryStore`] keeps, run against SQLite in devcloud's tests and
//! against `DynamoDB` and S3 (on moto) in `strato-aws`'s.

use strato_model::api::{TelemetryBatch, TelemetryHour};

use super::TelemetryStore;

fn batch(hour_start: i64) -> TelemetryBatch {
    TelemetryBatch {
        batch_id: uuid::Uuid::new_v4().to_string(),
        app_version: "0.1.0".into(),
        os: "linux".into(),
        hours: vec![TelemetryHour {
            hour: hour_start,
            plays: 3,
            ..TelemetryHour::default()
        }],
    }
}

/// Runs every scenario against a store that has taken nothing yet.
///
/// # Panics
/// At the first expectation the store does not meet.
pub async fn run(store: &dyn TelemetryStore) {
    let now = 1_800_000_000;
    let first = batch(now - now % 3600);
    assert!(!store.take(&first, now).await.unwrap(), "a new batch");
    assert!(
        store.take(&first, now + 5).await.unwrap(),
        "the same batch sent again is a duplicate"
    );
    // A day later: still known (an app resends an unsent batch for up to 30 days).
    assert!(store.take(&first, now + 86_400).await.unwrap());
    let second = batch(now - now % 3600 + 3600);
    assert!(!store.take(&second, now + 10).await.unwrap());
    assert_eq!(
        store.received().await.unwrap(),
        [first, second],
        "each batch once, oldest first, as sent"
    );
}
