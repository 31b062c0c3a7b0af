//! The Equaliser panel's commands: each output device's equaliser, read, set, and filled
//! from a headphone correction profile the listener picks in the OS's open dialog.

// Tauri's command macro requires `State` and arguments by value.
#![allow(clippy::needless_pass_by_value)]

use strato_core::App;
use strato_model::ipc::{AppError, EqualizerSettings, EqualizerView};
use tauri::{Runtime, State, WebviewWindow};
use tauri_plugin_dialog::DialogExt as _;

/// The equaliser of `device` (`None`: the system's default output).
#[tauri::command]
pub fn equalizer(app: State<'_, App>, device: Option<String>) -> EqualizerView {
    app.equalizer(device)
}

#[tauri::command]
pub fn set_equalizer(
    app: State<'_, App>,
    device: Option<String>,
    settings: EqualizerSettings,
) -> EqualizerView {
    app.set_equalizer(device, settings)
}

/// Asks for an `AutoEQ` `ParametricEQ.txt` (the OS's open dialog, `title` in the window's
/// language) and makes it the parametric equaliser of `device`; `None` when the listener
/// cancelled.
#[tauri::command]
pub async fn import_equalizer_profile<R: Runtime>(
    window: WebviewWindow<R>,
    app: State<'_, App>,
    device: Option<String>,
    title: String,
) -> Result<Option<EqualizerView>, AppError> {
    let (chosen, answer) = tokio::sync::oneshot::channel();
    window
        .dialog()
        .file()
        .set_parent(&window)
        .set_title(title)
        .add_filter("AutoEQ", &["txt"])
        .pick_file(move |file| {
            // The window may have gone meanwhile; nobody waits then.
            let _ = chosen.send(file);
        });
    let Some(path) = answer.await.ok().flatten().and_then(|f| f.into_path().ok()) else {
        return Ok(None);
    };
    app.import_equalizer_profile(device, &path).await.map(Some)
}
