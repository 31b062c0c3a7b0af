//! The OS's media session for the window's app (see `strato_desktop::media_session`): media
//! keys and the desktop's media panel act on the core the shell manages, and "raise" brings
//! the window back, shown and focused.

use std::sync::Arc;

use strato_core::App;
use strato_desktop::media_session::{CoreAccess, CoreControls, CoverFile, MediaSession, UiThread};
use tauri::{AppHandle, Manager};

use crate::MAIN_WINDOW;

/// The core as the shell keeps it: in Tauri's managed state, from the moment setup puts it
/// there.
pub struct ManagedCore(pub AppHandle);

impl CoreAccess for ManagedCore {
    fn with_app(&self, act: &mut dyn FnMut(&App)) {
        if let Some(app) = self.0.try_state::<App>() {
            act(&app);
        }
    }

    fn cover_file(&self, album_id: String) -> CoverFile {
        let handle = self.0.clone();
        Box::pin(async move {
            let app = handle.try_state::<App>()?;
            app.cover_file(&album_id).await.ok()
        })
    }
}

/// Offers the player to the desktop as `org.mpris.MediaPlayer2.strato` (on Linux).
pub fn start(handle: &AppHandle) -> Arc<MediaSession> {
    let window = handle.clone();
    let controls = CoreControls::new(ManagedCore(handle.clone()), move || raise(&window));
    let session = Arc::new(MediaSession::start(
        "strato",
        "Strato",
        strato_desktop::DESKTOP_ENTRY,
        Arc::new(controls),
        ui_thread(handle),
    ));
    // Without a media session the media keys reach no one: Strato takes them itself.
    let waiting = Arc::clone(&session);
    let app = handle.clone();
    tauri::async_runtime::spawn(async move {
        if let Err(unavailable) = waiting.ready().await {
            tracing::info!(%unavailable, "taking the media keys instead");
            crate::media_keys::session_unavailable(&app);
        }
    });
    session
}

/// The app's main thread, where Windows and macOS keep their media controls, and the main
/// window's handle for Windows'.
fn ui_thread(handle: &AppHandle) -> UiThread {
    let app = handle.clone();
    let window = handle.clone();
    UiThread {
        run: Arc::new(move |task| {
            if let Err(error) = app.run_on_main_thread(task) {
                tracing::debug!(%error, "the UI thread is gone");
            }
        }),
        window_handle: Arc::new(move || window_handle(&window)),
    }
}

#[cfg(windows)]
fn window_handle(handle: &AppHandle) -> Option<usize> {
    let window = handle.get_webview_window(MAIN_WINDOW)?;
    window.hwnd().ok().map(|hwnd| hwnd.0.expose_provenance())
}

#[cfg(not(windows))]
fn window_handle(_handle: &AppHandle) -> Option<usize> {
    None
}

/// Brings the window back: unminimised, shown and focused.
pub fn raise<R: tauri::Runtime>(handle: &AppHandle<R>) {
    let Some(window) = handle.get_webview_window(MAIN_WINDOW) else {
        return;
    };
    for (what, outcome) in [
        ("unminimize", window.unminimize()),
        ("show", window.show()),
        ("focus", window.set_focus()),
    ] {
        if let Err(error) = outcome {
            tracing::debug!(%error, what, "the window could not be raised");
        }
    }
}
