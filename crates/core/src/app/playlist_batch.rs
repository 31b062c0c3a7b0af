//! Several edits of one playlist as one command: a selection removed or moved, or an edit
//! undone. The library applies them in one transaction and logs each as the single edit the
//! service takes (see `strato_library::ItemEdit`); the answer is what changed, as for the
//! single edits, so the window never reads back a long playlist.

use strato_library::{BatchChange, ItemEdit, Library};
use strato_model::ipc::{AppError, PlaylistChange, PlaylistChanges, PlaylistItemEdit};

use super::library::{entry, summary};
use super::{App, lock};
use crate::error::from_library;

impl App {
    /// Applies `edits` to playlist `id` in order, all or none, and answers what changed.
    /// Tracks added to an offline playlist download.
    pub async fn edit_playlist(
        &self,
        id: &str,
        edits: Vec<PlaylistItemEdit>,
    ) -> Result<PlaylistChanges, AppError> {
        let library = self.require_library()?;
        super::local_files::refuse_local_files(edits.iter().flat_map(|edit| match edit {
            PlaylistItemEdit::Add { track_ids, .. } => track_ids.as_slice(),
            _ => &[],
        }))?;
        let adds = edits
            .iter()
            .any(|edit| matches!(edit, PlaylistItemEdit::Add { .. }));
        // Cache what the listener saw of the tracks added, so the playlist reads well offline.
        let known: Vec<_> = {
            let tracks = lock(&self.tracks);
            edits
                .iter()
                .filter_map(|edit| match edit {
                    PlaylistItemEdit::Add { track_ids, .. } => Some(track_ids),
                    _ => None,
                })
                .flatten()
                .filter_map(|track| tracks.get(track).cloned())
                .collect()
        };
        let edits: Vec<ItemEdit> = edits.into_iter().map(to_library).collect();
        let edit_id = id.to_owned();
        let changes = library
            .handle()
            .call(move |lib| {
                if !known.is_empty() {
                    lib.upsert_tracks(&known)?;
                }
                let outcome = lib.edit_items(&edit_id, &edits)?;
                let changes = outcome
                    .changes
                    .into_iter()
                    .map(|change| to_ipc(lib, change))
                    .collect::<strato_library::Result<Vec<_>>>()?;
                Ok(PlaylistChanges {
                    playlist: summary(lib, outcome.playlist)?,
                    changes,
                })
            })
            .await
            .map_err(|e| from_library(&e))?;
        if !changes.changes.is_empty() {
            library.nudge();
            library.emit_sync_status().await;
        }
        if adds && let Some(downloads) = library.downloads() {
            library.download_offline_collections(&downloads).await;
        }
        Ok(changes)
    }
}

fn to_library(edit: PlaylistItemEdit) -> ItemEdit {
    match edit {
        PlaylistItemEdit::Add {
            track_ids,
            position,
        } => ItemEdit::Add {
            track_ids,
            position,
        },
        PlaylistItemEdit::Remove { item_id } => ItemEdit::Remove { item_id },
        PlaylistItemEdit::Move { item_id, after } => ItemEdit::Move { item_id, after },
    }
}

fn to_ipc(lib: &Library, change: BatchChange) -> strato_library::Result<PlaylistChange> {
    Ok(match change {
        BatchChange::Added {
            index,
            item_ids,
            track_ids,
        } => PlaylistChange::Added {
            position: index,
            items: item_ids
                .iter()
                .zip(&track_ids)
                .map(|(item_id, track_id)| entry(lib, item_id, track_id))
                .collect::<strato_library::Result<_>>()?,
        },
        BatchChange::Removed { item_id } => PlaylistChange::Removed {
            item_ids: vec![item_id],
        },
        BatchChange::Moved { item_id, index } => PlaylistChange::Moved {
            item_ids: vec![item_id],
            position: index,
        },
    })
}
