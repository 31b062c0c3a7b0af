//! IPC commands of the offline library: playlists, sync, offline downloads. One-line
//! delegates to the core, like the rest.
// Tauri's command macro requires `State` and arguments by value.
#![allow(clippy::needless_pass_by_value)]

use strato_core::App;
use strato_model::api::Track;
use strato_model::ipc::{
    AppError, DownloadsStatus, ImportedPlaylists, LibraryPlaylist, OfflineState, OfflineTarget,
    PlaylistChanges, PlaylistImport, PlaylistView, SearchResults, SyncStatus,
};
use tauri::{Runtime, State, WebviewWindow};
use tauri_plugin_dialog::DialogExt as _;

#[tauri::command]
pub async fn playlists(app: State<'_, App>) -> Result<Vec<LibraryPlaylist>, AppError> {
    app.playlists().await
}

#[tauri::command]
pub async fn playlist(app: State<'_, App>, id: String) -> Result<PlaylistView, AppError> {
    app.playlist(&id).await
}

/// The data of the tracks named that the app has seen (a long list's rows, as it scrolls).
#[tauri::command]
pub async fn tracks(app: State<'_, App>, ids: Vec<String>) -> Result<Vec<Track>, AppError> {
    app.tracks(ids).await
}

/// Whether each track named plays offline, in the order asked.
#[tauri::command]
pub async fn offline_states(
    app: State<'_, App>,
    ids: Vec<String>,
) -> Result<Vec<OfflineState>, AppError> {
    app.offline_states(ids).await
}

#[tauri::command]
pub async fn create_playlist(
    app: State<'_, App>,
    name: String,
    description: String,
) -> Result<LibraryPlaylist, AppError> {
    app.create_playlist(&name, &description).await
}

#[tauri::command]
pub async fn rename_playlist(
    app: State<'_, App>,
    id: String,
    name: String,
) -> Result<LibraryPlaylist, AppError> {
    app.rename_playlist(&id, &name).await
}

#[tauri::command]
pub async fn describe_playlist(
    app: State<'_, App>,
    id: String,
    description: String,
) -> Result<LibraryPlaylist, AppError> {
    app.describe_playlist(&id, &description).await
}

#[tauri::command]
pub async fn delete_playlist(app: State<'_, App>, id: String) -> Result<(), AppError> {
    app.delete_playlist(&id).await
}

#[tauri::command]
pub async fn add_to_playlist(
    app: State<'_, App>,
    id: String,
    track_ids: Vec<String>,
    position: Option<u32>,
) -> Result<PlaylistChanges, AppError> {
    app.add_to_playlist(&id, track_ids, position).await
}

#[tauri::command]
pub async fn remove_from_playlist(
    app: State<'_, App>,
    id: String,
    item_id: String,
) -> Result<PlaylistChanges, AppError> {
    app.remove_from_playlist(&id, &item_id).await
}

#[tauri::command]
pub async fn move_in_playlist(
    app: State<'_, App>,
    id: String,
    item_id: String,
    position: u32,
) -> Result<PlaylistChanges, AppError> {
    app.move_in_playlist(&id, &item_id, position).await
}

#[tauri::command]
pub async fn play_playlist(app: State<'_, App>, id: String, start: usize) -> Result<(), AppError> {
    app.play_playlist(&id, start).await
}

#[tauri::command]
pub async fn search_library(app: State<'_, App>, query: String) -> Result<SearchResults, AppError> {
    app.search_library(&query).await
}

#[tauri::command]
pub async fn search_catalog(app: State<'_, App>, query: String) -> Result<SearchResults, AppError> {
    app.search_catalog(&query).await
}

#[tauri::command]
pub async fn sync_status(app: State<'_, App>) -> Result<SyncStatus, AppError> {
    app.sync_status().await
}

#[tauri::command]
pub async fn sync_now(app: State<'_, App>) -> Result<(), AppError> {
    app.sync_now().await
}

#[tauri::command]
pub async fn dismiss_sync_notice(app: State<'_, App>, id: i64) -> Result<(), AppError> {
    app.dismiss_sync_notice(id).await
}

#[tauri::command]
pub async fn set_offline(
    app: State<'_, App>,
    target: OfflineTarget,
    offline: bool,
) -> Result<(), AppError> {
    app.set_offline(target, offline).await
}

#[tauri::command]
pub async fn downloads_status(app: State<'_, App>) -> Result<DownloadsStatus, AppError> {
    app.downloads_status().await
}

#[tauri::command]
pub fn pause_downloads(app: State<'_, App>) -> Result<(), AppError> {
    app.pause_downloads()
}

#[tauri::command]
pub fn resume_downloads(app: State<'_, App>) -> Result<(), AppError> {
    app.resume_downloads()
}

/// Reads a playlist file the listener chose and matches it to the service's tracks and the
/// files on this computer, for them to confirm before [`import_playlist`].
#[tauri::command]
pub async fn read_playlist_file(
    app: State<'_, App>,
    path: String,
) -> Result<PlaylistImport, AppError> {
    app.read_playlist_file(path.into()).await
}

/// Creates what an import matched: an account playlist of the service's tracks, a playlist
/// on this computer of the files on this computer, or both (same name).
#[tauri::command]
pub async fn import_playlist(
    app: State<'_, App>,
    name: String,
    track_ids: Vec<String>,
) -> Result<ImportedPlaylists, AppError> {
    app.import_playlist(&name, track_ids).await
}

/// Asks where to save the playlist (the OS's save dialog, `title` in the window's language,
/// M3U8 or XSPF by the name's ending), then writes it there; the file's path, or `None` when
/// the listener cancelled.
#[tauri::command]
pub async fn export_playlist<R: Runtime>(
    window: WebviewWindow<R>,
    app: State<'_, App>,
    id: String,
    name: String,
    title: String,
) -> Result<Option<String>, AppError> {
    let (chosen, answer) = tokio::sync::oneshot::channel();
    window
        .dialog()
        .file()
        .set_parent(&window)
        .set_title(title)
        .set_file_name(format!("{}.m3u8", file_safe(&name)))
        .add_filter("M3U8", &["m3u8", "m3u"])
        .add_filter("XSPF", &["xspf"])
        .save_file(move |file| {
            // The window may have gone meanwhile; nobody waits then.
            let _ = chosen.send(file);
        });
    let Some(path) = answer.await.ok().flatten().and_then(|f| f.into_path().ok()) else {
        return Ok(None);
    };
    let written = app.export_playlist(&id, path).await?;
    Ok(Some(written.display().to_string()))
}

/// A playlist's name as a file name: the characters no file system takes replaced.
fn file_safe(name: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    let safe = safe.trim().trim_start_matches('.');
    if safe.is_empty() {
        "playlist".to_owned()
    } else {
        safe.to_owned()
    }
}
