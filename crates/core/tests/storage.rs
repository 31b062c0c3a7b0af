//! Downloads and storage as the settings screen changes them, against moto and devcloud: the
//! data folder moved with its library and downloads (and kept across a restart), the stream
//! cache cleared, a new storage limit and a new stream format taken without a restart; a
//! download played from the folder's new place with the service gone.

mod app_support;

use std::path::Path;
use std::sync::Arc;

use app_support::eventually;
use strato_core::{App, AppEvents, AppSettings, AudioOutput};
use strato_model::ipc::{ErrorKind, OfflineTarget, PlaybackState, SettingKey};
use strato_testkit::{DevCloud, Moto};

const NORTHERN_DRIFT: &str = "al-northern-drift";
const PAPER_SATELLITES: &str = "al-paper-satellites";

struct Quiet;
impl AppEvents for Quiet {
    fn player_status(&self, _: &strato_model::ipc::PlayerStatus) {}
}

fn start_app(url: &str, root: &Path) -> App {
    let mut settings = AppSettings::new(url, AudioOutput::Null);
    settings.data_dir = Some(root.join("data"));
    settings.config_dir = Some(root.join("config"));
    App::start(settings, Arc::new(Quiet)).unwrap()
}

async fn signed_in(cloud: &DevCloud, root: &Path) -> App {
    let url = cloud.api_url().to_owned();
    let app = start_app(&url, root);
    app.sign_in(&url, "demo", "Strato-demo-1".into())
        .await
        .unwrap();
    app
}

/// Keeps the album offline and waits for its three tracks; their bytes.
async fn album_downloaded(app: &App) -> u64 {
    app.set_offline(OfflineTarget::Album(NORTHERN_DRIFT.into()), true)
        .await
        .unwrap();
    eventually("the album's downloads", || async {
        let page = app.album_page(NORTHERN_DRIFT).await.unwrap();
        (page.offline.downloaded == 3).then_some(page.offline.bytes)
    })
    .await
}

/// Strato's entries at the top of a folder, sorted.
fn ours(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n == "offline" || n.starts_with("library-"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn files_under(dir: &Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |entries| {
        entries
            .filter_map(Result::ok)
            .map(|e| {
                if e.path().is_dir() {
                    files_under(&e.path())
                } else {
                    1
                }
            })
            .sum()
    })
}

#[tokio::test]
async fn the_data_folder_moves_with_its_library_and_downloads_and_stays_moved() {
    let cloud = DevCloud::start(Moto::start()).await;
    let root = tempfile::tempdir().unwrap();
    let (old, new) = (
        root.path().join("data"),
        root.path().join("elsewhere/music"),
    );
    let bytes = {
        let app = signed_in(&cloud, root.path()).await;
        let bytes = album_downloaded(&app).await;
        let playlist = app.create_playlist("Moved along", "").await.unwrap();
        assert_eq!(app.data_folder().path.as_deref(), old.to_str());
        assert!(app.data_folder().is_default);
        assert!(!ours(&old).is_empty());

        let moved = app
            .move_data_folder(new.display().to_string())
            .await
            .unwrap();
        assert_eq!(moved.path, new.display().to_string());
        assert!(moved.leftover.is_none(), "{:?}", moved.leftover);
        assert!(moved.files >= 4, "the library and three tracks: {moved:?}");
        assert!(moved.bytes > bytes, "{moved:?}");
        assert!(
            ours(&old).is_empty(),
            "the originals are deleted: {:?}",
            ours(&old)
        );
        assert!(ours(&new).iter().any(|n| n.starts_with("library-")));
        assert!(!new.join(".strato-move-unfinished").exists());
        assert_eq!(files_under(&new.join("offline")), 3, "the downloads moved");
        assert_eq!(app.data_folder().path.as_deref(), new.to_str());
        assert!(!app.data_folder().is_default);
        assert_eq!(
            app.settings().settings.storage.data_dir.as_deref(),
            new.to_str()
        );

        // The library works from its new place: the playlist, the album offline.
        let playlists = app.playlists().await.unwrap();
        assert!(playlists.iter().any(|p| p.name == playlist.name));
        let page = app.album_page(NORTHERN_DRIFT).await.unwrap();
        assert!(page.kept_offline);
        assert_eq!(page.offline.downloaded, 3);
        app.create_playlist("Made after the move", "")
            .await
            .unwrap();
        bytes
    };

    // A restart opens the library where it now is.
    let app = signed_in(&cloud, root.path()).await;
    assert_eq!(app.data_folder().path.as_deref(), new.to_str());
    let names: Vec<String> = app
        .playlists()
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert!(names.contains(&"Moved along".to_owned()), "{names:?}");
    assert!(
        names.contains(&"Made after the move".to_owned()),
        "{names:?}"
    );
    let page = app.album_page(NORTHERN_DRIFT).await.unwrap();
    assert_eq!((page.offline.downloaded, page.offline.bytes), (3, bytes));
    assert!(ours(&old).is_empty());
}

#[tokio::test]
async fn a_download_plays_from_the_moved_folder_with_the_service_gone() {
    let mut cloud = DevCloud::start(Moto::start()).await;
    let root = tempfile::tempdir().unwrap();
    let app = signed_in(&cloud, root.path()).await;
    album_downloaded(&app).await;
    let track = app.album_page(NORTHERN_DRIFT).await.unwrap().tracks[1]
        .id
        .clone();
    app.move_data_folder(root.path().join("moved").display().to_string())
        .await
        .unwrap();
    // Only the kept file, in its new place, can play now.
    cloud.stop();
    app.play_track(&track).await.unwrap();
    eventually("the kept track to play", || async {
        let status = app.player_status();
        assert!(status.error.is_none(), "{:?}", status.error);
        (status.state == PlaybackState::Playing
            && status.position_ms > 0
            && status.track.as_ref().is_some_and(|t| t.id == track))
        .then_some(())
    })
    .await;
}

#[tokio::test]
async fn a_move_that_cannot_be_made_is_refused_in_words_and_changes_nothing() {
    let cloud = DevCloud::start(Moto::start()).await;
    let root = tempfile::tempdir().unwrap();
    let old = root.path().join("data");
    let app = signed_in(&cloud, root.path()).await;
    album_downloaded(&app).await;
    let before = ours(&old);

    for (chosen, words) in [
        (old.display().to_string(), "already kept in this folder"),
        (old.join("sub").display().to_string(), "outside the one"),
        ("relative/path".to_owned(), "not a full path"),
    ] {
        let error = app.move_data_folder(chosen.clone()).await.unwrap_err();
        assert_eq!(error.kind, ErrorKind::InvalidInput, "{chosen}");
        assert!(error.message.contains(words), "{chosen}: {}", error.message);
    }
    // A copy that fails part way (a file of the copy's way blocked by a folder): nothing
    // moves, the partial copy goes, the library goes on where it was.
    let blocked = root.path().join("blocked");
    let library_file = before.iter().find(|n| n.ends_with(".sqlite3")).unwrap();
    std::fs::create_dir_all(blocked.join(library_file).join("in-the-way")).unwrap();
    std::fs::write(blocked.join(".strato-move-unfinished"), b"").unwrap();
    let error = app
        .move_data_folder(blocked.display().to_string())
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::Storage, "{error:?}");
    assert!(!blocked.exists(), "the partial copy is removed");
    assert_eq!(ours(&old), before);
    assert_eq!(app.data_folder().path.as_deref(), old.to_str());
    assert_eq!(app.settings().settings.storage.data_dir, None);
    let page = app.album_page(NORTHERN_DRIFT).await.unwrap();
    assert_eq!(page.offline.downloaded, 3, "the library is open again");
    app.create_playlist("Still here", "").await.unwrap();

    // The environment fixes the folder: nothing to move from here.
    drop(app);
    let mut settings = AppSettings::new(cloud.api_url(), AudioOutput::Null);
    settings.data_dir = Some(old.clone());
    settings.config_dir = Some(root.path().join("config"));
    settings.overridden = vec![SettingKey::DataDir];
    let app = App::start(settings, Arc::new(Quiet)).unwrap();
    let error = app
        .move_data_folder(root.path().join("new").display().to_string())
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::InvalidInput);
    assert!(
        error.message.contains("STRATO_DATA_DIR"),
        "{}",
        error.message
    );
}

#[tokio::test]
async fn the_stream_cache_clears_and_a_new_limit_applies_at_once() {
    let cloud = DevCloud::start(Moto::start()).await;
    let root = tempfile::tempdir().unwrap();
    let app = signed_in(&cloud, root.path()).await;
    let bytes = album_downloaded(&app).await;
    let status = app.downloads_status().await.unwrap();
    assert_eq!((status.bytes_used, status.bytes_cached), (bytes, 0));

    // A track of another album heard at length goes into the stream cache.
    let heard = app.album_page(PAPER_SATELLITES).await.unwrap().tracks;
    let ids: Vec<String> = heard.iter().take(2).map(|t| t.id.clone()).collect();
    app.play_queue(ids.clone(), 0).await.unwrap();
    let half = heard[0].duration_ms / 2 + 300;
    eventually("half of the first track", || async {
        let status = app.player_status();
        let on_it = status.track.as_ref().is_some_and(|t| t.id == ids[0]);
        (on_it && status.position_ms >= half).then_some(())
    })
    .await;
    app.next();
    let status = eventually("the heard track in the cache", || async {
        let status = app.downloads_status().await.unwrap();
        (status.bytes_cached > 0 && status.active == 0).then_some(status)
    })
    .await;
    app.stop();
    let cached = status.bytes_cached;
    assert_eq!(status.bytes_used, bytes + cached);

    let cleared = app.clear_stream_cache().await.unwrap();
    assert_eq!((cleared.tracks, cleared.bytes), (1, cached));
    let status = app.downloads_status().await.unwrap();
    assert_eq!(
        (status.bytes_used, status.bytes_cached),
        (bytes, 0),
        "pinned ones stay"
    );
    let page = app.album_page(NORTHERN_DRIFT).await.unwrap();
    assert_eq!(page.offline.downloaded, 3);

    let mut settings = app.settings().settings;
    settings.storage.quota_mb = 2_500;
    app.update_settings(settings).unwrap();
    eventually("the new limit", || async {
        let status = app.downloads_status().await.unwrap();
        (status.quota_bytes == 2_500_000_000).then_some(())
    })
    .await;
}

#[tokio::test]
async fn a_new_stream_format_applies_from_the_next_track() {
    let cloud = DevCloud::start(Moto::start()).await;
    let root = tempfile::tempdir().unwrap();
    let app = signed_in(&cloud, root.path()).await;
    let tracks = app.album_page(NORTHERN_DRIFT).await.unwrap().tracks;
    let fetched = |track: &str, form: &str| {
        let log = std::fs::read_to_string(cloud.log_path()).unwrap_or_default();
        let wanted = format!("/media/{track}/{form}/");
        log.lines()
            .any(|line| line.contains("devcloud::access") && line.contains(&wanted))
    };

    let mut settings = app.settings().settings;
    settings.quality.format = strato_model::ipc::FormatChoice::Mp3;
    app.update_settings(settings.clone()).unwrap();
    app.play_track(&tracks[0].id).await.unwrap();
    eventually("the first track as MP3", || async {
        fetched(&tracks[0].id, "mp3").then_some(())
    })
    .await;
    assert!(!fetched(&tracks[0].id, "hls"));

    settings.quality.format = strato_model::ipc::FormatChoice::Hls;
    app.update_settings(settings).unwrap();
    app.play_track(&tracks[1].id).await.unwrap();
    eventually("the second track as HLS", || async {
        fetched(&tracks[1].id, "hls").then_some(())
    })
    .await;
    assert!(!fetched(&tracks[1].id, "mp3"));
}

/// The sizes the media catalog gives the album's tracks' `kind` MP3, summed.
fn catalog_bytes(cloud: &DevCloud, album: &str, kind: &str) -> u64 {
    let catalog: serde_json::Value =
        serde_json::from_slice(&std::fs::read(cloud.media_dir().join("catalog.json")).unwrap())
            .unwrap();
    catalog["tracks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["album_id"] == album)
        .map(|t| t["mp3"][kind]["size"].as_u64().unwrap())
        .sum()
}

#[tokio::test]
async fn the_download_quality_applies_to_the_downloads_that_follow() {
    let cloud = DevCloud::start(Moto::start()).await;
    let root = tempfile::tempdir().unwrap();
    let app = signed_in(&cloud, root.path()).await;

    let mut settings = app.settings().settings;
    settings.quality.downloads = strato_model::ipc::QualityChoice::Low;
    app.update_settings(settings.clone()).unwrap();
    let low = album_downloaded(&app).await;
    assert_eq!(low, catalog_bytes(&cloud, NORTHERN_DRIFT, "low"));

    settings.quality.downloads = strato_model::ipc::QualityChoice::High;
    app.update_settings(settings).unwrap();
    app.set_offline(OfflineTarget::Album(PAPER_SATELLITES.into()), true)
        .await
        .unwrap();
    let high = eventually("the second album's downloads", || async {
        let page = app.album_page(PAPER_SATELLITES).await.unwrap();
        (page.offline.downloaded == page.offline.tracks).then_some(page.offline.bytes)
    })
    .await;
    assert_eq!(high, catalog_bytes(&cloud, PAPER_SATELLITES, "high"));
    // What was kept before stays as it was.
    let page = app.album_page(NORTHERN_DRIFT).await.unwrap();
    assert_eq!(page.offline.bytes, low);
}
