//! IPC commands of stars (a Subsonic server's favourites): the stars shown, a toggle, and the
//! Starred page. One-line delegates to the core, like the rest.
// Tauri's command macro requires `State` and arguments by value.
#![allow(clippy::needless_pass_by_value)]

use strato_core::App;
use strato_model::ipc::{AppError, StarRef, StarredPage};
use tauri::State;

/// The stars as kept on this computer (online or not).
#[tauri::command]
pub async fn stars(app: State<'_, App>) -> Result<Vec<StarRef>, AppError> {
    app.stars().await
}

/// Stars or unstars a track, an album or an artist; kept offline until the server has it.
#[tauri::command]
pub async fn set_starred(
    app: State<'_, App>,
    target: StarRef,
    starred: bool,
) -> Result<(), AppError> {
    app.set_starred(target, starred).await
}

#[tauri::command]
pub async fn starred_page(app: State<'_, App>) -> Result<StarredPage, AppError> {
    app.starred_page().await
}
