//! The mini-player: a small window, always on top, with the cover, the title and artist,
//! previous, play/pause, next and a seek bar. The same UI in a window of its own (labelled
//! `mini`; the page shows the mini-player there), toggled from the player bar, the tray and a
//! shortcut. It keeps its size and place across runs like the main window
//! (tauri-plugin-window-state), back on screen if its monitor went away.

use tauri::{AppHandle, Manager, Runtime, WebviewUrl, WebviewWindowBuilder};

/// The mini-player window's label (its capability names it too).
pub const MINI_WINDOW: &str = "mini";

/// Opens the mini-player, or closes it when open. The main window stays as it is: the
/// listener minimises or hides it (or closes it to the tray) as they like.
pub fn toggle<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window(MINI_WINDOW) {
        if let Err(error) = window.close() {
            tracing::warn!(%error, "the mini-player could not be closed");
        }
        return;
    }
    let built = WebviewWindowBuilder::new(app, MINI_WINDOW, WebviewUrl::App("index.html".into()))
        .title("Strato mini player")
        .inner_size(380.0, 132.0)
        .min_inner_size(300.0, 120.0)
        .always_on_top(true)
        .visible_on_all_workspaces(true)
        .maximizable(false)
        .minimizable(false)
        // Shown once made: on X11 a window asks to stay on top as it first appears (its
        // initial `_NET_WM_STATE`), which every window manager honours; asked later, it is a
        // request some ignore.
        .visible(false)
        .build();
    // Its last size and place come back by themselves (the window-state plugin, as the
    // window is made).
    match built {
        Ok(window) => {
            if let Err(error) = window.show() {
                tracing::warn!(%error, "the mini-player could not be shown");
            }
        }
        Err(error) => tracing::warn!(%error, "the mini-player could not be opened"),
    }
}

// Tauri's command macro requires arguments by value.
#[allow(clippy::needless_pass_by_value)]
/// Opens the mini-player, or closes it.
#[tauri::command]
pub fn toggle_mini_player<R: Runtime>(app: AppHandle<R>) {
    toggle(&app);
}

// Tauri's command macro requires arguments by value.
#[allow(clippy::needless_pass_by_value)]
/// From the mini-player: the main window back, shown and focused, and the mini-player closed.
#[tauri::command]
pub fn show_main_window<R: Runtime>(app: AppHandle<R>) {
    crate::media_session::raise(&app);
    if let Some(tray) = app.try_state::<crate::tray::Tray>() {
        tray.window_shown(true);
    }
    if let Some(window) = app.get_webview_window(MINI_WINDOW)
        && let Err(error) = window.close()
    {
        tracing::warn!(%error, "the mini-player could not be closed");
    }
}
