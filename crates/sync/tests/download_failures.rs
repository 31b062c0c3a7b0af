//! Each way a download can fail ends with its own kind, against devcloud over loopback (real
//! CDN, fault injection) and a real SQLite library: the kind is what the app turns into the
//! error the listener sees, so a 404 must not read as a network failure, nor a refused
//! signature as a damaged file.

use std::time::Duration;

use serde_json::Value;
use strato_library::{DownloadState, Library};
use strato_sync::LibraryHandle;
use strato_sync::downloads::{
    DownloadConfig, DownloadErrorKind, DownloadEvent, DownloadManager, RetryPolicy,
};
use strato_testkit::{DevCloud, FaultRule, FaultTarget, Moto, media_dir};

mod support;
use support::demo_api;

/// The first catalog track's id.
fn a_track() -> String {
    let text = std::fs::read_to_string(media_dir().join("catalog.json")).unwrap();
    let json: Value = serde_json::from_str(&text).unwrap();
    json["tracks"][0]["id"].as_str().unwrap().to_owned()
}

fn fast_config() -> DownloadConfig {
    DownloadConfig {
        retry: RetryPolicy {
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(50),
            ..RetryPolicy::default()
        },
        ..DownloadConfig::default()
    }
}

/// Downloads `track` once with `cloud` as it is (or gone) and returns the kinds of the
/// failures the manager reported, and the track's row state.
async fn failures(
    cloud: Option<DevCloud>,
    api: strato_cloud::ApiClient,
    track: &str,
) -> (Vec<DownloadErrorKind>, DownloadState) {
    let temp = tempfile::tempdir().unwrap();
    let library = LibraryHandle::new(Library::open(temp.path().join("library.sqlite3")).unwrap());
    let manager =
        DownloadManager::new(api, library.clone(), temp.path().join("dl"), fast_config()).unwrap();
    let mut events = manager.subscribe();
    manager.enqueue(&[track.to_owned()], true).await.unwrap();
    manager.run_until_idle().await.unwrap();
    drop(cloud);
    let mut kinds = Vec::new();
    while let Ok(event) = events.try_recv() {
        if let DownloadEvent::Failed { kind, .. } = event {
            kinds.push(kind);
        }
    }
    let id = track.to_owned();
    let state = library
        .blocking(move |lib| lib.download(&id))
        .unwrap()
        .unwrap()
        .state;
    (kinds, state)
}

async fn with_cdn_fault(rule: FaultRule) -> (Vec<DownloadErrorKind>, DownloadState) {
    let cloud = DevCloud::start(Moto::start()).await;
    let track = a_track();
    cloud
        .add_fault(&FaultRule {
            path: format!("/media/{track}/**"),
            ..rule.on(FaultTarget::Cdn)
        })
        .await;
    let api = demo_api(&cloud).await;
    failures(Some(cloud), api, &track).await
}

#[tokio::test]
async fn a_signature_refused_even_after_renewal_is_forbidden() {
    let (kinds, state) = with_cdn_fault(FaultRule {
        reject_signatures: true,
        ..FaultRule::new("")
    })
    .await;
    assert_eq!(kinds, [DownloadErrorKind::Forbidden]);
    assert_eq!(state, DownloadState::Failed);
}

#[tokio::test]
async fn a_file_the_cdn_does_not_have_is_unavailable() {
    let (kinds, state) = with_cdn_fault(FaultRule {
        error_rate: Some(1.0),
        error_status: Some(404),
        ..FaultRule::new("")
    })
    .await;
    assert_eq!(kinds, [DownloadErrorKind::Unavailable]);
    assert_eq!(state, DownloadState::Failed);
}

#[tokio::test]
async fn a_cdn_that_keeps_failing_is_a_server_error_not_the_network() {
    let (kinds, state) = with_cdn_fault(FaultRule {
        error_rate: Some(1.0),
        error_status: Some(503),
        ..FaultRule::new("")
    })
    .await;
    assert_eq!(kinds, [DownloadErrorKind::Server]);
    assert_eq!(state, DownloadState::Failed);
}

#[tokio::test]
async fn a_track_the_service_does_not_know_is_unavailable() {
    let cloud = DevCloud::start(Moto::start()).await;
    let api = demo_api(&cloud).await;
    let (kinds, _) = failures(Some(cloud), api, "tr-no-such-track").await;
    assert_eq!(kinds, [DownloadErrorKind::Unavailable]);
}

#[tokio::test]
async fn a_service_that_cannot_be_reached_is_the_network() {
    let cloud = DevCloud::start(Moto::start()).await;
    let api = demo_api(&cloud).await;
    // Signed in, then the service goes away: every request is refused at connect.
    drop(cloud);
    let (kinds, state) = failures(None, api, &a_track()).await;
    assert_eq!(kinds, [DownloadErrorKind::Network]);
    assert_eq!(state, DownloadState::Failed);
}
