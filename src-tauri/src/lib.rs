//! The Strato desktop app: a thin Tauri shell. It builds the window, turns each IPC command
//! into a one-line call on [`strato_core::App`], forwards core events to the window, and
//! serves album art on the `cover://` scheme. Everything else lives in the core.

mod about;
mod appearance;
mod browse_commands;
mod catalog_commands;
mod commands;
pub mod cover_scheme;
mod device_commands;
mod dialogs;
mod launch;
mod library_commands;
mod lifecycle;
mod list_commands;
mod local_files_commands;
mod local_playlist_commands;
mod media_keys;
mod media_session;
mod mini_player;
mod native_heap;
mod queue_commands;
mod scrobble_commands;
mod sound_commands;
mod star_commands;
mod tray;
mod updates;
mod upload_commands;
mod web_memory;
mod webview;

use std::sync::Arc;

pub use launch::hand_over_play;
#[cfg(target_os = "linux")]
pub use updates::settle_certificate_paths;

use appearance::DesktopTheme;
use strato_core::{App, AppEvents, AppSettings};
use strato_model::ipc::{
    CATALOG_CHANGED_EVENT, CatalogChange, DEVICES_CHANGED_EVENT, DOWNLOADS_STATUS_EVENT,
    DevicesView, DownloadsStatus, LAUNCHES_WAITING_EVENT, LOCAL_FILES_CHANGED_EVENT,
    LOCAL_PLAYLISTS_CHANGED_EVENT, LocalFilesView, PLAYER_STATUS_EVENT, PLAYLISTS_CHANGED_EVENT,
    PlayerStatus, QUEUE_CHANGED_EVENT, QueueView, SETTINGS_CHANGED_EVENT,
    SIGNED_OUT_ELSEWHERE_EVENT, STARS_CHANGED_EVENT, SYNC_STATUS_EVENT, SettingsView, SyncStatus,
    TRANSFERS_STATUS_EVENT, TransfersStatus, UPLOADS_CHANGED_EVENT,
};
use tauri::{Emitter, Manager, Runtime};
use tauri_plugin_window_state::StateFlags;

/// Forwards core events to the window, and what plays to the OS's media session, the tray
/// and the OS's power management.
struct WindowEvents {
    app: tauri::AppHandle,
    media: Arc<strato_desktop::media_session::MediaSession>,
    awake: strato_desktop::keep_awake::KeepAwake,
    notices: strato_desktop::track_notices::TrackNotices,
}

impl WindowEvents {
    fn send(&self, event: &str, payload: impl serde::Serialize + Clone) {
        if let Err(err) = self.app.emit(event, payload) {
            tracing::warn!(%err, event, "could not send an event to the window");
        }
    }
}

impl AppEvents for WindowEvents {
    fn player_status(&self, status: &PlayerStatus) {
        self.media.follow(status);
        self.awake.follow(status);
        self.notices.follow(status, || {
            let wanted = self
                .app
                .try_state::<App>()
                .is_some_and(|core| core.settings().settings.desktop.notify_track_change);
            wanted && !lifecycle::window_in_front(&self.app)
        });
        if let Some(tray) = self.app.try_state::<tray::Tray>() {
            tray.follow(status);
        }
        self.send(PLAYER_STATUS_EVENT, status);
    }

    fn queue_changed(&self, view: &QueueView) {
        self.media.follow_queue(view);
        self.send(QUEUE_CHANGED_EVENT, view);
    }

    fn playlists_changed(&self) {
        self.send(PLAYLISTS_CHANGED_EVENT, ());
    }

    fn sync_status(&self, status: &SyncStatus) {
        self.send(SYNC_STATUS_EVENT, status);
    }

    fn downloads_status(&self, status: &DownloadsStatus) {
        self.send(DOWNLOADS_STATUS_EVENT, status);
    }

    fn transfers_status(&self, status: &TransfersStatus) {
        self.send(TRANSFERS_STATUS_EVENT, status);
    }

    fn uploads_changed(&self) {
        self.send(UPLOADS_CHANGED_EVENT, ());
    }

    fn signed_out_elsewhere(&self) {
        self.send(SIGNED_OUT_ELSEWHERE_EVENT, ());
    }

    fn devices_changed(&self, view: &DevicesView) {
        self.send(DEVICES_CHANGED_EVENT, view);
    }

    fn catalog_changed(&self, change: &CatalogChange) {
        self.send(CATALOG_CHANGED_EVENT, change);
    }

    fn settings_changed(&self, view: &SettingsView) {
        media_keys::follow_settings(&self.app);
        if let Some(desktop) = self.app.try_state::<DesktopTheme>() {
            appearance::apply(&self.app, desktop.resolve(view.settings.appearance));
        }
        self.send(SETTINGS_CHANGED_EVENT, view);
    }

    fn launches_waiting(&self) {
        self.send(LAUNCHES_WAITING_EVENT, ());
    }

    fn local_files_changed(&self, view: &LocalFilesView) {
        self.send(LOCAL_FILES_CHANGED_EVENT, view);
    }

    fn local_playlists_changed(&self) {
        self.send(LOCAL_PLAYLISTS_CHANGED_EVENT, ());
    }

    fn stars_changed(&self) {
        self.send(STARS_CHANGED_EVENT, ());
    }
}

/// The window's label in `tauri.conf.json`.
const MAIN_WINDOW: &str = "main";

/// Runs the app until its window closes.
///
/// # Panics
/// When the window system cannot be started at all; there is nothing to show then.
pub fn run() {
    let log = strato_core::logging::init();
    match &log {
        Ok(guard) => tracing::info!(directory = %guard.directory.display(), "logging"),
        Err(err) => eprintln!("strato: logging to a file is off: {err}"),
    }
    let log_dir = log.as_ref().ok().map(|guard| guard.directory.clone());
    let settings = AppSettings::from_env();
    // First: a second launch hands over and ends before anything else starts.
    let builder = tauri::Builder::default().plugin(launch::single_instance(&settings));
    with_ipc(builder)
        .plugin(tauri_plugin_deep_link::init())
        .plugin(media_keys::plugin())
        // Each window's size and place (not whether it was shown: a window closed to the
        // tray comes back on the next start), restored as it is made.
        .plugin(
            tauri_plugin_window_state::Builder::default()
                .with_state_flags(
                    StateFlags::SIZE
                        | StateFlags::POSITION
                        | StateFlags::MAXIMIZED
                        | StateFlags::FULLSCREEN,
                )
                .build(),
        )
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_updater::Builder::new().build())
        .on_window_event(lifecycle::on_window_event)
        .setup(move |app| {
            app.manage(lifecycle::Quitting::default());
            app.manage(lifecycle::WindowFocus::default());
            app.manage(lifecycle::ShownWindows::default());
            app.manage(media_keys::MediaKeys::default());
            app.manage(about::AboutInfo {
                // With the commit, as `strato --version` says it: what a bug report needs.
                version: strato_cli::VERSION.to_owned(),
                log_dir: log_dir.clone(),
            });
            let events = Arc::new(WindowEvents {
                app: app.handle().clone(),
                media: media_session::start(app.handle()),
                awake: strato_desktop::keep_awake::KeepAwake::start(
                    "Strato",
                    strato_desktop::single_instance::APP_IDENTIFIER,
                ),
                notices: strato_desktop::track_notices::TrackNotices::start(
                    "Strato",
                    strato_desktop::DESKTOP_ENTRY,
                    media_session::ManagedCore(app.handle().clone()),
                ),
            });
            let core = App::start(settings, events)?;
            tracing::info!(?core, "Strato started");
            let desktop = DesktopTheme::ask();
            let look = desktop.resolve(core.settings().settings.appearance);
            app.manage(core);
            app.manage(desktop);
            device_commands::serve_remote_control(app.handle());
            native_heap::keep_trimmed();
            // The window is made here rather than by Tauri from the configuration, so that
            // its web view is created with the budgets set (after GTK starts, before the web
            // context exists).
            web_memory::install();
            let config = app
                .config()
                .app
                .windows
                .iter()
                .find(|window| window.label == MAIN_WINDOW)
                .ok_or("tauri.conf.json has no main window")?
                .clone();
            let (theme, background) = appearance::window_theme(look);
            let mut config = config;
            // Files dropped from the desktop (to upload) come as Tauri's drag-drop event,
            // with their paths. Its handler on Windows takes every drag, the page's own too
            // (playlists are reordered by dragging rows), so there it is off and files are
            // chosen with "Upload music"; on Linux (WebKitGTK) and macOS it takes only drags
            // that carry files, and the page keeps its own.
            if cfg!(target_os = "windows") {
                config.drag_drop_enabled = false;
            }
            let window = tauri::WebviewWindowBuilder::from_config(app.handle(), &config)?
                .initialization_script(appearance::first_paint_script(look))
                .theme(theme)
                .background_color(background)
                .on_page_load(|window, payload| appearance::keep_zoom(&window, &payload))
                .build()?;
            app.state::<DesktopTheme>().follow(app.handle().clone());
            tracing::info!(
                contexts = web_memory::contexts_given_a_budget(),
                "web contexts given the memory budget"
            );
            webview::apply(&window);
            if let Some(tray) = tray::Tray::start(app.handle()) {
                app.manage(tray);
            }
            media_keys::follow_settings(app.handle());
            launch::receive_own_arguments(app.handle());
            updates::start(app.handle());
            Ok(())
        })
        .build(context())
        .expect("the window system could not be started")
        .run(|app, event| {
            lifecycle::on_run_event(app, &event);
            #[cfg(target_os = "macos")]
            if let tauri::RunEvent::Opened { urls } = &event {
                launch::receive_opened(app, urls);
            }
        });
    drop(log);
}

/// The shell's side of the IPC contract, on a builder of any runtime: every
/// `#[tauri::command]` in this crate (the build script lists them, see `contract.rs`) and the
/// `cover://` scheme. The commands need a [`strato_core::App`] managed by the caller. Tests
/// build on Tauri's mock runtime with it and [`context`].
pub fn with_ipc<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder
        .register_asynchronous_uri_scheme_protocol("cover", cover_scheme::handle)
        .invoke_handler(include!(concat!(env!("OUT_DIR"), "/invoke_handler.rs")))
}

/// `tauri.conf.json`, the UI's files and the permissions (`capabilities/`, the commands'
/// generated `allow-`/`deny-` permissions), compiled in.
#[must_use]
pub fn context<R: Runtime>() -> tauri::Context<R> {
    tauri::generate_context!()
}
