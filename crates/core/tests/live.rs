//! The live channel through the App facade, against moto and devcloud: a public track
//! another listener withdraws goes from this computer's offline music as soon as the service
//! says so (not at the next quarter-hourly check), with the notice; the window is told
//! when the listener's own uploads change on the service; and signing out on one device
//! tells the other at once.

mod app_support;

use std::sync::Arc;
use std::time::Duration;

use app_support::eventually;
use strato_cloud::{ApiClient, Credentials, ServiceClient};
use strato_core::{App, AppEvents, AppSettings, AudioOutput};
use strato_library::Library;
use strato_model::api::{UploadDetails, UploadPatch, Visibility};
use strato_model::ipc::{LiveUpdates, OfflineTarget, PlayerStatus};
use strato_sync::LibraryHandle;
use strato_sync::uploads::{UploadConfig, UploadManager};
use strato_testkit::ffmpeg::make_audio_file;
use strato_testkit::{DevCloud, Moto};

const OWNER: (&str, &str) = ("live-owner", "Live-Owner-1!");

#[derive(Default)]
struct Told {
    uploads_changed: std::sync::atomic::AtomicU32,
    signed_out_elsewhere: std::sync::atomic::AtomicU32,
}

impl AppEvents for Told {
    fn player_status(&self, _status: &PlayerStatus) {}

    fn uploads_changed(&self) {
        self.uploads_changed
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }

    fn signed_out_elsewhere(&self) {
        self.signed_out_elsewhere
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
}

async fn owner_api(cloud: &DevCloud) -> ApiClient {
    cloud.cognito().ensure_user(OWNER.0, OWNER.1).await;
    let service = ServiceClient::connect(cloud.api_url()).await.unwrap();
    let tokens = service
        .sign_in(&Credentials {
            username: OWNER.0.to_owned(),
            password: OWNER.1.to_owned(),
        })
        .await
        .unwrap();
    ApiClient::new(service, tokens)
}

/// Uploads one public track as `owner`; its track id once ready.
async fn share(owner: &ApiClient, dir: &std::path::Path, title: &str) -> String {
    let library = LibraryHandle::new(Library::open(dir.join("owner.sqlite3")).unwrap());
    let config = UploadConfig {
        poll_interval: Duration::from_millis(100),
        ..UploadConfig::default()
    };
    let manager = UploadManager::new(owner.clone(), library, config);
    let file = make_audio_file(dir, "shared.flac", 3.0);
    let details = UploadDetails {
        title: Some(title.to_owned()),
        ..UploadDetails::default()
    };
    let local = manager
        .enqueue(&file, details, Visibility::Public)
        .await
        .unwrap()
        .local_id;
    manager.run_until_idle().await;
    let rows = manager.uploads().await.unwrap();
    let row = rows.iter().find(|r| r.local_id == local).unwrap();
    row.session.as_ref().unwrap().upload_id.clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_withdrawn_track_kept_offline_goes_as_soon_as_the_service_says_so() {
    let cloud = DevCloud::start(Moto::start()).await;
    let dir = tempfile::tempdir().unwrap();
    let owner = owner_api(&cloud).await;
    let track_id = share(&owner, dir.path(), "Live Withdrawn").await;

    let told = Arc::new(Told::default());
    let mut settings = AppSettings::new(cloud.api_url(), AudioOutput::Null);
    settings.data_dir = Some(dir.path().join("fan"));
    let fan = App::start(settings, told.clone()).unwrap();
    fan.sign_in(cloud.api_url(), "demo", "Strato-demo-1".into())
        .await
        .unwrap();
    eventually("the fan's live channel", || async {
        let status = fan.sync_status().await.ok()?;
        (status.live == LiveUpdates::Live && status.last_synced_at.is_some()).then_some(())
    })
    .await;
    fan.set_offline(OfflineTarget::Track(track_id.clone()), true)
        .await
        .unwrap();
    eventually("the offline copy", || async {
        let status = fan.downloads_status().await.unwrap();
        (status.done == 1).then_some(())
    })
    .await;
    // The first pass online asked already: the next check is a quarter of an hour away.

    let patch = UploadPatch {
        visibility: Some(Visibility::Private),
        ..UploadPatch::default()
    };
    owner.update_upload(&track_id, &patch).await.unwrap();
    eventually("the copy removed, with its notice", || async {
        let downloads = fan.downloads_status().await.unwrap();
        let sync = fan.sync_status().await.unwrap();
        (downloads.total == 0
            && sync
                .notices
                .iter()
                .any(|n| n.message.contains("Live Withdrawn")))
        .then_some(())
    })
    .await;
    assert_eq!(
        told.uploads_changed
            .load(std::sync::atomic::Ordering::SeqCst),
        0,
        "another listener's uploads are not the fan's"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_window_is_told_when_the_listeners_uploads_change_on_the_service() {
    let cloud = DevCloud::start(Moto::start()).await;
    let dir = tempfile::tempdir().unwrap();
    let owner = owner_api(&cloud).await;
    let told = Arc::new(Told::default());
    let mut settings = AppSettings::new(cloud.api_url(), AudioOutput::Null);
    settings.data_dir = Some(dir.path().join("desktop"));
    let desktop = App::start(settings, told.clone()).unwrap();
    desktop
        .sign_in(cloud.api_url(), OWNER.0, OWNER.1.into())
        .await
        .unwrap();
    eventually("the desktop's live channel", || async {
        let status = desktop.sync_status().await.ok()?;
        (status.live == LiveUpdates::Live).then_some(())
    })
    .await;

    // Uploaded on "the laptop": sent, then processed.
    let track_id = share(&owner, dir.path(), "From the laptop").await;
    eventually("told of the upload", || async {
        (told
            .uploads_changed
            .load(std::sync::atomic::Ordering::SeqCst)
            >= 2)
            .then_some(())
    })
    .await;
    let before = told
        .uploads_changed
        .load(std::sync::atomic::Ordering::SeqCst);
    owner.delete_upload(&track_id).await.unwrap();
    eventually("told of the deletion", || async {
        (told
            .uploads_changed
            .load(std::sync::atomic::Ordering::SeqCst)
            > before)
            .then_some(())
    })
    .await;
    assert!(desktop.my_uploads(None).await.unwrap().items.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_out_on_one_device_tells_the_other_at_once() {
    let cloud = DevCloud::start(Moto::start()).await;
    let dir = tempfile::tempdir().unwrap();
    let (user, password) = ("two-devices", "Two-Devices-1!");
    cloud.cognito().ensure_user(user, password).await;
    let start = |name: &str| {
        let told = Arc::new(Told::default());
        let mut settings = AppSettings::new(cloud.api_url(), AudioOutput::Null);
        settings.data_dir = Some(dir.path().join(name));
        (App::start(settings, told.clone()).unwrap(), told)
    };
    let (laptop, laptop_told) = start("laptop");
    let (desktop, desktop_told) = start("desktop");
    for app in [&laptop, &desktop] {
        app.sign_in(cloud.api_url(), user, password.into())
            .await
            .unwrap();
    }
    eventually("the desktop's live channel", || async {
        let status = desktop.sync_status().await.ok()?;
        (status.live == LiveUpdates::Live).then_some(())
    })
    .await;
    // The service refuses tokens of the second before a sign-out: let the desktop's be older.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;

    laptop.sign_out().await;
    eventually("the desktop told", || async {
        (desktop_told
            .signed_out_elsewhere
            .load(std::sync::atomic::Ordering::SeqCst)
            == 1)
            .then_some(())
    })
    .await;
    assert_eq!(
        laptop_told
            .signed_out_elsewhere
            .load(std::sync::atomic::Ordering::SeqCst),
        0,
        "the device that signed out is not told it did"
    );
}
