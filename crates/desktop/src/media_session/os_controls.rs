//! Windows' and macOS's media session through souvlaki: the System Media Transport Controls
//! (the media overlay, the lock screen, the keyboard's media keys; tied to the main window's
//! HWND) and Now Playing with its remote commands (the menu bar's Now Playing, the Touch
//! Bar, `AirPods`, the media keys).
//!
//! Both live on the app's UI thread: macOS delivers remote commands on the main run loop,
//! and the SMTC belong to the window's thread. So the controls are made and told there,
//! through [`UiThread`], and kept in a thread-local; a follower thread of ours watches what
//! plays and posts each change, resolving covers to files first.
//!
//! On Linux the same adapter runs in the tests (souvlaki's MPRIS backend standing in for the
//! OS's panel), so that what Windows and macOS build is exercised on every run; Strato's
//! Linux session itself is [`super::mpris`], richer (`Seeked`, the queue's bounds).

use std::cell::RefCell;
use std::sync::Arc;
use std::time::Duration;

use souvlaki::{
    MediaControlEvent, MediaControls, MediaMetadata, MediaPlayback, MediaPosition, PlatformConfig,
    SeekDirection,
};
use tokio::sync::watch;

use super::{MediaCommands, NowPlaying, Playback, Ready, SessionUnavailable, UiThread};

/// A seek the OS asks for without saying how far (a rewind or fast-forward button).
const SEEK_STEP: Duration = Duration::from_secs(10);

thread_local! {
    /// The controls, on the UI thread that made them.
    static CONTROLS: RefCell<Option<Shown>> = const { RefCell::new(None) };
}

/// The controls and what they were last told, so that a position tick does not resend the
/// track's metadata (Windows redraws its overlay on each).
struct Shown {
    controls: MediaControls,
    track: Option<(String, Option<String>)>,
}

/// The names the session is offered under.
#[derive(Debug, Clone)]
pub(super) struct Names {
    pub identity: String,
    /// souvlaki's D-Bus name on Linux (unused elsewhere).
    pub bus_suffix: String,
}

/// Makes the controls on the UI thread and follows `now` there until it is dropped.
pub(super) fn spawn(
    names: Names,
    commands: Arc<dyn MediaCommands>,
    now: watch::Receiver<NowPlaying>,
    ready: Ready,
    ui: UiThread,
) {
    // Everything is posted from this thread, in order: made, then told. Never from the
    // caller's, which may be the UI thread itself in the middle of the app's setup, where a
    // task runs at once, before the window it needs exists.
    let follower = std::thread::Builder::new()
        .name("strato-media-controls".to_owned())
        .spawn(move || {
            make(names, Arc::clone(&commands), now.clone(), ready, &ui);
            follow(&*commands, now, &ui);
        });
    if let Err(error) = follower {
        tracing::warn!(%error, "the media session's follower could not start");
    }
}

/// Posts the making of the controls to the UI thread; `ready` says how it went.
fn make(
    names: Names,
    commands: Arc<dyn MediaCommands>,
    now: watch::Receiver<NowPlaying>,
    ready: Ready,
    ui: &UiThread,
) {
    let handler = Handler { commands, now };
    let window_handle = Arc::clone(&ui.window_handle);
    (ui.run)(Box::new(move || {
        let hwnd = window_handle();
        let config = PlatformConfig {
            display_name: &names.identity,
            dbus_name: &names.bus_suffix,
            hwnd: hwnd.map(std::ptr::with_exposed_provenance_mut::<std::ffi::c_void>),
        };
        let made = MediaControls::new(config).and_then(|mut controls| {
            controls.attach(move |event| handler.act(event))?;
            Ok(controls)
        });
        match made {
            Ok(controls) => {
                CONTROLS.with(|slot| {
                    *slot.borrow_mut() = Some(Shown {
                        controls,
                        track: None,
                    });
                });
                ready.send_replace(Some(Ok(())));
            }
            Err(error) => {
                ready.send_replace(Some(Err(SessionUnavailable(format!("{error:?}")))));
            }
        }
    }));
}

/// Posts each change of `now` to the UI thread, the cover resolved to a file first; when
/// the session is dropped, the controls are let go there too.
fn follow(commands: &dyn MediaCommands, mut now: watch::Receiver<NowPlaying>, ui: &UiThread) {
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        return;
    };
    runtime.block_on(async {
        let mut cover: Option<(String, Option<String>)> = None;
        loop {
            let mut shown = now.borrow_and_update().clone();
            if let Some(track) = &mut shown.track {
                // One cover per album, looked up once.
                if cover
                    .as_ref()
                    .is_none_or(|(album, _)| *album != track.album_id)
                {
                    let file = commands.cover_file(&track.album_id).await;
                    cover = Some((
                        track.album_id.clone(),
                        file.and_then(|path| file_url(&path)),
                    ));
                }
                track.art_url = cover.as_ref().and_then(|(_, url)| url.clone());
            }
            (ui.run)(Box::new(move || {
                CONTROLS.with(|slot| {
                    if let Some(shown_now) = slot.borrow_mut().as_mut() {
                        show(shown_now, &shown);
                    }
                });
            }));
            if now.changed().await.is_err() {
                break;
            }
        }
    });
    (ui.run)(Box::new(|| {
        CONTROLS.with(|slot| slot.borrow_mut().take());
    }));
}

/// Tells the OS what plays.
fn show(shown: &mut Shown, now: &NowPlaying) {
    let track = now
        .track
        .as_ref()
        .map(|track| (track.id.clone(), track.art_url.clone()));
    if shown.track != track {
        let metadata = now
            .track
            .as_ref()
            .map_or_else(MediaMetadata::default, |track| MediaMetadata {
                title: Some(&track.title),
                album: Some(&track.album),
                artist: Some(&track.artist),
                cover_url: track.art_url.as_deref(),
                duration: track.length,
            });
        if let Err(error) = shown.controls.set_metadata(metadata) {
            tracing::debug!(?error, "the media session's metadata was refused");
        }
        shown.track = track;
    }
    let progress = Some(MediaPosition(now.position));
    let playback = match now.state {
        Playback::Playing => MediaPlayback::Playing { progress },
        Playback::Paused => MediaPlayback::Paused { progress },
        Playback::Stopped => MediaPlayback::Stopped,
    };
    if let Err(error) = shown.controls.set_playback(playback) {
        tracing::debug!(?error, "the media session's playback state was refused");
    }
}

/// The OS's requests, carried out on the player.
struct Handler {
    commands: Arc<dyn MediaCommands>,
    now: watch::Receiver<NowPlaying>,
}

impl Handler {
    fn act(&self, event: MediaControlEvent) {
        let commands = &*self.commands;
        match event {
            MediaControlEvent::Play => commands.play(),
            MediaControlEvent::Pause => commands.pause(),
            MediaControlEvent::Toggle => commands.play_pause(),
            MediaControlEvent::Next => commands.next(),
            MediaControlEvent::Previous => commands.previous(),
            MediaControlEvent::Stop => commands.stop(),
            MediaControlEvent::Seek(direction) => commands.seek_by(offset(direction, SEEK_STEP)),
            MediaControlEvent::SeekBy(direction, by) => commands.seek_by(offset(direction, by)),
            MediaControlEvent::SetPosition(MediaPosition(position)) => {
                let playing = self.now.borrow().track.as_ref().map(|t| t.id.clone());
                if let Some(id) = playing {
                    commands.set_position(&id, position);
                }
            }
            MediaControlEvent::SetVolume(volume) => commands.set_volume(volume.clamp(0.0, 1.0)),
            MediaControlEvent::SetShuffle(shuffle) => commands.set_shuffle(shuffle),
            MediaControlEvent::Raise => commands.raise(),
            // Quitting and opening addresses are the app's to offer, not a panel's.
            MediaControlEvent::Quit | MediaControlEvent::OpenUri(_) => {}
            other => tracing::debug!(?other, "a media session request Strato does not take"),
        }
    }
}

fn offset(direction: SeekDirection, by: Duration) -> i64 {
    let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
    match direction {
        SeekDirection::Forward => ms,
        SeekDirection::Backward => -ms,
    }
}

/// `path` as a `file://` URL (percent-encoded as a URL must be).
fn file_url(path: &std::path::Path) -> Option<String> {
    url::Url::from_file_path(path).ok().map(String::from)
}

/// The adapter on Linux, through souvlaki's MPRIS backend on the test's session bus, as
/// a desktop panel would call it (`dbus-run-session`: the test command's
/// `scripts/lib/secret-service.sh`).
#[cfg(all(test, target_os = "linux"))]
mod tests {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex, mpsc};
    use std::time::{Duration, Instant};

    use tokio::sync::watch;
    use zbus::zvariant::OwnedValue;

    use super::{Names, spawn};
    use crate::media_session::{
        CoverFile, MediaCommands, NowPlaying, NowPlayingTrack, Playback, UiThread,
    };

    /// What the OS asked of the player, in order.
    #[derive(Default)]
    struct Asked(Mutex<Vec<String>>);

    impl Asked {
        fn note(&self, what: String) {
            self.0.lock().expect("not poisoned").push(what);
        }
        fn all(&self) -> Vec<String> {
            self.0.lock().expect("not poisoned").clone()
        }
    }

    impl MediaCommands for Asked {
        fn play(&self) {
            self.note("play".into());
        }
        fn pause(&self) {
            self.note("pause".into());
        }
        fn play_pause(&self) {
            self.note("play_pause".into());
        }
        fn stop(&self) {
            self.note("stop".into());
        }
        fn next(&self) {
            self.note("next".into());
        }
        fn previous(&self) {
            self.note("previous".into());
        }
        fn seek_by(&self, offset_ms: i64) {
            self.note(format!("seek_by {offset_ms}"));
        }
        fn set_position(&self, track_id: &str, position: Duration) {
            self.note(format!("set_position {track_id} {}", position.as_millis()));
        }
        fn set_volume(&self, volume: f64) {
            self.note(format!("set_volume {volume}"));
        }
        fn set_shuffle(&self, shuffle: bool) {
            self.note(format!("set_shuffle {shuffle}"));
        }
        fn set_repeat(&self, _repeat: strato_model::ipc::RepeatMode) {}
        fn raise(&self) {
            self.note("raise".into());
        }
        fn cover_file(&self, _album_id: &str) -> CoverFile {
            Box::pin(async { Some(std::path::PathBuf::from("/covers/al one.jpg")) })
        }
    }

    /// A UI thread as the app's: one thread running what is posted to it, in order.
    fn ui_thread() -> UiThread {
        let (post, posted) = mpsc::channel::<Box<dyn FnOnce() + Send>>();
        std::thread::spawn(move || {
            for task in posted {
                task();
            }
        });
        let post = Mutex::new(post);
        UiThread {
            run: Arc::new(move |task| {
                let _ = post.lock().expect("not poisoned").send(task);
            }),
            window_handle: Arc::new(|| None),
        }
    }

    async fn until<T>(what: &str, mut check: impl AsyncFnMut() -> Option<T>) -> T {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(value) = check().await {
                return value;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn text(metadata: &HashMap<String, OwnedValue>, key: &str) -> Option<String> {
        String::try_from(metadata.get(key)?.try_clone().ok()?).ok()
    }

    /// The adapter started as `name` with a recorder of what it is asked, once it says it
    /// is offered; what plays is told through the sender.
    async fn offered(name: &str) -> (Arc<Asked>, watch::Sender<NowPlaying>) {
        let asked = Arc::new(Asked::default());
        let (now, watched) = watch::channel(NowPlaying::default());
        let (ready, mut readiness) = watch::channel(None);
        spawn(
            Names {
                identity: "Strato".into(),
                bus_suffix: name.to_owned(),
            },
            asked.clone(),
            watched,
            ready,
            ui_thread(),
        );
        let outcome = readiness
            .wait_for(Option::is_some)
            .await
            .expect("told")
            .clone();
        assert_eq!(outcome, Some(Ok(())), "the controls were made");

        (asked, now)
    }

    /// The player's interface as a panel reads it.
    async fn player<'a>(bus: &'a zbus::Connection, name: &str) -> zbus::Proxy<'a> {
        // Each read asks the bus, as a panel does after a change: a cached copy would keep
        // what the first read saw.
        zbus::proxy::Builder::new(bus)
            .destination(format!("org.mpris.MediaPlayer2.{name}"))
            .expect("a bus name")
            .path("/org/mpris/MediaPlayer2")
            .expect("an object path")
            .interface("org.mpris.MediaPlayer2.Player")
            .expect("an interface")
            .cache_properties(zbus::proxy::CacheProperties::No)
            .build()
            .await
            .expect("the player's proxy")
    }

    #[tokio::test]
    async fn the_os_panel_sees_what_plays_and_its_buttons_act_on_the_player() {
        assert!(
            std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
            "no session bus: run the tests through scripts/lib/secret-service.sh"
        );
        let name = format!("strato_os_controls_{}", std::process::id());
        let (asked, now) = offered(&name).await;

        now.send_replace(NowPlaying {
            track: Some(NowPlayingTrack {
                id: "tr-polar-morning".into(),
                album_id: "al-northern-drift".into(),
                title: "Polar Morning".into(),
                artist: "Aurora Lane".into(),
                album: "Northern Drift".into(),
                length: Some(Duration::from_secs(200)),
                art_url: None,
            }),
            state: Playback::Playing,
            position: Duration::from_secs(12),
            volume: 0.8,
            ..NowPlaying::default()
        });

        let bus = zbus::Connection::session().await.expect("the session bus");
        let player = player(&bus, &name).await;
        let metadata = until("the track's metadata", async || {
            let metadata: HashMap<String, OwnedValue> =
                player.get_property("Metadata").await.ok()?;
            (text(&metadata, "xesam:title").as_deref() == Some("Polar Morning")).then_some(metadata)
        })
        .await;
        assert_eq!(
            text(&metadata, "xesam:album").as_deref(),
            Some("Northern Drift")
        );
        assert_eq!(
            text(&metadata, "mpris:artUrl").as_deref(),
            Some("file:///covers/al%20one.jpg"),
            "the cover, as a file URL"
        );
        let status: String = player.get_property("PlaybackStatus").await.expect("status");
        assert_eq!(status, "Playing");

        for (method, expected) in [
            ("PlayPause", "play_pause"),
            ("Next", "next"),
            ("Previous", "previous"),
            ("Pause", "pause"),
        ] {
            let _: () = player.call(method, &()).await.expect(method);
            until(expected, async || {
                asked
                    .all()
                    .iter()
                    .any(|seen| seen == expected)
                    .then_some(())
            })
            .await;
        }
        let _: () = player.call("Seek", &(-5_000_000_i64)).await.expect("Seek");
        until("a seek back by 5 s", async || {
            asked
                .all()
                .iter()
                .any(|seen| seen == "seek_by -5000")
                .then_some(())
        })
        .await;

        // Paused: the panel says so.
        now.send_modify(|shown| shown.state = Playback::Paused);
        until("paused", async || {
            let status: String = player.get_property("PlaybackStatus").await.ok()?;
            (status == "Paused").then_some(())
        })
        .await;

        // The session dropped: the controls leave the bus.
        drop(now);
        let names = zbus::fdo::DBusProxy::new(&bus).await.expect("the bus");
        until("the name released", async || {
            let owned = names
                .name_has_owner(
                    format!("org.mpris.MediaPlayer2.{name}")
                        .as_str()
                        .try_into()
                        .ok()?,
                )
                .await
                .ok()?;
            (!owned).then_some(())
        })
        .await;
    }
}
