//! The offline library through the App facade, against moto and devcloud: playlist edits
//! apply at once and reach another device; downloaded tracks play with the service gone, and
//! the rest is skipped with words.

mod app_support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use app_support::eventually;
use strato_core::{App, AppEvents, AppSettings, AudioOutput};
use strato_model::ipc::{
    LiveUpdates, OfflineState, OfflineTarget, PlaybackState, PlayerStatus, PlaylistChange,
    PlaylistEntry, SyncState, SyncStatus,
};
use strato_testkit::{DevCloud, FaultRule, FaultTarget, Moto};

#[derive(Default)]
struct Recorder {
    players: Mutex<Vec<PlayerStatus>>,
    syncs: Mutex<Vec<SyncStatus>>,
    playlist_changes: Mutex<u32>,
}

impl AppEvents for Recorder {
    fn player_status(&self, status: &PlayerStatus) {
        self.players.lock().unwrap().push(status.clone());
    }

    fn playlists_changed(&self) {
        *self.playlist_changes.lock().unwrap() += 1;
    }

    fn sync_status(&self, status: &SyncStatus) {
        self.syncs.lock().unwrap().push(status.clone());
    }
}

fn start_app(url: &str, data_dir: &std::path::Path) -> (App, Arc<Recorder>) {
    let events = Arc::new(Recorder::default());
    let mut settings = AppSettings::new(url, AudioOutput::Null);
    settings.data_dir = Some(data_dir.to_owned());
    (App::start(settings, events.clone()).unwrap(), events)
}

/// The ids of the catalog's first `count` tracks (which also caches them, as browsing does).
async fn first_tracks(app: &App, count: usize) -> Vec<String> {
    app.catalog_tracks(None)
        .await
        .unwrap()
        .items
        .into_iter()
        .take(count)
        .map(|t| t.id)
        .collect()
}

/// The queue's entries: their ids and tracks, in play order.
fn queue_entries(app: &App) -> Vec<(u64, String)> {
    app.queue_page(0, 100)
        .entries
        .into_iter()
        .map(|e| (e.entry_id, e.track_id))
        .collect()
}

async fn in_sync(app: &App) -> SyncStatus {
    eventually("sync", || async {
        let status = app.sync_status().await.unwrap();
        (status.unsynced_edits == 0
            && status.state == SyncState::Idle
            && status.last_synced_at.is_some())
        .then_some(status)
    })
    .await
}

#[tokio::test]
async fn playlist_edits_apply_at_once_and_reach_another_device() {
    let cloud = DevCloud::start(Moto::start()).await;
    let dirs = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (laptop, _) = start_app(cloud.api_url(), dirs.0.path());
    laptop
        .sign_in(cloud.api_url(), "demo", "Strato-demo-1".into())
        .await
        .unwrap();
    let tracks: Vec<String> = first_tracks(&laptop, 4).await;

    let road = laptop.create_playlist("Road trip", "").await.unwrap();
    // Each edit answers what it changed, not the whole playlist.
    let added = laptop
        .add_to_playlist(&road.id, tracks.clone(), None)
        .await
        .unwrap();
    assert_eq!(added.playlist.item_count, 4);
    let [PlaylistChange::Added { position: 0, items }] = added.changes.as_slice() else {
        panic!("{added:?}");
    };
    assert_eq!(
        items.iter().map(|i| &i.track_id).collect::<Vec<_>>(),
        tracks.iter().collect::<Vec<_>>()
    );
    assert!(
        items.iter().all(|i| i.track.is_some()),
        "catalog data cached"
    );
    let last = items[3].item_id.clone();
    let moved = laptop.move_in_playlist(&road.id, &last, 0).await.unwrap();
    assert_eq!(
        moved.changes,
        [PlaylistChange::Moved {
            item_ids: vec![last.clone()],
            position: 0
        }]
    );
    let view = laptop.playlist(&road.id).await.unwrap();
    assert_eq!(view.items[0].track_id, tracks[3], "applied at once");
    let renamed = laptop
        .rename_playlist(&road.id, "Road trip, reordered")
        .await
        .unwrap();
    assert!(
        renamed.unsynced_edits > 0 || renamed.id != road.id,
        "{renamed:?}"
    );

    let status = in_sync(&laptop).await;
    assert_eq!(status.error, None);
    let mine = laptop.playlists().await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].unsynced_edits, 0);
    assert_ne!(mine[0].id, road.id, "the server's id replaced the client's");

    // The desktop signs in and finds the playlist as the laptop left it.
    let (desktop, desktop_events) = start_app(cloud.api_url(), dirs.1.path());
    desktop
        .sign_in(cloud.api_url(), "demo", "Strato-demo-1".into())
        .await
        .unwrap();
    in_sync(&desktop).await;
    let theirs = desktop.playlists().await.unwrap();
    assert_eq!(theirs.len(), 1);
    assert_eq!(theirs[0].name, "Road trip, reordered");
    let order: Vec<String> = desktop
        .playlist(&theirs[0].id)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|i| i.track_id)
        .collect();
    assert_eq!(
        order,
        [&tracks[3], &tracks[0], &tracks[1], &tracks[2]].map(String::clone)
    );
    // The desktop never browsed the catalog: the sync fills in what the tracks are.
    let playlist_id = theirs[0].id.clone();
    eventually("the desktop to know the playlist's tracks", || async {
        let view = desktop.playlist(&playlist_id).await.unwrap();
        // The first items' tracks come with the playlist; the rest answer `tracks`.
        let ids = view.items.iter().map(|i| i.track_id.clone()).collect();
        let known = desktop.tracks(ids).await.unwrap();
        (view.tracks.len() == view.items.len()
            && known.len() == view.items.len()
            && known.iter().all(|t| !t.title.is_empty()))
        .then_some(())
    })
    .await;

    edits_reach_the_open_desktop_live(&laptop, &desktop, &desktop_events, &playlist_id).await;
}

/// Both open: an edit on the laptop reaches the desktop as it is made, through the live
/// channel (its next poll is a minute away, beyond this wait's 30 s).
async fn edits_reach_the_open_desktop_live(
    laptop: &App,
    desktop: &App,
    desktop_events: &Recorder,
    playlist_id: &str,
) {
    eventually("the desktop's live channel", || async {
        let status = desktop.sync_status().await.unwrap();
        (status.live == LiveUpdates::Live).then_some(())
    })
    .await;
    let told_before = *desktop_events.playlist_changes.lock().unwrap();
    laptop
        .rename_playlist(playlist_id, "Renamed on the laptop")
        .await
        .unwrap();
    eventually("the rename on the desktop", || async {
        let theirs = desktop.playlists().await.unwrap();
        (theirs[0].name == "Renamed on the laptop").then_some(())
    })
    .await;
    // The window is told once the change is written, which the read above may beat.
    eventually("the desktop's window told", || async {
        (*desktop_events.playlist_changes.lock().unwrap() > told_before).then_some(())
    })
    .await;
}

#[tokio::test]
async fn downloaded_tracks_play_without_the_service_and_the_rest_is_skipped() {
    let cloud = DevCloud::start(Moto::start()).await;
    let dir = tempfile::tempdir().unwrap();
    let (app, events) = start_app(cloud.api_url(), dir.path());
    app.sign_in(cloud.api_url(), "demo", "Strato-demo-1".into())
        .await
        .unwrap();
    let tracks: Vec<String> = first_tracks(&app, 3).await;
    let plane = app.create_playlist("Plane", "").await.unwrap();
    app.add_to_playlist(&plane.id, tracks[..2].to_vec(), None)
        .await
        .unwrap();
    app.set_offline(OfflineTarget::Playlist(plane.id.clone()), true)
        .await
        .unwrap();
    let plane_id = plane.id.clone();
    eventually("the downloads", || async {
        let status = app.downloads_status().await.unwrap();
        (status.done == 2).then_some(status)
    })
    .await;
    let view = app.playlist(&plane_id).await.unwrap();
    assert!(view.playlist.offline);
    assert!(
        view.items
            .iter()
            .all(|i| i.offline == OfflineState::Available),
        "{view:?}"
    );
    // A list that does not carry it (the catalog's rows) asks, track by track, in order.
    let asked = vec![
        tracks[2].clone(),
        tracks[0].clone(),
        "no-such-track".to_owned(),
    ];
    assert_eq!(
        app.offline_states(asked).await.unwrap(),
        [
            OfflineState::None,
            OfflineState::Available,
            OfflineState::None
        ]
    );

    // The service and the CDN go away.
    for target in [FaultTarget::Api, FaultTarget::Cdn] {
        cloud
            .add_fault(&FaultRule {
                error_rate: Some(1.0),
                error_status: Some(503),
                ..FaultRule::new("/**").on(target)
            })
            .await;
    }
    app.sync_now().await.unwrap();
    eventually("sync to notice", || async {
        let status = app.sync_status().await.unwrap();
        (status.state == SyncState::Offline).then_some(())
    })
    .await;
    assert!(
        events
            .syncs
            .lock()
            .unwrap()
            .iter()
            .any(|s| s.error.is_some())
    );

    // An edit still works offline; its track is not downloaded, so it cannot play.
    let plane_id = view.playlist.id.clone();
    let added = app
        .add_to_playlist(&plane_id, vec![tracks[2].clone()], Some(1))
        .await
        .unwrap();
    assert_eq!(added.playlist.item_count, 3);
    assert!(added.playlist.unsynced_edits > 0);
    let [PlaylistChange::Added { position: 1, items }] = added.changes.as_slice() else {
        panic!("{added:?}");
    };
    assert!(matches!(
        items.as_slice(),
        [PlaylistEntry {
            offline: OfflineState::None,
            ..
        }]
    ));

    app.play_playlist(&plane_id, 0).await.unwrap();
    let playing = |id: &str| {
        events.players.lock().unwrap().iter().any(|s| {
            s.state == PlaybackState::Playing && s.track.as_ref().is_some_and(|t| t.id == id)
        })
    };
    eventually("the first downloaded track to play", || async {
        playing(&tracks[0]).then_some(())
    })
    .await;
    let second = app.queue_view().window.unwrap().entries[1].entry_id;
    app.jump(second);
    eventually("the track after the unavailable one", || async {
        playing(&tracks[1]).then_some(())
    })
    .await;
    let said = events
        .players
        .lock()
        .unwrap()
        .iter()
        .filter_map(|s| s.error.as_ref().map(|e| e.message.clone()))
        .collect::<Vec<_>>();
    assert!(
        said.iter().any(|m| m.contains("not available offline")),
        "{said:?}"
    );
    app.stop();

    // The service returns: the offline edit reaches it, and the track added offline to the
    // offline playlist downloads.
    cloud.clear_faults().await;
    app.sync_now().await.unwrap();
    in_sync(&app).await;
    eventually("the track added offline to download", || async {
        (app.downloads_status().await.unwrap().done == 3).then_some(())
    })
    .await;
}

#[tokio::test]
async fn the_queue_and_position_come_back_after_a_restart_and_plays_are_recorded() {
    let cloud = DevCloud::start(Moto::start()).await;
    let dir = tempfile::tempdir().unwrap();
    let tracks: Vec<String>;
    let entries_before: Vec<(u64, String)>;
    {
        let (app, events) = start_app(cloud.api_url(), dir.path());
        app.sign_in(cloud.api_url(), "demo", "Strato-demo-1".into())
            .await
            .unwrap();
        tracks = first_tracks(&app, 3).await;
        app.play_queue(tracks.clone(), 0).await.unwrap();
        let heard = |id: &str, from_ms: u32| {
            events.players.lock().unwrap().iter().any(|s| {
                s.state == PlaybackState::Playing
                    && s.position_ms >= from_ms
                    && s.track.as_ref().is_some_and(|t| t.id == id)
            })
        };
        eventually("1.2 s of the first track", || async {
            heard(&tracks[0], 1_200).then_some(())
        })
        .await;
        app.next();
        eventually("1.5 s of the second track", || async {
            heard(&tracks[1], 1_500).then_some(())
        })
        .await;
        app.pause();
        eventually("the pause", || async {
            (app.player_status().state == PlaybackState::Paused).then_some(())
        })
        .await;
        // The position is written on pause, off the player thread.
        tokio::time::sleep(Duration::from_millis(300)).await;
        entries_before = queue_entries(&app);
    }

    let (app, events) = start_app(cloud.api_url(), dir.path());
    app.sign_in(cloud.api_url(), "demo", "Strato-demo-1".into())
        .await
        .unwrap();
    let restored = app.player_status();
    assert_eq!(restored.state, PlaybackState::Paused);
    assert_eq!(
        restored.track.as_ref().map(|t| t.id.as_str()),
        Some(tracks[1].as_str())
    );
    assert!(restored.position_ms >= 1_500, "{}", restored.position_ms);
    // The same entries, ids and all, with the second one current.
    let view = eventually("the restored queue", || async {
        let view = app.queue_view();
        (view.length == 3).then_some(view)
    })
    .await;
    assert_eq!(view.current, Some(1));
    assert_eq!(queue_entries(&app), entries_before);
    assert_eq!(
        entries_before.iter().map(|e| &e.1).collect::<Vec<_>>(),
        tracks.iter().collect::<Vec<_>>()
    );
    app.resume();
    eventually("playback to resume where it was", || async {
        events
            .players
            .lock()
            .unwrap()
            .iter()
            .any(|s| {
                s.state == PlaybackState::Playing
                    && s.position_ms >= restored.position_ms
                    && s.track.as_ref().is_some_and(|t| t.id == tracks[1])
            })
            .then_some(())
    })
    .await;
    app.stop();

    // The first track was heard for over a second before the skip: it is in the history.
    let file = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .find(|path| path.extension().is_some_and(|e| e == "sqlite3"))
        .expect("the account's library file");
    let library = strato_library::Library::open(file).unwrap();
    let plays = library.recent_plays(10).unwrap();
    assert!(
        plays
            .iter()
            .any(|p| p.track_id == tracks[0] && p.ms_played >= 1_000),
        "{plays:?}"
    );
    assert_eq!(library.integrity_check().unwrap(), Vec::<String>::new());
}

#[tokio::test]
async fn started_without_the_service_the_library_plays_and_takes_edits() {
    let cloud = DevCloud::start(Moto::start()).await;
    let url = cloud.api_url().to_owned();
    let dir = tempfile::tempdir().unwrap();
    let (playlist_id, tracks, cover) = {
        let (app, _) = start_app(&url, dir.path());
        assert!(
            app.stay_signed_in().await.available,
            "this test needs a keychain"
        );
        // A listener of its own: another test here signs the demo listener out everywhere.
        cloud
            .user_access_token("on-the-plane", "Plane-Pass-123")
            .await;
        app.sign_in_with(&url, "on-the-plane", "Plane-Pass-123".into(), true)
            .await
            .unwrap();
        let tracks: Vec<String> = first_tracks(&app, 2).await;
        let trip = app.create_playlist("Trip", "").await.unwrap();
        app.add_to_playlist(&trip.id, tracks.clone(), None)
            .await
            .unwrap();
        app.set_offline(OfflineTarget::Playlist(trip.id.clone()), true)
            .await
            .unwrap();
        eventually("the downloads", || async {
            (app.downloads_status().await.unwrap().done == 2).then_some(())
        })
        .await;
        in_sync(&app).await;
        let playlist_id = app.playlists().await.unwrap()[0].id.clone();
        // The sidebar showed the playlist's first cover.
        let album_id = app.playlist(&playlist_id).await.unwrap().tracks[0]
            .album_id
            .clone();
        let cover = app.cover(&album_id).await.unwrap();
        (playlist_id, tracks, (album_id, cover))
    };

    // On the plane: the service cannot be reached at all.
    drop(cloud);
    let (app, events) = start_app(&url, dir.path());
    let session = app
        .restore_session()
        .await
        .unwrap()
        .expect("the kept account opens offline");
    assert_eq!(session.username, "on-the-plane");
    // The catalog reads from the library, and says it is offline.
    let catalog = app.catalog_tracks(None).await.unwrap();
    assert!(catalog.items.iter().any(|t| t.id == tracks[0]));
    let offline = catalog.status.problem.expect("offline, in words");
    assert!(offline.message.contains("offline"), "{offline:?}");
    let mine = app.playlists().await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].id, playlist_id);
    assert!(mine[0].offline);
    let (album_id, seen) = cover;
    assert_eq!(
        app.cover(&album_id).await.unwrap(),
        seen,
        "the cover seen online shows offline"
    );

    let renamed = app
        .rename_playlist(&playlist_id, "Trip (plane)")
        .await
        .unwrap();
    assert_eq!(renamed.unsynced_edits, 1);
    app.play_playlist(&playlist_id, 0).await.unwrap();
    eventually("a downloaded track to play offline", || async {
        events
            .players
            .lock()
            .unwrap()
            .iter()
            .any(|s| {
                s.state == PlaybackState::Playing
                    && s.track.as_ref().is_some_and(|t| t.id == tracks[0])
            })
            .then_some(())
    })
    .await;
    app.stop();
    app.sign_out().await;
}

#[tokio::test]
async fn a_track_heard_at_length_goes_into_the_streaming_cache() {
    let cloud = DevCloud::start(Moto::start()).await;
    let dir = tempfile::tempdir().unwrap();
    let (app, events) = start_app(cloud.api_url(), dir.path());
    app.sign_in(cloud.api_url(), "demo", "Strato-demo-1".into())
        .await
        .unwrap();
    let tracks: Vec<strato_model::ipc::Track> = app
        .catalog_tracks(None)
        .await
        .unwrap()
        .items
        .into_iter()
        .take(2)
        .collect();
    let ids: Vec<String> = tracks.iter().map(|t| t.id.clone()).collect();
    app.play_queue(ids.clone(), 0).await.unwrap();
    // Half of the first track (the demo tracks are short), then on to the next.
    let half = tracks[0].duration_ms / 2 + 300;
    eventually("half of the first track", || async {
        events
            .players
            .lock()
            .unwrap()
            .iter()
            .any(|s| s.position_ms >= half && s.track.as_ref().is_some_and(|t| t.id == ids[0]))
            .then_some(())
    })
    .await;
    app.next();
    eventually("the first track to be cached", || async {
        (app.downloads_status().await.unwrap().done >= 1).then_some(())
    })
    .await;
    app.stop();
    // Cached, not pinned: the first the quota evicts; the listener did not ask to keep it.
    let file = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .find(|path| path.extension().is_some_and(|e| e == "sqlite3"))
        .unwrap();
    let library = strato_library::Library::open(file).unwrap();
    let cached = library.download(&ids[0]).unwrap().expect("a download row");
    assert_eq!(cached.state, strato_library::DownloadState::Complete);
    assert!(!cached.pinned);
    assert_eq!(library.eviction_candidates(10).unwrap()[0].track_id, ids[0]);
    assert!(
        library.download(&ids[1]).unwrap().is_none(),
        "a skip is not cached"
    );
}
