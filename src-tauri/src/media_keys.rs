//! The media keys taken by Strato itself (tauri-plugin-global-shortcut), where the desktop
//! does not pass them to players: a window manager without a media-key daemon, a desktop
//! without a session bus. Where it does (GNOME, KDE, Windows' and macOS' media sessions),
//! the keys reach Strato through the media session and nothing is grabbed, unless the
//! listener asks for it (Settings › Desktop, "Take the media keys"). Grabbed keys work with
//! the window hidden; on Wayland no app can grab keys, and only the media session works.

use std::sync::atomic::{AtomicBool, Ordering};

use strato_core::App;
use tauri::{AppHandle, Manager, Wry};
use tauri_plugin_global_shortcut::{Code, GlobalShortcutExt, Shortcut, ShortcutState};

/// Whether the OS's media session could not be offered (then the keys are taken anyway).
#[derive(Default)]
pub struct MediaKeys {
    session_unavailable: AtomicBool,
    taken: AtomicBool,
}

/// The keys taken: on X11 the play key is play/pause (`XF86AudioPlay`); elsewhere the
/// OS names a play/pause key of its own.
fn media_shortcuts() -> Vec<Shortcut> {
    #[cfg(target_os = "linux")]
    let play = [Code::MediaPlay, Code::MediaPause];
    #[cfg(not(target_os = "linux"))]
    let play = [Code::MediaPlayPause];
    play.into_iter()
        .chain([
            Code::MediaStop,
            Code::MediaTrackNext,
            Code::MediaTrackPrevious,
        ])
        .map(|code| Shortcut::new(None, code))
        .collect()
}

/// The plugin, acting on the player when a taken key is pressed.
pub fn plugin() -> tauri::plugin::TauriPlugin<Wry> {
    tauri_plugin_global_shortcut::Builder::new()
        .with_handler(|app, shortcut, event| {
            if event.state == ShortcutState::Pressed {
                act(app, shortcut.key);
            }
        })
        .build()
}

fn act(app: &AppHandle, key: Code) {
    let Some(core) = app.try_state::<App>() else {
        return;
    };
    match key {
        Code::MediaPlay | Code::MediaPlayPause => core.play_pause(),
        Code::MediaPause => core.pause(),
        Code::MediaStop => core.stop(),
        Code::MediaTrackNext => core.next(),
        Code::MediaTrackPrevious => core.previous(),
        _ => {}
    }
}

/// The media session could not be offered: the keys are taken from now on.
pub fn session_unavailable(app: &AppHandle) {
    if let Some(keys) = app.try_state::<MediaKeys>() {
        keys.session_unavailable.store(true, Ordering::SeqCst);
    }
    follow_settings(app);
}

/// Takes the keys, or gives them back, as the settings and the media session say.
pub fn follow_settings(app: &AppHandle) {
    let (Some(keys), Some(core)) = (app.try_state::<MediaKeys>(), app.try_state::<App>()) else {
        return;
    };
    let wanted = core.settings().settings.desktop.take_media_keys
        || keys.session_unavailable.load(Ordering::SeqCst);
    if keys.taken.swap(wanted, Ordering::SeqCst) == wanted {
        return;
    }
    let shortcuts = app.global_shortcut();
    let outcome = if wanted {
        shortcuts.register_multiple(media_shortcuts())
    } else {
        shortcuts.unregister_multiple(media_shortcuts())
    };
    match outcome {
        Ok(()) => tracing::info!(taken = wanted, "the media keys"),
        Err(error) => tracing::warn!(%error, "the media keys could not be taken"),
    }
}
