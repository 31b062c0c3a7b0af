//! IPC commands of the playlists kept on this computer ("local playlists"): lists of the
//! listener's own files, there signed out and under every account. One-line delegates to the
//! core, like the rest; every change reaches the window as `local-playlists-changed`.
// Tauri's command macro requires `State` and arguments by value.
#![allow(clippy::needless_pass_by_value)]

use strato_core::App;
use strato_model::ipc::{
    AppError, LocalPlaylistEdited, LocalPlaylistPage, LocalPlaylistSummary, PlaylistItemEdit,
};
use tauri::State;

#[tauri::command]
pub async fn local_playlists(app: State<'_, App>) -> Result<Vec<LocalPlaylistSummary>, AppError> {
    app.local_playlists().await
}

#[tauri::command]
pub async fn local_playlist(
    app: State<'_, App>,
    id: String,
) -> Result<LocalPlaylistPage, AppError> {
    app.local_playlist(&id).await
}

#[tauri::command]
pub async fn create_local_playlist(
    app: State<'_, App>,
    name: String,
    track_ids: Vec<String>,
) -> Result<LocalPlaylistSummary, AppError> {
    app.create_local_playlist(&name, track_ids).await
}

#[tauri::command]
pub async fn rename_local_playlist(
    app: State<'_, App>,
    id: String,
    name: String,
) -> Result<LocalPlaylistSummary, AppError> {
    app.rename_local_playlist(&id, &name).await
}

#[tauri::command]
pub async fn delete_local_playlist(app: State<'_, App>, id: String) -> Result<(), AppError> {
    app.delete_local_playlist(&id).await
}

#[tauri::command]
pub async fn edit_local_playlist(
    app: State<'_, App>,
    id: String,
    edits: Vec<PlaylistItemEdit>,
    expected_revision: Option<u32>,
) -> Result<LocalPlaylistEdited, AppError> {
    app.edit_local_playlist(&id, edits, expected_revision).await
}
