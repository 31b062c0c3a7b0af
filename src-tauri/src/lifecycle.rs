//! The window closing and the app quitting.
//!
//! - Closing the window quits, unless the listener keeps Strato in the tray ("close to the
//!   tray"): then it hides and the music plays on. On macOS a closed window always leaves the
//!   app running, as the OS's own apps do; the Dock icon brings it back.
//! - Every way of quitting (the last window closed, Quit in the tray menu or the app menu,
//!   the OS's session ending) goes through one door: Tauri's exit request is held until the
//!   core has paused and written the queue, the position and the settings
//!   (`App::prepare_to_quit`), then let through. A restart into an installed update takes
//!   the same door.

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::time::Duration;

use strato_core::App;
use tauri::{AppHandle, Manager, RunEvent, Runtime, Window, WindowEvent};

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

/// The windows whose page is seen (not minimised, hidden or closed): the player's position
/// is sent while any is. The mini-player over a minimised main window is the common case.
/// Each page says so as it starts and on each change; the main window starts seen.
pub struct ShownWindows(Mutex<BTreeSet<String>>);

impl Default for ShownWindows {
    fn default() -> Self {
        Self(Mutex::new(BTreeSet::from([MAIN_WINDOW.to_owned()])))
    }
}

impl ShownWindows {
    /// `label` is shown or not; whether any window is shown now.
    fn set(&self, label: &str, shown: bool) -> bool {
        let mut windows = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if shown {
            windows.insert(label.to_owned());
        } else {
            windows.remove(label);
        }
        !windows.is_empty()
    }
}

/// The window `label` was shown or hidden: the core sends the position's ticks while any
/// window is seen.
pub fn window_shown<R: Runtime>(app: &AppHandle<R>, label: &str, shown: bool) {
    let any = app
        .try_state::<ShownWindows>()
        .is_none_or(|windows| windows.set(label, shown));
    if let Some(core) = app.try_state::<App>() {
        core.set_window_shown(any);
    }
}

/// Whether the listener has the window in front now.
pub fn window_in_front(app: &AppHandle) -> bool {
    app.try_state::<WindowFocus>()
        .is_some_and(|focus| focus.0.load(Ordering::Relaxed))
}

/// A window asks to close, gains or loses the focus, or is gone.
pub fn on_window_event(window: &Window, event: &WindowEvent) {
    if window.label() != MAIN_WINDOW {
        // The mini-player closes as any window does; once gone, it is not seen. Told after
        // this event returns: the core's answer goes to every window, and one being
        // destroyed must not be written to from inside its own destruction.
        if let WindowEvent::Destroyed = event {
            let (app, label) = (window.app_handle().clone(), window.label().to_owned());
            tauri::async_runtime::spawn(async move { window_shown(&app, &label, false) });
        }
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
    // The next launch is a new Strato, not a message to this one: were the name held while
    // the queue is saved, a launch in that moment would hand itself to an app that is going,
    // and nothing would open.
    tauri_plugin_single_instance::destroy(app);
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

/// Quits as [`quit`] does, then starts Strato again (an update was installed).
pub fn restart<R: Runtime>(app: &AppHandle<R>) {
    // Tauri's restart asks to exit, which `on_run_event` holds until the core has saved;
    // the new process is started once this one has let everything go.
    app.request_restart();
}

/// Hides the window (the music plays on): the tray offers it back.
pub fn hide_window(app: &AppHandle) {
    if let Some(window) = app.get_webview_window(MAIN_WINDOW)
        && let Err(error) = window.hide()
    {
        tracing::warn!(%error, "the window could not be hidden");
    }
    // A hidden page is not woken by the position's ticks (the page's own visibility event
    // may come late, or not at all, for a window hidden rather than minimised).
    window_shown(app, MAIN_WINDOW, false);
    if let Some(tray) = app.try_state::<Tray>() {
        tray.window_shown(false);
    }
}

#[cfg(test)]
mod tests {
    use super::ShownWindows;

    #[test]
    fn the_position_is_sent_while_any_window_is_seen() {
        let windows = ShownWindows::default();
        assert!(windows.set("mini", false), "the main window starts seen");
        assert!(windows.set("main", true));
        assert!(windows.set("mini", true));
        assert!(
            windows.set("main", false),
            "the mini-player over a minimised window"
        );
        assert!(!windows.set("mini", false));
        assert!(!windows.set("mini", false), "twice is the same");
        assert!(windows.set("main", true));
    }
}
