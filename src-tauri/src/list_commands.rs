//! IPC commands of the track lists: edits of a selection of a playlist's items as one.
//! One-line delegates to the core, like the rest.
// Tauri's command macro requires `State` and arguments by value.
#![allow(clippy::needless_pass_by_value)]

use strato_core::App;
use strato_model::ipc::{AppError, PlaylistChanges, PlaylistItemEdit};
use tauri::State;

#[tauri::command]
pub async fn edit_playlist(
    app: State<'_, App>,
    id: String,
    edits: Vec<PlaylistItemEdit>,
) -> Result<PlaylistChanges, AppError> {
    app.edit_playlist(&id, edits).await
}
