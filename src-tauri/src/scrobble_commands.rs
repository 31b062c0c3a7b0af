//! IPC commands of scrobbling: where plays are reported, and connecting `ListenBrainz` with
//! the listener's user token. One-line delegates to the core, like the rest.
// Tauri's command macro requires `State` and arguments by value.
#![allow(clippy::needless_pass_by_value)]

use strato_core::App;
use strato_model::ipc::{AppError, ScrobblingView};
use tauri::State;

#[tauri::command]
pub async fn scrobbling(app: State<'_, App>) -> Result<ScrobblingView, AppError> {
    Ok(app.scrobbling().await)
}

#[tauri::command]
pub async fn connect_listenbrainz(
    app: State<'_, App>,
    token: String,
) -> Result<ScrobblingView, AppError> {
    app.connect_listenbrainz(token).await
}

#[tauri::command]
pub async fn disconnect_listenbrainz(app: State<'_, App>) -> Result<ScrobblingView, AppError> {
    Ok(app.disconnect_listenbrainz().await)
}
