//! The listener's devices (the player bar's "Devices" menu, steering another device) and
//! how playback has been going on this one (the Diagnostics screen, and the zip of it all
//! that Settings › Privacy exports, saved where the listener says in the OS's own dialog).

// Tauri's command macro requires `State` and arguments by value.
#![allow(clippy::needless_pass_by_value)]

use strato_core::App;
use strato_model::ipc::{
    AppError, DevicesView, DiagnosticsView, ExportedDiagnostics, RemoteCommand,
};
use tauri::{Manager as _, Runtime, State, WebviewWindow};
use tauri_plugin_dialog::DialogExt as _;

use crate::about::AboutInfo;

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

/// Asks where to save the diagnostics zip (the OS's save dialog, `title` in the window's
/// language), then writes it there; `None` when the listener cancelled.
#[tauri::command]
pub async fn export_diagnostics<R: Runtime>(
    window: WebviewWindow<R>,
    app: State<'_, App>,
    about: State<'_, AboutInfo>,
    title: String,
) -> Result<Option<ExportedDiagnostics>, AppError> {
    let today = time::OffsetDateTime::now_utc().date();
    let (chosen, answer) = tokio::sync::oneshot::channel();
    window
        .dialog()
        .file()
        .set_parent(&window)
        .set_title(title)
        .set_file_name(format!("strato-diagnostics-{today}.zip"))
        .add_filter("Zip", &["zip"])
        .save_file(move |file| {
            // The window may have gone meanwhile; nobody waits then.
            let _ = chosen.send(file);
        });
    let Some(path) = answer.await.ok().flatten().and_then(|f| f.into_path().ok()) else {
        return Ok(None);
    };
    app.export_diagnostics(path, about.log_dir.clone())
        .await
        .map(Some)
}
