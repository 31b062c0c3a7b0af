//! Browsing through the App facade, against moto and devcloud: the home page, album and
//! artist pages from the service and then, with the service gone, from what the library
//! kept; the Downloads screen; the play history.

mod app_support;

use std::sync::{Arc, Mutex};

use app_support::eventually;
use strato_core::{App, AppEvents, AppSettings, AudioOutput};
use strato_model::ipc::{
    AlbumPage, ErrorKind, OfflineTarget, PageSource, PlaybackState, PlayerStatus,
};
use strato_testkit::{DevCloud, Moto};

const NORTHERN_DRIFT: &str = "al-northern-drift";
const PAPER_SATELLITES: &str = "al-paper-satellites";
const AURORA_LANE: &str = "ar-aurora-lane";

#[derive(Default)]
struct Recorder {
    players: Mutex<Vec<PlayerStatus>>,
}

impl AppEvents for Recorder {
    fn player_status(&self, status: &PlayerStatus) {
        self.players.lock().unwrap().push(status.clone());
    }
}

fn start_app(url: &str, data_dir: &std::path::Path) -> (App, Arc<Recorder>) {
    let events = Arc::new(Recorder::default());
    let mut settings = AppSettings::new(url, AudioOutput::Null);
    settings.data_dir = Some(data_dir.to_owned());
    (App::start(settings, events.clone()).unwrap(), events)
}

fn ids<T>(items: &[T], id: impl Fn(&T) -> &str) -> Vec<String> {
    items.iter().map(|i| id(i).to_owned()).collect()
}

#[tokio::test]
async fn pages_come_from_the_service_then_from_the_library_when_it_is_gone() {
    let cloud = DevCloud::start(Moto::start()).await;
    let url = cloud.api_url().to_owned();
    let dir = tempfile::tempdir().unwrap();
    let (app, events) = start_app(&url, dir.path());
    app.sign_in(&url, "demo", "Strato-demo-1".into())
        .await
        .unwrap();

    // Home: the service's picks and its newest albums.
    let feed = app.home_feed().await.unwrap();
    assert_eq!(feed.source, PageSource::Service);
    let picks = feed.picks.expect("the service's picks");
    assert!(!picks.tracks.is_empty() && !picks.albums.is_empty());
    assert!(picks.next_reshuffle_at > picks.generated_at);
    assert_eq!(feed.new_albums.len(), 4, "the demo catalog's albums");
    assert!(
        feed.new_albums.windows(2).all(|w| w[0].year >= w[1].year),
        "newest first: {:?}",
        feed.new_albums
            .iter()
            .map(|a| (&a.title, a.year))
            .collect::<Vec<_>>()
    );

    // An album: its tracks in order, not kept offline yet.
    let album = app.album_page(NORTHERN_DRIFT).await.unwrap();
    assert_eq!(album.source, PageSource::Service);
    assert_eq!(album.album.title, "Northern Drift");
    assert_eq!(album.album.artist_id, AURORA_LANE);
    assert_eq!(
        album
            .tracks
            .iter()
            .map(|t| t.track_number)
            .collect::<Vec<_>>(),
        [1, 2, 3]
    );
    assert!(!album.kept_offline);
    assert_eq!((album.offline.tracks, album.offline.downloaded), (3, 0));

    // An artist: albums newest first, and their tracks album by album.
    let artist = app.artist_page(AURORA_LANE).await.unwrap();
    assert_eq!(artist.source, PageSource::Service);
    assert_eq!(artist.artist.name, "Aurora Lane");
    assert_eq!(
        ids(&artist.albums, |a| &a.id),
        [NORTHERN_DRIFT, PAPER_SATELLITES]
    );
    assert_eq!(artist.tracks.len(), 6);
    assert_eq!(artist.tracks[0].album_id, NORTHERN_DRIFT);
    assert_eq!(artist.tracks[5].album_id, PAPER_SATELLITES);
    assert_eq!(artist.tracks[0].id, album.tracks[0].id);

    // Kept offline: the album's page, the Downloads screen and home's shelf say so.
    app.set_offline(OfflineTarget::Album(NORTHERN_DRIFT.into()), true)
        .await
        .unwrap();
    let album = eventually("the album's downloads", || async {
        let page = app.album_page(NORTHERN_DRIFT).await.unwrap();
        (page.offline.downloaded == 3).then_some(page)
    })
    .await;
    assert!(album.kept_offline);
    assert!(album.offline.bytes > 0);
    let downloads = app.downloads_page().await.unwrap();
    assert_eq!(downloads.items.len(), 1, "{:?}", downloads.items);
    let kept = &downloads.items[0];
    assert_eq!(kept.target, OfflineTarget::Album(NORTHERN_DRIFT.into()));
    assert_eq!(
        (kept.title.as_str(), kept.subtitle.as_str()),
        ("Northern Drift", "Aurora Lane")
    );
    assert_eq!(kept.artist_id.as_deref(), Some(AURORA_LANE));
    assert_eq!(kept.progress, album.offline);
    assert_eq!(downloads.status.bytes_used, album.offline.bytes);
    let shelves = app.home_shelves().await.unwrap();
    assert_eq!(shelves.offline, downloads.items);

    let track_ids = play_two_and_find_them_in_the_history(&app, &events, &album).await;

    // The service is gone: the same pages come from the library, and say so.
    drop(cloud);
    the_pages_come_from_the_library(&app, &track_ids).await;
}

/// With the service gone: the pages come from the library and say so; what lives here
/// answers as before.
async fn the_pages_come_from_the_library(app: &App, track_ids: &[String]) {
    let album = app.album_page(NORTHERN_DRIFT).await.unwrap();
    assert!(
        matches!(&album.source, PageSource::Library { reason } if reason.kind == ErrorKind::Network),
        "{:?}",
        album.source
    );
    assert_eq!(ids(&album.tracks, |t| &t.id), track_ids);
    assert_eq!(album.album.year, 2026, "the album itself was cached");
    assert!(album.kept_offline);
    let artist = app.artist_page(AURORA_LANE).await.unwrap();
    assert!(matches!(artist.source, PageSource::Library { .. }));
    assert_eq!(
        ids(&artist.albums, |a| &a.id),
        [NORTHERN_DRIFT, PAPER_SATELLITES]
    );
    assert_eq!(artist.tracks.len(), 6);
    let feed = app.home_feed().await.unwrap();
    assert!(matches!(feed.source, PageSource::Library { .. }));
    assert!(
        feed.picks.is_none(),
        "the picks are the service's to choose"
    );
    assert_eq!(feed.new_albums.len(), 4, "every album the feed cached");
    assert!(feed.new_albums.windows(2).all(|w| w[0].year >= w[1].year));
    let unseen = app.album_page("al-never-seen").await.unwrap_err();
    assert_eq!(unseen.kind, ErrorKind::Network);
    assert!(unseen.message.contains("has not seen"), "{unseen:?}");
    // What lives here answers as before.
    assert_eq!(
        app.play_history(None).await.unwrap().items[0].track_id,
        track_ids[0]
    );
    assert_eq!(app.downloads_page().await.unwrap().items.len(), 1);
    let bad = app
        .play_history(Some("yesterday".into()))
        .await
        .unwrap_err();
    assert_eq!(bad.kind, ErrorKind::InvalidInput);
}

/// Plays the album's first track for over a second, skips to the second: the history and
/// home's "Recently played" show the first. Returns the album's track ids.
async fn play_two_and_find_them_in_the_history(
    app: &App,
    events: &Recorder,
    album: &AlbumPage,
) -> Vec<String> {
    let track_ids = ids(&album.tracks, |t| &t.id);
    app.play_queue(track_ids.clone(), 0).await.unwrap();
    let heard = |id: &str, from_ms: u32| {
        events.players.lock().unwrap().iter().any(|s| {
            s.state == PlaybackState::Playing
                && s.position_ms >= from_ms
                && s.track.as_ref().is_some_and(|t| t.id == id)
        })
    };
    eventually("1.2 s of the first track", || async {
        heard(&track_ids[0], 1_200).then_some(())
    })
    .await;
    app.next();
    eventually("the second track", || async {
        heard(&track_ids[1], 1).then_some(())
    })
    .await;
    let history = eventually("the play in the history", || async {
        let page = app.play_history(None).await.unwrap();
        (!page.items.is_empty()).then_some(page)
    })
    .await;
    assert_eq!(history.items[0].track_id, track_ids[0]);
    assert!(history.items[0].ms_played >= 1_000);
    assert_eq!(
        history.items[0].track.as_ref().map(|t| t.title.as_str()),
        Some("Polar Morning")
    );
    assert_eq!(history.next_cursor, None, "one page holds it all");
    let shelves = app.home_shelves().await.unwrap();
    assert_eq!(shelves.recently_played[0].id, track_ids[0]);
    app.stop();

    track_ids
}

#[tokio::test]
async fn downloads_list_each_kept_thing_and_remove_all_deletes_every_file() {
    let cloud = DevCloud::start(Moto::start()).await;
    let url = cloud.api_url().to_owned();
    let dir = tempfile::tempdir().unwrap();
    let (app, _) = start_app(&url, dir.path());
    app.sign_in(&url, "demo", "Strato-demo-1".into())
        .await
        .unwrap();
    let album = app.album_page(PAPER_SATELLITES).await.unwrap();
    let single = app
        .album_page(NORTHERN_DRIFT)
        .await
        .unwrap()
        .tracks
        .remove(0);
    let trip = app.create_playlist("Trip", "").await.unwrap();
    app.add_to_playlist(
        &trip.id,
        vec![single.id.clone(), album.tracks[0].id.clone()],
        None,
    )
    .await
    .unwrap();

    app.set_offline(OfflineTarget::Album(PAPER_SATELLITES.into()), true)
        .await
        .unwrap();
    app.set_offline(OfflineTarget::Playlist(trip.id.clone()), true)
        .await
        .unwrap();
    // On its own too, though the playlist already keeps it: listed with the playlist only.
    app.set_offline(OfflineTarget::Track(single.id.clone()), true)
        .await
        .unwrap();
    // Every row's own count as well as the overall one: the playlist's row follows its items,
    // which the sync pass renames to the service's ids meanwhile.
    let page = eventually(
        "four tracks downloaded, each row counting its own",
        || async {
            let page = app.downloads_page().await.unwrap();
            let rows_done = page
                .items
                .iter()
                .all(|i| i.progress.downloaded == i.progress.tracks);
            (page.status.done == 4 && rows_done).then_some(page)
        },
    )
    .await;
    let kinds: Vec<_> = page
        .items
        .iter()
        .map(|i| match &i.target {
            OfflineTarget::Album(_) => "album",
            OfflineTarget::Playlist(_) => "playlist",
            OfflineTarget::Track(_) => "track",
        })
        .collect();
    assert_eq!(kinds.len(), 2, "{:?}", page.items);
    assert!(kinds.contains(&"album") && kinds.contains(&"playlist"));
    let playlist = page
        .items
        .iter()
        .find(|i| matches!(i.target, OfflineTarget::Playlist(_)))
        .unwrap();
    assert_eq!(playlist.title, "Trip");
    assert_eq!(playlist.cover_album_id.as_deref(), Some(NORTHERN_DRIFT));
    assert_eq!(
        (playlist.progress.tracks, playlist.progress.downloaded),
        (2, 2)
    );
    let total: u64 = page.items.iter().map(|i| i.progress.bytes).sum();
    // The playlist and the album share a track: its bytes count in both rows.
    assert!(
        total > page.status.bytes_used,
        "{total} vs {}",
        page.status.bytes_used
    );

    // Nothing failed, so a retry has nothing to do and says nothing.
    app.retry_failed_downloads().await.unwrap();

    app.remove_all_downloads().await.unwrap();
    let page = app.downloads_page().await.unwrap();
    assert!(page.items.is_empty(), "{:?}", page.items);
    assert_eq!((page.status.total, page.status.bytes_used), (0, 0));
    assert_eq!(page.cached_tracks, 0);
    let files: Vec<_> = walk(dir.path())
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "mp3"))
        .collect();
    assert!(files.is_empty(), "files left: {files:?}");
    assert!(!app.album_page(PAPER_SATELLITES).await.unwrap().kept_offline);
    assert!(!app.playlist(&trip.id).await.unwrap().playlist.offline);
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(walk(&path));
        } else {
            found.push(path);
        }
    }
    found
}
