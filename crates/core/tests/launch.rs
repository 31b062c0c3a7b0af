//! Launches handed to the app (`strato://` links, files and playlist files opened with it),
//! carried out against moto and devcloud: what waits for a sign-in and what does not, what
//! plays, which page the window is told to show, and the words for what cannot be done.

mod app_support;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use app_support::eventually;
use strato_core::launch::Launch;
use strato_core::{App, AppEvents, AppSettings, AudioOutput};
use strato_model::ipc::{AppError, ErrorKind, LaunchOutcome, LaunchPage, PlayerStatus};
use strato_testkit::{DevCloud, Moto, media_dir};

const ALBUM: &str = "al-northern-drift";

/// Counts the "launches waiting" events.
#[derive(Default)]
struct Waiting(AtomicUsize);
impl AppEvents for Waiting {
    fn player_status(&self, _: &PlayerStatus) {}
    fn launches_waiting(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

fn start_app(url: &str, root: &Path, events: Arc<Waiting>) -> App {
    let mut settings = AppSettings::new(url, AudioOutput::Null);
    settings.data_dir = Some(root.join("data"));
    settings.config_dir = Some(root.join("config"));
    App::start(settings, events).unwrap()
}

/// What a command line asks (each here asks something).
fn launch(words: &[&str], cwd: &Path) -> Result<Launch, AppError> {
    Launch::from_args(words, cwd).map(|launch| launch.expect("the words ask something"))
}

fn shown(outcome: &LaunchOutcome) -> Option<&LaunchPage> {
    assert!(outcome.error.is_none(), "{:?}", outcome.error);
    outcome.page.as_ref()
}

async fn playing_title(app: &App) -> String {
    eventually("a track to play", || async {
        app.player_status().track.map(|track| track.title)
    })
    .await
}

#[tokio::test]
async fn a_link_waits_for_the_sign_in_and_files_do_not() {
    let cloud = DevCloud::start(Moto::start()).await;
    let root = tempfile::tempdir().unwrap();
    let events = Arc::new(Waiting::default());
    let app = start_app(cloud.api_url(), root.path(), Arc::clone(&events));
    let song = media_dir().join("media/tr-low-orbit-lullaby/mp3/cbr.mp3");

    app.receive_launch(launch(
        &[&format!("strato://album/{ALBUM}?play")],
        root.path(),
    ));
    app.receive_launch(launch(&[song.to_str().unwrap()], root.path()));
    assert_eq!(
        events.0.load(Ordering::SeqCst),
        2,
        "the window is told of each"
    );

    // Signed out, the file plays; the link waits.
    let outcomes = app.run_launches().await;
    assert_eq!(outcomes.len(), 1, "{outcomes:?}");
    assert_eq!(shown(&outcomes[0]), None);
    assert_eq!(playing_title(&app).await, "cbr");
    eventually("the file in the queue", || async {
        (app.queue_view().length == 1).then_some(())
    })
    .await;

    // Signed in, the album opens and plays from its first track.
    app.sign_in(cloud.api_url(), "demo", "Strato-demo-1".into())
        .await
        .unwrap();
    let outcomes = app.run_launches().await;
    assert_eq!(outcomes.len(), 1, "{outcomes:?}");
    assert_eq!(
        shown(&outcomes[0]),
        Some(&LaunchPage::Album { id: ALBUM.into() })
    );
    let album = app.album_page(ALBUM).await.unwrap();
    let first = album.tracks[0].title.clone();
    eventually("the album to play", || async {
        (app.player_status().track.map(|t| t.title) == Some(first.clone())).then_some(())
    })
    .await;
    let length = u32::try_from(album.tracks.len()).unwrap();
    eventually("the album in the queue", || async {
        (app.queue_view().length == length).then_some(())
    })
    .await;
    assert!(app.run_launches().await.is_empty(), "each runs once");
}

#[tokio::test]
async fn track_and_playlist_links_show_their_page_and_play_when_asked() {
    let cloud = DevCloud::start(Moto::start()).await;
    let root = tempfile::tempdir().unwrap();
    let app = start_app(cloud.api_url(), root.path(), Arc::default());
    app.sign_in(cloud.api_url(), "demo", "Strato-demo-1".into())
        .await
        .unwrap();
    let album = app.album_page(ALBUM).await.unwrap();
    let second = &album.tracks[1];

    // Without ?play a link only shows: nothing starts.
    app.receive_launch(launch(
        &[&format!("strato://track/{}", second.id)],
        root.path(),
    ));
    let outcomes = app.run_launches().await;
    assert_eq!(
        shown(&outcomes[0]),
        Some(&LaunchPage::Album { id: ALBUM.into() })
    );
    assert!(app.player_status().track.is_none());

    app.receive_launch(launch(
        &[&format!("strato://track/{}?play", second.id)],
        root.path(),
    ));
    app.run_launches().await;
    assert_eq!(playing_title(&app).await, second.title);

    let playlist = app.create_playlist("Handed over", "").await.unwrap();
    let ids = album.tracks.iter().map(|t| t.id.clone()).collect();
    app.add_to_playlist(&playlist.id, ids, None).await.unwrap();
    app.receive_launch(launch(
        &[&format!("strato://playlist/{}?play", playlist.id)],
        root.path(),
    ));
    let outcomes = app.run_launches().await;
    assert_eq!(
        shown(&outcomes[0]),
        Some(&LaunchPage::Playlist {
            id: playlist.id.clone()
        })
    );
    eventually("the playlist to play", || async {
        (app.player_status().track.map(|t| t.id) == Some(album.tracks[0].id.clone())).then_some(())
    })
    .await;
}

#[tokio::test]
async fn a_playlist_file_plays_its_entries_in_order() {
    let root = tempfile::tempdir().unwrap();
    let app = start_app("http://127.0.0.1:9", root.path(), Arc::default());
    let media = media_dir().join("media");
    let list = root.path().join("lists/evening.m3u8");
    std::fs::create_dir_all(list.parent().unwrap()).unwrap();
    std::fs::write(
        &list,
        format!(
            "#EXTM3U\n#EXTINF:30,Low orbit\n{}\n#EXTINF:30,Low tide\n{}\n",
            media.join("tr-low-orbit-lullaby/mp3/high.mp3").display(),
            media.join("tr-low-tide-lanterns/mp3/vbr.mp3").display(),
        ),
    )
    .unwrap();
    // Opened from its own folder, by a relative name.
    app.receive_launch(launch(
        &["play", "evening.m3u8"],
        &root.path().join("lists"),
    ));
    let outcomes = app.run_launches().await;
    assert!(outcomes[0].error.is_none(), "{:?}", outcomes[0].error);
    assert_eq!(playing_title(&app).await, "high");
    eventually("both entries in the queue", || async {
        (app.queue_view().length == 2).then_some(())
    })
    .await;
}

#[tokio::test]
async fn what_cannot_be_done_is_said_in_words_and_the_rest_goes_on() {
    let cloud = DevCloud::start(Moto::start()).await;
    let root = tempfile::tempdir().unwrap();
    let app = start_app(cloud.api_url(), root.path(), Arc::default());
    app.sign_in(cloud.api_url(), "demo", "Strato-demo-1".into())
        .await
        .unwrap();
    app.receive_launch(launch(
        &["strato://album/al-no-such-album?play"],
        root.path(),
    ));
    app.receive_launch(launch(&["missing.m3u"], root.path()));
    app.receive_launch(launch(&["tr-polar-morning", "/a.mp3"], root.path()));
    app.receive_launch(launch(&[&format!("strato://album/{ALBUM}")], root.path()));
    app.receive_launch(launch(&["strato://artist/ar-1"], root.path()));
    let outcomes = app.run_launches().await;
    let kinds: Vec<_> = outcomes
        .iter()
        .map(|o| o.error.as_ref().map(|e| e.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            Some(ErrorKind::NotFound),
            Some(ErrorKind::NotFound),
            Some(ErrorKind::InvalidInput),
            None,
            Some(ErrorKind::InvalidInput),
        ],
        "{outcomes:?}"
    );
    let missing = &outcomes[1].error.as_ref().unwrap().message;
    assert!(missing.contains("\"missing.m3u\""), "{missing}");
    assert_eq!(
        outcomes[3].page,
        Some(LaunchPage::Album { id: ALBUM.into() })
    );
}
