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

/// How long a test client's request may take: loopback on a busy machine answers well
/// within it, and rows found in flight at start are looked up this long (and a second)
/// after their claim, so a test of a crash waits this long rather than the default 30 s.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

pub fn client(url: &str) -> ListenBrainzClient {
    ListenBrainzClient::with_base_url(url, UserToken::new(TOKEN))
        .unwrap()
        .with_request_timeout(REQUEST_TIMEOUT)
        .unwrap()
}

/// Queues `listens` and claims them as a run that died an hour ago left them: in flight,
/// long settled.
pub fn left_in_flight(library: &SharedLibrary, listens: &[Listen]) {
    let mut library = library.lock().unwrap();
    for heard in listens {
        library
            .enqueue_listen(ScrobbleTarget::ListenBrainz, heard)
            .unwrap();
    }
    let claimed = library
        .claim_listens(
            ScrobbleTarget::ListenBrainz,
            listens.len(),
            unix_now() - 3600,
        )
        .unwrap();
    assert_eq!(claimed.len(), listens.len());
}

/// Waits until the endpoint has received at least one submission; the first.
pub async fn first_submission(
    endpoint: &strato_testkit::ListenBrainzEndpoint,
) -> strato_testkit::listenbrainz::ReceivedSubmission {
    tokio::time::timeout(PATIENCE, async {
        loop {
            if let Some(first) = endpoint.submissions().into_iter().next() {
                return first;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("a submission came in time")
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
