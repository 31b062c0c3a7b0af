//! The "Local files" source through the App, against real audio files ffmpeg makes in a
//! temporary music folder: added and scanned in the background (the window told as it goes,
//! a file that cannot be played with its reason), browsed as albums, artists and tracks,
//! searched by words, a cover from the folder (read off the local files' thread: a slow one
//! holds up nothing), played through the real engine to its samples with the tags in the
//! now-playing bar, queued, its lyrics from a `.lrc` beside it or LRCLIB by its tags.
//! How the index follows changes and what it refuses: `local_files_changes.rs`.

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
use strato_model::ipc::{ErrorKind, LocalFileProblem, LocalFolderState, PlaybackState};
use strato_testkit::{LrclibEndpoint, LrclibRecord};

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
