//! Playlist sync against devcloud over loopback: offline edits reach the service in order,
//! a lost answer is not applied twice, conflicts follow the written policy.

mod support;

use strato_cloud::ApiClient;
use strato_library::{RESTORED_SUFFIX, SyncRecordKind};
use strato_model::api::{AddItems, NewPlaylist, Playlist, PlaylistPatch};
use strato_testkit::{DevCloud, FaultRule, FaultTarget, Moto};
use support::{Client, catalog_tracks, demo_api, server_view};

#[tokio::test]
async fn offline_edits_reach_the_service_in_order() {
    let cloud = DevCloud::start(Moto::start()).await;
    let api = demo_api(&cloud).await;
    let tracks = catalog_tracks(&api, 6).await;
    let dir = tempfile::tempdir().unwrap();
    let mut client = Client::open(&api, dir.path(), "laptop");

    // On the plane: a new playlist, filled, reordered, renamed; nothing reaches the network.
    let (id, moved) = client.library.blocking(|lib| {
        let id = lib
            .create_playlist("Plane", "made offline")
            .unwrap()
            .playlist
            .id;
        let added = lib.add_tracks(&id, &tracks[..4], None).unwrap();
        lib.add_tracks(&id, &tracks[4..6], Some(1)).unwrap();
        lib.move_item(&id, &added.item_ids[3], 0).unwrap();
        lib.rename_playlist(&id, "Plane, sorted").unwrap();
        lib.remove_item(&id, &added.item_ids[0]).unwrap();
        (id, added.item_ids[3].clone())
    });
    let before = client.view();
    assert_eq!(before[0].items.len(), 5);
    assert!(server_view(&api).await.is_empty());

    let report = client.sync().await;
    assert_eq!((report.sent, report.resolved, report.refused), (6, 0, 0));
    let server = server_view(&api).await;
    let after = client.view();
    assert_eq!(after, server, "the local copy is the server's");
    assert_ne!(after[0].id, id, "the playlist took the server's id");
    assert!(
        !after[0].items.iter().any(|(item, _)| *item == moved),
        "items too"
    );
    // Same playlist as the listener saw it offline.
    assert_eq!(after[0].name, "Plane, sorted");
    assert_eq!(after[0].description, "made offline");
    let tracks_of = |view: &support::PlaylistView| -> Vec<String> {
        view.items.iter().map(|(_, track)| track.clone()).collect()
    };
    assert_eq!(tracks_of(&after[0]), tracks_of(&before[0]));
    client.assert_every_edit_accounted_for();

    // A second device sees it all on its first sync.
    let mut desktop = Client::open(&api, dir.path(), "desktop");
    let report = desktop.sync().await;
    assert_eq!(report.pulled, 1);
    assert_eq!(desktop.view(), server);
}

#[tokio::test]
async fn a_lost_answer_is_not_applied_twice() {
    let cloud = DevCloud::start(Moto::start()).await;
    let api = demo_api(&cloud).await;
    let tracks = catalog_tracks(&api, 3).await;
    let dir = tempfile::tempdir().unwrap();
    let mut client = Client::open(&api, dir.path(), "laptop");
    let id = client
        .library
        .blocking(|lib| lib.create_playlist("Once", "").unwrap().playlist.id);
    client.sync().await;
    let id_on_server = client.view()[0].id.clone();
    assert_ne!(id, id_on_server);

    // The service applies the add, then the connection drops before the answer arrives
    // (every time for a while: the client's own retries lose their answers too).
    cloud
        .add_fault(&FaultRule {
            drop_after_bytes: Some(10),
            times: Some(3),
            ..FaultRule::new("/v1/playlists/*/items").on(FaultTarget::Api)
        })
        .await;
    client
        .library
        .blocking(|lib| lib.add_tracks(&id_on_server, &tracks, None).unwrap());
    let mut passes = 0;
    loop {
        passes += 1;
        match client.sync.sync().await {
            Ok(report) => {
                client.acknowledged += report.sent;
                break;
            }
            Err(error) => {
                assert!(error.is_transient(), "{error}");
                assert!(passes < 5, "still failing: {error}");
            }
        }
    }
    let server = server_view(&api).await;
    assert_eq!(server[0].items.len(), 3, "added once: {server:?}");
    assert_eq!(client.view(), server);
    client.assert_every_edit_accounted_for();
}

#[tokio::test]
async fn an_add_longer_than_a_request_reaches_the_service_whole_and_once() {
    let cloud = DevCloud::start(Moto::start()).await;
    let api = demo_api(&cloud).await;
    let tracks = catalog_tracks(&api, 6).await;
    let dir = tempfile::tempdir().unwrap();
    let mut client = Client::open(&api, dir.path(), "laptop");
    client.library.blocking(|lib| {
        lib.create_playlist("Saved queue", "").unwrap();
    });
    client.sync().await;
    // Its id on the service, once synced.
    let id = client.view()[0].id.clone();

    // 1,200 tracks at the end, then 700 after the first: more than the 500 the service takes
    // per request (docs/api.md), so each edit goes as several requests.
    let long: Vec<String> = tracks.iter().cycle().take(1_200).cloned().collect();
    let inserted: Vec<String> = tracks.iter().rev().cycle().take(700).cloned().collect();
    client.library.blocking(|lib| {
        lib.add_tracks(&id, &long, None).unwrap();
        lib.add_tracks(&id, &inserted, Some(1)).unwrap();
    });
    // Answers lost on the way back, the second request's among them: the retries replay
    // what was applied and send the rest.
    cloud
        .add_fault(&FaultRule {
            drop_after_bytes: Some(10),
            times: Some(3),
            ..FaultRule::new("/v1/playlists/*/items").on(FaultTarget::Api)
        })
        .await;
    let mut passes = 0;
    loop {
        passes += 1;
        match client.sync.sync().await {
            Ok(report) => {
                client.acknowledged += report.sent;
                break;
            }
            Err(error) => {
                assert!(error.is_transient(), "{error}");
                assert!(passes < 8, "still failing: {error}");
            }
        }
    }
    let server = server_view(&api).await;
    assert_eq!(server[0].items.len(), 1_900, "each track added once");
    let mut expected = vec![long[0].clone()];
    expected.extend(inserted);
    expected.extend(long[1..].iter().cloned());
    let on_server: Vec<String> = server[0].items.iter().map(|(_, t)| t.clone()).collect();
    assert_eq!(on_server, expected, "in the order they were added");
    assert_eq!(client.view(), server, "the local copy is the server's");
    client.assert_every_edit_accounted_for();
}

#[tokio::test]
async fn concurrent_edits_follow_the_conflict_policy() {
    let cloud = DevCloud::start(Moto::start()).await;
    let api = demo_api(&cloud).await;
    let t = catalog_tracks(&api, 8).await;
    let dir = tempfile::tempdir().unwrap();
    let mut client = Client::open(&api, dir.path(), "laptop");

    // Two server playlists the laptop knows.
    let kept = api
        .create_playlist(
            &NewPlaylist {
                name: "Kept".into(),
                description: String::new(),
            },
            None,
        )
        .await
        .unwrap();
    let kept = api
        .add_playlist_items(
            &kept.id,
            kept.revision,
            &AddItems {
                track_ids: t[..4].to_vec(),
                position: None,
            },
            None,
        )
        .await
        .unwrap();
    let doomed = api
        .create_playlist(
            &NewPlaylist {
                name: "Doomed".into(),
                description: String::new(),
            },
            None,
        )
        .await
        .unwrap();
    client.sync().await;
    let item = |n: usize| kept.items[n].item_id.clone();

    // Offline on the laptop: add after item 0, move item 3 to the top, move item 1 to the
    // end, rename; edit the other playlist.
    client.library.blocking(|lib| {
        lib.add_tracks(&kept.id, &[t[4].as_str()], Some(1)).unwrap();
        lib.move_item(&kept.id, &item(3), 0).unwrap();
        lib.move_item(&kept.id, &item(1), 10).unwrap();
        lib.rename_playlist(&kept.id, "Kept (laptop)").unwrap();
        lib.add_tracks(&doomed.id, &[t[5].as_str()], None).unwrap();
    });
    phone_edits(&api, &kept, &doomed, &t[6]).await;

    let report = client.sync().await;
    assert!(
        report.conflicts >= 1,
        "the first push met a 412: {report:?}"
    );
    let server = server_view(&api).await;
    assert_eq!(client.view(), server);

    // Concurrent adds keep both; the laptop's add sits right after item 0 as it was made.
    let kept_now = server.iter().find(|p| p.id == kept.id).unwrap();
    let tracks: Vec<&str> = kept_now
        .items
        .iter()
        .map(|(_, track)| track.as_str())
        .collect();
    assert_eq!(
        tracks,
        [
            t[3].as_str(),
            t[6].as_str(),
            t[0].as_str(),
            t[4].as_str(),
            t[2].as_str()
        ]
    );
    // The later write wins the name; the phone's is recorded.
    assert_eq!(kept_now.name, "Kept (laptop)");
    // The deleted playlist lives on as a copy holding the laptop's edit.
    let copy = server
        .iter()
        .find(|p| p.name == format!("Doomed{RESTORED_SUFFIX}"))
        .unwrap();
    assert_eq!(
        copy.items
            .iter()
            .map(|(_, track)| track.as_str())
            .collect::<Vec<_>>(),
        [t[5].as_str()]
    );

    let shown: Vec<SyncRecordKind> = client
        .library
        .blocking(|lib| lib.sync_records(true).unwrap())
        .into_iter()
        .map(|record| record.kind)
        .collect();
    assert!(shown.contains(&SyncRecordKind::MoveDropped), "{shown:?}");
    assert!(shown.contains(&SyncRecordKind::RenameReplaced), "{shown:?}");
    assert!(shown.contains(&SyncRecordKind::RestoredCopy), "{shown:?}");
    client.assert_every_edit_accounted_for();
}

#[tokio::test]
async fn an_edit_the_service_refuses_is_reported_and_the_copy_repaired() {
    let cloud = DevCloud::start(Moto::start()).await;
    let api = demo_api(&cloud).await;
    let t = catalog_tracks(&api, 2).await;
    let dir = tempfile::tempdir().unwrap();
    let mut client = Client::open(&api, dir.path(), "laptop");
    client.library.blocking(|lib| {
        let id = lib.create_playlist("Mixed", "").unwrap().playlist.id;
        lib.add_tracks(&id, &[t[0].as_str()], None).unwrap();
        // A track the catalog does not have (withdrawn since it was cached, say).
        lib.add_tracks(&id, &["tr-withdrawn"], None).unwrap();
        lib.add_tracks(&id, &[t[1].as_str()], None).unwrap();
    });
    let report = client.sync().await;
    assert_eq!((report.sent, report.refused), (3, 1));
    let server = server_view(&api).await;
    assert_eq!(
        client.view(),
        server,
        "the local copy shows what the service kept"
    );
    assert_eq!(server[0].items.len(), 2);
    let shown = client
        .library
        .blocking(|lib| lib.sync_records(true).unwrap());
    assert_eq!(shown.len(), 1);
    assert_eq!(shown[0].kind, SyncRecordKind::Refused);
    assert!(shown[0].message.contains("Mixed"), "{}", shown[0].message);
    client.assert_every_edit_accounted_for();
    // The record leaves when the listener dismisses it.
    client
        .library
        .blocking(|lib| lib.dismiss_sync_record(shown[0].id).unwrap());
    assert!(
        client
            .library
            .blocking(|lib| lib.sync_records(true).unwrap())
            .is_empty()
    );
}

/// Meanwhile on the phone: add at the top of `kept`, remove its item 1, rename it; delete
/// `doomed`.
async fn phone_edits(api: &ApiClient, kept: &Playlist, doomed: &Playlist, track: &str) {
    let now = api
        .add_playlist_items(
            &kept.id,
            kept.revision,
            &AddItems {
                track_ids: vec![track.to_owned()],
                position: Some(0),
            },
            None,
        )
        .await
        .unwrap();
    let now = api
        .remove_playlist_item(&kept.id, now.revision, &kept.items[1].item_id)
        .await
        .unwrap();
    let rename = PlaylistPatch {
        name: Some("Kept (phone)".into()),
        description: None,
        public: None,
    };
    api.update_playlist(&kept.id, now.revision, &rename)
        .await
        .unwrap();
    api.delete_playlist(&doomed.id, doomed.revision)
        .await
        .unwrap();
}
