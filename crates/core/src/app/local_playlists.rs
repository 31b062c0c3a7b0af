//! Playlists kept on this computer ("local playlists"): lists of the listener's own files,
//! kept in the index of local files (`strato-local`, owned by the local files' worker, see
//! [`crate::local_files`]) rather than in an account, so they are there signed out, offline
//! and under every account, and never sync.
//!
//! Every command runs on the worker's thread, which owns the index's connection; each write
//! is one transaction there, and tells the window ([`AppEvents::local_playlists_changed`])
//! once it is kept. Refusals come from the index in words: a service's track (`InvalidInput`,
//! the whole call), a playlist gone (`NotFound`), the index failing (`Storage`).
//!
//! When the index cannot be used (the data folder being moved, an index of a newer Strato, a
//! damaged or locked file), every command answers `Storage` with the worker's words for why:
//! the window says so, rather than show no playlists or take each for deleted. Only before
//! the index is made (no folder added, no playlist made yet) is there nothing to show.
//!
//! [`AppEvents::local_playlists_changed`]: crate::AppEvents::local_playlists_changed

use strato_local::LocalIndex;
use strato_model::ipc::{
    AppError, ErrorKind, LocalPlaylistEdited, LocalPlaylistPage, LocalPlaylistSummary,
    PlaylistItemEdit, Track,
};

use super::App;
use crate::error::from_local;

impl App {
    /// The playlists kept on this computer, by name (none before the index is made).
    ///
    /// # Errors
    /// `Storage` when the index cannot be used or read.
    pub async fn local_playlists(&self) -> Result<Vec<LocalPlaylistSummary>, AppError> {
        self.read_local_playlists(|index| index.playlists().map(Some))
            .await
            .map(Option::unwrap_or_default)
    }

    /// The playlist `id` with every item in order: a file there as the index has it, a file
    /// gone by the tags kept of it, marked missing.
    ///
    /// # Errors
    /// `NotFound` when there is no such playlist; `Storage` when the index cannot be used.
    pub async fn local_playlist(&self, id: &str) -> Result<LocalPlaylistPage, AppError> {
        let id = id.to_owned();
        self.read_local_playlists(move |index| index.playlist(&id).map(Some))
            .await?
            .ok_or_else(gone)
    }

    /// Creates a playlist on this computer named `name` of `track_ids` (files on this
    /// computer; none is fine). Makes the index if no folder was added yet.
    ///
    /// # Errors
    /// `InvalidInput` for an empty name or a track that is not a file on this computer;
    /// `Storage` when the index cannot be written. A file that is not there is kept, by its
    /// name, as missing.
    pub async fn create_local_playlist(
        &self,
        name: &str,
        track_ids: Vec<String>,
    ) -> Result<LocalPlaylistSummary, AppError> {
        let name = name.to_owned();
        let created = self
            .local_files
            .ask(move |worker| {
                worker
                    .index_for_writing()?
                    .create_playlist(&name, &track_ids)
                    .map_err(|e| from_local(&e))
            })
            .await??;
        self.events.local_playlists_changed();
        Ok(created)
    }

    /// Renames the playlist `id`.
    ///
    /// # Errors
    /// `NotFound` when it is gone; `InvalidInput` for an empty name.
    pub async fn rename_local_playlist(
        &self,
        id: &str,
        name: &str,
    ) -> Result<LocalPlaylistSummary, AppError> {
        let (id, name) = (id.to_owned(), name.to_owned());
        self.write_local_playlist(move |index| index.rename_playlist(&id, &name))
            .await
    }

    /// Deletes the playlist `id` (its files stay).
    ///
    /// # Errors
    /// `NotFound` when it is gone already.
    pub async fn delete_local_playlist(&self, id: &str) -> Result<(), AppError> {
        let id = id.to_owned();
        self.write_local_playlist(move |index| index.delete_playlist(&id))
            .await
    }

    /// Applies `edits` to the playlist `id` in order, all or none (tracks added at a
    /// place, items removed or moved by their ids); given `expected_revision` (an edit
    /// computed from positions, as an Undo of a removal), only if nothing changed it since.
    /// Answers the playlist's summary and the items added.
    ///
    /// # Errors
    /// `NotFound` when the playlist is gone; `InvalidInput`, nothing changed, when it
    /// changed since `expected_revision` or no longer holds an item named, or for a track
    /// that is not a file on this computer (a file that is not there is kept, by its name,
    /// as missing).
    pub async fn edit_local_playlist(
        &self,
        id: &str,
        edits: Vec<PlaylistItemEdit>,
        expected_revision: Option<u32>,
    ) -> Result<LocalPlaylistEdited, AppError> {
        let id = id.to_owned();
        self.write_local_playlist(move |index| index.edit_playlist(&id, &edits, expected_revision))
            .await
    }

    /// The name and the tracks of the playlist `id`, in order (missing files by their kept
    /// tags), for an export.
    pub(super) async fn local_playlist_tracks(
        &self,
        id: &str,
    ) -> Result<(String, Vec<Track>), AppError> {
        let page = self.local_playlist(id).await?;
        Ok((
            page.name,
            page.items.into_iter().map(|item| item.track).collect(),
        ))
    }

    /// `read` on the index, on the local files' thread; `None` when there is no index yet,
    /// `Storage` when it cannot be used.
    async fn read_local_playlists<T: Send + 'static>(
        &self,
        read: impl FnOnce(&LocalIndex) -> strato_local::Result<Option<T>> + Send + 'static,
    ) -> Result<Option<T>, AppError> {
        self.local_files
            .ask(move |worker| match worker.reading() {
                Some(index) => read(index).map_err(|e| from_local(&e)),
                None => worker.unavailable().map_or(Ok(None), Err),
            })
            .await?
    }

    /// `write` on an existing playlist, on the local files' thread; the window told once
    /// it is kept. Without an index there is no playlist to change (and none is made);
    /// `Storage` when it cannot be used.
    async fn write_local_playlist<T: Send + 'static>(
        &self,
        write: impl FnOnce(&mut LocalIndex) -> strato_local::Result<T> + Send + 'static,
    ) -> Result<T, AppError> {
        let written = self
            .local_files
            .ask(move |worker| {
                if worker.reading().is_none() {
                    return Err(worker.unavailable().unwrap_or_else(gone));
                }
                write(worker.index_for_writing()?).map_err(|e| from_local(&e))
            })
            .await??;
        self.events.local_playlists_changed();
        Ok(written)
    }
}

fn gone() -> AppError {
    AppError::new(
        ErrorKind::NotFound,
        "This playlist is no longer on this computer.",
    )
}

#[cfg(test)]
mod tests {
    //! On a real App and worker: the data folder's move is what lets the index go
    //! (`Worker::close`), which only code inside the crate can hold still at that point.

    use std::sync::Arc;

    use strato_model::ipc::{ErrorKind, PlayerStatus};

    use crate::local_files::Worker;
    use crate::{App, AppEvents, AppSettings, AudioOutput};

    struct Quiet;

    impl AppEvents for Quiet {
        fn player_status(&self, _status: &PlayerStatus) {}
    }

    #[tokio::test]
    async fn while_the_data_folder_moves_the_playlists_are_out_of_reach_not_gone() {
        let data = tempfile::tempdir().unwrap();
        let mut settings = AppSettings::new("http://127.0.0.1:9", AudioOutput::Null);
        settings.data_dir = Some(data.path().to_owned());
        let app = App::start(settings, Arc::new(Quiet)).unwrap();
        let made = app.create_local_playlist("Kept", Vec::new()).await.unwrap();
        let id = made.id.as_str();

        // As a move of the data folder does while it copies the files.
        app.local_files.ask(Worker::close).await.unwrap();
        let answers = [
            app.local_playlists().await.map(drop),
            app.local_playlist(id).await.map(drop),
            app.rename_local_playlist(id, "Renamed").await.map(drop),
            app.edit_local_playlist(id, Vec::new(), None)
                .await
                .map(drop),
            app.delete_local_playlist(id).await,
            app.local_playlist_tracks(id).await.map(drop),
        ];
        for answer in answers {
            let error = answer.unwrap_err();
            assert_eq!(error.kind, ErrorKind::Storage, "{error:?}");
            assert!(error.message.contains("being moved"), "{}", error.message);
        }

        // Taken up again where it is: there, as it was.
        let dir = data.path().to_owned();
        app.local_files.ask(move |w| w.open_in(&dir)).await.unwrap();
        assert_eq!(app.local_playlists().await.unwrap(), [made]);
    }
}
