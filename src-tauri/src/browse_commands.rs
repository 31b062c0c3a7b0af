//! IPC commands of browsing: the home page, album and artist pages, the Downloads screen,
//! the play history and a track's lyrics. One-line delegates to the core, like the rest.
// Tauri's command macro requires `State` and arguments by value.
#![allow(clippy::needless_pass_by_value)]

use strato_core::App;
use strato_model::ipc::{
    AlbumPage, AppError, ArtistPage, DownloadsPage, HomeFeedView, HomeShelves, LyricsView, Page,
    PlayedTrack,
};
use tauri::State;

#[tauri::command]
pub async fn home_shelves(app: State<'_, App>) -> Result<HomeShelves, AppError> {
    app.home_shelves().await
}

#[tauri::command]
pub async fn home_feed(app: State<'_, App>) -> Result<HomeFeedView, AppError> {
    app.home_feed().await
}

#[tauri::command]
pub async fn lyrics(app: State<'_, App>, track_id: String) -> Result<LyricsView, AppError> {
    app.lyrics(&track_id).await
}

#[tauri::command]
pub async fn album_page(app: State<'_, App>, id: String) -> Result<AlbumPage, AppError> {
    app.album_page(&id).await
}

#[tauri::command]
pub async fn artist_page(app: State<'_, App>, id: String) -> Result<ArtistPage, AppError> {
    app.artist_page(&id).await
}

#[tauri::command]
pub async fn downloads_page(app: State<'_, App>) -> Result<DownloadsPage, AppError> {
    app.downloads_page().await
}

#[tauri::command]
pub async fn remove_all_downloads(app: State<'_, App>) -> Result<(), AppError> {
    app.remove_all_downloads().await
}

#[tauri::command]
pub async fn retry_failed_downloads(app: State<'_, App>) -> Result<(), AppError> {
    app.retry_failed_downloads().await
}

#[tauri::command]
pub async fn play_history(
    app: State<'_, App>,
    cursor: Option<String>,
) -> Result<Page<PlayedTrack>, AppError> {
    app.play_history(cursor).await
}
