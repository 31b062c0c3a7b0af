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
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

pub use file::{Loaded, SettingsFile, SettingsFileError, VERSION};
use strato_model::ipc::{AppError, ErrorKind, SettingKey, Settings, SettingsView};
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
    /// Why the last save failed, until one succeeds: the screen says it.
    save_problem: Arc<Mutex<Option<String>>>,
}

/// Told the settings as the screen shows them, each time a save's outcome changes what it
/// should say (a save failed, or one succeeded after a failure).
pub type SaveOutcome = Box<dyn Fn(SettingsView) + Send + Sync>;

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
            save_problem: Arc::new(Mutex::new(None)),
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
        self.view_parts().view(self.current())
    }

    fn view_parts(&self) -> ViewParts {
        ViewParts {
            overridden: self.overridden.clone(),
            file: self.file.as_ref().map(|f| f.path().display().to_string()),
            notice: self.notice.clone(),
            save_problem: Arc::clone(&self.save_problem),
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

    /// Starts the task that saves changes, on `runtime`; `told` hears when a save fails, and
    /// when one succeeds again after.
    pub fn keep_saved(&self, runtime: &tokio::runtime::Handle, told: SaveOutcome) {
        let Some(file) = self.file.clone() else {
            return;
        };
        let mut watched = self.current.subscribe();
        let (changes, saved) = (Arc::clone(&self.changes), Arc::clone(&self.saved));
        let parts = self.view_parts();
        runtime.spawn(async move {
            while watched.changed().await.is_ok() {
                // The rest of a burst (a slider dragged) goes in the same write.
                tokio::time::sleep(SAVE_DELAY).await;
                let settings = watched.borrow_and_update().clone();
                let upto = changes.load(Ordering::SeqCst);
                let file = Arc::clone(&file);
                let to_save = settings.clone();
                let problem = match tokio::task::spawn_blocking(move || file.save(&to_save)).await {
                    Ok(Ok(())) => {
                        saved.fetch_max(upto, Ordering::SeqCst);
                        None
                    }
                    Ok(Err(err)) => {
                        tracing::warn!(%err, "the settings were not saved");
                        Some(format!(
                            "Your settings could not be saved ({err}). They apply until Strato \
                             closes, and saving is tried again at the next change."
                        ))
                    }
                    Err(err) => {
                        tracing::warn!(%err, "the settings' save did not finish");
                        Some(
                            "Your settings could not be saved. They apply until Strato closes."
                                .to_owned(),
                        )
                    }
                };
                if parts.set_problem(problem) {
                    told(parts.view(settings));
                }
            }
        });
    }

    /// Saves now what has not been saved yet (the app is closing).
    pub fn flush(&self) {
        if let Err(err) = self.save_now() {
            tracing::warn!(%err, "the settings were not saved");
        }
    }

    /// Writes what is not on the disk yet, now, and says whether it could: for a change that
    /// must be kept before the app acts on it (the data folder's move).
    ///
    /// # Errors
    /// This run keeps no settings file, or the file could not be written.
    pub fn save_now(&self) -> Result<(), SettingsFileError> {
        let Some(file) = &self.file else {
            return Err(SettingsFileError::NoFile);
        };
        let upto = self.changes.load(Ordering::SeqCst);
        if self.saved.load(Ordering::SeqCst) >= upto {
            return Ok(());
        }
        file.save(&self.current())?;
        self.saved.fetch_max(upto, Ordering::SeqCst);
        Ok(())
    }
}

/// What a [`SettingsView`] holds beside the settings, for the saving task to make one.
#[derive(Debug, Clone)]
struct ViewParts {
    overridden: Vec<SettingKey>,
    file: Option<String>,
    notice: Option<String>,
    save_problem: Arc<Mutex<Option<String>>>,
}

impl ViewParts {
    fn view(&self, settings: Settings) -> SettingsView {
        let problem = self.problem();
        SettingsView {
            settings,
            overridden: self.overridden.clone(),
            file: self.file.clone(),
            notice: problem
                .or_else(|| self.notice.clone())
                .map(|words| AppError::new(ErrorKind::Storage, words)),
        }
    }

    fn problem(&self) -> Option<String> {
        self.save_problem
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Records a save's problem (or none); true when that changes what the screen says.
    fn set_problem(&self, problem: Option<String>) -> bool {
        let mut current = self
            .save_problem
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let changed = *current != problem;
        *current = problem;
        changed
    }
}

#[cfg(test)]
mod tests;
