//! The OS's own dialogs the window asks for: choosing a folder (where the music is kept) or
//! files to upload,
//! through Tauri's dialog plugin (GTK on Linux, the shell's picker on Windows, `NSOpenPanel`
//! on macOS), parented to the window so it is modal to it as a native app's is.

use tauri::{Runtime, WebviewWindow};
use tauri_plugin_dialog::DialogExt as _;

/// Asks the listener for a folder; `None` when they cancelled. `title` is in the window's
/// language.
#[tauri::command]
pub async fn choose_folder<R: Runtime>(window: WebviewWindow<R>, title: String) -> Option<String> {
    let (chosen, answer) = tokio::sync::oneshot::channel();
    window
        .dialog()
        .file()
        .set_parent(&window)
        .set_title(title)
        .pick_folder(move |folder| {
            // The window may have gone meanwhile; nobody waits then.
            let _ = chosen.send(folder);
        });
    let folder = answer.await.ok().flatten()?;
    folder
        .into_path()
        .ok()
        .map(|path| path.display().to_string())
}

/// The kinds of file the service takes, for the picker's filter.
const AUDIO_EXTENSIONS: [&str; 11] = [
    "mp3", "flac", "wav", "aif", "aiff", "m4a", "aac", "mp4", "ogg", "oga", "opus",
];

/// Asks the listener for audio files to upload; empty when they cancelled. `title` and
/// `filter` (the filter's name) are in the window's language.
#[tauri::command]
pub async fn choose_files_to_upload<R: Runtime>(
    window: WebviewWindow<R>,
    title: String,
    filter: String,
) -> Vec<String> {
    pick_files(&window, title, filter, &AUDIO_EXTENSIONS, true).await
}

/// Asks the listener for a cover image (JPEG or PNG); `None` when they cancelled.
#[tauri::command]
pub async fn choose_image<R: Runtime>(
    window: WebviewWindow<R>,
    title: String,
    filter: String,
) -> Option<String> {
    pick_files(&window, title, filter, &["jpg", "jpeg", "png"], false)
        .await
        .into_iter()
        .next()
}

/// The OS's file picker, parented to `window`, filtered to `extensions`; the paths chosen.
async fn pick_files<R: Runtime>(
    window: &WebviewWindow<R>,
    title: String,
    filter: String,
    extensions: &[&str],
    many: bool,
) -> Vec<String> {
    let (chosen, answer) = tokio::sync::oneshot::channel();
    let dialog = window
        .dialog()
        .file()
        .set_parent(window)
        .set_title(title)
        .add_filter(filter, extensions);
    if many {
        dialog.pick_files(move |files| {
            // The window may have gone meanwhile; nobody waits then.
            let _ = chosen.send(files.unwrap_or_default());
        });
    } else {
        dialog.pick_file(move |file| {
            let _ = chosen.send(file.into_iter().collect());
        });
    }
    answer
        .await
        .unwrap_or_default()
        .into_iter()
        .filter_map(|file| file.into_path().ok())
        .map(|path| path.display().to_string())
        .collect()
}

/// Asks the listener for a playlist file to import (M3U, M3U8, XSPF); `None` when they
/// cancelled.
#[tauri::command]
pub async fn choose_playlist_file<R: Runtime>(
    window: WebviewWindow<R>,
    title: String,
    filter: String,
) -> Option<String> {
    pick_files(&window, title, filter, &["m3u", "m3u8", "xspf"], false)
        .await
        .into_iter()
        .next()
}
