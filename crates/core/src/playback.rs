//! Turns the player's events into the [`PlayerStatus`] the UI shows.

use std::sync::{Arc, Mutex, MutexGuard};

use strato_audio::{PlayerEvent, RepeatMode};
use strato_model::ipc::{
    DownloadsStatus, OutputStatus, PlaybackState, PlayerStatus, RepeatMode as IpcRepeat,
    SyncStatus, Track,
};

use crate::error;

/// Where the app's events go: the Tauri shell forwards them to the window, tests collect them.
/// Called from the player thread and from tokio tasks; implementations must not block.
pub trait AppEvents: Send + Sync {
    fn player_status(&self, status: &PlayerStatus);
    /// Playlists changed: an edit here, or a sync brought other devices' changes.
    fn playlists_changed(&self) {}
    fn sync_status(&self, _status: &SyncStatus) {}
    fn downloads_status(&self, _status: &DownloadsStatus) {}
}

/// The current [`PlayerStatus`], shared by the player thread and the commands.
#[derive(Clone)]
pub(crate) struct StatusKeeper {
    status: Arc<Mutex<PlayerStatus>>,
    events: Arc<dyn AppEvents>,
}

impl StatusKeeper {
    pub(crate) fn new(events: Arc<dyn AppEvents>) -> Self {
        let initial = PlayerStatus::idle(OutputStatus::Unavailable {
            reason: "the audio output has not been opened yet".to_owned(),
        });
        Self {
            status: Arc::new(Mutex::new(initial)),
            events,
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
        self.events.player_status(&snapshot);
    }

    /// A new queue is about to play from `start`.
    pub(crate) fn queue_set(&self, queue: Vec<Track>, start: usize) {
        self.update(|s| {
            s.state = PlaybackState::Loading;
            s.track = queue.get(start).cloned();
            s.duration_ms = s.track.as_ref().map(|t| t.duration_ms);
            s.queue_index = u32::try_from(start).ok();
            s.queue = queue;
            s.position_ms = 0;
            s.buffered_ms = 0;
            s.error = None;
        });
    }

    /// The queue of the last run, paused where it was.
    pub(crate) fn restored(&self, queue: Vec<Track>, index: usize, position_ms: u32) {
        self.update(|s| {
            s.state = PlaybackState::Paused;
            s.track = queue.get(index).cloned();
            s.duration_ms = s.track.as_ref().map(|t| t.duration_ms);
            s.queue_index = u32::try_from(index).ok();
            s.queue = queue;
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
            }),
            PlayerEvent::Position {
                position_ms,
                duration_ms,
            } => self.update(|s| {
                s.position_ms = position_ms;
                // The catalog's duration stands in until the decoder knows better.
                if duration_ms.is_some() {
                    s.duration_ms = duration_ms;
                }
            }),
            PlayerEvent::TrackChanged { index, .. } => self.update(|s| {
                s.track = index.and_then(|i| s.queue.get(i)).cloned();
                s.duration_ms = s.track.as_ref().map(|t| t.duration_ms);
                s.queue_index = index.and_then(|i| u32::try_from(i).ok());
                s.position_ms = 0;
                s.buffered_ms = 0;
            }),
            PlayerEvent::Buffered { until_ms } => self.update(|s| s.buffered_ms = until_ms),
            PlayerEvent::Queue {
                shuffle, repeat, ..
            } => self.update(|s| {
                s.shuffle = shuffle;
                s.repeat = match repeat {
                    RepeatMode::Off => IpcRepeat::Off,
                    RepeatMode::All => IpcRepeat::All,
                    RepeatMode::One => IpcRepeat::One,
                };
            }),
            PlayerEvent::Volume(volume) => self.update(|s| s.volume = volume),
            PlayerEvent::Output(output) => self.update(|s| s.output = output),
            PlayerEvent::Error(err) => self.update(|s| s.error = Some(error::from_audio(&err))),
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
