//! Turns the player's events into the [`PlayerStatus`] the UI shows (and hands its queue
//! snapshots to the [`QueueKeeper`]).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use strato_audio::{PlayerEvent, RepeatMode};
use strato_model::ipc::{
    CatalogChange, DevicesView, DownloadsStatus, LocalFilesView, OutputStatus, PlaybackState,
    PlayerStatus, QueueView, RepeatMode as IpcRepeat, SettingsView, SyncStatus, Track,
    TransfersStatus,
};

use crate::devices::Presence;
use crate::error;
use crate::queue_view::QueueKeeper;

/// Where the app's events go: the Tauri shell forwards them to the window, tests collect them.
/// Called from the player thread and from tokio tasks; implementations must not block.
pub trait AppEvents: Send + Sync {
    /// The player's status: on every change, and four times a second while playing and
    /// the window is shown (see [`crate::App::set_window_shown`]).
    fn player_status(&self, status: &PlayerStatus);
    /// The queue changed: once per change (see [`QueueView`]).
    fn queue_changed(&self, _view: &QueueView) {}
    /// Playlists changed: an edit here, or a sync brought other devices' changes.
    fn playlists_changed(&self) {}
    /// The stars kept changed other than by the window's own toggle: the server refused a
    /// waiting one for good (made offline, sent by the sync pass), and the star went back.
    /// The window reads the stars (and an open Starred page) again.
    fn stars_changed(&self) {}
    fn sync_status(&self, _status: &SyncStatus) {}
    fn downloads_status(&self, _status: &DownloadsStatus) {}
    /// Uploads moved on: progress, a state, a failure (at most four times a second).
    fn transfers_status(&self, _status: &TransfersStatus) {}
    /// The listener's uploads on the service changed (processed, edited, deleted, on this
    /// device or another): the uploads screen reads them again.
    fn uploads_changed(&self) {}
    /// The listener signed out everywhere on another device: every session of theirs has
    /// ended, this one's too. The window signs out (forgetting the kept session) and says why.
    fn signed_out_elsewhere(&self) {}
    /// The catalog list changed, or its walk moved on: after each page of a walk.
    fn catalog_changed(&self, _change: &CatalogChange) {}
    /// The listener's settings changed (the settings screen took them), or what the screen
    /// should say of them did (a save failed, or succeeded again).
    fn settings_changed(&self, _view: &SettingsView) {}
    /// The listener's devices changed: one came or went, says what it plays now, or a
    /// command to one could not be carried out.
    fn devices_changed(&self, _view: &DevicesView) {}
    /// A launch was handed over (a link, files, `strato play`): the window should ask for
    /// it (`App::run_launches`).
    fn launches_waiting(&self) {}
    /// The listener's music folders on this computer changed: one added or removed, a scan
    /// moving on (a few times a second at most) or ending, a change on disk taken in.
    fn local_files_changed(&self, _view: &LocalFilesView) {}
    /// A playlist kept on this computer was created, renamed, deleted or its items changed,
    /// or which of its files are missing may have (a scan that changed the index ended, the
    /// watcher took a change in, a music folder was removed), or the index went out of
    /// reach or came back (the data folder moved): the sidebar and an open one read theirs
    /// again.
    fn local_playlists_changed(&self) {}
}

/// The current [`PlayerStatus`], shared by the player thread and the commands.
#[derive(Clone)]
pub(crate) struct StatusKeeper {
    status: Arc<Mutex<PlayerStatus>>,
    events: Arc<dyn AppEvents>,
    queue: Arc<QueueKeeper>,
    /// Whether anyone is watching the position move. While not, ticks only update the
    /// status: a hidden window woken four times a second for nothing costs more CPU than
    /// the playback itself.
    shown: Arc<AtomicBool>,
    /// What the listener's other devices are told this one plays.
    presence: Arc<Presence>,
}

impl StatusKeeper {
    pub(crate) fn new(
        events: Arc<dyn AppEvents>,
        queue: Arc<QueueKeeper>,
        presence: Arc<Presence>,
    ) -> Self {
        let initial = PlayerStatus::idle(OutputStatus::Unavailable {
            reason: "the audio output has not been opened yet".to_owned(),
        });
        Self {
            status: Arc::new(Mutex::new(initial)),
            events,
            queue,
            shown: Arc::new(AtomicBool::new(true)),
            presence,
        }
    }

    /// The window was shown or hidden. Shown again, it is told the status at once, since
    /// the ticks it missed moved the position.
    pub(crate) fn set_shown(&self, shown: bool) {
        let was = self.shown.swap(shown, Ordering::Relaxed);
        if shown && !was {
            self.events.player_status(&self.snapshot());
        }
    }

    pub(crate) fn snapshot(&self) -> PlayerStatus {
        self.lock().clone()
    }

    /// Applies `change` and tells the UI. The lock is released before the event goes out.
    pub(crate) fn update(&self, change: impl FnOnce(&mut PlayerStatus)) {
        let snapshot = {
            let mut status = self.lock();
            change(&mut status);
            status.clone()
        };
        self.presence.observe(&snapshot);
        self.events.player_status(&snapshot);
    }

    /// Applies `change` and tells the UI only if it changed anything.
    fn update_if_changed(&self, change: impl FnOnce(&mut PlayerStatus)) {
        let snapshot = {
            let mut status = self.lock();
            let before = status.clone();
            change(&mut status);
            if *status == before {
                return;
            }
            status.clone()
        };
        self.presence.observe(&snapshot);
        self.events.player_status(&snapshot);
    }

    /// A new queue is about to play `track`.
    pub(crate) fn starting(&self, track: Option<Track>) {
        self.update(|s| {
            s.state = PlaybackState::Loading;
            s.duration_ms = track.as_ref().map(|t| t.duration_ms);
            s.track = track;
            s.position_ms = 0;
            s.buffered_ms = 0;
            s.error = None;
        });
    }

    /// The queue of the last run, paused where it was in `track`.
    pub(crate) fn restored(&self, track: Option<Track>, position_ms: u32) {
        self.update(|s| {
            s.state = PlaybackState::Paused;
            s.duration_ms = track.as_ref().map(|t| t.duration_ms);
            s.track = track;
            s.position_ms = position_ms;
            s.buffered_ms = 0;
            s.error = None;
        });
    }

    pub(crate) fn apply(&self, event: PlayerEvent) {
        match event {
            PlayerEvent::State(state) => self.update(|s| {
                s.state = state;
                if state == PlaybackState::Playing {
                    s.error = None;
                }
                // Nothing goes out any more: no way to describe.
                if matches!(
                    state,
                    PlaybackState::Idle | PlaybackState::Ended | PlaybackState::Error
                ) {
                    s.signal = None;
                }
            }),
            PlayerEvent::Position {
                position_ms,
                duration_ms,
                buffered_ms,
            } => {
                let tick = |s: &mut PlayerStatus| {
                    s.position_ms = position_ms;
                    // The catalog's duration stands in until the decoder knows better.
                    if duration_ms.is_some() {
                        s.duration_ms = duration_ms;
                    }
                    if let Some(buffered_ms) = buffered_ms {
                        s.buffered_ms = buffered_ms;
                    }
                };
                if self.shown.load(Ordering::Relaxed) {
                    self.update(tick);
                } else {
                    let mut status = self.lock();
                    tick(&mut status);
                    // A seek while hidden (from the media keys) is news for the others.
                    self.presence.observe(&status);
                }
            }
            PlayerEvent::TrackChanged { id, .. } => {
                let track = id.and_then(|id| self.queue.track(&id));
                self.update(|s| {
                    s.duration_ms = track.as_ref().map(|t| t.duration_ms);
                    s.track = track;
                    s.position_ms = 0;
                    s.buffered_ms = 0;
                });
            }
            PlayerEvent::Queue(snapshot) => {
                let (shuffle, repeat) = (snapshot.shuffle(), snapshot.repeat);
                self.queue.apply(snapshot);
                // Shuffle and repeat are the bar's too; most queue changes touch neither.
                self.update_if_changed(|s| {
                    s.shuffle = shuffle;
                    s.repeat = match repeat {
                        RepeatMode::Off => IpcRepeat::Off,
                        RepeatMode::All => IpcRepeat::All,
                        RepeatMode::One => IpcRepeat::One,
                    };
                });
            }
            PlayerEvent::Volume(volume) => self.update(|s| s.volume = volume),
            PlayerEvent::Output(output) => self.update(|s| s.output = output),
            PlayerEvent::Signal(signal) => self.update_if_changed(|s| s.signal = Some(signal)),
            PlayerEvent::Error { error: err, .. } => {
                self.update(|s| s.error = Some(error::from_audio(&err)));
            }
            other => tracing::debug!(?other, "player event not shown"),
        }
    }

    fn lock(&self) -> MutexGuard<'_, PlayerStatus> {
        // A panic elsewhere while holding the lock leaves a status that is still readable.
        self.status
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
