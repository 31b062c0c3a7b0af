//! The listener's devices (the player bar's "Devices" menu, steering another device) and
//! how playback has been going on this one (the Diagnostics screen).

// Tauri's command macro requires `State` and arguments by value.
#![allow(clippy::needless_pass_by_value)]

use strato_core::App;
use strato_model::ipc::{AppError, DevicesView, DiagnosticsView, RemoteCommand};
use tauri::{Manager as _, State};

/// Carries out what the listener's other devices ask of this one, as long as the app runs.
pub fn serve_remote_control(app: &tauri::AppHandle) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        app.state::<App>().serve_remote_control().await;
    });
}

#[tauri::command]
pub fn devices(app: State<'_, App>) -> DevicesView {
    app.devices()
}

#[tauri::command]
pub fn transfer_playback(app: State<'_, App>, device_id: String) -> Result<(), AppError> {
    app.transfer_playback(&device_id)
}

#[tauri::command]
pub fn take_playback_from(app: State<'_, App>, device_id: String) -> Result<(), AppError> {
    app.take_playback_from(&device_id)
}

#[tauri::command]
pub fn device_command(
    app: State<'_, App>,
    device_id: String,
    command: RemoteCommand,
) -> Result<(), AppError> {
    app.device_command(&device_id, command)
}

#[tauri::command]
pub async fn diagnostics(app: State<'_, App>) -> Result<DiagnosticsView, AppError> {
    app.diagnostics().await
}
