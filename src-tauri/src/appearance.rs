//! The window's look: the listener's theme, text size and row density, drawn from the first
//! frame and changed live.
//!
//! - **Before the first paint.** The look is decided before the window is built and handed
//!   to the page in an initialization script, which sets `<html data-theme data-rows>` as
//!   the document element appears, before any style is applied; the window's background
//!   and title bar are given the same theme. A window set to light never flashes dark.
//! - **Following the desktop.** On Linux the desktop's preference comes from the XDG portal
//!   ([`strato_desktop`]), since `WebKitGTK` and tao follow the GTK theme's name instead;
//!   where there is no portal, and on Windows and macOS, the page follows its own
//!   `prefers-color-scheme`, which those web views keep true to the OS.
//! - **Text size** is the web view's zoom: the whole UI scales, layout included, as a
//!   browser's zoom does, rather than only the fonts.

use std::time::Duration;

use strato_core::App;
use strato_desktop::ColorScheme;
use strato_model::ipc::{APPEARANCE_EVENT, Appearance, AppearanceSettings, Theme};
use tauri::window::Color;
use tauri::{Emitter, Manager, Runtime, WebviewWindow};
use tokio::sync::watch;

/// How long the start waits for the desktop portal's answer. It answers in milliseconds
/// when there is one; a session bus with none answers at once. The bound is for a bus that
/// does not answer at all, which should delay the window by little.
const PORTAL_WAIT: Duration = Duration::from_millis(300);

/// The window's background before the page paints, per theme: the UI's `--bg`.
const DARK_BACKGROUND: Color = Color(0x0f, 0x11, 0x15, 0xff);
const LIGHT_BACKGROUND: Color = Color(0xf7, 0xf8, 0xfa, 0xff);

/// The desktop's light or dark preference, where the app follows it itself.
pub struct DesktopTheme {
    scheme: Option<watch::Receiver<ColorScheme>>,
}

impl DesktopTheme {
    /// Asks the desktop (waiting at most [`PORTAL_WAIT`]); call once, at the start.
    pub fn ask() -> Self {
        let scheme = tauri::async_runtime::block_on(async {
            tokio::time::timeout(PORTAL_WAIT, strato_desktop::follow_color_scheme()).await
        });
        let scheme = match scheme {
            Ok(Ok(scheme)) => {
                tracing::info!(scheme = ?*scheme.borrow(), "following the desktop's theme");
                Some(scheme)
            }
            Ok(Err(unavailable)) => {
                tracing::info!("{unavailable}; the window follows its own");
                None
            }
            Err(_) => {
                tracing::warn!(
                    "the desktop portal did not answer in time; the window follows its own theme"
                );
                None
            }
        };
        Self { scheme }
    }

    /// The desktop's theme, or `None` where the web view knows it better.
    fn theme(&self) -> Option<Theme> {
        self.scheme.as_ref().map(|scheme| {
            if scheme.borrow().is_dark() {
                Theme::Dark
            } else {
                Theme::Light
            }
        })
    }

    /// The look for `settings` on this desktop.
    pub fn resolve(&self, settings: AppearanceSettings) -> Appearance {
        settings.resolve(self.theme())
    }

    /// Keeps the window in step with the desktop while its theme is followed.
    pub fn follow<R: Runtime>(&self, app: tauri::AppHandle<R>) {
        let Some(mut scheme) = self.scheme.clone() else {
            return;
        };
        tauri::async_runtime::spawn(async move {
            while scheme.changed().await.is_ok() {
                let (Some(core), Some(desktop)) =
                    (app.try_state::<App>(), app.try_state::<DesktopTheme>())
                else {
                    continue;
                };
                let appearance = desktop.resolve(core.settings().settings.appearance);
                apply(&app, appearance);
            }
        });
    }
}

/// The page's first lines: the look set on `<html>` as soon as it exists, and kept in
/// `window.__STRATO_APPEARANCE__` for the UI's appearance store.
pub fn first_paint_script(appearance: Appearance) -> String {
    let look = serde_json::to_string(&appearance).unwrap_or_else(|_| "null".to_owned());
    format!(
        r#"(() => {{
  const look = {look};
  window.__STRATO_APPEARANCE__ = look;
  const apply = () => {{
    const root = document.documentElement;
    if (!root) return false;
    root.dataset.theme = look.theme ?? (matchMedia("(prefers-color-scheme: light)").matches ? "light" : "dark");
    root.dataset.rows = look.compact_rows ? "compact" : "comfortable";
    return true;
  }};
  if (!apply()) new MutationObserver((_, observer) => {{ if (apply()) observer.disconnect(); }}).observe(document, {{ childList: true }});
}})();"#
    )
}

/// The window's background and title bar for `appearance`, before the page paints.
pub fn window_theme(appearance: Appearance) -> (Option<tauri::Theme>, Color) {
    match appearance.theme {
        Some(Theme::Light) => (Some(tauri::Theme::Light), LIGHT_BACKGROUND),
        Some(Theme::Dark) => (Some(tauri::Theme::Dark), DARK_BACKGROUND),
        None => (None, DARK_BACKGROUND),
    }
}

/// The zoom that gives `appearance`'s text size.
fn zoom(appearance: Appearance) -> f64 {
    f64::from(appearance.text_scale_percent) / 100.0
}

/// Sets the text size again as a page starts loading: the web view forgets a zoom set
/// before its first page (measured: the window opened at 100 % with 125 % chosen).
pub fn keep_zoom<R: Runtime>(
    window: &WebviewWindow<R>,
    payload: &tauri::webview::PageLoadPayload<'_>,
) {
    if payload.event() != tauri::webview::PageLoadEvent::Started {
        return;
    }
    if let (Some(core), Some(desktop)) = (
        window.try_state::<App>(),
        window.try_state::<DesktopTheme>(),
    ) {
        apply_zoom(window, desktop.resolve(core.settings().settings.appearance));
    }
}

/// Sets the zoom that gives `appearance`'s text size.
pub fn apply_zoom<R: Runtime>(window: &WebviewWindow<R>, appearance: Appearance) {
    if let Err(err) = window.set_zoom(zoom(appearance)) {
        tracing::warn!(%err, "could not set the window's text size");
    }
}

/// Draws `appearance` now: the window's zoom, title bar and background, and the page (told
/// by [`APPEARANCE_EVENT`]).
pub fn apply<R: Runtime>(app: &tauri::AppHandle<R>, appearance: Appearance) {
    if let Some(window) = app.get_webview_window(crate::MAIN_WINDOW) {
        apply_zoom(&window, appearance);
        let (theme, background) = window_theme(appearance);
        if let Err(err) = window
            .set_theme(theme)
            .and_then(|()| window.set_background_color(Some(background)))
        {
            tracing::warn!(%err, "could not set the window's theme");
        }
    }
    if let Err(err) = app.emit(APPEARANCE_EVENT, appearance) {
        tracing::warn!(%err, "could not tell the window its appearance");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_sets_the_chosen_look_and_leaves_the_system_one_to_the_page() {
        let dark = Appearance {
            theme: Some(Theme::Dark),
            text_scale_percent: 125,
            compact_rows: true,
        };
        let script = first_paint_script(dark);
        assert!(script.contains(r#""theme":"dark""#), "{script}");
        assert!(script.contains(r#""compact_rows":true"#), "{script}");
        let system = first_paint_script(Appearance {
            theme: None,
            ..dark
        });
        assert!(system.contains(r#""theme":null"#), "{system}");
        assert!((zoom(dark) - 1.25).abs() < f64::EPSILON);
        assert_eq!(window_theme(dark).0, Some(tauri::Theme::Dark));
    }
}
