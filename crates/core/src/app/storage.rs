//! Downloads and storage as the settings screen changes them: the limit (applied in
//! [`App::update_settings`]), clearing the stream cache, and moving the data folder (see
//! [`crate::data_folder`] for how a move keeps every file safe), the index of the local files
//! with it.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use strato_model::ipc::{
    AppError, CacheCleared, DataFolderMoved, DataFolderView, ErrorKind, Session, SettingKey,
};

use super::{App, lock};
use crate::data_folder;
use crate::local_files::Worker;
use crate::offline::AccountLibrary;

/// How long a move waits for the library's last users (a save under way, a task stopping)
/// to let it go before it gives up and says so.
const RELEASE_WAIT: Duration = Duration::from_secs(10);
const RELEASE_POLL: Duration = Duration::from_millis(20);

impl App {
    /// Where the libraries and downloads are kept.
    #[must_use]
    pub fn data_folder(&self) -> DataFolderView {
        let chosen = self.preferences.current().storage.data_dir.is_some();
        DataFolderView {
            path: self
                .data_dir
                .borrow()
                .as_ref()
                .map(|p| p.display().to_string()),
            is_default: !chosen && !self.settings.overridden.contains(&SettingKey::DataDir),
        }
    }

    /// Deletes the stream cache (tracks kept because they were heard); pinned downloads
    /// stay.
    ///
    /// # Errors
    /// No library open (`NotSignedIn`), or a file that could not be deleted.
    pub async fn clear_stream_cache(&self) -> Result<CacheCleared, AppError> {
        self.require_library()?.clear_cache().await
    }

    /// Moves every account's library and downloads to `chosen` (or a `Strato` folder inside
    /// it when it holds files of its own): the library is closed, its files copied and
    /// verified, the settings pointed at the new folder and saved, the library opened there,
    /// and only then the old files deleted. On any failure before the switch nothing has
    /// changed and the library opens where it was.
    ///
    /// # Errors
    /// In words: the environment fixes the folder, a move is under way, the folder cannot
    /// be used, the copy failed (a full disk, a file that differs), or the settings could not
    /// be saved.
    pub async fn move_data_folder(&self, chosen: String) -> Result<DataFolderMoved, AppError> {
        let refuse = |words: &str| Err(AppError::new(ErrorKind::InvalidInput, words));
        if self.settings.overridden.contains(&SettingKey::DataDir) {
            return refuse(
                "STRATO_DATA_DIR sets where your music is kept for this run, so it cannot be \
                 moved from here.",
            );
        }
        if self.settings.config_dir.is_none() {
            return refuse("This run keeps no settings, so a new folder could not be remembered.");
        }
        let Ok(_moving) = self.moving.try_lock() else {
            return refuse("Your music is being moved already.");
        };
        let Some(from) = self.data_dir.borrow().clone() else {
            return refuse("This run keeps no music on this computer.");
        };
        let chosen = PathBuf::from(chosen.trim());
        let current = from.clone();
        let to = self
            .blocking(move || data_folder::destination(&chosen, &current))
            .await?;

        let session = self.close_library().await?;
        self.close_local_files().await;
        let (source, target) = (from.clone(), to.clone());
        let copied = self
            .blocking(move || data_folder::copy_verified(&source, &target))
            .await;
        let copied = match copied.and_then(|copied| self.switch_to(&to).map(|()| copied)) {
            Ok(copied) => copied,
            Err(error) => {
                tracing::warn!(%error, "the data folder was not moved");
                let target = to.clone();
                let discarded = self.blocking(move || {
                    data_folder::discard(&target);
                    Ok(())
                });
                let _ = discarded.await;
                self.open_local_files(&from).await;
                if let Some(session) = &session {
                    self.open_library(session).await;
                }
                return Err(error);
            }
        };
        tracing::info!(
            files = copied.files,
            bytes = copied.bytes,
            "data folder moved"
        );
        self.open_local_files(&to).await;
        if let Some(session) = &session {
            self.open_library(session).await;
        }
        let old = from.clone();
        let leftover = self
            .blocking(move || data_folder::remove_originals(&old))
            .await
            .err();
        Ok(DataFolderMoved {
            path: to.display().to_string(),
            files: copied.files,
            bytes: copied.bytes,
            leftover,
        })
    }

    /// Points the settings at `to` and keeps them on the disk before anything else: the next
    /// start must find the music where it now is. Then the move is marked finished.
    fn switch_to(&self, to: &std::path::Path) -> Result<(), AppError> {
        let before = self.preferences.current().storage.data_dir;
        self.preferences
            .update(|s| s.storage.data_dir = Some(to.display().to_string()));
        if let Err(error) = self.preferences.save_now() {
            self.preferences.update(|s| s.storage.data_dir = before);
            return Err(AppError::new(
                ErrorKind::Storage,
                format!("Your music was not moved: {error}."),
            ));
        }
        self.data_dir.send_replace(Some(to.to_owned()));
        self.events.settings_changed(&self.settings());
        data_folder::finish(to)
    }

    /// Takes the library out of use and waits until nothing holds it, so its database is
    /// closed (the database folds its journal back in) and no write can come after the copy. The
    /// account it was open for, to open it again; `None` when none was open.
    async fn close_library(&self) -> Result<Option<Session>, AppError> {
        let Some(library) = lock(&self.library).take() else {
            return Ok(None);
        };
        library.go_offline();
        let session = library.session();
        let started = Instant::now();
        while !library.is_sole_user() {
            if started.elapsed() > RELEASE_WAIT {
                *lock(&self.library) = Some(library);
                self.open_library(&session).await;
                return Err(AppError::new(
                    ErrorKind::Storage,
                    "Strato is still busy with your library; try again in a moment.",
                ));
            }
            tokio::time::sleep(RELEASE_POLL).await;
        }
        // The last reference: closing the database is disk work.
        self.blocking(move || {
            drop::<Arc<AccountLibrary>>(library);
            Ok(())
        })
        .await?;
        Ok(Some(session))
    }

    /// Lets the index of the local files go, so its files are copied whole.
    async fn close_local_files(&self) {
        if let Err(error) = self.local_files.ask(Worker::close).await {
            tracing::warn!(%error, "the local files were not closed for the move");
        }
    }

    /// Takes the index of the local files up again in `data_dir`.
    async fn open_local_files(&self, data_dir: &std::path::Path) {
        let data_dir = data_dir.to_owned();
        if let Err(error) = self.local_files.ask(move |w| w.open_in(&data_dir)).await {
            tracing::warn!(%error, "the local files were not opened after the move");
        }
    }

    /// Runs disk work on the runtime's blocking threads.
    pub(super) async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, AppError> {
        let runtime = self
            .runtime
            .as_ref()
            .expect("the runtime lives as long as the app");
        runtime.spawn_blocking(work).await.map_err(|error| {
            AppError::new(ErrorKind::Internal, format!("a disk task failed: {error}"))
        })?
    }
}
