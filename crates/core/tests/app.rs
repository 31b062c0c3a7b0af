//! The App facade against real moto and devcloud processes, with the null audio sink.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use strato_core::{App, AppEvents, AppSettings, AudioOutput};
use strato_model::ipc::{ErrorKind, OutputStatus, PlaybackState, PlayerStatus};
use strato_testkit::{DevCloud, Moto};

#[derive(Default)]
struct Recorder(Mutex<Vec<PlayerStatus>>);

impl AppEvents for Recorder {
    fn player_status(&self, status: &PlayerStatus) {
        self.0.lock().unwrap().push(status.clone());
    }
}

impl Recorder {
    fn last(&self) -> Option<PlayerStatus> {
        self.0.lock().unwrap().last().cloned()
    }

    async fn wait_until(&self, what: &str, pred: impl Fn(&PlayerStatus) -> bool) -> PlayerStatus {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(s) = self.last().filter(|s| pred(s)) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; last status {:?}",
                self.last()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

fn start_app(url: &str) -> (App, Arc<Recorder>) {
    let events = Arc::new(Recorder::default());
    let settings = AppSettings::new(url, AudioOutput::Null);
    (App::start(settings, events.clone()).unwrap(), events)
}

#[tokio::test]
async fn signs_in_lists_the_catalog_and_plays_pauses_and_resumes() {
    let cloud = DevCloud::start(Moto::start()).await;
    let (app, events) = start_app(cloud.api_url());
    assert_eq!(app.default_service_url(), cloud.api_url());
    events
        .wait_until("the output to open", |s| {
            matches!(s.output, OutputStatus::Available { .. })
        })
        .await;

    let session = app
        .sign_in(cloud.api_url(), " demo ", "Strato-demo-1".into())
        .await
        .unwrap();
    assert_eq!(session.username, "demo");
    assert_eq!(app.session(), Some(session));

    // Walk every page: each track exactly once.
    let mut ids = Vec::new();
    let mut cursor = None;
    loop {
        let page = app.catalog_tracks(cursor).await.unwrap();
        ids.extend(page.items.iter().map(|t| t.id.clone()));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let unique: std::collections::HashSet<_> = ids.iter().collect();
    assert!(
        ids.len() >= 10 && unique.len() == ids.len(),
        "catalog ids: {ids:?}"
    );

    app.play_track(&ids[0]).await.unwrap();
    let playing = events
        .wait_until("a second of playback", |s| {
            s.state == PlaybackState::Playing && s.position_ms >= 1000
        })
        .await;
    assert_eq!(
        playing.track.as_ref().map(|t| t.id.as_str()),
        Some(ids[0].as_str())
    );
    assert!(playing.duration_ms.unwrap() > 5_000);
    assert!(playing.error.is_none());

    app.pause();
    let paused = events
        .wait_until("pause", |s| s.state == PlaybackState::Paused)
        .await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    let later = app.player_status();
    assert!(
        later.position_ms <= paused.position_ms + 300,
        "position moved while paused: {} -> {}",
        paused.position_ms,
        later.position_ms
    );

    app.resume();
    events
        .wait_until("playback to go on", |s| {
            s.state == PlaybackState::Playing && s.position_ms > later.position_ms + 200
        })
        .await;

    // A hidden window is not sent the position's ticks, though the position moves on;
    // shown again, it is sent the status at once.
    app.set_window_shown(false);
    // A tick already past the check when the window hid may still land.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let sent = events.0.lock().unwrap().len();
    let hidden_at = app.player_status().position_ms;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        events.0.lock().unwrap().len(),
        sent,
        "no status sent while hidden and nothing but the position changed"
    );
    let moved = app.player_status().position_ms;
    assert!(
        moved > hidden_at,
        "the position stood still: {hidden_at} -> {moved}"
    );
    app.set_window_shown(true);
    let told = events.last().unwrap();
    assert_eq!(events.0.lock().unwrap().len(), sent + 1);
    assert!(told.position_ms >= moved, "{} < {moved}", told.position_ms);

    let (cover, content_type) = app.cover(&playing.track.unwrap().album_id).await.unwrap();
    assert_eq!(content_type, "image/jpeg");
    assert_eq!(&cover[..2], &[0xFF, 0xD8], "not a JPEG");

    app.sign_out().await;
    assert_eq!(app.session(), None);
    let err = app.catalog_tracks(None).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotSignedIn);
}

#[tokio::test]
async fn sign_in_failures_are_explained() {
    let cloud = DevCloud::start(Moto::start()).await;
    let (app, _) = start_app(cloud.api_url());

    // moto accepts any SRP signature, so a wrong password for a real user cannot fail here
    // (crates/cloud/tests/sign_in.rs checks it with the password flow, which moto does
    // check). An unknown user fails in both flows, with the words a wrong password gets.
    let nobody = app
        .sign_in(cloud.api_url(), "nobody-here", "whatever-1A".into())
        .await
        .unwrap_err();
    assert_eq!(nobody.kind, ErrorKind::Auth);
    assert_eq!(
        nobody.message, "Incorrect username or password.",
        "must not reveal which usernames exist"
    );

    let typo = app
        .sign_in("music dot example", "demo", "x".into())
        .await
        .unwrap_err();
    assert_eq!(typo.kind, ErrorKind::InvalidInput);

    // A port nothing listens on: offline, in words.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let offline = app
        .sign_in(&format!("http://{closed}"), "demo", "x".into())
        .await
        .unwrap_err();
    assert_eq!(offline.kind, ErrorKind::Network);
    assert!(
        offline.message.contains("Could not reach the service"),
        "{}",
        offline.message
    );

    assert_eq!(app.session(), None);
}

#[tokio::test]
async fn a_track_that_cannot_be_fetched_reports_an_error_and_the_app_goes_on() {
    let cloud = DevCloud::start(Moto::start()).await;
    let (app, events) = start_app(cloud.api_url());
    app.sign_in(cloud.api_url(), "demo", "Strato-demo-1".into())
        .await
        .unwrap();
    let tracks = app.catalog_tracks(None).await.unwrap().items;

    let missing = app.play_track("tr-does-not-exist").await.unwrap_err();
    assert_eq!(missing.kind, ErrorKind::NotFound);

    // The CDN refuses every request for a moment, even with renewed credentials: the
    // command returns at once (it never waits on the network) and the listener is told, in
    // words, through the status.
    let rule = cloud
        .add_fault(&strato_testkit::FaultRule {
            reject_signatures: true,
            ..strato_testkit::FaultRule::new("/media/**")
        })
        .await;
    app.play_track(&tracks[1].id).await.unwrap();
    let shown = events
        .wait_until("the error state", |s| s.state == PlaybackState::Error)
        .await;
    let refused = shown.error.unwrap();
    assert_eq!(refused.kind, ErrorKind::Forbidden, "{refused:?}");
    assert!(
        refused.message.contains("refused access"),
        "{}",
        refused.message
    );

    cloud.remove_fault(rule.id.as_deref().unwrap()).await;
    app.play_track(&tracks[1].id).await.unwrap();
    events
        .wait_until("playback after the fault", |s| {
            s.state == PlaybackState::Playing && s.error.is_none()
        })
        .await;
}

#[tokio::test]
async fn a_refusal_from_the_service_keeps_the_listener_signed_in() {
    let cloud = DevCloud::start(Moto::start()).await;
    let (app, _) = start_app(cloud.api_url());
    app.sign_in(cloud.api_url(), "demo", "Strato-demo-1".into())
        .await
        .unwrap();

    // A 403 from the API is "not yours", not "signed out": the command fails with its own
    // kind (the UI ends the session only on `auth`), and the session goes on.
    let rule = cloud
        .add_fault(&strato_testkit::FaultRule {
            error_rate: Some(1.0),
            error_status: Some(403),
            ..strato_testkit::FaultRule::new("/v1/tracks")
        })
        .await;
    let refused = app.catalog_tracks(None).await.unwrap_err();
    assert_eq!(refused.kind, ErrorKind::Forbidden, "{refused:?}");
    assert!(refused.message.contains("does not allow"), "{refused:?}");
    assert!(
        app.session().is_some(),
        "the refusal signed the listener out"
    );

    cloud.remove_fault(rule.id.as_deref().unwrap()).await;
    assert!(!app.catalog_tracks(None).await.unwrap().items.is_empty());
}
