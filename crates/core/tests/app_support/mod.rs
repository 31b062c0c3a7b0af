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
