//! The "Local files" index through the App as the disk and the app change around it, against
//! real audio files ffmpeg makes in a temporary music folder: a file copied in found by the
//! watcher and a deleted one gone; a folder missing at start watched once a scan finds it
//! back; a folder removed; the index kept across sign-out, a restart (which rescans) and a
//! move of the data folder; a local track told to `ListenBrainz` by its tags and never to the
//! account's server (devcloud's Subsonic `/rest`), and refused where the service would get
//! it; and every refusal in words: a folder not there, a file, a relative path, one added
//! twice or inside another, an index file that is not a database, a run without a data
//! folder. Uses the machine's keychain for the `ListenBrainz` token (run with
//! `scripts/lib/secret-service.sh`). Browsing, covers and playing: `local_files.rs`.

mod app_support;
mod local_support;

use app_support::eventually;
use local_support::{
    LATE_ARRIVAL, Music, PLAYABLE, add_and_scan, make, quiet, scanned, settings, start, track,
    url_of, wait_status,
};
use strato_core::AudioOutput;
use strato_model::ipc::{ErrorKind, LocalFolderState, OfflineTarget, PlaybackState};
use strato_testkit::{DevCloud, ListenBrainzEndpoint, Moto};

#[tokio::test]
async fn the_watcher_takes_in_a_new_file_and_forgets_a_deleted_one_and_a_folder_leaves() {
    let music = Music::new();
    let data = tempfile::tempdir().unwrap();
    let (app, window) = quiet(data.path());
    let before = add_and_scan(&app, &music).await;

    // Made elsewhere, then moved in whole, as a finished download is.
    let elsewhere = tempfile::tempdir().unwrap();
    make(&elsewhere.path().join("late.mp3"), &LATE_ARRIVAL);
    let late = music.file("Aurora Test/Northern Lights/03 Late Arrival.mp3");
    std::fs::copy(elsewhere.path().join("late.mp3"), &late).unwrap();
    let tracks = eventually("the new file in the index", || async {
        let tracks = app.local_tracks().await.unwrap();
        tracks
            .iter()
            .any(|t| t.title == "Late Arrival")
            .then_some(tracks)
    })
    .await;
    assert_eq!(track(&tracks, "Late Arrival").id, url_of(&late));
    let page = app.local_album(&tracks[0].album_id).await.unwrap();
    assert_eq!(page.tracks.len(), 3);
    let told = eventually("the window told of the new file", || async {
        let last = window.local.lock().unwrap().last().cloned();
        last.filter(|view| view.tracks == PLAYABLE + 1)
    })
    .await;
    assert!(told.revision > before.revision, "{told:?}");

    std::fs::remove_file(music.file("Other Artist/Quiet Harbour/Harbour Song.ogg")).unwrap();
    eventually("the deleted file gone", || async {
        let tracks = app.local_tracks().await.unwrap();
        tracks
            .iter()
            .all(|t| t.title != "Harbour Song")
            .then_some(())
    })
    .await;
    assert!(
        app.local_search("harbour", None)
            .await
            .unwrap()
            .tracks
            .is_empty()
    );

    let removed = app
        .remove_local_folder(music.path().display().to_string())
        .await
        .unwrap();
    assert!(removed.folders.is_empty());
    assert_eq!(removed.tracks, 0);
    assert!(removed.revision > told.revision);
    assert!(app.local_tracks().await.unwrap().is_empty());
    assert!(late.is_file(), "the files stay on disk");
    let again = app
        .remove_local_folder(music.path().display().to_string())
        .await
        .unwrap_err();
    assert_eq!(again.kind, ErrorKind::NotFound);
}

#[tokio::test]
async fn a_folder_missing_at_start_is_watched_once_a_scan_finds_it_back() {
    let music = Music::new();
    let root = music.path();
    let away = root.with_file_name(format!(
        "{}-unplugged",
        root.file_name().unwrap().to_string_lossy()
    ));
    let data = tempfile::tempdir().unwrap();
    {
        let (app, _) = quiet(data.path());
        add_and_scan(&app, &music).await;
    }

    // Started while the disk is away: its tracks are kept, and it cannot be watched.
    std::fs::rename(&root, &away).unwrap();
    let (app, _) = quiet(data.path());
    let view = scanned(&app, PLAYABLE).await;
    assert_eq!(view.folders[0].state, LocalFolderState::Missing, "{view:?}");

    // Plugged in again and scanned: from then on a new file is taken in by the watcher.
    std::fs::rename(&away, &root).unwrap();
    app.rescan_local_files().await.unwrap();
    let view = eventually("the folder back", || async {
        let view = app.local_files().await;
        (view.scanning.is_none() && view.folders[0].state == LocalFolderState::Ready)
            .then_some(view)
    })
    .await;
    assert_eq!(view.tracks, PLAYABLE);
    let elsewhere = tempfile::tempdir().unwrap();
    make(&elsewhere.path().join("late.mp3"), &LATE_ARRIVAL);
    std::fs::copy(
        elsewhere.path().join("late.mp3"),
        root.join("Aurora Test/Northern Lights/03 Late Arrival.mp3"),
    )
    .unwrap();
    eventually("the new file taken in without a rescan", || async {
        let tracks = app.local_tracks().await.unwrap();
        tracks
            .iter()
            .any(|t| t.title == "Late Arrival")
            .then_some(())
    })
    .await;
}

const LB_TOKEN: &str = "4f0c2d1e-8a7b-4c6d-9e5f-a1b2c3d4e5f6";
const LB_USER: &str = "local-listener";
const ALICE: &str = "alice";
const ALICE_PASSWORD: &str = "alice's Subsonic password";

#[tokio::test]
async fn the_index_outlives_a_sign_out_and_a_restart_and_local_ids_stay_home() {
    let music = Music::new();
    let data = tempfile::tempdir().unwrap();
    let cloud = DevCloud::builder(Moto::start())
        .subsonic_user(ALICE, ALICE_PASSWORD)
        .start()
        .await;
    let listenbrainz = ListenBrainzEndpoint::start(&[(LB_TOKEN, LB_USER)]).await;
    let config = tempfile::tempdir().unwrap();
    let mut signed_in = settings(Some(data.path()), AudioOutput::Null, "http://127.0.0.1:9");
    signed_in.default_service_url = cloud.api_url().to_owned();
    signed_in.listenbrainz_url = listenbrainz.url();
    signed_in.config_dir = Some(config.path().to_owned());
    let (app, window) = start(signed_in);
    app.sign_in(&cloud.subsonic_url(), ALICE, ALICE_PASSWORD.into())
        .await
        .unwrap();
    app.connect_listenbrainz(LB_TOKEN.into()).await.unwrap();
    add_and_scan(&app, &music).await;
    let local = app.local_tracks().await.unwrap()[0].id.clone();

    // Scrobbled to ListenBrainz by its tags; the account's server hears of its own tracks
    // only.
    app.play_track(&local).await.unwrap();
    let playing = eventually("ListenBrainz told of the local track", || async {
        listenbrainz.playing_now(LB_USER)
    })
    .await;
    assert_eq!(playing["track_metadata"]["track_name"], "First Light");
    assert_eq!(playing["track_metadata"]["artist_name"], "Aurora Test");
    let own = app.search_catalog("Night Ferry").await.unwrap().tracks[0].clone();
    app.play_track(&own.id).await.unwrap();
    let reports = eventually("the server told of its own track", || async {
        let reports = cloud.subsonic_scrobbles().await;
        reports
            .iter()
            .any(|r| r["id"] == own.id.as_str())
            .then_some(reports)
    })
    .await;
    assert!(
        reports
            .iter()
            .all(|r| !r["id"].as_str().unwrap_or_default().starts_with("file:")),
        "{reports:?}"
    );

    // Never sent where the account's server would get it.
    let playlist = app.create_playlist("Mixed", "").await.unwrap();
    let refused = app
        .add_to_playlist(&playlist.id, vec![local.clone()], None)
        .await
        .unwrap_err();
    assert_eq!(refused.kind, ErrorKind::InvalidInput);
    assert!(
        refused.message.contains("Files on this computer"),
        "{refused:?}"
    );
    assert_eq!(
        app.playlist(&playlist.id)
            .await
            .unwrap()
            .playlist
            .item_count,
        0
    );
    let refused = app
        .set_offline(OfflineTarget::Track(local.clone()), true)
        .await
        .unwrap_err();
    assert_eq!(refused.kind, ErrorKind::InvalidInput);

    app.sign_out().await;
    assert_eq!(app.local_tracks().await.unwrap().len(), PLAYABLE as usize);
    app.play_track(&local).await.unwrap();
    wait_status(&window, "the local track to play signed out", |s| {
        s.state == PlaybackState::Playing
            && s.track.as_ref().is_some_and(|t| t.title == "First Light")
    })
    .await;
    drop(app);

    // Added while the app was not running: the start's rescan finds it.
    make(
        &music.file("Aurora Test/Northern Lights/03 Late Arrival.flac"),
        &LATE_ARRIVAL,
    );
    let (app, _window) = quiet(data.path());
    let view = scanned(&app, PLAYABLE + 1).await;
    assert_eq!(view.folders[0].path, music.path().display().to_string());
    let titles: Vec<String> = app
        .local_tracks()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.title)
        .collect();
    assert!(titles.contains(&"Late Arrival".to_owned()), "{titles:?}");
}

#[tokio::test]
async fn a_move_of_the_data_folder_takes_the_index_along() {
    let music = Music::new();
    let (data, config, target) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    let mut moving = settings(Some(data.path()), AudioOutput::Null, "http://127.0.0.1:9");
    moving.config_dir = Some(config.path().to_owned());
    let (app, _window) = start(moving);
    add_and_scan(&app, &music).await;

    let to = target.path().join("moved");
    app.move_data_folder(to.display().to_string())
        .await
        .unwrap();
    assert!(to.join("local-files.sqlite3").is_file());
    assert!(!data.path().join("local-files.sqlite3").exists());
    let view = scanned(&app, PLAYABLE).await;
    assert_eq!((view.unavailable, view.folders.len()), (None, 1));
    // Watched again from the new place.
    make(&music.file("Late Arrival.ogg"), &LATE_ARRIVAL);
    scanned(&app, PLAYABLE + 1).await;
}

#[tokio::test]
async fn every_refusal_is_in_words_and_a_broken_index_leaves_the_app_running() {
    let music = Music::new();
    let data = tempfile::tempdir().unwrap();
    let (app, _window) = quiet(data.path());
    let refuse = async |path: String| app.add_local_folder(path).await.unwrap_err();

    let missing = refuse(music.file("Nowhere").display().to_string()).await;
    assert_eq!(missing.kind, ErrorKind::NotFound);
    assert!(missing.message.contains("cannot be found"), "{missing:?}");
    let file = refuse(music.file("broken.mp3").display().to_string()).await;
    assert_eq!(file.kind, ErrorKind::InvalidInput);
    assert!(file.message.contains("is a file"), "{file:?}");
    let relative = refuse("Music".to_owned()).await;
    assert_eq!(relative.kind, ErrorKind::InvalidInput);
    assert!(relative.message.contains("full path"), "{relative:?}");
    app.add_local_folder(music.path().display().to_string())
        .await
        .unwrap();
    let twice = refuse(music.path().display().to_string()).await;
    assert_eq!(twice.kind, ErrorKind::InvalidInput);
    assert!(
        twice.message.contains("already one of your music folders"),
        "{twice:?}"
    );
    let inside = refuse(music.file("Aurora Test").display().to_string()).await;
    assert_eq!(inside.kind, ErrorKind::InvalidInput);
    assert!(inside.message.contains("inside"), "{inside:?}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let locked = tempfile::tempdir().unwrap();
        std::fs::set_permissions(locked.path(), std::fs::Permissions::from_mode(0o000)).unwrap();
        // Root reads it anyway: nothing to refuse then.
        if std::fs::read_dir(locked.path()).is_err() {
            let unreadable = refuse(locked.path().display().to_string()).await;
            assert_eq!(unreadable.kind, ErrorKind::InvalidInput);
            assert!(
                unreadable.message.contains("may not read"),
                "{unreadable:?}"
            );
        }
        std::fs::set_permissions(locked.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    drop(app);

    // An index file that is not a database: said, and the app goes on without local files.
    let broken = tempfile::tempdir().unwrap();
    std::fs::write(broken.path().join("local-files.sqlite3"), [0x42_u8; 8192]).unwrap();
    let (app, _window) = start(settings(
        Some(broken.path()),
        AudioOutput::Null,
        "http://127.0.0.1:9",
    ));
    let view = app.local_files().await;
    let unavailable = view.unavailable.expect("the view says why");
    assert_eq!(unavailable.kind, ErrorKind::Storage, "{unavailable:?}");
    assert!(
        unavailable.message.contains("without your local files"),
        "{unavailable:?}"
    );
    assert!(app.local_tracks().await.unwrap().is_empty());
    let refused = app
        .add_local_folder(music.path().display().to_string())
        .await
        .unwrap_err();
    assert_eq!(refused, unavailable);
    drop(app);

    // A run that keeps no files has no local files, and says so.
    let (app, _window) = start(settings(None, AudioOutput::Null, "http://127.0.0.1:9"));
    let unavailable = app
        .local_files()
        .await
        .unavailable
        .expect("the view says why");
    assert_eq!(unavailable.kind, ErrorKind::Storage, "{unavailable:?}");
    assert!(
        unavailable.message.contains("keeps no files"),
        "{unavailable:?}"
    );
    let refused = app
        .add_local_folder(music.path().display().to_string())
        .await
        .unwrap_err();
    assert_eq!(refused.kind, ErrorKind::Storage);
}
