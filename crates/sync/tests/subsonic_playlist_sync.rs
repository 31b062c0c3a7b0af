//! Playlist sync with real `OpenSubsonic` servers over loopback: devcloud's `/rest/` (alice's
//! playlists in SQLite) and Supysonic. Each test edits a library on disk offline, runs
//! passes, and compares what the server then has (read by a second client, alice's
//! "phone") with what the library shows.

mod subsonic_support;

use strato_library::{OpState, SyncRecordKind};
use strato_subsonic::PlaylistUpdate;
use strato_sync::SyncReport;
use strato_testkit::{FaultRule, FaultTarget, Supysonic};
use subsonic_support::{
    ALICE, ALICE_PASSWORD, BOB, BOB_PASSWORD, Device, add, devcloud, remove, server_id,
    server_view, signed_in, songs, view,
};

#[tokio::test]
async fn offline_edits_reach_the_server_in_order() {
    let cloud = devcloud().await;
    let phone = signed_in(cloud.api_url(), ALICE, ALICE_PASSWORD).await;
    let s = songs(&phone, 6).await;
    let old = phone.create_playlist("Old", &s[..2]).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let laptop = Device::open(&phone, dir.path(), "laptop");
    assert_eq!(laptop.sync().await.pulled, 1);

    // On the plane: a new playlist, filled, reordered, trimmed, renamed; the old one deleted.
    let local_id = laptop.library.blocking(|lib| {
        let id = lib
            .create_playlist("Plane", "made offline")
            .unwrap()
            .playlist
            .id;
        let added = lib.add_tracks(&id, &s[..4], None).unwrap();
        lib.add_tracks(&id, &s[4..6], Some(1)).unwrap();
        lib.move_item(&id, &added.item_ids[3], 0).unwrap();
        lib.remove_item(&id, &added.item_ids[0]).unwrap();
        lib.rename_playlist(&id, "Plane, sorted").unwrap();
        lib.delete_playlist(&old.id).unwrap();
        id
    });
    let wanted = vec![view(
        "Plane, sorted",
        "made offline",
        &[&s[3], &s[4], &s[5], &s[1], &s[2]],
    )];
    assert_eq!(laptop.view(), wanted);
    assert_eq!(
        server_view(&phone).await,
        [view("Old", "", &[&s[0], &s[1]])]
    );

    // Seven edits, and the description sent on its own (createPlaylist takes none).
    let report = laptop.sync().await;
    assert_eq!(
        (
            report.sent,
            report.resolved,
            report.refused,
            report.conflicts
        ),
        (8, 0, 0, 0)
    );
    assert_eq!(server_view(&phone).await, wanted, "the server has it all");
    assert_eq!(laptop.view(), wanted);
    assert_eq!(laptop.pending(), 0);
    let (id, _) = laptop.playlist("Plane, sorted");
    assert_ne!(id, local_id);
    assert_eq!(
        id,
        server_id(&phone, "Plane, sorted").await,
        "the server's id"
    );

    // Another computer sees the same on its first pass, and a pass with nothing new sends
    // and takes in nothing.
    let desktop = Device::open(&phone, dir.path(), "desktop");
    assert_eq!(desktop.sync().await.pulled, 1);
    assert_eq!(desktop.view(), wanted);
    assert_eq!(laptop.sync().await, SyncReport::default());
}

#[tokio::test]
async fn another_clients_edit_is_found_by_comparison_and_nothing_is_lost() {
    let cloud = devcloud().await;
    let phone = signed_in(cloud.api_url(), ALICE, ALICE_PASSWORD).await;
    let s = songs(&phone, 5).await;
    let shared = phone.create_playlist("Shared", &s[..3]).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let laptop = Device::open(&phone, dir.path(), "laptop");
    laptop.sync().await;

    // The laptop, offline: s3 at the end, s2 to the front.
    let (id, items) = laptop.playlist("Shared");
    laptop.library.blocking(|lib| {
        lib.add_tracks(&id, &[&s[3]], None).unwrap();
        lib.move_item(&id, &items[2], 0).unwrap();
    });
    // Meanwhile the phone adds s4, removes s1 and renames it.
    phone
        .update_playlist(&shared.id, &add(&s[4]))
        .await
        .unwrap();
    phone.update_playlist(&shared.id, &remove(1)).await.unwrap();
    let renamed = PlaylistUpdate {
        name: Some("Shared by phone".into()),
        ..PlaylistUpdate::default()
    };
    phone.update_playlist(&shared.id, &renamed).await.unwrap();

    let report = laptop.sync().await;
    assert_eq!(report.conflicts, 1, "{report:?}");
    assert_eq!(report.sent, 2, "{report:?}");
    // Theirs (s4 in, s1 out, the name) and ours (s3 at the end, s2 first), both kept.
    let wanted = vec![view("Shared by phone", "", &[&s[2], &s[0], &s[4], &s[3]])];
    assert_eq!(server_view(&phone).await, wanted);
    assert_eq!(laptop.view(), wanted);

    // A move of a track the phone removes meanwhile is dropped, with a record saying so.
    let (_, items) = laptop.playlist("Shared by phone");
    laptop
        .library
        .blocking(|lib| lib.move_item(&id, &items[1], 3).unwrap());
    phone.update_playlist(&shared.id, &remove(1)).await.unwrap();
    let report = laptop.sync().await;
    assert_eq!((report.conflicts, report.resolved), (1, 1), "{report:?}");
    let wanted = vec![view("Shared by phone", "", &[&s[2], &s[4], &s[3]])];
    assert_eq!(server_view(&phone).await, wanted);
    assert_eq!(laptop.view(), wanted);
    let records = laptop
        .library
        .blocking(|lib| lib.sync_records(true).unwrap());
    assert_eq!(records.len(), 1, "{records:?}");
    assert_eq!(records[0].kind, SyncRecordKind::MoveDropped);
    assert!(
        records[0]
            .message
            .contains("removed from it on another device"),
        "{}",
        records[0].message
    );
}

#[tokio::test]
async fn a_write_whose_answer_is_lost_is_not_applied_twice() {
    let cloud = devcloud().await;
    let phone = signed_in(cloud.api_url(), ALICE, ALICE_PASSWORD).await;
    let s = songs(&phone, 3).await;
    let dir = tempfile::tempdir().unwrap();
    let laptop = Device::open(&phone, dir.path(), "laptop");

    // A create whose answer is lost: the next pass finds the playlist it made.
    let drop_answer = |path: &str| FaultRule {
        drop_after_bytes: Some(0),
        times: Some(1),
        ..FaultRule::new(path).on(FaultTarget::Api)
    };
    cloud.add_fault(&drop_answer("/rest/createPlaylist*")).await;
    laptop.library.blocking(|lib| {
        lib.create_playlist("Once", "").unwrap();
    });
    let error = laptop.sync.sync().await.unwrap_err();
    assert!(error.is_transient(), "{error}");
    assert_eq!(
        server_view(&phone).await.len(),
        1,
        "made before the answer was lost"
    );
    assert_eq!(laptop.sync().await.sent, 1);
    assert_eq!(
        server_view(&phone).await,
        [view("Once", "", &[])],
        "made once"
    );
    let (id, _) = laptop.playlist("Once");
    assert_eq!(id, server_id(&phone, "Once").await);

    // An add whose answer is lost.
    cloud.add_fault(&drop_answer("/rest/updatePlaylist*")).await;
    laptop
        .library
        .blocking(|lib| lib.add_tracks(&id, &s[..2], None).unwrap());
    let error = laptop.sync.sync().await.unwrap_err();
    assert!(error.is_transient(), "{error}");
    let applied = vec![view("Once", "", &[&s[0], &s[1]])];
    assert_eq!(server_view(&phone).await, applied, "applied, answer lost");
    assert_eq!(laptop.pending(), 1);
    let report = laptop.sync().await;
    assert_eq!((report.sent, report.conflicts), (1, 0), "{report:?}");
    assert_eq!(server_view(&phone).await, applied, "added once");
    assert_eq!(laptop.view(), applied);

    // The app stopped after sending a move, before recording it (the move is made on the
    // server by hand here, as the lost request did): retired, not sent again.
    let (_, items) = laptop.playlist("Once");
    laptop
        .library
        .blocking(|lib| lib.move_item(&id, &items[1], 0).unwrap());
    let moved = PlaylistUpdate {
        song_indexes_to_remove: vec![1, 0],
        song_ids_to_add: vec![s[1].clone(), s[0].clone()],
        ..PlaylistUpdate::default()
    };
    phone.update_playlist(&id, &moved).await.unwrap();
    let report = laptop.sync().await;
    assert_eq!((report.sent, report.conflicts), (1, 0), "{report:?}");
    let wanted = vec![view("Once", "", &[&s[1], &s[0]])];
    assert_eq!(server_view(&phone).await, wanted);
    assert_eq!(laptop.view(), wanted);
}

#[tokio::test]
async fn an_add_of_several_requests_cut_short_is_taken_up_where_it_stopped() {
    let cloud = devcloud().await;
    let phone = signed_in(cloud.api_url(), ALICE, ALICE_PASSWORD).await;
    let s = songs(&phone, 6).await;
    let dir = tempfile::tempdir().unwrap();
    let laptop = Device::open(&phone, dir.path(), "laptop");
    laptop.library.blocking(|lib| {
        lib.create_playlist("Long", "").unwrap();
    });
    laptop.sync().await;
    let (id, _) = laptop.playlist("Long");

    // 600 entries: more than one request's worth of song ids, whatever their length.
    let long: Vec<String> = s.iter().cycle().take(600).cloned().collect();
    laptop
        .library
        .blocking(|lib| lib.add_tracks(&id, &long, None).unwrap());
    // The first two requests are applied and their answers lost, one per pass.
    cloud
        .add_fault(&FaultRule {
            drop_after_bytes: Some(0),
            times: Some(2),
            ..FaultRule::new("/rest/updatePlaylist*").on(FaultTarget::Api)
        })
        .await;
    for _ in 0..2 {
        let error = laptop.sync.sync().await.unwrap_err();
        assert!(error.is_transient(), "{error}");
    }
    let on_server = server_view(&phone).await[0].songs.len();
    assert!((1..600).contains(&on_server), "part sent: {on_server}");
    assert_eq!(laptop.sync().await.sent, 1);
    let server = server_view(&phone).await;
    assert_eq!(server[0].songs, long, "each entry once, in order");
    assert_eq!(laptop.view(), server);
}

#[tokio::test]
async fn a_refusal_is_parked_in_words_and_the_rest_goes_on() {
    let cloud = devcloud().await;
    let phone = signed_in(cloud.api_url(), ALICE, ALICE_PASSWORD).await;
    let s = songs(&phone, 2).await;
    let dir = tempfile::tempdir().unwrap();
    let laptop = Device::open(&phone, dir.path(), "laptop");
    laptop.library.blocking(|lib| {
        lib.create_playlist("Picky", "").unwrap();
    });
    laptop.sync().await;
    let (id, _) = laptop.playlist("Picky");

    // A song the server does not have (gone from it since the laptop cached it), then one
    // it has.
    laptop.library.blocking(|lib| {
        lib.add_tracks(&id, &["no-such-song"], None).unwrap();
        lib.add_tracks(&id, &[&s[1]], None).unwrap();
    });
    let report = laptop.sync().await;
    assert_eq!((report.sent, report.refused), (1, 1), "{report:?}");
    let wanted = vec![view("Picky", "", &[&s[1]])];
    assert_eq!(server_view(&phone).await, wanted);
    assert_eq!(
        laptop.view(),
        wanted,
        "the refused track is not shown as there"
    );
    let (rejected, records) = laptop
        .library
        .blocking(|lib| (lib.rejected_ops().unwrap(), lib.sync_records(true).unwrap()));
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0].state, OpState::Rejected);
    assert_eq!(records.len(), 1, "{records:?}");
    assert_eq!(records[0].kind, SyncRecordKind::Refused);
    assert!(
        records[0]
            .message
            .starts_with("Your change to “Picky” could not be saved: ")
            && records[0].message.contains("no longer has that"),
        "{}",
        records[0].message
    );
}

#[tokio::test]
async fn a_pull_brings_what_another_client_did_and_only_the_accounts_own() {
    let cloud = devcloud().await;
    let phone = signed_in(cloud.api_url(), ALICE, ALICE_PASSWORD).await;
    let bob = signed_in(cloud.api_url(), BOB, BOB_PASSWORD).await;
    let s = songs(&phone, 4).await;
    let a = phone.create_playlist("A", &s[..1]).await.unwrap();
    let b = phone.create_playlist("B", &s[..2]).await.unwrap();
    let c = phone.create_playlist("C", &s[..3]).await.unwrap();
    let bobs = bob.create_playlist("Bob's", &s[..1]).await.unwrap();
    let public = PlaylistUpdate {
        public: Some(true),
        ..PlaylistUpdate::default()
    };
    bob.update_playlist(&bobs.id, &public).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let laptop = Device::open(&phone, dir.path(), "laptop");
    assert_eq!(
        laptop.sync().await.pulled,
        3,
        "alice's, not bob's public one"
    );
    let (_, before) = laptop.playlist("C");

    // The phone: a new playlist, one renamed and described, one deleted, one reordered
    // (s2 moved to the front) and grown (s3 at the end: `changed` is in whole seconds, so a
    // reorder alone in the second the laptop last read it would wait for the next change).
    phone.create_playlist("D", &s[2..4]).await.unwrap();
    let described = PlaylistUpdate {
        name: Some("A2".into()),
        comment: Some("renamed".into()),
        ..PlaylistUpdate::default()
    };
    phone.update_playlist(&a.id, &described).await.unwrap();
    phone.delete_playlist(&b.id).await.unwrap();
    let reordered = PlaylistUpdate {
        song_indexes_to_remove: vec![0, 1, 2],
        song_ids_to_add: vec![s[2].clone(), s[0].clone(), s[1].clone(), s[3].clone()],
        ..PlaylistUpdate::default()
    };
    phone.update_playlist(&c.id, &reordered).await.unwrap();

    let report = laptop.sync().await;
    assert_eq!(report.pulled, 4, "{report:?}");
    let server = server_view(&phone).await;
    assert_eq!(laptop.view(), server);
    assert_eq!(
        server.iter().map(|v| v.name.as_str()).collect::<Vec<_>>(),
        ["A2", "C", "D"]
    );
    // Entries moved elsewhere keep their ids, so an edit naming them still finds them.
    let (_, after) = laptop.playlist("C");
    assert_eq!(
        after[..3],
        [before[2].clone(), before[0].clone(), before[1].clone()]
    );
    assert!(!before.contains(&after[3]), "a new entry, a new id");
}

#[tokio::test]
async fn supysonic_round_trip_of_create_edits_and_pull() {
    let server = Supysonic::start();
    let phone = signed_in(server.url(), server.username(), server.password()).await;
    let s = songs(&phone, 4).await;
    let dir = tempfile::tempdir().unwrap();
    let laptop = Device::open(&phone, dir.path(), "laptop");
    laptop.sync().await;

    let id = laptop.library.blocking(|lib| {
        let id = lib
            .create_playlist("Round trip", "from Strato")
            .unwrap()
            .playlist
            .id;
        let added = lib.add_tracks(&id, &s[..3], None).unwrap();
        lib.move_item(&id, &added.item_ids[2], 0).unwrap();
        lib.remove_item(&id, &added.item_ids[1]).unwrap();
        id
    });
    let report = laptop.sync().await;
    // Four edits, and the description on its own once the playlist has songs (Supysonic
    // fails on an update of a playlist that never had one).
    assert_eq!((report.sent, report.refused), (5, 0), "{report:?}");
    let wanted = vec![view("Round trip", "from Strato", &[&s[2], &s[0]])];
    assert_eq!(server_view(&phone).await, wanted);
    assert_eq!(laptop.view(), wanted);
    let (id_now, _) = laptop.playlist("Round trip");
    assert_ne!(id_now, id);

    // The phone appends s3 and removes the first entry; the next pass reads it (Supysonic
    // does not say when a playlist changed, so every playlist is read).
    phone.update_playlist(&id_now, &add(&s[3])).await.unwrap();
    phone.update_playlist(&id_now, &remove(0)).await.unwrap();
    assert_eq!(laptop.sync().await.pulled, 1);
    let wanted = vec![view("Round trip", "from Strato", &[&s[0], &s[3]])];
    assert_eq!(laptop.view(), wanted);
    assert_eq!(server_view(&phone).await, wanted);

    laptop
        .library
        .blocking(|lib| lib.delete_playlist(&id_now).unwrap());
    assert_eq!(laptop.sync().await.sent, 1);
    assert!(server_view(&phone).await.is_empty());
    assert!(laptop.view().is_empty());
}
