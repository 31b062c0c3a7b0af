//! IPC commands: each is a one-line delegate to the core. Errors reach the UI as
//! `{kind, message}` (the serialised `AppError`).
// Tauri's command macro requires `State` and arguments by value.
#![allow(clippy::needless_pass_by_value)]

use strato_core::App;
use strato_model::ipc::{AppError, Page, PlayerStatus, Session, Track};
use tauri::State;

#[tauri::command]
pub fn default_service_url(app: State<'_, App>) -> String {
    app.default_service_url()
}

#[tauri::command]
pub fn session(app: State<'_, App>) -> Option<Session> {
    app.session()
}

#[tauri::command]
pub async fn sign_in(
    app: State<'_, App>,
    service_url: String,
    username: String,
    password: String,
) -> Result<Session, AppError> {
    app.sign_in(&service_url, &username, password).await
}

#[tauri::command]
pub fn sign_out(app: State<'_, App>) {
    app.sign_out();
}

#[tauri::command]
pub async fn catalog_tracks(
    app: State<'_, App>,
    cursor: Option<String>,
) -> Result<Page<Track>, AppError> {
    app.catalog_tracks(cursor).await
}

#[tauri::command]
pub async fn play_track(app: State<'_, App>, track_id: String) -> Result<(), AppError> {
    app.play_track(&track_id).await
}

#[tauri::command]
pub fn pause(app: State<'_, App>) {
    app.pause();
}

#[tauri::command]
pub fn resume(app: State<'_, App>) {
    app.resume();
}

#[tauri::command]
pub fn player_status(app: State<'_, App>) -> PlayerStatus {
    app.player_status()
}
