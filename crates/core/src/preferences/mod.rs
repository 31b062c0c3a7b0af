//! The listener's choices ([`Settings`]): read from the settings file at start, changed by
//! the settings screen and by the player's own controls (volume, mute), and saved by one
//! owner.
//!
//! The choices in effect live in a watch channel: read without a lock held across anything,
//! changed in one place ([`Preferences::update`]). Saving belongs to a task on the app's
//! runtime that writes the file on a blocking thread at most once per [`SAVE_DELAY`] (a
//! volume slider dragged sends dozens of changes a second), and [`Preferences::flush`]
//! writes what is left when the app closes.

mod file;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

pub use file::{Loaded, SettingsFile, SettingsFileError, VERSION};
use strato_model::ipc::{SettingKey, Settings, SettingsView};
use tokio::sync::watch;

/// Changes within this long of each other are saved together.
pub const SAVE_DELAY: Duration = Duration::from_millis(500);

/// The listener's choices and their file.
#[derive(Debug)]
pub struct Preferences {
    current: watch::Sender<Settings>,
    /// `None`: this run keeps no file (tools, tests).
    file: Option<Arc<SettingsFile>>,
    overridden: Vec<SettingKey>,
    notice: Option<String>,
    /// Changes made, and how many of them are on the disk.
    changes: Arc<AtomicU64>,
    saved: Arc<AtomicU64>,
}

impl Preferences {
    /// The choices kept in `dir` (defaults without a file there, or with no `dir`).
    /// `overridden`: the ones the environment fixed for this run.
    #[must_use]
    pub fn load(dir: Option<&Path>, overridden: Vec<SettingKey>) -> Self {
        let (file, settings, notice) = match dir {
            Some(dir) => {
                let Loaded {
                    file,
                    settings,
                    notice,
                } = SettingsFile::load(dir);
                (Some(Arc::new(file)), settings, notice)
            }
            None => (None, Settings::default(), None),
        };
        Self {
            current: watch::Sender::new(settings),
            file,
            overridden,
            notice,
            changes: Arc::new(AtomicU64::new(0)),
            saved: Arc::new(AtomicU64::new(0)),
        }
    }

    /// The choices now.
    #[must_use]
    pub fn current(&self) -> Settings {
        self.current.borrow().clone()
    }

    /// What the settings screen shows.
    #[must_use]
    pub fn view(&self) -> SettingsView {
        SettingsView {
            settings: self.current(),
            overridden: self.overridden.clone(),
            file: self.file.as_ref().map(|f| f.path().display().to_string()),
            notice: self.notice.clone(),
        }
    }

    /// Changes the choices; true when anything changed (and will be saved).
    pub fn update(&self, change: impl FnOnce(&mut Settings)) -> bool {
        let changed = self.current.send_if_modified(|settings| {
            let before = settings.clone();
            change(settings);
            *settings != before
        });
        if changed {
            self.changes.fetch_add(1, Ordering::SeqCst);
        }
        changed
    }

    /// Starts the task that saves changes, on `runtime`.
    pub fn keep_saved(&self, runtime: &tokio::runtime::Handle) {
        let Some(file) = self.file.clone() else {
            return;
        };
        let mut watched = self.current.subscribe();
        let (changes, saved) = (Arc::clone(&self.changes), Arc::clone(&self.saved));
        runtime.spawn(async move {
            while watched.changed().await.is_ok() {
                // The rest of a burst (a slider dragged) goes in the same write.
                tokio::time::sleep(SAVE_DELAY).await;
                let settings = watched.borrow_and_update().clone();
                let upto = changes.load(Ordering::SeqCst);
                let file = Arc::clone(&file);
                match tokio::task::spawn_blocking(move || file.save(&settings)).await {
                    Ok(Ok(())) => {
                        saved.fetch_max(upto, Ordering::SeqCst);
                    }
                    Ok(Err(err)) => tracing::warn!(%err, "the settings were not saved"),
                    Err(err) => tracing::warn!(%err, "the settings' save did not finish"),
                }
            }
        });
    }

    /// Saves now what has not been saved yet (the app is closing).
    pub fn flush(&self) {
        let Some(file) = &self.file else { return };
        let upto = self.changes.load(Ordering::SeqCst);
        if self.saved.load(Ordering::SeqCst) >= upto {
            return;
        }
        match file.save(&self.current()) {
            Ok(()) => {
                self.saved.fetch_max(upto, Ordering::SeqCst);
            }
            Err(err) => tracing::warn!(%err, "the settings were not saved"),
        }
    }
}

#[cfg(test)]
mod tests;
