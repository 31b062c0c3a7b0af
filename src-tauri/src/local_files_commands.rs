//! IPC commands of the "Local files" source: the listener's music folders on this computer,
//! their tracks, albums and artists, and a search of them. One-line delegates to the core,
//! like the rest; their changes reach the window as `local-files-changed`.
// Tauri's command macro requires `State` and arguments by value.
#![allow(clippy::needless_pass_by_value)]

use strato_core::App;
use strato_model::ipc::{
    Album, AppError, Artist, LocalAlbumPage, LocalArtistPage, LocalFilesView, SearchResults, Track,
};
use tauri::State;

#[tauri::command]
pub async fn local_files(app: State<'_, App>) -> Result<LocalFilesView, AppError> {
    Ok(app.local_files().await)
}

#[tauri::command]
pub async fn add_local_folder(
    app: State<'_, App>,
    path: String,
) -> Result<LocalFilesView, AppError> {
    app.add_local_folder(path).await
}

#[tauri::command]
pub async fn remove_local_folder(
    app: State<'_, App>,
    path: String,
) -> Result<LocalFilesView, AppError> {
    app.remove_local_folder(path).await
}

#[tauri::command]
pub async fn rescan_local_files(app: State<'_, App>) -> Result<LocalFilesView, AppError> {
    app.rescan_local_files().await
}

#[tauri::command]
pub async fn local_tracks(app: State<'_, App>) -> Result<Vec<Track>, AppError> {
    app.local_tracks().await
}

#[tauri::command]
pub async fn local_albums(app: State<'_, App>) -> Result<Vec<Album>, AppError> {
    app.local_albums().await
}

#[tauri::command]
pub async fn local_artists(app: State<'_, App>) -> Result<Vec<Artist>, AppError> {
    app.local_artists().await
}

#[tauri::command]
pub async fn local_album(app: State<'_, App>, id: String) -> Result<LocalAlbumPage, AppError> {
    app.local_album(&id).await
}

#[tauri::command]
pub async fn local_artist(app: State<'_, App>, id: String) -> Result<LocalArtistPage, AppError> {
    app.local_artist(&id).await
}

#[tauri::command]
pub async fn local_search(
    app: State<'_, App>,
    query: String,
    limit: Option<u32>,
) -> Result<SearchResults, AppError> {
    app.local_search(&query, limit).await
}
