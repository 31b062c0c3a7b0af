//! An account on a Subsonic server, through the app as the window drives it: signing in by
//! the server's address (Supysonic, a real server from the Python registry; devcloud's `/rest/` for the
//! API's own folder), browsing and searching through the service trait, playing and seeking
//! a track streamed from the server, staying signed in through the machine's real keychain,
//! and what the window is told the server lacks.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use strato_core::{App, AppEvents, AppSettings, AudioOutput};
use strato_model::ipc::{ErrorKind, PlaybackState, PlayerStatus, ServiceKind};
use strato_testkit::{DevCloud, FolderFormat, Moto, Supysonic};

#[derive(Default)]
struct Recorder(Mutex<Option<PlayerStatus>>);

impl AppEvents for Recorder {
    fn player_status(&self, status: &PlayerStatus) {
        *self.0.lock().unwrap() = Some(status.clone());
    }
}

impl Recorder {
    async fn wait_until(&self, what: &str, pred: impl Fn(&PlayerStatus) -> bool) -> PlayerStatus {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let last = self.0.lock().unwrap().clone();
            if let Some(status) = last.as_ref().filter(|s| pred(s)) {
                return status.clone();
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; last status {last:?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// An app whose default service is `default_url` (the sign-in screen's prefilled address),
/// with a data folder of its own.
fn start_app(default_url: &str, data_dir: &std::path::Path) -> (App, Arc<Recorder>) {
    let events = Arc::new(Recorder::default());
    let mut settings = AppSettings::new(default_url, AudioOutput::Null);
    settings.data_dir = Some(data_dir.to_owned());
    (App::start(settings, events.clone()).unwrap(), events)
}

#[tokio::test]
async fn a_supysonic_server_is_signed_in_by_its_address_browsed_searched_and_played() {
    let server = Supysonic::start();
    let data = tempfile::tempdir().unwrap();
    let (app, events) = start_app(server.url(), data.path());

    // The address the listener types: no `/rest`; the app finds it is no Strato service (no
    // `/v1/config`) and signs in to it as a Subsonic server.
    let session = app
        .sign_in(
            server.url(),
            server.username(),
            server.password().to_owned(),
        )
        .await
        .unwrap();
    assert_eq!(session.kind, ServiceKind::OpenSubsonic);
    assert_eq!(session.username, server.username());
    assert!(!session.features.uploads && !session.features.live_updates);
    // Supysonic offers no OpenSubsonic lyrics extension.
    assert!(!session.features.lyrics);
    assert!(session.features.stars && session.features.scrobble);
    // Its music is kept offline as the cloud's is (subsonic_downloads.rs).
    assert!(session.features.downloads);

    // Browsing goes through the trait: the home page is the server's albums.
    let home = app.home_feed().await.unwrap();
    assert!(
        home.picks.is_some_and(|picks| !picks.albums.is_empty()),
        "the home page shows the server's albums"
    );
    assert!(!home.new_albums.is_empty());

    // A FLAC track, found by its title as the search box would.
    let album = server
        .albums()
        .iter()
        .find(|album| album.format == FolderFormat::Flac)
        .expect("the folder has a FLAC album");
    let wanted = &album.tracks[0];
    let found = app.search_catalog(&wanted.title).await.unwrap();
    let track = found
        .tracks
        .iter()
        .find(|t| t.title == wanted.title && t.album_title == wanted.album)
        .unwrap_or_else(|| panic!("{:?} not found in {:?}", wanted.title, found.tracks))
        .clone();

    // Its album's cover, the folder's JPEG, from the server's `getCoverArt`.
    let (cover, mime) = app.cover(&track.album_id).await.unwrap();
    assert_eq!(mime, "image/jpeg");
    let image = album
        .cover_image
        .as_ref()
        .expect("the FLAC album has a folder cover");
    assert_eq!(*cover, std::fs::read(image).unwrap());

    // Played from the server's `stream`, the original file with byte ranges.
    app.play_track(&track.id).await.unwrap();
    let playing = events
        .wait_until("the track to play a second", |s| {
            s.state == PlaybackState::Playing && s.position_ms >= 1000
        })
        .await;
    assert_eq!(
        playing.track.as_ref().map(|t| t.id.as_str()),
        Some(track.id.as_str())
    );
    assert!(playing.error.is_none(), "{:?}", playing.error);

    // Seeking past what was fetched: the original file is fetched from there.
    let target = wanted.duration_ms * 3 / 4;
    app.seek(target);
    events
        .wait_until("playing from the seek target", |s| {
            s.state == PlaybackState::Playing && s.position_ms >= target
        })
        .await;

    // What only the Strato cloud has is refused in words, not broken (nor left waiting).
    let refused = app.my_uploads(None).await.unwrap_err();
    assert_eq!(refused.kind, ErrorKind::InvalidInput);
    assert!(refused.message.contains("does not offer"), "{refused:?}");

    app.sign_out().await;
    assert_eq!(app.session(), None);
}

#[tokio::test]
async fn wrong_passwords_and_addresses_of_neither_kind_are_said_in_words() {
    let server = Supysonic::start();
    let data = tempfile::tempdir().unwrap();
    let (app, _) = start_app(server.url(), data.path());

    let wrong = app
        .sign_in(server.url(), server.username(), "not-the-password".into())
        .await
        .unwrap_err();
    assert_eq!(wrong.kind, ErrorKind::Auth, "{wrong:?}");
    assert_eq!(app.session(), None);

    // A web server that is neither a Strato service nor a Subsonic server: devcloud's CDN
    // answers `/v1/config` and `/rest/ping.view` with 404s.
    let cloud = DevCloud::start(Moto::start()).await;
    let neither = app
        .sign_in(cloud.cdn_url(), "ana", "whatever".into())
        .await
        .unwrap_err();
    assert_eq!(neither.kind, ErrorKind::NotFound, "{neither:?}");
    assert!(
        neither
            .message
            .contains("neither a Strato service nor a Subsonic server"),
        "{neither:?}"
    );
}

const ALICE: &str = "alice";
const ALICE_PASSWORD: &str = "alice's Subsonic password";

#[tokio::test]
async fn the_apis_own_folder_names_a_subsonic_server_whose_sign_in_is_kept_in_the_keychain() {
    let cloud = DevCloud::builder(Moto::start())
        .subsonic_user(ALICE, ALICE_PASSWORD)
        .start()
        .await;
    let data = tempfile::tempdir().unwrap();
    let (first, _) = start_app(cloud.api_url(), data.path());
    let stay = first.stay_signed_in().await;
    assert!(
        stay.available,
        "this test needs a keychain: {:?}",
        stay.reason
    );

    // devcloud is a Strato service at its root; its `/rest` is a Subsonic server.
    let session = first
        .sign_in_with(&cloud.subsonic_url(), ALICE, ALICE_PASSWORD.into(), true)
        .await
        .unwrap();
    assert_eq!(session.kind, ServiceKind::OpenSubsonic);
    // Kept apart from a Strato account at the same address.
    assert_eq!(session.service_url, cloud.subsonic_url());
    // devcloud offers the lyrics extension.
    assert!(session.features.lyrics);
    drop(first);

    // A new start resumes it from the keychain, as a Subsonic account.
    let (second, _) = start_app(cloud.api_url(), data.path());
    let restored = second.restore_session().await.unwrap().expect("restored");
    assert_eq!(restored, session);
    second.home_feed().await.unwrap();
    let kept = second.remembered_accounts().await;
    assert!(
        kept.iter()
            .any(|a| a.current && a.username == ALICE && a.service_url == session.service_url),
        "{kept:?}"
    );

    // The password is in the keychain only: no file of the data folder holds it, as typed,
    // as a URL carries it, or as the hex a legacy sign-in sends.
    let hex = ALICE_PASSWORD.bytes().fold(String::new(), |mut hex, b| {
        use std::fmt::Write as _;
        let _ = write!(hex, "{b:02x}");
        hex
    });
    let encoded =
        url::form_urlencoded::byte_serialize(ALICE_PASSWORD.as_bytes()).collect::<String>();
    for entry in walk(data.path()) {
        let bytes = std::fs::read(&entry).unwrap();
        for form in [ALICE_PASSWORD, encoded.as_str(), hex.as_str()] {
            assert!(
                !contains(&bytes, form.as_bytes()),
                "{} holds the password ({form})",
                entry.display()
            );
        }
    }

    second.sign_out().await;
    drop(second);
    let (third, _) = start_app(cloud.api_url(), data.path());
    assert_eq!(third.restore_session().await.unwrap(), None);
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn a_subsonic_accounts_playlists_are_kept_in_step_with_its_server() {
    let cloud = DevCloud::builder(Moto::start())
        .subsonic_user(ALICE, ALICE_PASSWORD)
        .start()
        .await;
    let data = tempfile::tempdir().unwrap();
    let (app, _) = start_app(cloud.api_url(), data.path());
    let session = app
        .sign_in(&cloud.subsonic_url(), ALICE, ALICE_PASSWORD.into())
        .await
        .unwrap();
    assert!(session.features.playlist_sync);
    let found = app.search_catalog("a").await.unwrap();
    let ids: Vec<String> = found.tracks.iter().take(3).map(|t| t.id.clone()).collect();
    assert_eq!(ids.len(), 3);

    // Made here, as the window makes it: it reaches the server, its tracks in order.
    let made = app.create_playlist("Road trip", "").await.unwrap();
    app.add_to_playlist(&made.id, ids.clone(), None)
        .await
        .unwrap();
    let phone = strato_subsonic::SubsonicClient::connect(
        &cloud.subsonic_url(),
        strato_subsonic::Credentials::password(ALICE, ALICE_PASSWORD),
    )
    .await
    .unwrap();
    let on_server = eventually("the playlist on the server", async || {
        let listed = phone.playlists().await.ok()?;
        let road_trip = listed.into_iter().find(|p| p.name == "Road trip")?;
        let whole = phone.playlist(&road_trip.id).await.ok()?;
        (whole.entry.len() == 3).then_some(whole)
    })
    .await;
    let order: Vec<&str> = on_server.entry.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(order, ids.iter().map(String::as_str).collect::<Vec<_>>());
    // Acknowledged here: nothing left to send.
    eventually("the edits acknowledged", async || {
        let listed = app.playlists().await.ok()?;
        listed
            .iter()
            .any(|p| p.name == "Road trip" && p.unsynced_edits == 0)
            .then_some(())
    })
    .await;

    // Made on another client: it comes down.
    phone
        .create_playlist("From the phone", &ids[..1])
        .await
        .unwrap();
    app.sync_now().await.unwrap();
    eventually("the phone's playlist here", async || {
        let listed = app.playlists().await.ok()?;
        listed
            .iter()
            .any(|p| p.name == "From the phone" && p.item_count == 1)
            .then_some(())
    })
    .await;
}

/// Polls `read` until it gives a value, for at most 30 s.
async fn eventually<T>(what: &str, mut read: impl AsyncFnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(value) = read().await {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
