//! What the scrobbling tests share: the endpoint's one user, listens, a library on disk, a
//! submitter paced for tests, and waiting on its status.

#![allow(dead_code)]

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use strato_library::{Library, Listen, ListenState, ScrobbleTarget};
use strato_scrobble::{
    ListenBrainzClient, SharedLibrary, SubmitterConfig, SubmitterStatus, UserToken,
};
use tokio::sync::watch;

pub const TOKEN: &str = "5d2c7f3a-user-token-of-ben";
pub const USER: &str = "ben";

/// Long enough for a slow shared machine; a test waiting this long has failed.
pub const PATIENCE: Duration = Duration::from_secs(60);

pub fn unix_now() -> i64 {
    i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap()
}

/// Listen `n`, begun `n` seconds after an hour ago.
pub fn listen(n: i64) -> Listen {
    Listen {
        service_kind: "strato".into(),
        account: "ben@example.com".into(),
        track_id: format!("t{n}"),
        artist_name: "The Demo Band".into(),
        track_name: format!("Song {n}"),
        release_name: Some("Demo Album".into()),
        duration_ms: Some(183_000),
        track_number: Some(u32::try_from(n).unwrap_or(1).max(1)),
        listened_at: unix_now() - 3600 + n,
    }
}

pub fn library_at(path: &Path) -> SharedLibrary {
    Arc::new(Mutex::new(Library::open(path).unwrap()))
}

pub fn client(url: &str) -> ListenBrainzClient {
    ListenBrainzClient::with_base_url(url, UserToken::new(TOKEN)).unwrap()
}

/// Quick retries, and listens in flight looked up at once.
pub fn config(batch_size: usize) -> SubmitterConfig {
    SubmitterConfig {
        batch_size,
        first_retry: Duration::from_millis(50),
        longest_retry: Duration::from_millis(400),
        settle: Duration::ZERO,
    }
}

/// Waits until `status` satisfies `done`; its last value.
pub async fn wait_until(
    status: &mut watch::Receiver<SubmitterStatus>,
    done: impl FnMut(&SubmitterStatus) -> bool,
) -> SubmitterStatus {
    tokio::time::timeout(PATIENCE, status.wait_for(done))
        .await
        .expect("the submitter got there in time")
        .expect("the submitter is running")
        .clone()
}

/// Every queued listen has been settled (sent or rejected) and nothing else is going on.
pub fn drained(status: &SubmitterStatus) -> bool {
    status.idle && status.pending == 0
}

pub fn states(library: &SharedLibrary) -> Vec<ListenState> {
    library
        .lock()
        .unwrap()
        .listens_for(ScrobbleTarget::ListenBrainz)
        .unwrap()
        .into_iter()
        .map(|queued| queued.state)
        .collect()
}

/// The track names of `user`'s listens on `endpoint`, in the order it took them.
pub fn names(listens: &[serde_json::Value]) -> Vec<String> {
    listens
        .iter()
        .map(|l| {
            l["track_metadata"]["track_name"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}
