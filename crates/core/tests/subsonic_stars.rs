//! Stars on a Subsonic server through the app, as the window drives them, against Supysonic
//! (a real server from the Python registry): a track, an album and an artist starred, listed
//! on the Starred page and by the server itself, one unstarred; then, with the network to the
//! server cut, toggles kept and shown at once, sent in the order they were made once it is
//! back, each reaching the server once (counted at the relay); a star of what the server does
//! not have refused in words, and the window told when the sync pass had it refused; a star
//! toggled while the Starred page is being read neither lost nor undone by the page.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use strato_core::{App, AppEvents, AppSettings, AudioOutput};
use strato_model::ipc::{ErrorKind, PlayerStatus, StarKind, StarRef, Track};
use strato_subsonic::{Credentials, SubsonicClient, convert::parse_timestamp, wire};
use strato_testkit::{Relay, Supysonic};

/// Counts what the window is told of the stars.
#[derive(Default)]
struct StarsTold(AtomicUsize);

impl AppEvents for StarsTold {
    fn player_status(&self, _: &PlayerStatus) {}
    fn stars_changed(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

fn start_app(default_url: &str, data_dir: &std::path::Path) -> App {
    start_app_told(default_url, data_dir, Arc::default())
}

fn start_app_told(default_url: &str, data_dir: &std::path::Path, told: Arc<StarsTold>) -> App {
    let mut settings = AppSettings::new(default_url, AudioOutput::Null);
    settings.data_dir = Some(data_dir.to_owned());
    App::start(settings, told).unwrap()
}

/// Each `star` and `unstar` request the relay passed on to the server, in order: the call
/// and the id it names.
fn star_requests(relay: &Relay) -> Vec<(&'static str, String)> {
    relay
        .requests()
        .iter()
        .filter_map(|request| {
            let call = match request.path() {
                "/rest/star.view" => "star",
                "/rest/unstar.view" => "unstar",
                _ => return None,
            };
            let id = ["id", "albumId", "artistId"]
                .iter()
                .find_map(|name| request.param(name))
                .unwrap_or_default();
            Some((call, id))
        })
        .collect()
}

fn star(kind: StarKind, id: &str) -> StarRef {
    StarRef {
        kind,
        id: id.to_owned(),
    }
}

/// Three tracks of the server, each of another album where the folder has several.
async fn some_tracks(app: &App, server: &Supysonic) -> Vec<Track> {
    let mut tracks = Vec::new();
    for album in server.albums().iter().take(3) {
        let title = &album.tracks[0].title;
        let found = app.search_catalog(title).await.unwrap();
        let track = found
            .tracks
            .into_iter()
            .find(|t| &t.title == title && t.album_title == album.title)
            .unwrap_or_else(|| panic!("{title:?} not found"));
        tracks.push(track);
    }
    tracks
}

/// The server's stars, as another client of the listener reads them.
async fn on_server(server: &Supysonic) -> wire::Starred {
    let phone = SubsonicClient::connect(
        server.url(),
        Credentials::password(server.username(), server.password()),
    )
    .await
    .unwrap();
    phone.starred().await.unwrap()
}

fn song_ids(starred: &wire::Starred) -> Vec<&str> {
    starred.song.iter().map(|s| s.id.as_str()).collect()
}

#[tokio::test]
async fn a_track_an_album_and_an_artist_are_starred_listed_and_unstarred() {
    let server = Supysonic::spawn();
    let data = tempfile::tempdir().unwrap();
    let app = start_app(server.url(), data.path());
    let session = app
        .sign_in(server.url(), server.username(), server.password().into())
        .await
        .unwrap();
    assert!(session.features.stars);
    let track = some_tracks(&app, &server).await.remove(0);

    for target in [
        star(StarKind::Track, &track.id),
        star(StarKind::Album, &track.album_id),
        star(StarKind::Artist, &track.artist_id),
    ] {
        app.set_starred(target, true).await.unwrap();
    }
    // Shown at once, and sent at once: the server has them.
    let shown = app.stars().await.unwrap();
    assert_eq!(shown.len(), 3, "{shown:?}");
    let listed = on_server(&server).await;
    assert_eq!(song_ids(&listed), [track.id.as_str()]);
    assert_eq!(listed.album.len(), 1);
    assert_eq!(listed.album[0].id, track.album_id);
    assert_eq!(listed.artist.len(), 1);
    assert_eq!(listed.artist[0].id, track.artist_id);

    // The Starred page lists them, with what the window needs to play and link them.
    let page = app.starred_page().await.unwrap();
    assert_eq!(page.tracks.len(), 1);
    assert_eq!(page.tracks[0].id, track.id);
    assert_eq!(page.tracks[0].title, track.title);
    assert_eq!(page.albums[0].id, track.album_id);
    assert_eq!(page.artists[0].id, track.artist_id);
    assert_eq!(page.waiting, 0);
    // Its tracks play (the app knows them from the page).
    app.play_queue(vec![track.id.clone()], 0).await.unwrap();
    app.stop();

    // Starring a starred track again changes nothing (Supysonic answers "already starred",
    // which is not a refusal of what the listener wants).
    app.set_starred(star(StarKind::Track, &track.id), true)
        .await
        .unwrap();

    app.set_starred(star(StarKind::Track, &track.id), false)
        .await
        .unwrap();
    assert!(on_server(&server).await.song.is_empty());
    let page = app.starred_page().await.unwrap();
    assert!(page.tracks.is_empty());
    assert_eq!(page.albums.len(), 1);
    assert!(
        !app.stars()
            .await
            .unwrap()
            .contains(&star(StarKind::Track, &track.id))
    );

    // What the server does not have is refused in words, and not shown starred.
    let refused = app
        .set_starred(star(StarKind::Album, "no-such-album"), true)
        .await
        .unwrap_err();
    assert_eq!(refused.kind, ErrorKind::Server, "{refused:?}");
    assert!(
        refused
            .message
            .starts_with("The server would not star this"),
        "{refused:?}"
    );
    assert!(
        !app.stars()
            .await
            .unwrap()
            .contains(&star(StarKind::Album, "no-such-album"))
    );

    // A file on this computer is refused before anything is kept or sent: the server would
    // be told its path.
    for local in [
        star(StarKind::Track, "file:///home/ana/Music/a%20b.flac"),
        star(StarKind::Album, "local-album:4a6f"),
        star(StarKind::Artist, "local-artist:4a6f"),
    ] {
        let refused = app.set_starred(local.clone(), true).await.unwrap_err();
        assert_eq!(refused.kind, ErrorKind::InvalidInput, "{refused:?}");
        assert!(!app.stars().await.unwrap().contains(&local));
    }
}

#[tokio::test]
async fn stars_toggled_offline_are_kept_and_sent_in_order_once_the_server_is_back() {
    let server = Supysonic::spawn();
    let relay = Relay::to(server.url()).await;
    let data = tempfile::tempdir().unwrap();
    let app = start_app(&relay.url, data.path());
    app.sign_in(&relay.url, server.username(), server.password().into())
        .await
        .unwrap();
    let tracks = some_tracks(&app, &server).await;
    app.set_starred(star(StarKind::Album, &tracks[0].album_id), true)
        .await
        .unwrap();

    // The network goes: every toggle is kept and shown at once.
    relay.cut(true);
    app.set_starred(star(StarKind::Track, &tracks[1].id), true)
        .await
        .unwrap();
    app.set_starred(star(StarKind::Album, &tracks[0].album_id), false)
        .await
        .unwrap();
    // Toggled twice: only the last counts.
    app.set_starred(star(StarKind::Track, &tracks[2].id), false)
        .await
        .unwrap();
    app.set_starred(star(StarKind::Track, &tracks[2].id), true)
        .await
        .unwrap();
    let mut expected = vec![
        star(StarKind::Track, &tracks[1].id),
        star(StarKind::Track, &tracks[2].id),
    ];
    expected.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(
        app.stars().await.unwrap(),
        expected,
        "the album unstarred here"
    );
    let offline = app.starred_page().await.unwrap_err();
    assert_eq!(offline.kind, ErrorKind::Network, "{offline:?}");
    let listed = on_server(&server).await;
    assert!(listed.song.is_empty(), "nothing reached the server");
    assert_eq!(listed.album.len(), 1);

    // Back: the sync pass sends them, in the order they were made.
    relay.cut(false);
    let deadline = Instant::now() + Duration::from_secs(60);
    let listed = loop {
        app.sync_now().await.unwrap();
        let listed = on_server(&server).await;
        if listed.song.len() == 2 && listed.album.is_empty() {
            break listed;
        }
        assert!(Instant::now() < deadline, "never sent: {listed:?}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    let mut ids = song_ids(&listed);
    ids.sort_unstable();
    let mut expected = vec![tracks[1].id.as_str(), tracks[2].id.as_str()];
    expected.sort_unstable();
    assert_eq!(ids, expected);
    // The server's list cannot show a star sent twice; the requests it was sent can. Each
    // toggle reached it once, in the order made (the track toggled twice: its last only).
    let sent = star_requests(&relay);
    assert_eq!(
        sent,
        [
            ("star", tracks[0].album_id.clone()),
            ("star", tracks[1].id.clone()),
            ("unstar", tracks[0].album_id.clone()),
            ("star", tracks[2].id.clone()),
        ],
        "each once, in order"
    );
    let when = |id: &str| {
        listed
            .song
            .iter()
            .find(|s| s.id == id)
            .and_then(|s| s.starred.as_deref())
            .and_then(parse_timestamp)
    };
    let (first, second) = (when(&tracks[1].id), when(&tracks[2].id));
    assert!(
        first.is_some() && second.is_some() && first <= second,
        "sent in order: {first:?} then {second:?}"
    );
    let page = app.starred_page().await.unwrap();
    assert_eq!(page.waiting, 0);
    assert_eq!(page.tracks.len(), 2);
    assert!(page.albums.is_empty());
}

#[tokio::test]
async fn a_star_the_server_refuses_in_a_sync_pass_goes_back_and_the_window_is_told() {
    let server = Supysonic::spawn();
    let relay = Relay::to(server.url()).await;
    let data = tempfile::tempdir().unwrap();
    let told = Arc::new(StarsTold::default());
    let app = start_app_told(&relay.url, data.path(), Arc::clone(&told));
    app.sign_in(&relay.url, server.username(), server.password().into())
        .await
        .unwrap();
    let track = some_tracks(&app, &server).await.remove(0);

    // Offline, nobody can say no: both are kept and shown.
    relay.cut(true);
    app.set_starred(star(StarKind::Album, "no-such-album"), true)
        .await
        .unwrap();
    app.set_starred(star(StarKind::Track, &track.id), true)
        .await
        .unwrap();
    assert_eq!(app.stars().await.unwrap().len(), 2);

    // Back: the sync pass sends them; the server refuses the album it does not have (code
    // 70), which is the answer to no click, so the window is told to read the stars again.
    relay.cut(false);
    let deadline = Instant::now() + Duration::from_secs(60);
    while told.0.load(Ordering::SeqCst) == 0 {
        assert!(Instant::now() < deadline, "the window was never told");
        app.sync_now().await.unwrap();
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(
        app.stars().await.unwrap(),
        [star(StarKind::Track, &track.id)],
        "the refused star went back, the other stayed"
    );
    assert_eq!(song_ids(&on_server(&server).await), [track.id.as_str()]);
    // Once: further passes have nothing more to refuse.
    app.sync_now().await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(told.0.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_star_toggled_while_the_starred_page_is_read_is_neither_lost_nor_undone() {
    let server = Supysonic::spawn();
    let relay = Relay::to(server.url()).await;
    let data = tempfile::tempdir().unwrap();
    let app = start_app(&relay.url, data.path());
    app.sign_in(&relay.url, server.username(), server.password().into())
        .await
        .unwrap();
    let tracks = some_tracks(&app, &server).await;
    let (kept, added) = (&tracks[0], &tracks[1]);
    app.set_starred(star(StarKind::Track, &kept.id), true)
        .await
        .unwrap();

    // The page's read of the server's stars is answered (the first track starred, the second
    // not), and the answer kept on its way; meanwhile the first is unstarred and the second
    // starred. Were the page not holding the star sender's turn, both would reach the server
    // and leave the library before the page takes in a list read before them.
    let hold = relay.hold_answers("/rest/getStarred2.view");
    let toggles_meanwhile = async {
        tokio::time::timeout(Duration::from_secs(60), hold.held())
            .await
            .expect("the page's read of the stars never reached the server");
        let toggles = async {
            let (unstarred, starred) = tokio::join!(
                app.set_starred(star(StarKind::Track, &kept.id), false),
                app.set_starred(star(StarKind::Track, &added.id), true),
            );
            unstarred.unwrap();
            starred.unwrap();
        };
        tokio::pin!(toggles);
        // Time enough for both to be sent, if they could be.
        let sent_early = tokio::time::timeout(Duration::from_secs(2), toggles.as_mut())
            .await
            .is_ok();
        hold.release();
        if !sent_early {
            toggles.await;
        }
        sent_early
    };
    let (page, sent_early) = tokio::join!(app.starred_page(), toggles_meanwhile);
    let page = page.unwrap();

    // Neither lost nor undone: shown as toggled, and so on the server.
    assert_eq!(
        app.stars().await.unwrap(),
        [star(StarKind::Track, &added.id)]
    );
    assert_eq!(song_ids(&on_server(&server).await), [added.id.as_str()]);
    // They waited for the page, which showed neither: the one unstarred here, the other not
    // on the server yet.
    assert!(
        !sent_early,
        "sent while the page was taking the server's list in"
    );
    assert!(page.tracks.is_empty(), "{:?}", page.tracks);
    assert_eq!(page.waiting, 2);
    let page = app.starred_page().await.unwrap();
    assert_eq!(page.waiting, 0);
    assert_eq!(page.tracks.len(), 1);
    assert_eq!(page.tracks[0].id, added.id);
}
