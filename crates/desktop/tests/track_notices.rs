//! Notifications of new tracks on a real session bus: the real app core against devcloud
//! playing an album, its statuses told to [`TrackNotices`], and the desktop's notification
//! service (`org.freedesktop.Notifications`, as GNOME Shell or dunst serve it) recording
//! what it is asked to show. Runs in `dbus-run-session` (the test command's
//! `scripts/lib/secret-service.sh`).
#![cfg(target_os = "linux")]

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use strato_core::{App, AppEvents, AppSettings, AudioOutput};
use strato_desktop::track_notices::TrackNotices;
use strato_model::ipc::{PlaybackState, PlayerStatus};
use strato_testkit::{DevCloud, Moto};
use zbus::zvariant::OwnedValue;

/// One notification asked for.
#[derive(Debug, Clone)]
struct Shown {
    app_name: String,
    replaces: u32,
    summary: String,
    body: String,
    image: Option<String>,
    desktop_entry: Option<String>,
}

#[derive(Default, Clone)]
struct NotificationService {
    shown: Arc<Mutex<Vec<Shown>>>,
}

// The protocol's methods as zbus serves them: arguments by value (some unread), some answers
// constant.
#[allow(clippy::needless_pass_by_value, clippy::unused_self)]
#[zbus::interface(name = "org.freedesktop.Notifications")]
impl NotificationService {
    #[allow(clippy::too_many_arguments)] // The protocol's method.
    fn notify(
        &self,
        app_name: &str,
        replaces_id: u32,
        app_icon: &str,
        summary: &str,
        body: &str,
        actions: Vec<String>,
        hints: HashMap<String, OwnedValue>,
        expire_timeout: i32,
    ) -> u32 {
        // What a notification centre draws besides: none is asked for here.
        let _ = (app_icon, actions, expire_timeout);
        let text = |key: &str| {
            hints
                .get(key)
                .and_then(|v| v.try_clone().ok())
                .and_then(|v| String::try_from(v).ok())
        };
        let mut shown = self.shown.lock().unwrap();
        shown.push(Shown {
            app_name: app_name.to_owned(),
            replaces: replaces_id,
            summary: summary.to_owned(),
            body: body.to_owned(),
            image: text("image-path"),
            desktop_entry: text("desktop-entry"),
        });
        40 + u32::try_from(shown.len()).unwrap()
    }

    fn get_capabilities(&self) -> Vec<String> {
        vec!["body".to_owned(), "icon-static".to_owned()]
    }

    fn get_server_information(&self) -> (String, String, String, String) {
        let text = |s: &str| s.to_owned();
        (text("test"), text("strato"), text("1"), text("1.2"))
    }
}

/// Tells the notices each status, while the test says notifications are wanted.
#[derive(Default)]
struct ToNotices {
    notices: OnceLock<TrackNotices>,
    wanted: AtomicBool,
}

impl AppEvents for ToNotices {
    fn player_status(&self, status: &PlayerStatus) {
        if let Some(notices) = self.notices.get() {
            notices.follow(status, || self.wanted.load(Ordering::SeqCst));
        }
    }
}

async fn until<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(value) = check() {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn each_new_track_is_told_with_its_cover_replacing_the_last() {
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "needs a session bus: run through scripts/test (dbus-run-session)"
    );
    let service = NotificationService::default();
    let _bus = zbus::connection::Builder::session()
        .unwrap()
        .name("org.freedesktop.Notifications")
        .unwrap()
        .serve_at("/org/freedesktop/Notifications", service.clone())
        .unwrap()
        .build()
        .await
        .unwrap();
    let cloud = DevCloud::start(Moto::start()).await;
    let data = tempfile::tempdir().unwrap();
    let events = Arc::new(ToNotices::default());
    let app = Arc::new(
        App::start(
            AppSettings {
                data_dir: Some(data.path().to_owned()),
                ..AppSettings::new(cloud.api_url(), AudioOutput::Null)
            },
            events.clone(),
        )
        .unwrap(),
    );
    assert!(
        events
            .notices
            .set(TrackNotices::start("Strato", "Strato", Arc::clone(&app)))
            .is_ok()
    );
    app.sign_in(cloud.api_url(), "demo", "Strato-demo-1".into())
        .await
        .unwrap();
    let album = app.album_page("al-northern-drift").await.unwrap();
    let ids: Vec<String> = album.tracks.iter().map(|t| t.id.clone()).collect();

    // Not wanted (the window in front, or the setting off): the first track is not told.
    app.play_queue(ids.clone(), 0).await.unwrap();
    until("the first track to play", || {
        (app.player_status().state == PlaybackState::Playing).then_some(())
    })
    .await;
    events.wanted.store(true, Ordering::SeqCst);
    app.next();
    let first = until("the second track told", || {
        service.shown.lock().unwrap().first().cloned()
    })
    .await;
    assert_eq!(first.summary, album.tracks[1].title);
    assert_eq!(first.body, "Aurora Lane — Northern Drift");
    assert_eq!(first.replaces, 0);
    assert_eq!(first.app_name, "Strato");
    assert_eq!(first.desktop_entry.as_deref(), Some("Strato"));
    let image = first.image.expect("the cover");
    let cover = url::Url::parse(&image).unwrap().to_file_path().unwrap();
    assert!(
        std::fs::metadata(&cover).unwrap().len() > 0,
        "{image} is a file"
    );

    // Pausing and resuming the same track tells nothing new; the next one replaces it.
    app.pause();
    until("the pause", || {
        (app.player_status().state == PlaybackState::Paused).then_some(())
    })
    .await;
    app.resume();
    app.next();
    let second = until("the third track told", || {
        service.shown.lock().unwrap().get(1).cloned()
    })
    .await;
    assert_eq!(second.summary, album.tracks[2].title);
    assert_eq!(second.replaces, 41, "replaces the one shown before");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(service.shown.lock().unwrap().len(), 2, "one per new track");
}
