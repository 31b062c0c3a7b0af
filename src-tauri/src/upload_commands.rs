//! IPC commands of the listener's own music: choosing files, the transfers panel, "My
//! uploads", what others share and their pages. One-line delegates to the core.
// Tauri's command macro requires `State` and arguments by value.
#![allow(clippy::needless_pass_by_value)]

use strato_core::App;
use strato_model::api::{ListenerProfile, Page, Track, Upload, UploadPatch};
use strato_model::ipc::{
    AppError, LibraryPlaylist, SharedPlaylist, TransfersStatus, UploadCandidates, UploadRequest,
};
use tauri::State;

/// What the chosen files and folders would be sent as, checked against the service's limits.
#[tauri::command]
pub async fn upload_candidates(
    app: State<'_, App>,
    paths: Vec<String>,
) -> Result<UploadCandidates, AppError> {
    app.upload_candidates(paths).await
}

#[tauri::command]
pub async fn upload_files(
    app: State<'_, App>,
    requests: Vec<UploadRequest>,
) -> Result<TransfersStatus, AppError> {
    app.upload_files(requests).await
}

#[tauri::command]
pub async fn transfers(app: State<'_, App>) -> Result<TransfersStatus, AppError> {
    app.transfers().await
}

#[tauri::command]
pub async fn pause_transfer(app: State<'_, App>, id: String) -> Result<TransfersStatus, AppError> {
    app.pause_transfer(id).await
}

#[tauri::command]
pub async fn resume_transfer(app: State<'_, App>, id: String) -> Result<TransfersStatus, AppError> {
    app.resume_transfer(id).await
}

#[tauri::command]
pub async fn cancel_transfer(app: State<'_, App>, id: String) -> Result<TransfersStatus, AppError> {
    app.cancel_transfer(id).await
}

#[tauri::command]
pub async fn my_uploads(
    app: State<'_, App>,
    cursor: Option<String>,
) -> Result<Page<Upload>, AppError> {
    app.my_uploads(cursor).await
}

#[tauri::command]
pub async fn update_upload(
    app: State<'_, App>,
    id: String,
    patch: UploadPatch,
) -> Result<Upload, AppError> {
    app.update_upload(id, patch).await
}

#[tauri::command]
pub async fn set_upload_cover(
    app: State<'_, App>,
    id: String,
    image: String,
) -> Result<Upload, AppError> {
    app.set_upload_cover(id, image).await
}

#[tauri::command]
pub async fn delete_upload(app: State<'_, App>, id: String) -> Result<(), AppError> {
    app.delete_upload(id).await
}

#[tauri::command]
pub async fn explore_uploads(
    app: State<'_, App>,
    cursor: Option<String>,
) -> Result<Page<Track>, AppError> {
    app.explore_uploads(cursor).await
}

#[tauri::command]
pub async fn listener_profile(
    app: State<'_, App>,
    id: String,
) -> Result<ListenerProfile, AppError> {
    app.listener_profile(id).await
}

#[tauri::command]
pub async fn set_playlist_public(
    app: State<'_, App>,
    id: String,
    public: bool,
) -> Result<LibraryPlaylist, AppError> {
    app.set_playlist_public(id, public).await
}

#[tauri::command]
pub async fn shared_tracks(app: State<'_, App>, ids: Vec<String>) -> Result<Vec<Track>, AppError> {
    app.shared_tracks(ids).await
}

#[tauri::command]
pub async fn shared_playlist(app: State<'_, App>, id: String) -> Result<SharedPlaylist, AppError> {
    app.shared_playlist(id).await
}
