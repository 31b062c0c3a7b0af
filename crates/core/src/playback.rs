//! Turns the player's events into the [`PlayerStatus`] the UI shows.

use std::sync::{Arc, Mutex, MutexGuard};

use strato_audio::PlayerEvent;
use strato_model::ipc::{AppError, OutputStatus, PlaybackState, PlayerStatus, Track};

use crate::error;

/// Where the app's events go: the Tauri shell forwards them to the window, tests collect them.
/// Called from the player thread and from tokio tasks; implementations must not block.
pub trait AppEvents: Send + Sync {
    fn player_status(&self, status: &PlayerStatus);
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

    pub(crate) fn loading(&self, track: Track) {
        self.update(|s| {
            s.state = PlaybackState::Loading;
            s.duration_ms = Some(track.duration_ms);
            s.track = Some(track);
            s.position_ms = 0;
            s.error = None;
        });
    }

    pub(crate) fn failed(&self, error: AppError) {
        self.update(|s| {
            s.state = PlaybackState::Error;
            s.error = Some(error);
        });
    }

    pub(crate) fn apply(&self, event: PlayerEvent) {
        match event {
            PlayerEvent::State(state) => self.update(|s| s.state = state),
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
