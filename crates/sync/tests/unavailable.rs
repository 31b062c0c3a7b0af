//! Offline copies of tracks the service no longer has are removed at the next sync, with a
//! notice: two listeners against devcloud and moto's S3, real downloads on disk, the owner
//! deleting one shared track and making another private again.

use std::collections::HashSet;
use std::path::Path;
use std::time::Duration;

use strato_cloud::{ApiClient, Credentials, ServiceClient};
use strato_library::{DownloadState, Library, SyncRecordKind};
use strato_model::api::{UploadDetails, UploadPatch, Visibility};
use strato_sync::LibraryHandle;
use strato_sync::downloads::{DownloadConfig, DownloadManager, RetryPolicy};
use strato_sync::uploads::{UploadConfig, UploadManager};
use strato_testkit::ffmpeg::make_audio_file;
use strato_testkit::{DevCloud, Moto};

mod support;
use support::{catalog_tracks, demo_api};

const LISTENER: (&str, &str) = ("second-listener", "Second-Listener-1!");

async fn second_listener(cloud: &DevCloud) -> ApiClient {
    cloud.cognito().ensure_user(LISTENER.0, LISTENER.1).await;
    let service = ServiceClient::connect(cloud.api_url()).await.unwrap();
    let tokens = service
        .sign_in(&Credentials {
            username: LISTENER.0.to_owned(),
            password: LISTENER.1.to_owned(),
        })
        .await
        .unwrap();
    ApiClient::new(service, tokens)
}

fn library(dir: &Path, name: &str) -> LibraryHandle {
    LibraryHandle::new(Library::open(dir.join(format!("{name}.sqlite3"))).unwrap())
}

/// Uploads public tracks as the demo listener; returns their track ids, in order.
async fn share(cloud: &DevCloud, dir: &Path, titles: &[&str]) -> Vec<String> {
    let config = UploadConfig {
        poll_interval: Duration::from_millis(100),
        ..UploadConfig::default()
    };
    let manager = UploadManager::new(demo_api(cloud).await, library(dir, "owner"), config);
    let mut local = Vec::new();
    for title in titles {
        let file = make_audio_file(dir, &format!("{title}.flac"), 3.0);
        let details = UploadDetails {
            title: Some((*title).to_owned()),
            ..UploadDetails::default()
        };
        local.push(
            manager
                .enqueue(&file, details, Visibility::Public)
                .await
                .unwrap()
                .local_id,
        );
    }
    manager.run_until_idle().await;
    let rows = manager.uploads().await.unwrap();
    local
        .iter()
        .map(|id| {
            let row = rows.iter().find(|r| &r.local_id == id).unwrap();
            row.session.as_ref().unwrap().upload_id.clone()
        })
        .collect()
}

fn downloads(dir: &Path, api: &ApiClient, handle: &LibraryHandle) -> DownloadManager {
    let config = DownloadConfig {
        retry: RetryPolicy {
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(50),
            ..RetryPolicy::default()
        },
        ..DownloadConfig::default()
    };
    DownloadManager::new(api.clone(), handle.clone(), dir.join("offline"), config).unwrap()
}

async fn set_visibility(owner: &ApiClient, track_id: &str, visibility: Visibility) {
    let patch = UploadPatch {
        visibility: Some(visibility),
        ..UploadPatch::default()
    };
    owner.update_upload(track_id, &patch).await.unwrap();
}

fn downloaded(handle: &LibraryHandle) -> HashSet<String> {
    handle.blocking(|lib| {
        lib.downloads()
            .unwrap()
            .into_iter()
            .map(|d| d.track_id)
            .collect()
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_copies_of_tracks_gone_are_removed_at_the_next_sync_with_a_notice() {
    let cloud = DevCloud::start(Moto::start()).await;
    let dir = tempfile::tempdir().unwrap();
    let shared = share(
        &cloud,
        dir.path(),
        &["Gone Song", "Hidden Song", "Kept Song"],
    )
    .await;
    let (gone, hidden, kept) = (&shared[0], &shared[1], &shared[2]);
    let catalog = catalog_tracks(&demo_api(&cloud).await, 1).await.remove(0);

    // The second listener keeps all four offline.
    let api = second_listener(&cloud).await;
    let handle = library(dir.path(), "listener");
    let manager = downloads(dir.path(), &api, &handle);
    let offline = [gone.clone(), hidden.clone(), kept.clone(), catalog.clone()];
    manager.enqueue(&offline, true).await.unwrap();
    manager.run_until_idle().await.unwrap();
    let files: Vec<_> = handle.blocking(|lib| lib.downloads().unwrap());
    assert_eq!(files.len(), 4);
    assert!(
        files.iter().all(|d| d.state == DownloadState::Complete),
        "{files:?}"
    );
    let path_of = |id: &str| {
        files
            .iter()
            .find(|d| d.track_id == id)
            .and_then(|d| d.path.clone())
            .unwrap()
    };
    let (gone_file, hidden_file) = (path_of(gone), path_of(hidden));
    // The title a notice names comes from the library's catalog cache.
    let tracks = vec![
        api.track(gone).await.unwrap(),
        api.track(hidden).await.unwrap(),
    ];
    handle.blocking(move |lib| lib.upsert_tracks(&tracks).unwrap());

    // Nothing has changed yet: asking removes nothing.
    let nothing = manager.remove_unavailable(true).await.unwrap();
    assert!(
        nothing.track_ids.is_empty() && nothing.notice.is_none(),
        "{nothing:?}"
    );

    // The owner deletes one and makes another private again.
    let owner = demo_api(&cloud).await;
    owner.delete_upload(gone).await.unwrap();
    set_visibility(&owner, hidden, Visibility::Private).await;

    // A pass that does not ask the service acts on what the library knows: nothing yet.
    let local = manager.remove_unavailable(false).await.unwrap();
    assert!(local.track_ids.is_empty(), "{local:?}");

    let removed = manager.remove_unavailable(true).await.unwrap();
    let removed_ids: HashSet<_> = removed.track_ids.iter().cloned().collect();
    assert_eq!(removed_ids, HashSet::from([gone.clone(), hidden.clone()]));
    assert!(
        !gone_file.exists() && !hidden_file.exists(),
        "the files are deleted"
    );
    assert_eq!(
        downloaded(&handle),
        HashSet::from([kept.clone(), catalog.clone()])
    );

    let notices = handle.blocking(|lib| lib.sync_records(true).unwrap());
    assert_eq!(notices.len(), 1, "{notices:?}");
    let notice = &notices[0];
    assert_eq!(Some(notice.id), removed.notice);
    assert_eq!(notice.kind, SyncRecordKind::OfflineRemoved);
    assert_eq!(notice.playlist_id, None);
    assert!(
        notice.message.contains("“Gone Song”") && notice.message.contains("“Hidden Song”"),
        "{}",
        notice.message
    );
    assert!(
        notice
            .message
            .contains("were removed from your offline music")
    );

    // Offline playlists do not fetch them again while the marks stand.
    let marked = handle.blocking(|lib| lib.unavailable_tracks().unwrap());
    assert_eq!(marked, HashSet::from([gone.clone(), hidden.clone()]));

    // Public again: the next question clears the mark, and the listener may keep it again.
    set_visibility(&owner, hidden, Visibility::Public).await;
    let again = manager.remove_unavailable(true).await.unwrap();
    assert!(
        again.track_ids.is_empty() && again.notice.is_none(),
        "{again:?}"
    );
    let marked = handle.blocking(|lib| lib.unavailable_tracks().unwrap());
    assert_eq!(marked, HashSet::from([gone.clone()]));
    manager
        .enqueue(std::slice::from_ref(hidden), true)
        .await
        .unwrap();
    manager.run_until_idle().await.unwrap();
    let back = handle.blocking({
        let hidden = hidden.clone();
        move |lib| lib.download(&hidden).unwrap().unwrap()
    });
    assert_eq!(back.state, DownloadState::Complete);
    let kept_local = manager.remove_unavailable(false).await.unwrap();
    assert!(kept_local.track_ids.is_empty(), "{kept_local:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_streaming_cache_goes_quietly_and_a_mark_clears_with_nothing_downloaded() {
    let cloud = DevCloud::start(Moto::start()).await;
    let dir = tempfile::tempdir().unwrap();
    let shared = share(&cloud, dir.path(), &["Cached Song", "Back Song"]).await;
    let (cached, back) = (&shared[0], &shared[1]);
    let api = second_listener(&cloud).await;
    let handle = library(dir.path(), "listener");
    let tracks = vec![
        api.track(cached).await.unwrap(),
        api.track(back).await.unwrap(),
    ];
    handle.blocking(move |lib| lib.upsert_tracks(&tracks).unwrap());
    let manager = downloads(dir.path(), &api, &handle);
    // Played once (the streaming cache), and kept offline.
    manager
        .enqueue(std::slice::from_ref(cached), false)
        .await
        .unwrap();
    manager
        .enqueue(std::slice::from_ref(back), true)
        .await
        .unwrap();
    manager.run_until_idle().await.unwrap();
    assert_eq!(downloaded(&handle).len(), 2);

    let owner = demo_api(&cloud).await;
    owner.delete_upload(cached).await.unwrap();
    set_visibility(&owner, back, Visibility::Private).await;
    let removed = manager.remove_unavailable(true).await.unwrap();
    let removed_ids: HashSet<_> = removed.track_ids.iter().cloned().collect();
    assert_eq!(removed_ids, HashSet::from([cached.clone(), back.clone()]));
    assert!(downloaded(&handle).is_empty());
    // The notice names what the listener kept offline, not what only played once.
    let notices = handle.blocking(|lib| lib.sync_records(true).unwrap());
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert!(
        notices[0].message.starts_with("“Back Song” was removed")
            && !notices[0].message.contains("Cached"),
        "{}",
        notices[0].message
    );

    // Public again with nothing downloaded at all: the question still clears its mark.
    set_visibility(&owner, back, Visibility::Public).await;
    let again = manager.remove_unavailable(true).await.unwrap();
    assert!(
        again.track_ids.is_empty() && again.notice.is_none(),
        "{again:?}"
    );
    let marked = handle.blocking(|lib| lib.unavailable_tracks().unwrap());
    assert_eq!(marked, HashSet::from([cached.clone()]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_refuses_a_question_out_of_bounds_and_knows_no_unknown_track() {
    let cloud = DevCloud::start(Moto::start()).await;
    let api = demo_api(&cloud).await;
    let error = api.unavailable_tracks(&[]).await.unwrap_err();
    assert_eq!(error.status(), Some(400), "{error}");
    let too_many: Vec<String> = (0..501).map(|n| format!("t-{n}")).collect();
    let error = api.unavailable_tracks(&too_many).await.unwrap_err();
    assert_eq!(error.status(), Some(400), "{error}");
    let five_hundred: Vec<String> = (0..500).map(|n| format!("t-{n}")).collect();
    assert_eq!(
        api.unavailable_tracks(&five_hundred).await.unwrap(),
        five_hundred
    );
    let unknown = api
        .unavailable_tracks(&["no-such-track".to_owned(), "up-nothing".to_owned()])
        .await
        .unwrap();
    assert_eq!(unknown, ["no-such-track", "up-nothing"]);
}
