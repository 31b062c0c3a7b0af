//! What the desktop around the window shows of Strato: the words of the tray icon's menu.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The tray menu's words in the window's language. The window sends them
/// (`set_desktop_words`) whenever its language is chosen, so one catalogue of messages
/// serves the window and the menus the OS draws.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DesktopWords {
    pub nothing_playing: String,
    pub play: String,
    pub pause: String,
    pub next: String,
    pub previous: String,
    pub show: String,
    pub hide: String,
    pub mini_player: String,
    pub quit: String,
}

impl Default for DesktopWords {
    /// English, until the window has said otherwise.
    fn default() -> Self {
        Self {
            nothing_playing: "Nothing playing".to_owned(),
            play: "Play".to_owned(),
            pause: "Pause".to_owned(),
            next: "Next track".to_owned(),
            previous: "Previous track".to_owned(),
            show: "Show Strato".to_owned(),
            hide: "Hide Strato".to_owned(),
            mini_player: "Mini player".to_owned(),
            quit: "Quit Strato".to_owned(),
        }
    }
}
