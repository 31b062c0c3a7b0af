//! Shared by the tests that drive the App facade against moto and devcloud.

use std::future::Future;
use std::time::{Duration, Instant};

/// Polls `check` until it gives a value, for at most 30 s; fails naming `what`.
pub async fn eventually<T, F: Future<Output = Option<T>>>(
    what: &str,
    mut check: impl FnMut() -> F,
) -> T {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The ids of the first `count` catalog tracks the service finds for "a" (every demo track
/// has one), as a listener would pick them to play.
// Each test file compiles this module on its own; not every one plays tracks.
#[allow(dead_code)]
pub async fn some_tracks(app: &strato_core::App, count: usize) -> Vec<String> {
    let found = app.search_catalog("a").await.expect("the catalog searched");
    let ids: Vec<String> = found.tracks.into_iter().take(count).map(|t| t.id).collect();
    assert_eq!(ids.len(), count, "the demo catalog has {count} tracks");
    ids
}
