//! The queue's commands: one-line delegates to the core. Entries are named by their ids
//! (`QueueEntry.entry_id`); the queue itself reaches the window as `queue-changed` events
//! and, for a long queue, page by page through `queue_page`.
// Tauri's command macro requires `State` and arguments by value.
#![allow(clippy::needless_pass_by_value)]

use strato_core::App;
use strato_model::ipc::{AppError, LibraryPlaylist, QueuePage, QueueView};
use tauri::State;

/// Puts tracks right after the one playing.
#[tauri::command]
pub async fn play_next(app: State<'_, App>, track_ids: Vec<String>) -> Result<(), AppError> {
    app.play_next(track_ids).await
}

/// Puts tracks after the one playing and those queued before them.
#[tauri::command]
pub async fn add_to_queue(app: State<'_, App>, track_ids: Vec<String>) -> Result<(), AppError> {
    app.add_to_queue(track_ids).await
}

/// A message to the player thread: returns at once.
#[tauri::command]
pub fn move_in_queue(app: State<'_, App>, entry_ids: Vec<u64>, position: u32) {
    app.move_in_queue(entry_ids, position);
}

#[tauri::command]
pub fn remove_from_queue(app: State<'_, App>, entry_ids: Vec<u64>) {
    app.remove_from_queue(entry_ids);
}

/// Empties "next up".
#[tauri::command]
pub fn clear_queue(app: State<'_, App>) {
    app.clear_queue();
}

/// Writes to the library: async.
#[tauri::command]
pub async fn save_queue_as_playlist(
    app: State<'_, App>,
    name: String,
) -> Result<LibraryPlaylist, AppError> {
    app.save_queue_as_playlist(&name).await
}

/// A short lock and a copy of at most a window of entries.
#[tauri::command]
pub fn queue_view(app: State<'_, App>) -> QueueView {
    app.queue_view()
}

#[tauri::command]
pub fn queue_page(app: State<'_, App>, offset: u32, limit: u32) -> QueuePage {
    app.queue_page(offset, limit)
}
