//! The OS's own dialogs the window asks for: choosing a folder (where the music is kept),
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
