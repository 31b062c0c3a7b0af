//! Errors keep their kind through the App, end to end, against moto and devcloud with a
//! real library on disk: a download that fails verification reaches the downloads status as
//! `corrupt_download`, an edit on a full disk fails as `storage_full`, and an unknown
//! playlist is `not_found`.
//!
//! A unit test rather than one in `tests/`: the full disk is made by capping the App's own
//! database connection, which only code inside the crate can reach.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use strato_model::ipc::{DownloadsStatus, ErrorKind, OfflineTarget, PlayerStatus};
use strato_testkit::{DevCloud, FaultRule, FaultTarget, Moto};

use crate::{App, AppEvents, AppSettings, AudioOutput};

/// What the window would be sent.
#[derive(Default)]
struct Window {
    downloads: Mutex<Vec<DownloadsStatus>>,
}

impl AppEvents for Window {
    fn player_status(&self, _status: &PlayerStatus) {}

    fn downloads_status(&self, status: &DownloadsStatus) {
        self.downloads.lock().unwrap().push(status.clone());
    }
}

/// A signed-in App with its library under `dir`.
async fn signed_in(cloud: &DevCloud, dir: &std::path::Path) -> (App, Arc<Window>) {
    let window = Arc::new(Window::default());
    let mut settings = AppSettings::new(cloud.api_url(), AudioOutput::Null);
    settings.data_dir = Some(dir.to_owned());
    let app = App::start(settings, window.clone()).unwrap();
    app.sign_in(cloud.api_url(), "demo", "Strato-demo-1".into())
        .await
        .unwrap();
    (app, window)
}

/// Polls `check` until it gives a value, for at most 30 s.
async fn eventually<T, F: Future<Output = Option<T>>>(
    what: &str,
    mut check: impl FnMut() -> F,
) -> T {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_download_that_fails_verification_reaches_the_window_as_corrupt_download() {
    let cloud = DevCloud::start(Moto::start()).await;
    let dir = tempfile::tempdir().unwrap();
    let (app, window) = signed_in(&cloud, dir.path()).await;
    let track = app.catalog_tracks(None).await.unwrap().items[0].id.clone();
    cloud
        .add_fault(&FaultRule {
            corrupt: true,
            ..FaultRule::new(&format!("/media/{track}/**")).on(FaultTarget::Cdn)
        })
        .await;

    app.set_offline(OfflineTarget::Track(track), true)
        .await
        .unwrap();

    let sent = eventually("a downloads status with the failure", || async {
        let sent = window.downloads.lock().unwrap();
        sent.iter().find(|s| s.error.is_some()).cloned()
    })
    .await;
    let error = sent.error.unwrap();
    assert_eq!(error.kind, ErrorKind::CorruptDownload, "{error:?}");
    assert!(
        error.message.starts_with("The downloaded file was damaged"),
        "{}",
        error.message
    );
    assert_eq!(sent.failed, 1);
    assert_eq!(sent.done, 0);
    // The command reads the same.
    let status = app.downloads_status().await.unwrap();
    assert_eq!(
        status.error.map(|e| e.kind),
        Some(ErrorKind::CorruptDownload)
    );
}

#[tokio::test]
async fn an_edit_on_a_full_disk_fails_as_storage_full_and_changes_nothing() {
    let cloud = DevCloud::start(Moto::start()).await;
    let dir = tempfile::tempdir().unwrap();
    let (app, _window) = signed_in(&cloud, dir.path()).await;
    let playlist = app.create_playlist("Full", "").await.unwrap();
    let library = app.library().unwrap();
    // The database may not grow any more: what a full disk does to SQLite.
    library
        .handle()
        .call(|lib| lib.limit_growth(Some(0)))
        .await
        .unwrap();

    let many: Vec<String> = (0..2_000).map(|n| format!("tr-many-{n}")).collect();
    let error = app
        .add_to_playlist(&playlist.id, many.clone(), None)
        .await
        .unwrap_err();

    assert_eq!(error.kind, ErrorKind::StorageFull, "{error:?}");
    assert!(
        error.message.starts_with("Your disk is full"),
        "{}",
        error.message
    );
    // Sync may have given the playlist its server id meanwhile; the items tell.
    assert!(app.playlist(&playlist.id).await.unwrap().items.is_empty());
    // Room again: the same edit goes through.
    library
        .handle()
        .call(|lib| lib.limit_growth(None))
        .await
        .unwrap();
    let added = app.add_to_playlist(&playlist.id, many, None).await.unwrap();
    assert_eq!(added.playlist.item_count, 2_000);
}

#[tokio::test]
async fn an_unknown_playlist_is_not_found() {
    let cloud = DevCloud::start(Moto::start()).await;
    let dir = tempfile::tempdir().unwrap();
    let (app, _window) = signed_in(&cloud, dir.path()).await;

    let read = app.playlist("pl-no-such").await.unwrap_err();
    assert_eq!(read.kind, ErrorKind::NotFound, "{read:?}");
    assert!(read.message.contains("pl-no-such"), "{}", read.message);
    let rename = app.rename_playlist("pl-no-such", "New").await.unwrap_err();
    assert_eq!(rename.kind, ErrorKind::NotFound, "{rename:?}");
    let keep = app
        .set_offline(OfflineTarget::Playlist("pl-no-such".into()), true)
        .await
        .unwrap_err();
    assert_eq!(keep.kind, ErrorKind::NotFound, "{keep:?}");
}
