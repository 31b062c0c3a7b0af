//! Keeping a Subsonic server's music offline, through the app as the window drives it: an
//! album of a real Supysonic kept offline downloads every track's original file (FLAC and
//! Opus, each kept under its own kind's name), byte for byte the server's file; with the
//! network cut, a kept track plays from its file and the Downloads page lists the album;
//! removing it deletes the files. A server that refuses a download (devcloud's `/rest/`
//! answering 403 or 404) is said in words of the same kinds as the cloud's.

mod app_support;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use app_support::eventually;
use strato_core::{App, AppEvents, AppSettings, AudioOutput};
use strato_model::ipc::{
    DownloadsStatus, ErrorKind, OfflineTarget, PlaybackState, PlayerStatus, Track,
};
use strato_testkit::{
    DevCloud, FaultRule, FaultTarget, FolderAlbum, FolderFormat, Moto, Relay, Supysonic,
};

#[derive(Default)]
struct Recorder {
    players: Mutex<Vec<PlayerStatus>>,
}

impl AppEvents for Recorder {
    fn player_status(&self, status: &PlayerStatus) {
        self.players.lock().unwrap().push(status.clone());
    }
}

fn start_app(default_url: &str, data_dir: &Path) -> (App, Arc<Recorder>) {
    let events = Arc::new(Recorder::default());
    let mut settings = AppSettings::new(default_url, AudioOutput::Null);
    settings.data_dir = Some(data_dir.to_owned());
    (App::start(settings, events.clone()).unwrap(), events)
}

/// The server's album in `format`, and its tracks as the app found them by title.
async fn album_in(
    app: &App,
    server: &Supysonic,
    format: FolderFormat,
) -> (FolderAlbum, Vec<Track>) {
    let album = server
        .albums()
        .iter()
        .find(|album| album.format == format)
        .unwrap_or_else(|| panic!("the folder has a {format:?} album"))
        .clone();
    let first = &album.tracks[0];
    let found = app.search_catalog(&first.title).await.unwrap();
    let track = found
        .tracks
        .into_iter()
        .find(|t| t.title == first.title && t.album_title == first.album)
        .unwrap_or_else(|| panic!("{:?} not found", first.title));
    let page = app.album_page(&track.album_id).await.unwrap();
    assert_eq!(page.tracks.len(), album.tracks.len(), "{page:?}");
    (album, page.tracks)
}

/// Every file under `dir`, by name.
fn files_under(dir: &Path) -> HashMap<String, PathBuf> {
    let mut found = HashMap::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_under(&path));
        } else {
            found.insert(entry.file_name().to_string_lossy().into_owned(), path);
        }
    }
    found
}

async fn downloads_settle(app: &App, total: u32) -> DownloadsStatus {
    eventually("every download to finish", || async {
        let status = app.downloads_status().await.unwrap();
        (status.total == total && status.done + status.failed == total && status.active == 0)
            .then_some(status)
    })
    .await
}

/// Each file of `albums` is kept once under `offline`, the server's original byte for byte,
/// named by its kind (lowercase, as the download manager names it), and nothing else is.
fn assert_kept_as_originals(offline: &Path, albums: &[(&FolderAlbum, &str)]) {
    let kept = files_under(offline);
    let mut originals = 0;
    for (album, format) in albums {
        for track in &album.tracks {
            originals += 1;
            let bytes = std::fs::read(&track.path).unwrap();
            let same: Vec<&PathBuf> = kept
                .values()
                .filter(|path| std::fs::read(path).is_ok_and(|kept| kept == bytes))
                .collect();
            assert_eq!(
                same.len(),
                1,
                "{} is kept once: {kept:?}",
                track.path.display()
            );
            assert_eq!(
                same[0].extension().and_then(|e| e.to_str()),
                Some(*format),
                "{same:?} is named as a {format} file"
            );
        }
    }
    assert_eq!(kept.len(), originals, "nothing else is left: {kept:?}");
}

#[tokio::test]
async fn a_subsonic_album_kept_offline_is_the_servers_files_and_plays_without_the_network() {
    let server = Supysonic::start();
    let relay = Relay::to(server.url()).await;
    let data = tempfile::tempdir().unwrap();
    let (app, events) = start_app(&relay.url, data.path());
    let session = app
        .sign_in(&relay.url, server.username(), server.password().into())
        .await
        .unwrap();
    assert!(session.features.downloads, "the window offers keep-offline");

    let (flac, flac_tracks) = album_in(&app, server, FolderFormat::Flac).await;
    let (opus, opus_tracks) = album_in(&app, server, FolderFormat::Opus).await;
    for album in [&flac_tracks, &opus_tracks] {
        app.set_offline(OfflineTarget::Album(album[0].album_id.clone()), true)
            .await
            .unwrap();
    }
    let total = u32::try_from(flac_tracks.len() + opus_tracks.len()).unwrap();
    let status = downloads_settle(&app, total).await;
    assert_eq!((status.done, status.failed), (total, 0), "{status:?}");
    assert!(status.error.is_none(), "{status:?}");

    assert_kept_as_originals(
        &data.path().join("offline"),
        &[(&flac, "flac"), (&opus, "opus")],
    );

    // The network goes: a kept track of each kind plays from its file.
    relay.cut(true);
    for track in [&flac_tracks[1], &opus_tracks[0]] {
        app.play_track(&track.id).await.unwrap();
        eventually("the kept track to play", || async {
            let players = events.players.lock().unwrap();
            let last = players.last()?;
            assert!(last.error.is_none(), "{:?}", last.error);
            (last.state == PlaybackState::Playing
                && last.position_ms > 0
                && last.track.as_ref().is_some_and(|t| t.id == track.id))
            .then_some(())
        })
        .await;
    }
    // So would a file of a kind the player has no name for (kept as `.audio`): the probe
    // reads its bytes.
    app.stop();
    eventually("the player to stop", || async {
        let players = events.players.lock().unwrap();
        (players.last()?.state != PlaybackState::Playing).then_some(())
    })
    .await;
    let heard_before = events.players.lock().unwrap().len();
    let unnamed = data.path().join("unnamed.audio");
    std::fs::copy(&flac.tracks[0].path, &unnamed).unwrap();
    app.play_locations(vec![unnamed.to_string_lossy().into_owned()], 0, 0)
        .unwrap();
    eventually("the file without a known extension to play", || async {
        let players = events.players.lock().unwrap();
        let since = &players[heard_before..];
        assert!(since.iter().all(|s| s.error.is_none()), "{since:?}");
        since
            .iter()
            .any(|s| s.state == PlaybackState::Playing && s.position_ms > 0)
            .then_some(())
    })
    .await;
    app.stop();
    std::fs::remove_file(&unnamed).unwrap();

    // The Downloads page lists both albums, whole.
    let page = app.downloads_page().await.unwrap();
    for album in [&flac_tracks, &opus_tracks] {
        let item = page
            .items
            .iter()
            .find(|item| item.target == OfflineTarget::Album(album[0].album_id.clone()))
            .unwrap_or_else(|| panic!("the album is listed: {page:?}"));
        assert_eq!(item.progress.downloaded as usize, album.len(), "{item:?}");
        assert_eq!(item.progress.failed, 0);
        assert!(item.progress.bytes > 0);
    }

    // Removed, still offline: its files go, the other album's stay.
    app.set_offline(OfflineTarget::Album(flac_tracks[0].album_id.clone()), false)
        .await
        .unwrap();
    let left = files_under(&data.path().join("offline"));
    assert_eq!(left.len(), opus.tracks.len(), "{left:?}");
    assert!(
        left.values()
            .all(|path| path.extension().and_then(|e| e.to_str()) == Some("opus")),
        "{left:?}"
    );
    let page = app.downloads_page().await.unwrap();
    assert_eq!(page.items.len(), 1, "{page:?}");
    assert_eq!(page.status.done as usize, opus.tracks.len());
}

const ALICE: &str = "alice";
const ALICE_PASSWORD: &str = "alice's Subsonic password";

/// A track of devcloud's `/rest/` catalog kept offline while `/rest/download` answers
/// `status`: how the downloads stand once it has failed.
async fn kept_while_download_answers(status: u16) -> DownloadsStatus {
    let cloud = DevCloud::builder(Moto::start())
        .subsonic_user(ALICE, ALICE_PASSWORD)
        .start()
        .await;
    cloud
        .add_fault(&FaultRule {
            error_rate: Some(1.0),
            error_status: Some(status),
            ..FaultRule::new("/rest/download*").on(FaultTarget::Api)
        })
        .await;
    let data = tempfile::tempdir().unwrap();
    let (app, _) = start_app(cloud.api_url(), data.path());
    app.sign_in(&cloud.subsonic_url(), ALICE, ALICE_PASSWORD.into())
        .await
        .unwrap();
    let track = app.search_catalog("a").await.unwrap().tracks[0].clone();
    app.set_offline(OfflineTarget::Track(track.id.clone()), true)
        .await
        .unwrap();
    let status = downloads_settle(&app, 1).await;
    assert_eq!((status.done, status.failed), (0, 1), "{status:?}");
    // The failure's words come with the downloads' next status to the window.
    let status = eventually("the failure to be said", || async {
        let status = app.downloads_status().await.unwrap();
        status.error.is_some().then_some(status)
    })
    .await;
    assert!(
        files_under(&data.path().join("offline")).is_empty(),
        "nothing is left on disk"
    );
    status
}

#[tokio::test]
async fn a_download_the_server_refuses_is_said_in_words() {
    let refused = kept_while_download_answers(403).await;
    let error = refused.error.unwrap();
    assert_eq!(error.kind, ErrorKind::Forbidden, "{error:?}");
    assert!(
        error.message.contains("does not let this account download"),
        "{error:?}"
    );

    let gone = kept_while_download_answers(404).await;
    let error = gone.error.unwrap();
    assert_eq!(error.kind, ErrorKind::NotFound, "{error:?}");
    assert!(error.message.contains("no longer available"), "{error:?}");
}
