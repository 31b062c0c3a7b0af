//! The window closing and the app quitting.
//!
//! - Closing the window quits, unless the listener keeps Strato in the tray ("close to the
//!   tray"): then it hides and the music plays on. On macOS a closed window always leaves the
//!   app running, as the OS's own apps do; the Dock icon brings it back.
//! - Every way of quitting (the last window closed, Quit in the tray menu or the app menu,
//!   the OS's session ending) goes through one door: Tauri's exit request is held until the
//!   core has paused and written the queue, the position and the settings
//!   (`App::prepare_to_quit`), then let through.

use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::time::Duration;

use strato_core::App;
use tauri::{AppHandle, Manager, RunEvent, Window, WindowEvent};

use crate::MAIN_WINDOW;
use crate::tray::Tray;

/// The longest a quit waits for the disk before it goes anyway.
const SAVE_LIMIT: Duration = Duration::from_secs(3);

/// Where quitting is: the exit request is let through only once the core is ready.
#[derive(Default)]
pub struct Quitting(AtomicU8);

const RUNNING: u8 = 0;
const PREPARING: u8 = 1;
const READY: u8 = 2;

/// Whether the window has the keyboard's focus (the listener is looking at it): kept from
/// the window's events, so that no one asks the window from another thread.
#[derive(Default)]
pub struct WindowFocus(AtomicBool);

/// Whether the listener has the window in front now.
pub fn window_in_front(app: &AppHandle) -> bool {
    app.try_state::<WindowFocus>()
        .is_some_and(|focus| focus.0.load(Ordering::Relaxed))
}

/// The window asks to close, or gains or loses the focus.
pub fn on_window_event(window: &Window, event: &WindowEvent) {
    if window.label() != MAIN_WINDOW {
        return;
    }
    if let WindowEvent::Focused(focused) = event
        && let Some(focus) = window.app_handle().try_state::<WindowFocus>()
    {
        focus.0.store(*focused, Ordering::Relaxed);
    }
    if let WindowEvent::CloseRequested { api, .. } = event {
        let app = window.app_handle();
        let keep = cfg!(target_os = "macos")
            || app
                .try_state::<App>()
                .is_some_and(|core| core.settings().settings.desktop.close_to_tray);
        if keep {
            api.prevent_close();
            hide_window(app);
        }
    }
}

/// The app's own events: an exit request held until the core is ready; on macOS, the Dock
/// icon clicked with the window hidden.
pub fn on_run_event(app: &AppHandle, event: &RunEvent) {
    match event {
        RunEvent::ExitRequested { api, .. } => {
            let Some(quitting) = app.try_state::<Quitting>() else {
                return;
            };
            if quitting.0.load(Ordering::SeqCst) == READY {
                return;
            }
            api.prevent_exit();
            quit(app);
        }
        #[cfg(target_os = "macos")]
        RunEvent::Reopen {
            has_visible_windows: false,
            ..
        } => crate::tray::toggle_window(app),
        _ => {}
    }
}

/// Quits Strato: the core saves where the listener is, then the app exits. Asked twice, it
/// quits once.
pub fn quit(app: &AppHandle) {
    let Some(quitting) = app.try_state::<Quitting>() else {
        app.exit(0);
        return;
    };
    if quitting
        .0
        .compare_exchange(RUNNING, PREPARING, Ordering::SeqCst, Ordering::SeqCst)
        .is_err()
    {
        return;
    }
    tracing::info!("quitting");
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        if let Some(core) = app.try_state::<App>() {
            core.prepare_to_quit(SAVE_LIMIT).await;
        }
        if let Some(quitting) = app.try_state::<Quitting>() {
            quitting.0.store(READY, Ordering::SeqCst);
        }
        app.exit(0);
    });
}

/// Hides the window (the music plays on): the tray offers it back.
pub fn hide_window(app: &AppHandle) {
    if let Some(window) = app.get_webview_window(MAIN_WINDOW)
        && let Err(error) = window.hide()
    {
        tracing::warn!(%error, "the window could not be hidden");
    }
    if let Some(core) = app.try_state::<App>() {
        // A hidden page is not woken by the position's ticks (the page's own visibility
        // event may come late, or not at all, for a window hidden rather than minimised).
        core.set_window_shown(false);
    }
    if let Some(tray) = app.try_state::<Tray>() {
        tray.window_shown(false);
    }
}
