//! The OS's media session: what plays, shown in the desktop's media panel and lock screen,
//! and the media keys and panel buttons acting on the player, with the window hidden too.
//!
//! The shell (or a test) starts a [`MediaSession`] with [`MediaCommands`] (what the desktop
//! asks of the player) and tells it each [`PlayerStatus`](strato_model::ipc::PlayerStatus)
//! ([`MediaSession::follow`]). [`CoreControls`] are the commands as the app core carries them
//! out.
//!
//! Linux: MPRIS (`org.mpris.MediaPlayer2` and `.Player` on the session bus) through
//! mpris-server, on a thread of its own (its server is not `Send`), so the desktop's own
//! handling of media keys (GNOME, KDE, the wlroots desktops through playerctl) reaches
//! Strato with no key grab. Windows (System Media Transport Controls) and macOS (Now
//! Playing and its remote commands): souvlaki, on the app's UI thread ([`UiThread`]), in
//! `os_controls` (which the Linux tests run through souvlaki's own MPRIS backend).

mod core_controls;
#[cfg(target_os = "linux")]
mod mpris;
#[cfg(any(windows, target_os = "macos", all(test, target_os = "linux")))]
mod os_controls;

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use strato_model::ipc::{PlaybackState, PlayerStatus, QueueView, RepeatMode};
use tokio::sync::watch;

pub use core_controls::{CoreAccess, CoreControls};

/// What the desktop is told about the player.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NowPlaying {
    pub track: Option<NowPlayingTrack>,
    pub state: Playback,
    pub position: Duration,
    /// 0.0 to 1.0.
    pub volume: f64,
    pub shuffle: bool,
    pub repeat: RepeatMode,
    /// Where the track is in the queue, once the queue said so.
    pub queue: Option<QueuePlace>,
}

/// The current entry's place in the queue (in play order) and the queue's length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueuePlace {
    pub current: u32,
    pub length: u32,
}

impl NowPlaying {
    /// Whether "next" has somewhere to go: a later entry, or any with repeat all.
    #[must_use]
    pub fn can_go_next(&self) -> bool {
        match (self.repeat, self.queue) {
            (_, None) => false,
            (RepeatMode::All, Some(place)) => place.length > 0,
            (_, Some(place)) => place.current + 1 < place.length,
        }
    }

    /// Whether "previous" does anything: with a track, it goes back one or to its start.
    #[must_use]
    pub fn can_go_previous(&self) -> bool {
        self.track.is_some()
    }
}

/// The track playing (or paused, or next to play).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NowPlayingTrack {
    /// The catalog id (or a URL or path for what is played by address).
    pub id: String,
    pub album_id: String,
    pub title: String,
    pub artist: String,
    pub album: String,
    pub length: Option<Duration>,
    /// A `file://` URL of the cover, where one is kept on disk (the session finds it).
    pub art_url: Option<String>,
}

/// Playing, paused or stopped, as media sessions know it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Playback {
    Playing,
    Paused,
    #[default]
    Stopped,
}

impl NowPlaying {
    /// The player's status as the desktop sees it.
    #[must_use]
    pub fn from_status(status: &PlayerStatus) -> Self {
        let state = match status.state {
            // Loading and buffering are playing for the listener: the music is on its way.
            PlaybackState::Playing | PlaybackState::Loading | PlaybackState::Buffering => {
                Playback::Playing
            }
            PlaybackState::Paused => Playback::Paused,
            _ => Playback::Stopped,
        };
        Self {
            track: status.track.as_ref().map(|track| NowPlayingTrack {
                id: track.id.clone(),
                album_id: track.album_id.clone(),
                title: track.title.clone(),
                artist: track.artist_name.clone(),
                album: track.album_title.clone(),
                length: status
                    .duration_ms
                    .map(|ms| Duration::from_millis(ms.into())),
                art_url: None,
            }),
            state,
            position: Duration::from_millis(status.position_ms.into()),
            volume: f64::from(status.volume),
            shuffle: status.shuffle,
            repeat: status.repeat,
            queue: None,
        }
    }
}

/// What the desktop asks of the player. Each is quick and never blocks: the player's own
/// commands are sent to its thread.
pub trait MediaCommands: Send + Sync + 'static {
    fn play(&self);
    fn pause(&self);
    fn play_pause(&self);
    fn stop(&self);
    fn next(&self);
    fn previous(&self);
    /// Moves by `offset` (back when negative) within the track.
    fn seek_by(&self, offset_ms: i64);
    /// Moves to `position` within the track `track_id`; ignored when another plays now.
    fn set_position(&self, track_id: &str, position: Duration);
    fn set_volume(&self, volume: f64);
    fn set_shuffle(&self, shuffle: bool);
    fn set_repeat(&self, repeat: RepeatMode);
    /// Brings the window to the front.
    fn raise(&self);
    /// The album's cover as a file, for the session's art; `None` when there is none.
    fn cover_file(&self, album_id: &str) -> CoverFile;
}

/// A cover on its way to the disk.
pub type CoverFile = std::pin::Pin<Box<dyn Future<Output = Option<PathBuf>> + Send>>;

/// Work for the UI thread.
pub type UiTask = Box<dyn FnOnce() + Send>;

/// The app's UI thread, where Windows' and macOS's media controls must live: macOS delivers
/// its remote commands on the main run loop, and the SMTC belong to the window's thread.
#[derive(Clone)]
pub struct UiThread {
    /// Runs a task on the UI thread, in the order posted (Tauri's `run_on_main_thread`).
    pub run: Arc<dyn Fn(UiTask) + Send + Sync>,
    /// Windows: the main window's handle (its HWND's address), asked on the UI thread when
    /// the controls are made; `None` elsewhere.
    pub window_handle: Arc<dyn Fn() -> Option<usize> + Send + Sync>,
}

impl fmt::Debug for UiThread {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("UiThread")
    }
}

/// Why there is no media session: no session bus, its name taken, or an OS not done yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionUnavailable(pub String);

impl fmt::Display for SessionUnavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the OS media session is unavailable: {}", self.0)
    }
}

impl std::error::Error for SessionUnavailable {}

/// Where a backend says whether the desktop took the session.
type Ready = watch::Sender<Option<Result<(), SessionUnavailable>>>;

/// The media session while it lives: dropping it leaves the desktop's panel.
#[derive(Debug)]
pub struct MediaSession {
    now: watch::Sender<NowPlaying>,
    /// `None` while starting; then whether it could.
    ready: watch::Receiver<Option<Result<(), SessionUnavailable>>>,
}

impl MediaSession {
    /// Offers the player to the desktop as `name` (on Linux the bus name
    /// `org.mpris.MediaPlayer2.<name>`), shown as `identity`, its launcher `desktop_entry`.
    /// Returns at once; [`Self::ready`] says whether the desktop took it. Windows and macOS
    /// make their controls on `ui`.
    #[must_use]
    pub fn start(
        name: &str,
        identity: &str,
        desktop_entry: &str,
        commands: Arc<dyn MediaCommands>,
        ui: UiThread,
    ) -> Self {
        let (now, watched) = watch::channel(NowPlaying::default());
        let (told, ready) = watch::channel(None);
        #[cfg(target_os = "linux")]
        {
            // MPRIS runs on a thread of its own.
            drop(ui);
            mpris::spawn(
                mpris::Names {
                    bus_suffix: name.to_owned(),
                    identity: identity.to_owned(),
                    desktop_entry: desktop_entry.to_owned(),
                },
                commands,
                watched,
                told,
            );
        }
        #[cfg(any(windows, target_os = "macos"))]
        {
            let _ = desktop_entry;
            os_controls::spawn(
                os_controls::Names {
                    identity: identity.to_owned(),
                    bus_suffix: name.to_owned(),
                },
                commands,
                watched,
                told,
                ui,
            );
        }
        #[cfg(not(any(target_os = "linux", windows, target_os = "macos")))]
        {
            let _ = (name, identity, desktop_entry, commands, watched, ui);
            told.send_replace(Some(Err(SessionUnavailable(
                "this OS has no media session Strato knows".to_owned(),
            ))));
        }
        Self { now, ready }
    }

    /// Tells the desktop where the player is now.
    pub fn follow(&self, status: &PlayerStatus) {
        let mut now = NowPlaying::from_status(status);
        self.now.send_if_modified(|shown| {
            now.queue = shown.queue;
            let changed = *shown != now;
            *shown = now;
            changed
        });
    }

    /// Tells the desktop where the track is in the queue (whether "next" can go anywhere).
    pub fn follow_queue(&self, view: &QueueView) {
        let place = view.current.map(|current| QueuePlace {
            current,
            length: view.length,
        });
        self.now.send_if_modified(|shown| {
            let changed = shown.queue != place;
            shown.queue = place;
            changed
        });
    }

    /// Waits until the session is offered to the desktop, or says why it could not be.
    ///
    /// # Errors
    /// [`SessionUnavailable`] in words.
    pub async fn ready(&self) -> Result<(), SessionUnavailable> {
        let mut ready = self.ready.clone();
        let outcome = ready
            .wait_for(Option::is_some)
            .await
            .map_err(|_| SessionUnavailable("its thread ended".to_owned()))?;
        outcome.clone().unwrap_or(Ok(()))
    }
}
