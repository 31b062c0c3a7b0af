//! The computer kept awake while music plays, on a real session bus: the real app core
//! playing a file, its statuses told to [`KeepAwake`], and the desktop's side served on the
//! bus as GNOME's or KDE's is: the XDG portal's `Inhibit` first, then, with no portal, the
//! `PowerManagement` inhibitor. Runs in `dbus-run-session` (the test command's
//! `scripts/lib/secret-service.sh`).
#![cfg(target_os = "linux")]

use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use strato_core::{App, AppEvents, AppSettings, AudioOutput};
use strato_desktop::keep_awake::{KeepAwake, REASON};
use strato_model::ipc::{PlaybackState, PlayerStatus};
use strato_testkit::media_dir;
use strato_testkit::portal::{DesktopPortal, Inhibition, Scheme};

/// Tells the keeper each status, as the shell's events do.
#[derive(Default)]
struct ToKeeper(OnceLock<KeepAwake>);

impl AppEvents for ToKeeper {
    fn player_status(&self, status: &PlayerStatus) {
        if let Some(keeper) = self.0.get() {
            keeper.follow(status);
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

/// A cookie given: (cookie, app, reason, given back).
type Cookie = (u32, String, String, bool);

/// The power manager of KDE and Xfce, as far as inhibiting goes: cookies given and taken back.
#[derive(Default, Clone)]
struct PowerManager {
    held: Arc<Mutex<Vec<Cookie>>>,
}

#[zbus::interface(name = "org.freedesktop.PowerManagement.Inhibit")]
impl PowerManager {
    fn inhibit(&self, application: &str, reason: &str) -> u32 {
        let mut held = self.held.lock().unwrap();
        let cookie = 100 + u32::try_from(held.len()).unwrap();
        held.push((cookie, application.to_owned(), reason.to_owned(), false));
        cookie
    }

    fn un_inhibit(&self, cookie: u32) {
        for entry in self.held.lock().unwrap().iter_mut() {
            if entry.0 == cookie {
                entry.3 = true;
            }
        }
    }
}

fn start_app(events: Arc<ToKeeper>) -> App {
    App::start(
        AppSettings::new("http://127.0.0.1:9", AudioOutput::Null),
        events,
    )
    .unwrap()
}

fn song() -> String {
    media_dir()
        .join("media/tr-low-orbit-lullaby/mp3/high.mp3")
        .display()
        .to_string()
}

async fn state_is(app: &App, state: PlaybackState) {
    until(&format!("{state:?}"), || {
        (app.player_status().state == state).then_some(())
    })
    .await;
}

#[tokio::test]
async fn the_computer_stays_awake_while_music_plays_and_only_then() {
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "needs a session bus: run through scripts/test (dbus-run-session)"
    );

    // With the desktop's portal.
    let portal = DesktopPortal::serve(Scheme::NoPreference).await;
    let events = Arc::new(ToKeeper::default());
    let app = start_app(Arc::clone(&events));
    assert!(
        events
            .0
            .set(KeepAwake::start("Strato", "dev.strato.desktop"))
            .is_ok()
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(portal.inhibitions().is_empty(), "nothing held before music");

    app.play_locations(vec![song()], 0, 0).unwrap();
    state_is(&app, PlaybackState::Playing).await;
    let held = until("the portal to be asked", || {
        portal.inhibitions().first().cloned()
    })
    .await;
    assert_eq!(
        held,
        Inhibition {
            flags: 4,
            reason: REASON.to_owned(),
            closed: false
        },
        "suspend inhibited, with words"
    );

    app.pause();
    until("the inhibition to be let go on pause", || {
        portal.inhibitions()[0].closed.then_some(())
    })
    .await;
    app.resume();
    until("a new one on resume", || {
        (portal.inhibitions().len() == 2).then_some(())
    })
    .await;
    assert!(!portal.inhibitions()[1].closed);
    drop(app);
    drop(events);
    until("the last one let go as the app ends", || {
        portal.inhibitions()[1].closed.then_some(())
    })
    .await;
    assert_eq!(portal.inhibitions().len(), 2, "one per stretch of music");
    drop(portal);

    // Without a portal: the power manager.
    let power = PowerManager::default();
    let _bus = zbus::connection::Builder::session()
        .unwrap()
        .name("org.freedesktop.PowerManagement")
        .unwrap()
        .serve_at("/org/freedesktop/PowerManagement/Inhibit", power.clone())
        .unwrap()
        .build()
        .await
        .unwrap();
    let events = Arc::new(ToKeeper::default());
    let app = start_app(Arc::clone(&events));
    assert!(
        events
            .0
            .set(KeepAwake::start("Strato", "dev.strato.desktop"))
            .is_ok()
    );
    app.play_locations(vec![song()], 0, 0).unwrap();
    let (cookie, application, reason, _) = until("the power manager to be asked", || {
        power.held.lock().unwrap().first().cloned()
    })
    .await;
    assert_eq!((application.as_str(), reason.as_str()), ("Strato", REASON));
    app.stop();
    until("the cookie given back on stop", || {
        power.held.lock().unwrap()[0].3.then_some(())
    })
    .await;
    assert_eq!(power.held.lock().unwrap().len(), 1);
    assert_eq!(power.held.lock().unwrap()[0].0, cookie);
}
