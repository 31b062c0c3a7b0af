//! The tray icon and its menu: what plays, play/pause, next, previous, show or hide the
//! window, the mini-player, quit. The menu follows the player (only when what it says changes: the status
//! arrives four times a second while the window shows) and speaks the window's language
//! (the window sends the words, `set_desktop_words`).
//!
//! Linux draws it through libayatana-appindicator (the `StatusNotifierItem` protocol, its
//! menu exported over D-Bus); there a click on the icon opens the menu, as the protocol has
//! it. Windows and macOS: a left click shows or hides the window, the menu is on the right.

use std::sync::Mutex;

use strato_core::App;
use strato_model::ipc::{DesktopWords, PlaybackState, PlayerStatus};
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::{MouseButton, MouseButtonState, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Manager, Wry};

use crate::MAIN_WINDOW;

/// The tray icon's menu, and what it says now.
pub struct Tray {
    app: AppHandle,
    items: Items,
    said: Mutex<Said>,
}

/// The menu's items that change.
#[derive(Clone)]
struct Items {
    now_playing: MenuItem<Wry>,
    play_pause: MenuItem<Wry>,
    next: MenuItem<Wry>,
    previous: MenuItem<Wry>,
    show_hide: MenuItem<Wry>,
    mini_player: MenuItem<Wry>,
    quit: MenuItem<Wry>,
}

/// What the menu says: changed only when this does.
#[derive(Debug, Clone, PartialEq, Default)]
struct Said {
    words: DesktopWords,
    /// "Title — Artist".
    track: Option<String>,
    playing: bool,
    window_shown: bool,
}

const NOW_PLAYING: &str = "now-playing";
const PLAY_PAUSE: &str = "play-pause";
const NEXT: &str = "next";
const PREVIOUS: &str = "previous";
const SHOW_HIDE: &str = "show-hide";
const MINI_PLAYER: &str = "mini-player";
const QUIT: &str = "quit";

impl Tray {
    /// Puts the icon in the tray. `None`, said in the log, when the desktop has no tray.
    pub fn start(app: &AppHandle) -> Option<Self> {
        match Self::build(app) {
            Ok(tray) => Some(tray),
            Err(error) => {
                tracing::warn!(%error, "no tray icon");
                None
            }
        }
    }

    fn build(app: &AppHandle) -> tauri::Result<Self> {
        let said = Said {
            window_shown: true,
            ..Said::default()
        };
        let words = &said.words;
        let item = |id: &str, text: &str, enabled: bool| {
            MenuItem::with_id(app, id, text, enabled, None::<&str>)
        };
        let items = Items {
            now_playing: item(NOW_PLAYING, &words.nothing_playing, false)?,
            play_pause: item(PLAY_PAUSE, &words.play, false)?,
            next: item(NEXT, &words.next, false)?,
            previous: item(PREVIOUS, &words.previous, false)?,
            show_hide: item(SHOW_HIDE, &words.hide, true)?,
            mini_player: item(MINI_PLAYER, &words.mini_player, true)?,
            quit: item(QUIT, &words.quit, true)?,
        };
        let menu = Menu::with_items(
            app,
            &[
                &items.now_playing,
                &PredefinedMenuItem::separator(app)?,
                &items.play_pause,
                &items.next,
                &items.previous,
                &PredefinedMenuItem::separator(app)?,
                &items.show_hide,
                &items.mini_player,
                &items.quit,
            ],
        )?;
        let mut icon = TrayIconBuilder::with_id("strato")
            .tooltip("Strato")
            .menu(&menu)
            .show_menu_on_left_click(false)
            .on_menu_event(|app, event| act(app, event.id().as_ref()))
            .on_tray_icon_event(|icon, event| {
                if let TrayIconEvent::Click {
                    button: MouseButton::Left,
                    button_state: MouseButtonState::Up,
                    ..
                } = event
                {
                    toggle_window(icon.app_handle());
                }
            });
        if let Some(image) = app.default_window_icon() {
            icon = icon.icon(image.clone());
        }
        icon.build(app)?;
        Ok(Self {
            app: app.clone(),
            items,
            said: Mutex::new(said),
        })
    }

    /// The player's status: the menu says what plays and offers play or pause.
    pub fn follow(&self, status: &PlayerStatus) {
        self.update(|said| {
            said.track = status
                .track
                .as_ref()
                .map(|track| match track.artist_name.as_str() {
                    "" => track.title.clone(),
                    artist => format!("{} — {artist}", track.title),
                });
            said.playing = matches!(
                status.state,
                PlaybackState::Playing | PlaybackState::Loading | PlaybackState::Buffering
            );
        });
    }

    /// The window was shown or hidden: the menu offers the other.
    pub fn window_shown(&self, shown: bool) {
        self.update(|said| said.window_shown = shown);
    }

    /// The window's language chose these words.
    pub fn use_words(&self, words: DesktopWords) {
        self.update(|said| said.words = words);
    }

    fn update(&self, change: impl FnOnce(&mut Said)) {
        let now = {
            let mut said = self
                .said
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let before = said.clone();
            change(&mut said);
            if *said == before {
                return;
            }
            said.clone()
        };
        // The menus belong to the main thread. Sent there without waiting for it: the
        // player's thread, which tells most changes, must never wait on the window's.
        let items = self.items.clone();
        if let Err(error) = self.app.run_on_main_thread(move || items.say(&now)) {
            tracing::debug!(%error, "the tray menu could not be updated");
        }
    }
}

impl Items {
    fn say(&self, now: &Said) {
        let words = &now.words;
        let has_track = now.track.is_some();
        let outcomes = [
            self.now_playing
                .set_text(now.track.as_deref().unwrap_or(&words.nothing_playing)),
            self.play_pause.set_text(if now.playing {
                &words.pause
            } else {
                &words.play
            }),
            self.play_pause.set_enabled(has_track),
            self.next.set_text(&words.next),
            self.next.set_enabled(has_track),
            self.previous.set_text(&words.previous),
            self.previous.set_enabled(has_track),
            self.show_hide.set_text(if now.window_shown {
                &words.hide
            } else {
                &words.show
            }),
            self.mini_player.set_text(&words.mini_player),
            self.quit.set_text(&words.quit),
        ];
        for outcome in outcomes {
            if let Err(error) = outcome {
                tracing::debug!(%error, "the tray menu could not be updated");
            }
        }
    }
}

/// A menu item was chosen.
fn act(app: &AppHandle, id: &str) {
    let Some(core) = app.try_state::<App>() else {
        return;
    };
    match id {
        PLAY_PAUSE => core.play_pause(),
        NEXT => core.next(),
        PREVIOUS => core.previous(),
        SHOW_HIDE => toggle_window(app),
        MINI_PLAYER => crate::mini_player::toggle(app),
        QUIT => crate::lifecycle::quit(app),
        _ => {}
    }
}

/// Shows the window (raised and focused) when it is hidden, hides it otherwise.
pub fn toggle_window(app: &AppHandle) {
    let Some(window) = app.get_webview_window(MAIN_WINDOW) else {
        return;
    };
    let shown = window.is_visible().unwrap_or(true) && !window.is_minimized().unwrap_or(false);
    if shown {
        crate::lifecycle::hide_window(app);
    } else {
        crate::media_session::raise(app);
        if let Some(tray) = app.try_state::<Tray>() {
            tray.window_shown(true);
        }
    }
}

/// The tray menu's words, in the window's language (see [`DesktopWords`]). Without a tray
/// there is nothing to say them.
// Tauri's command macro requires arguments by value.
#[allow(clippy::needless_pass_by_value)]
#[tauri::command]
pub fn set_desktop_words<R: tauri::Runtime>(app: AppHandle<R>, words: DesktopWords) {
    if let Some(tray) = app.try_state::<Tray>() {
        tray.use_words(words);
    }
}
