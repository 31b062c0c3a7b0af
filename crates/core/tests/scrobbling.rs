//! Scrobbling through the app, against real processes: devcloud (a Strato account and a
//! Subsonic one on its `/rest`), the test kit's validating `ListenBrainz` peer, the player on
//! a real-time null output, and the machine's keychain (run with
//! `scripts/lib/secret-service.sh`).
//!
//! The demo catalog's tracks are all under 30 s, which never count as listens: the play that
//! counts is a demo track looped to 41 s (ffmpeg, as the demo media is made), served by a
//! devcloud reading a copy of the media with that track replaced.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sha2::Digest as _;
use strato_core::{App, AppEvents, AppSettings, AudioOutput};
use strato_model::ipc::{ErrorKind, OfflineTarget, PlayerStatus};
use strato_testkit::{DevCloud, FaultRule, FaultTarget, ListenBrainzEndpoint, Moto};

const TOKEN: &str = "a7c2d1f0-5b8e-4c3a-9d6f-0e1b2c3d4e5f";
const LB_USER: &str = "lb-listener";
const ALICE: &str = "alice";
const ALICE_PASSWORD: &str = "alice's Subsonic password";
/// The track looped to 41 s.
const LONG_TRACK: &str = "tr-low-orbit-lullaby";

struct Quiet;

impl AppEvents for Quiet {
    fn player_status(&self, _: &PlayerStatus) {}
}

/// An app with its data folder in `root/data` and its choices in `root/config`.
fn start_app(url: &str, listenbrainz: &str, root: &Path) -> App {
    let mut settings = AppSettings::new(url, AudioOutput::Null);
    settings.data_dir = Some(root.join("data"));
    settings.config_dir = Some(root.join("config"));
    listenbrainz.clone_into(&mut settings.listenbrainz_url);
    App::start(settings, Arc::new(Quiet)).unwrap()
}

/// Polls `check` every 100 ms until it gives something, for at most `within`.
async fn eventually<T>(
    what: &str,
    within: Duration,
    mut check: impl AsyncFnMut() -> Option<T>,
) -> T {
    let deadline = Instant::now() + within;
    loop {
        if let Some(found) = check().await {
            return found;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Every file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_under(&path));
        } else {
            found.push(path);
        }
    }
    found
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A copy of the demo media in which [`LONG_TRACK`]'s MP3s play it twice (41 s), and the
/// catalog says so.
fn media_with_a_long_track(into: &Path) -> PathBuf {
    let media = into.join("media");
    copy_dir(strato_testkit::media_dir(), &media);
    let catalog_file = media.join("catalog.json");
    let mut catalog: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&catalog_file).unwrap()).unwrap();
    let track = catalog["tracks"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|t| t["id"] == LONG_TRACK)
        .unwrap();
    let mp3_dir = media.join("media").join(LONG_TRACK).join("mp3");
    let looped = into.join("looped.mp3");
    let made = std::process::Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-y", "-stream_loop", "1", "-i"])
        .arg(mp3_dir.join("cbr.mp3"))
        .args(["-c:a", "libmp3lame", "-b:a", "192k"])
        .arg(&looped)
        .status()
        .expect("ffmpeg, which makes the demo media, runs");
    assert!(made.success());
    let bytes = std::fs::read(&looped).unwrap();
    // Downloads check what they fetched against the catalog's size and digest.
    let sha256 = sha2::Sha256::digest(&bytes)
        .iter()
        .fold(String::new(), |mut hex, b| {
            let _ = write!(hex, "{b:02x}");
            hex
        });
    for variant in ["cbr", "vbr", "low", "high"] {
        std::fs::copy(&looped, mp3_dir.join(format!("{variant}.mp3"))).unwrap();
        track["mp3"][variant]["size"] = bytes.len().into();
        track["mp3"][variant]["sha256"] = sha256.clone().into();
    }
    track["duration_ms"] = 41_000.into();
    std::fs::write(&catalog_file, serde_json::to_vec(&catalog).unwrap()).unwrap();
    media
}

#[tokio::test]
async fn listenbrainz_is_connected_with_a_checked_token_kept_only_in_the_keychain() {
    let listenbrainz = ListenBrainzEndpoint::start(&[(TOKEN, LB_USER)]).await;
    let cloud = DevCloud::start(Moto::start()).await;
    let data = tempfile::tempdir().unwrap();
    let app = start_app(cloud.api_url(), &listenbrainz.url(), data.path());
    app.sign_in(cloud.api_url(), "demo", "Strato-demo-1".into())
        .await
        .unwrap();
    assert_eq!(app.scrobbling().await.listenbrainz_user, None);
    assert!(
        !app.scrobbling().await.server_scrobbles,
        "a Strato account has no scrobble"
    );

    // A wrong token: refused in words, nothing kept.
    let refused = app
        .connect_listenbrainz("not-a-token".into())
        .await
        .unwrap_err();
    assert_eq!(refused.kind, ErrorKind::InvalidInput, "{refused:?}");
    assert!(refused.message.contains("ListenBrainz"), "{refused:?}");
    assert_eq!(app.scrobbling().await.listenbrainz_user, None);

    let view = app
        .connect_listenbrainz(format!(" {TOKEN} "))
        .await
        .unwrap();
    assert_eq!(view.listenbrainz_user.as_deref(), Some(LB_USER));

    // A demo track (under 30 s): playing now is said as it starts; it never counts.
    let track = app.search_catalog("Night Ferry").await.unwrap().tracks[0].clone();
    app.play_track(&track.id).await.unwrap();
    let playing = eventually("playing_now", Duration::from_secs(20), async || {
        listenbrainz.playing_now(LB_USER)
    })
    .await;
    assert_eq!(playing["track_metadata"]["track_name"], track.title);
    assert_eq!(playing["track_metadata"]["artist_name"], track.artist_name);

    // The token is in no file of the data folders, old and new, nor of the config folder.
    app.sign_out().await;
    for file in files_under(data.path()) {
        let bytes = std::fs::read(&file).unwrap();
        assert!(
            !bytes.windows(TOKEN.len()).any(|w| w == TOKEN.as_bytes()),
            "the token is in {}",
            file.display()
        );
    }
    assert!(
        listenbrainz.listens(LB_USER).is_empty(),
        "a track under 30 s is no listen"
    );

    // Signed in again, the kept token connects it again; disconnecting forgets it.
    app.sign_in(cloud.api_url(), "demo", "Strato-demo-1".into())
        .await
        .unwrap();
    assert_eq!(
        app.scrobbling().await.listenbrainz_user.as_deref(),
        Some(LB_USER)
    );
    assert_eq!(app.disconnect_listenbrainz().await.listenbrainz_user, None);
    app.sign_out().await;
    app.sign_in(cloud.api_url(), "demo", "Strato-demo-1".into())
        .await
        .unwrap();
    assert_eq!(app.scrobbling().await.listenbrainz_user, None);
}

#[tokio::test]
async fn a_play_heard_past_half_is_one_listen_on_listenbrainz_and_a_scrobble_on_the_server() {
    let workspace = tempfile::tempdir().unwrap();
    let media = media_with_a_long_track(workspace.path());
    let listenbrainz = ListenBrainzEndpoint::start(&[(TOKEN, LB_USER)]).await;
    let cloud = DevCloud::builder(Moto::start())
        .media_dir(media)
        .subsonic_user(ALICE, ALICE_PASSWORD)
        .start()
        .await;
    let data = tempfile::tempdir().unwrap();
    let app = start_app(cloud.api_url(), &listenbrainz.url(), data.path());
    app.sign_in(&cloud.subsonic_url(), ALICE, ALICE_PASSWORD.into())
        .await
        .unwrap();
    assert!(app.scrobbling().await.server_scrobbles);
    app.connect_listenbrainz(TOKEN.into()).await.unwrap();

    app.play_track(LONG_TRACK).await.unwrap();
    // Half of 41 s heard in real time, then the listen is sent.
    assert!(
        listenbrainz
            .wait_for_listens(LB_USER, 1, Duration::from_secs(60))
            .await,
        "no listen reached ListenBrainz"
    );
    let listens = listenbrainz.listens(LB_USER);
    assert_eq!(listens.len(), 1);
    assert_eq!(
        listens[0]["track_metadata"]["track_name"],
        "Low Orbit Lullaby"
    );
    assert!(listenbrainz.playing_now(LB_USER).is_some());
    let single = listenbrainz
        .submissions()
        .into_iter()
        .filter(|s| s.status == 200 && s.listen_type.as_deref() == Some("single"))
        .count();
    assert_eq!(single, 1);

    // The server was told the track is playing (submission=false), then the listen.
    let reports = eventually(
        "the server's scrobble",
        Duration::from_secs(30),
        async || {
            let reports = cloud.subsonic_scrobbles().await;
            reports
                .iter()
                .any(|r| r["submission"] == true)
                .then_some(reports)
        },
    )
    .await;
    let mine: Vec<_> = reports
        .iter()
        .filter(|r| r["user"] == ALICE && r["id"] == LONG_TRACK)
        .collect();
    assert_eq!(mine.len(), 2, "{reports:?}");
    assert_eq!(mine[0]["submission"], false);
    assert_eq!(mine[1]["submission"], true);
    assert!(
        mine[1]["time"].as_i64().is_some(),
        "the listen's time is sent"
    );
    let view = eventually("nothing pending", Duration::from_secs(10), async || {
        let view = app.scrobbling().await;
        (view.pending == 0).then_some(view)
    })
    .await;
    assert_eq!(view.last_error, None);
}

#[tokio::test]
async fn a_listen_heard_after_an_offline_start_reaches_listenbrainz() {
    let workspace = tempfile::tempdir().unwrap();
    let media = media_with_a_long_track(workspace.path());
    let listenbrainz = ListenBrainzEndpoint::start(&[(TOKEN, LB_USER)]).await;
    let cloud = DevCloud::builder(Moto::start())
        .media_dir(media)
        .start()
        .await;
    let url = cloud.api_url().to_owned();
    let data = tempfile::tempdir().unwrap();
    {
        let app = start_app(&url, &listenbrainz.url(), data.path());
        assert!(
            app.stay_signed_in().await.available,
            "this test needs a keychain"
        );
        // A listener of its own: the other tests sign the demo listener in and out.
        cloud
            .user_access_token("offline-listener", "Offline-Pass-123")
            .await;
        app.sign_in_with(&url, "offline-listener", "Offline-Pass-123".into(), true)
            .await
            .unwrap();
        app.connect_listenbrainz(TOKEN.into()).await.unwrap();
        let kept = app.create_playlist("For the plane", "").await.unwrap();
        app.add_to_playlist(&kept.id, vec![LONG_TRACK.to_owned()], None)
            .await
            .unwrap();
        app.set_offline(OfflineTarget::Playlist(kept.id.clone()), true)
            .await
            .unwrap();
        eventually("the download", Duration::from_secs(30), async || {
            (app.downloads_status().await.unwrap().done == 1).then_some(())
        })
        .await;
    }

    // The service is gone: the app starts offline, and still scrobbles what it plays.
    drop(cloud);
    let app = start_app(&url, &listenbrainz.url(), data.path());
    let session = app
        .restore_session()
        .await
        .unwrap()
        .expect("the kept account opens offline");
    assert_eq!(session.username, "offline-listener");
    assert_eq!(
        app.scrobbling().await.listenbrainz_user.as_deref(),
        Some(LB_USER),
        "the token kept in the keychain connects ListenBrainz offline too"
    );
    app.play_track(LONG_TRACK).await.unwrap();
    assert!(
        listenbrainz
            .wait_for_listens(LB_USER, 1, Duration::from_secs(60))
            .await,
        "the listen heard after an offline start never reached ListenBrainz"
    );
    let listens = listenbrainz.listens(LB_USER);
    assert_eq!(listens.len(), 1);
    assert_eq!(
        listens[0]["track_metadata"]["track_name"],
        "Low Orbit Lullaby"
    );
    app.stop();
    app.sign_out().await;
}

#[tokio::test]
async fn a_session_the_service_ends_reports_nothing_more() {
    let listenbrainz = ListenBrainzEndpoint::start(&[(TOKEN, LB_USER)]).await;
    let cloud = DevCloud::start(Moto::start()).await;
    let username = "scrobbler-ended";
    cloud
        .cognito()
        .ensure_user(username, "Scrobbler-Pass-123")
        .await;
    let data = tempfile::tempdir().unwrap();
    let app = start_app(cloud.api_url(), &listenbrainz.url(), data.path());
    app.sign_in(cloud.api_url(), username, "Scrobbler-Pass-123".into())
        .await
        .unwrap();
    app.connect_listenbrainz(TOKEN.into()).await.unwrap();
    assert_eq!(
        app.scrobbling().await.listenbrainz_user.as_deref(),
        Some(LB_USER)
    );

    // Revoked elsewhere: the next call's refresh is refused, and the session ends here.
    cloud
        .cognito()
        .sdk()
        .admin_user_global_sign_out()
        .user_pool_id(&cloud.config().user_pool_id)
        .username(username)
        .send()
        .await
        .unwrap();
    cloud
        .add_fault(&FaultRule {
            error_rate: Some(1.0),
            error_status: Some(401),
            times: Some(1),
            ..FaultRule::new("/v1/search").on(FaultTarget::Api)
        })
        .await;
    let ended = app.search_catalog("Night Ferry").await.unwrap_err();
    assert_eq!(ended.kind, ErrorKind::Auth, "{ended:?}");
    assert_eq!(app.session(), None);
    assert_eq!(
        app.scrobbling().await.listenbrainz_user,
        None,
        "an ended session reports to nobody"
    );
}
