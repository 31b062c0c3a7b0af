//! The "Local files" source through the App, against real audio files ffmpeg makes in a
//! temporary music folder: added and scanned in the background (the window told as it goes),
//! browsed as albums, artists and tracks, searched by words, a cover from the folder, played
//! through the real engine to its samples with the tags in the now-playing bar, queued, its
//! lyrics from a `.lrc` beside it or LRCLIB by its tags; a file copied in found by the watcher
//! and a deleted one gone; a folder missing at start watched once a scan finds it back; a
//! folder removed; the index kept across sign-out, a restart (which rescans) and a move of the
//! data folder; a local track told to `ListenBrainz` by its tags
//! and never to the account's server (devcloud's Subsonic `/rest`), and refused where the
//! service would get it; and every refusal in words: a folder not there, a file, a relative
//! path, one added twice or inside another, an index file that is not a database, a run
//! without a data folder. Uses the machine's keychain for the `ListenBrainz` token (run with
//! `scripts/lib/secret-service.sh`).

mod app_support;
mod engine_support;
mod local_support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use app_support::eventually;
use engine_support::{CaptureSink, Captured, correlation};
use local_support::{
    LATE_ARRIVAL, Music, PLAYABLE, SECONDS, add_and_scan, make, quiet, scanned, settings, start,
    track, url_of, wait_status,
};
use strato_core::AudioOutput;
use strato_model::ipc::{
    ErrorKind, LocalFileProblem, LocalFolderState, OfflineTarget, PlaybackState,
};
use strato_testkit::{DevCloud, ListenBrainzEndpoint, LrclibEndpoint, LrclibRecord, Moto};

#[tokio::test]
async fn a_folder_is_scanned_in_the_background_and_browsed_signed_out() {
    let music = Music::new();
    let data = tempfile::tempdir().unwrap();
    let (app, window) = quiet(data.path());

    let empty = app.local_files().await;
    assert_eq!((empty.unavailable, empty.folders.len()), (None, 0));
    assert!(app.local_tracks().await.unwrap().is_empty());
    assert!(
        !data.path().join("local-files.sqlite3").exists(),
        "no index is made before a folder is added"
    );

    let added = app
        .add_local_folder(music.dir.path().display().to_string())
        .await
        .unwrap();
    assert_eq!(added.folders.len(), 1);
    assert_eq!(added.folders[0].path, music.path().display().to_string());
    assert!(added.scanning.is_some(), "the scan runs in the background");
    let view = scanned(&app, PLAYABLE).await;
    assert_eq!(view.folders[0].tracks, PLAYABLE);
    assert_eq!(view.folders[0].failed, 1);
    assert_eq!(view.folders[0].state, LocalFolderState::Ready);
    assert_eq!(view.failed_count, 1);
    assert_eq!(
        view.failed[0].path,
        music.file("broken.mp3").display().to_string()
    );
    // Why, as a reason the window words in its language, and in English beside it.
    assert_eq!(
        view.failed[0].problem,
        LocalFileProblem::Damaged,
        "{:?}",
        view.failed[0]
    );
    assert!(
        view.failed[0].reason.contains("damaged"),
        "{:?}",
        view.failed[0]
    );
    assert_eq!(view.scan_problem, None);
    // The window was told as it went, and last of the end.
    let told = window.local.lock().unwrap().clone();
    assert!(told.first().unwrap().scanning.is_some());
    assert_eq!(told.last().unwrap().tracks, PLAYABLE);
    assert!(told.last().unwrap().revision > told.first().unwrap().revision);

    let tracks = app.local_tracks().await.unwrap();
    let titles: Vec<&str> = tracks.iter().map(|t| t.title.as_str()).collect();
    assert_eq!(titles, ["First Light", "Second Wind", "Harbour Song"]);
    let first = &tracks[0];
    assert_eq!(
        first.id,
        url_of(&music.file("Aurora Test/Northern Lights/01 First Light.mp3"))
    );
    assert_eq!(
        (first.artist_name.as_str(), first.album_title.as_str()),
        ("Aurora Test", "Northern Lights")
    );
    assert!(
        first.duration_ms.abs_diff(4_000) < 200,
        "{}",
        first.duration_ms
    );
    // As a long list asks for its rows by id.
    assert_eq!(
        app.tracks(vec![first.id.clone()]).await.unwrap(),
        vec![first.clone()]
    );
    let albums = app.local_albums().await.unwrap();
    let names: Vec<(&str, &str, u32)> = albums
        .iter()
        .map(|a| (a.artist_name.as_str(), a.title.as_str(), a.track_count))
        .collect();
    assert_eq!(
        names,
        [
            ("Aurora Test", "Northern Lights", 2),
            ("Other Artist", "Quiet Harbour", 1)
        ]
    );
    let page = app.local_album(&albums[0].id).await.unwrap();
    let titles: Vec<&str> = page.tracks.iter().map(|t| t.title.as_str()).collect();
    assert_eq!(titles, ["First Light", "Second Wind"]);
    let artists = app.local_artists().await.unwrap();
    let names: Vec<&str> = artists.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["Aurora Test", "Other Artist"]);
    let artist = app.local_artist(&artists[1].id).await.unwrap();
    assert_eq!(artist.albums.len(), 1);
    assert_eq!(artist.tracks[0].title, "Harbour Song");
    let gone = app
        .local_album("local-album:0000000000000000")
        .await
        .unwrap_err();
    assert_eq!(gone.kind, ErrorKind::NotFound);
}

#[tokio::test]
async fn local_tracks_are_searched_by_words_and_their_albums_cover_shown() {
    let music = Music::new();
    let data = tempfile::tempdir().unwrap();
    let (app, _window) = quiet(data.path());
    add_and_scan(&app, &music).await;
    let albums = app.local_albums().await.unwrap();

    // Words in any case, across title, artist and album.
    let found = app.local_search("HARBOUR", None).await.unwrap();
    assert_eq!(found.tracks.len(), 1);
    assert_eq!(found.albums[0].title, "Quiet Harbour");
    assert_eq!(found.artists[0].name, "Other Artist");
    let found = app.local_search("aurora wind", None).await.unwrap();
    let titles: Vec<&str> = found.tracks.iter().map(|t| t.title.as_str()).collect();
    assert_eq!(titles, ["Second Wind"]);
    assert!(
        app.local_search("nothing like it", None)
            .await
            .unwrap()
            .tracks
            .is_empty()
    );

    // The folder's cover, through the app's covers, as the window's <img> asks for it.
    let (bytes, content_type) = app.cover(&albums[0].id).await.unwrap();
    let on_disk = std::fs::read(music.file("Aurora Test/Northern Lights/cover.jpg")).unwrap();
    assert_eq!(
        (bytes.as_slice(), content_type.as_str()),
        (on_disk.as_slice(), "image/jpeg")
    );
    assert_eq!(
        app.cover(&albums[1].id).await.unwrap_err().kind,
        ErrorKind::NotFound
    );
}

/// A cover on a disk that takes its time (here a named pipe, which gives its bytes only
/// once the test writes them) is read while the rest of local files goes on: the view is
/// answered with the cover's read under way. Read on the local files' own thread, the view
/// waited behind it and never came.
#[cfg(unix)]
#[tokio::test]
async fn a_slow_cover_holds_up_no_other_request_of_local_files() {
    use std::io::Write as _;

    let music = tempfile::tempdir().unwrap();
    let album = music.path().join("Slow Disk");
    make(
        &album.join("01 First Light.flac"),
        &local_support::FIRST_LIGHT,
    );
    let pipe = album.join("cover.jpg");
    let made = std::process::Command::new("mkfifo")
        .arg(&pipe)
        .status()
        .unwrap();
    assert!(made.success());
    let data = tempfile::tempdir().unwrap();
    let (app, _window) = quiet(data.path());
    app.add_local_folder(music.path().display().to_string())
        .await
        .unwrap();
    scanned(&app, 1).await;
    let album_id = app.local_albums().await.unwrap()[0].id.clone();

    let image = b"\xff\xd8\xff\xe0 a cover that took its time".to_vec();
    let reading = app.cover(&album_id);
    let meanwhile = async {
        // Opening the pipe to write waits for the cover's read to open it.
        let mut writer = tokio::task::spawn_blocking(move || {
            std::fs::OpenOptions::new().write(true).open(pipe).unwrap()
        })
        .await
        .unwrap();
        let view = tokio::time::timeout(Duration::from_secs(60), app.local_files())
            .await
            .expect("the view waited behind the cover's read");
        writer.write_all(&image).unwrap();
        drop(writer);
        view
    };
    let (cover, view) = tokio::join!(reading, meanwhile);
    assert_eq!(view.tracks, 1);
    let (bytes, content_type) = cover.unwrap();
    assert_eq!(
        (bytes.as_slice(), content_type.as_str()),
        (image.as_slice(), "image/jpeg")
    );
}

#[tokio::test]
async fn a_local_track_plays_through_the_engine_and_queues_with_its_tags() {
    let music = Music::new();
    let data = tempfile::tempdir().unwrap();
    let captured = Arc::new(Mutex::new(Captured::default()));
    // At the pace of a device: the queue below is edited while its first track plays.
    let output = AudioOutput::Custom(CaptureSink::factory(&captured, true));
    let (app, window) = start(settings(Some(data.path()), output, "http://127.0.0.1:9"));
    add_and_scan(&app, &music).await;
    let tracks = app.local_tracks().await.unwrap();
    let (first, second, harbour) = (
        track(&tracks, "First Light"),
        track(&tracks, "Second Wind"),
        track(&tracks, "Harbour Song"),
    );

    // The FLAC to its end: the samples heard are the file's, as ffmpeg decodes it.
    app.play_track(&second.id).await.unwrap();
    wait_status(&window, "the FLAC to end", |s| {
        s.state == PlaybackState::Ended
    })
    .await;
    let heard = window
        .statuses
        .lock()
        .unwrap()
        .iter()
        .find(|s| s.state == PlaybackState::Playing)
        .and_then(|s| s.track.clone())
        .expect("a playing status with the track");
    assert_eq!(
        (heard.title.as_str(), heard.artist_name.as_str()),
        ("Second Wind", "Aurora Test")
    );
    let reference = strato_testkit::ffmpeg::ffmpeg_decode(
        &music.file("Aurora Test/Northern Lights/02 Second Wind.flac"),
        None,
        None,
    );
    {
        let captured = captured.lock().unwrap();
        let (format, samples) = &captured.streams[0];
        assert_eq!((format.sample_rate, format.channels), (44_100, 2));
        let n = reference.len().min(samples.len());
        assert!(n > 44_100, "only {n} samples heard");
        assert!(correlation(&samples[..n], &reference[..n]) > 0.999);
    }

    // A queue of local tracks, paused at once while it is edited: each entry carries its
    // tags, and so does the now-playing bar.
    app.play_queue(vec![first.id.clone(), second.id.clone()], 0)
        .await
        .unwrap();
    app.pause();
    let now = app.player_status().track.expect("the track about to play");
    assert_eq!(now, *first);
    app.play_next(vec![harbour.id.clone()]).await.unwrap();
    app.add_to_queue(vec![second.id.clone()]).await.unwrap();
    // The player takes the edits on its thread; the queue shown follows.
    let page = eventually("the queue to hold the four", || async {
        Some(app.queue_page(0, 10)).filter(|page| page.entries.len() == 4)
    })
    .await;
    let titles: Vec<&str> = page
        .entries
        .iter()
        .map(|e| e.track.as_ref().map_or("", |t| t.title.as_str()))
        .collect();
    assert_eq!(
        titles,
        ["First Light", "Harbour Song", "Second Wind", "Second Wind"]
    );
    app.stop();
}

#[tokio::test]
async fn a_local_tracks_lyrics_are_its_own_or_found_by_its_tags_and_a_loose_file_plays() {
    let music = Music::new();
    let data = tempfile::tempdir().unwrap();
    let lrclib = LrclibEndpoint::start().await;
    lrclib.add(LrclibRecord::synced(
        "Second Wind",
        "Aurora Test",
        "Northern Lights",
        SECONDS,
        "[00:01.00]Breathe in\n[00:03.00]Breathe out",
    ));
    let (app, window) = start(settings(
        Some(data.path()),
        AudioOutput::Null,
        &lrclib.url(),
    ));
    add_and_scan(&app, &music).await;
    let tracks = app.local_tracks().await.unwrap();
    let (second, harbour) = (
        track(&tracks, "Second Wind"),
        track(&tracks, "Harbour Song"),
    );

    // Lyrics: the .lrc beside the file; for the FLAC, LRCLIB asked by its tags.
    let lyrics = app.lyrics(&harbour.id).await.unwrap();
    let strato_model::ipc::TrackLyrics::Synced { lines, source } = lyrics.lyrics else {
        panic!("not synced: {lyrics:?}");
    };
    assert_eq!(source, strato_model::ipc::LyricsOrigin::File);
    assert_eq!(
        (lines[1].at_ms, lines[1].text.as_str()),
        (2_000, "The harbour sleeps")
    );
    let lyrics = app.lyrics(&second.id).await.unwrap();
    assert!(
        matches!(
            lyrics.lyrics,
            strato_model::ipc::TrackLyrics::Synced {
                source: strato_model::ipc::LyricsOrigin::Lrclib,
                ..
            }
        ),
        "{lyrics:?}"
    );
    let asked = lrclib.requests();
    assert_eq!(asked.last().unwrap().query["track_name"], "Second Wind");
    assert_eq!(asked.last().unwrap().query["artist_name"], "Aurora Test");

    // A file outside the music folders (opened with the app) plays, named by its file.
    let outside = tempfile::tempdir().unwrap();
    let loose = outside.path().join("Loose Tune.flac");
    make(&loose, &LATE_ARRIVAL);
    app.play_track(&url_of(&loose)).await.unwrap();
    let status = wait_status(&window, "the loose file to play", |s| {
        s.track.as_ref().is_some_and(|t| t.id == url_of(&loose))
    })
    .await;
    assert_eq!(status.track.unwrap().title, "Loose Tune");
    let missing = app
        .play_track(&url_of(&outside.path().join("nope.mp3")))
        .await
        .unwrap_err();
    assert_eq!(missing.kind, ErrorKind::NotFound);
}

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
