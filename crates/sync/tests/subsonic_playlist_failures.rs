//! Playlist sync with `OpenSubsonic` servers that fail: an edit a server always fails on is
//! parked after so many tries rather than holding back every edit behind it (devcloud's
//! injected 500s, and Supysonic's own failure on a playlist that never had a song), and a
//! pass dropped anywhere (the app quit, the listener signed out) loses nothing.

mod subsonic_support;

use std::task::Poll;
use std::time::Duration;

use strato_library::SyncRecordKind;
use strato_sync::SubsonicPlaylistSync;
use strato_sync::subsonic_playlists::MAX_SERVER_FAILURES;
use strato_testkit::{FaultRule, FaultTarget, Supysonic};
use subsonic_support::{
    ALICE, ALICE_PASSWORD, Device, View, devcloud, server_view, signed_in, songs, view,
};

#[tokio::test]
async fn an_edit_the_server_always_fails_on_is_parked_and_the_next_goes_through() {
    let cloud = devcloud().await;
    let phone = signed_in(cloud.api_url(), ALICE, ALICE_PASSWORD).await;
    let s = songs(&phone, 1).await;
    let dir = tempfile::tempdir().unwrap();
    let laptop = Device::open(&phone, dir.path(), "laptop");
    laptop.library.blocking(|lib| {
        lib.create_playlist("Stuck", "").unwrap();
    });
    laptop.sync().await;
    let (id, _) = laptop.playlist("Stuck");
    laptop.library.blocking(|lib| {
        lib.add_tracks(&id, &[&s[0]], None).unwrap();
        lib.rename_playlist(&id, "Unstuck").unwrap();
    });
    let failing = |path: &str, times: u32| FaultRule {
        error_rate: Some(1.0),
        error_status: Some(500),
        times: Some(times.into()),
        ..FaultRule::new(path).on(FaultTarget::Api)
    };

    // The server failing to read the playlist is the server's trouble, not the edit's: it
    // counts nothing however often it happens.
    cloud
        .add_fault(&failing("/rest/getPlaylist*", MAX_SERVER_FAILURES + 1))
        .await;
    for pass in 0..=MAX_SERVER_FAILURES {
        let error = laptop.sync.sync().await.unwrap_err();
        assert!(error.is_transient(), "pass {pass}: {error}");
    }
    let waiting = laptop.library.blocking(|lib| lib.pending_ops().unwrap());
    assert_eq!(waiting.len(), 2);
    assert_eq!(waiting[0].attempts, 0, "{:?}", waiting[0].last_error);

    // The server failing on the add itself, every time: each pass ends on it until the last
    // failure allowed parks it, and the rename behind it goes through in that pass.
    cloud
        .add_fault(&failing("/rest/updatePlaylist*", MAX_SERVER_FAILURES))
        .await;
    for pass in 1..MAX_SERVER_FAILURES {
        let error = laptop.sync.sync().await.unwrap_err();
        assert!(error.is_transient(), "pass {pass}: {error}");
        assert_eq!(laptop.pending(), 2, "pass {pass}");
    }
    let report = laptop.sync().await;
    assert_eq!((report.sent, report.refused), (1, 1), "{report:?}");
    let wanted = vec![view("Unstuck", "", &[])];
    assert_eq!(server_view(&phone).await, wanted);
    assert_eq!(laptop.view(), wanted, "the add is not shown as saved");
    let (rejected, records) = laptop
        .library
        .blocking(|lib| (lib.rejected_ops().unwrap(), lib.sync_records(true).unwrap()));
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0].op.kind(), "add_tracks");
    assert_eq!(records.len(), 1, "{records:?}");
    assert_eq!(records[0].kind, SyncRecordKind::Refused);
    let gave_up = format!(
        "Your change to “Unstuck” could not be saved: the server failed on it \
         {MAX_SERVER_FAILURES} times, so Strato stopped trying (its last answer: “The server \
         failed to change the playlist"
    );
    assert!(
        records[0].message.starts_with(&gave_up),
        "{}",
        records[0].message
    );
}

#[tokio::test]
async fn a_playlist_without_songs_renamed_or_described_does_not_hold_supysonic_back() {
    // A server of its own: the playlists of another test would be in its views.
    let server = Supysonic::spawn();
    let phone = signed_in(server.url(), server.username(), server.password()).await;
    let s = songs(&phone, 1).await;
    let dir = tempfile::tempdir().unwrap();
    let laptop = Device::open(&phone, dir.path(), "laptop");

    // Supysonic fails on any updatePlaylist of a playlist that never had a song. A rename
    // before the first song goes with the create; a description of a playlist that never
    // gets one fails (its envelope says code 0), and is parked with the likely cause.
    laptop.library.blocking(|lib| {
        let draft = lib.create_playlist("Draft", "").unwrap().playlist.id;
        lib.rename_playlist(&draft, "Final").unwrap();
        lib.add_tracks(&draft, &[&s[0]], None).unwrap();
        lib.create_playlist("Described", "notes").unwrap();
    });
    let mut failed_passes = 0;
    let report = loop {
        match laptop.sync.sync().await {
            Ok(report) => break report,
            Err(error) => {
                assert!(error.is_transient(), "{error}");
                failed_passes += 1;
                assert!(failed_passes < MAX_SERVER_FAILURES, "never parked: {error}");
            }
        }
    };
    // Four edits (the rename sending nothing) and the description, refused.
    assert_eq!((report.sent, report.refused), (4, 1), "{report:?}");
    let wanted = vec![view("Described", "", &[]), view("Final", "", &[&s[0]])];
    assert_eq!(server_view(&phone).await, wanted);
    assert_eq!(laptop.view(), wanted);
    assert_eq!(laptop.pending(), 0);
    let records = laptop
        .library
        .blocking(|lib| lib.sync_records(true).unwrap());
    assert_eq!(records.len(), 1, "{records:?}");
    assert_eq!(records[0].kind, SyncRecordKind::Refused);
    let message = &records[0].message;
    assert!(
        message.starts_with("Your change to “Described” could not be saved: ")
            && message.contains("a playlist that has never had a song"),
        "{message}"
    );
}

/// Runs a pass and drops it after `polls` polls, each after a short wait, as quitting or
/// signing out does mid-pass. Whether it finished first.
async fn cut_short(sync: &SubsonicPlaylistSync, polls: u32) -> bool {
    let mut pass = std::pin::pin!(sync.sync());
    for _ in 0..polls {
        let polled = std::future::poll_fn(|cx| Poll::Ready(pass.as_mut().poll(cx))).await;
        if polled.is_ready() {
            return true;
        }
        tokio::time::sleep(Duration::from_micros(100)).await;
    }
    false
}

#[tokio::test]
async fn a_new_playlists_description_survives_a_pass_cut_short_anywhere() {
    let cloud = devcloud().await;
    let phone = signed_in(cloud.api_url(), ALICE, ALICE_PASSWORD).await;
    let dir = tempfile::tempdir().unwrap();
    let laptop = Device::open(&phone, dir.path(), "laptop");
    // The create is retired with the server's copy (no comment: createPlaylist takes none)
    // and the description logged to be sent after it; a pass dropped wherever it is, then
    // one run through, leaves the description on both sides.
    let mut cut = 0;
    for polls in 1..=100 {
        let name = format!("Notes {polls}");
        let made = name.clone();
        laptop.library.blocking(move |lib| {
            lib.create_playlist(&made, "kept").unwrap();
        });
        if !cut_short(&laptop.sync, polls).await {
            cut += 1;
        }
        laptop.sync().await;
        assert_eq!(laptop.pending(), 0);
        let described = |views: Vec<View>| {
            views
                .into_iter()
                .filter(|view| view.name == name)
                .map(|view| view.comment)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            described(laptop.view()),
            ["kept"],
            "cut after {polls} polls"
        );
        assert_eq!(
            described(server_view(&phone).await),
            ["kept"],
            "cut after {polls} polls"
        );
    }
    assert!(cut > 0, "no pass was cut short");
}
