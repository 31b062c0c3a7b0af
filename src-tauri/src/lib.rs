//! The Strato desktop app: a thin Tauri shell. It builds the window, turns each IPC command
//! into a one-line call on [`strato_core::App`], forwards core events to the window, and
//! serves album art on the `cover://` scheme. Everything else lives in the core.

mod commands;
mod cover_scheme;
mod library_commands;

use std::sync::Arc;

use strato_core::{App, AppEvents, AppSettings};
use strato_model::ipc::{
    DOWNLOADS_STATUS_EVENT, DownloadsStatus, PLAYER_STATUS_EVENT, PLAYLISTS_CHANGED_EVENT,
    PlayerStatus, SYNC_STATUS_EVENT, SyncStatus,
};
use tauri::{Emitter, Manager};

/// Forwards core events to the window.
struct WindowEvents(tauri::AppHandle);

impl WindowEvents {
    fn send(&self, event: &str, payload: impl serde::Serialize + Clone) {
        if let Err(err) = self.0.emit(event, payload) {
            tracing::warn!(%err, event, "could not send an event to the window");
        }
    }
}

impl AppEvents for WindowEvents {
    fn player_status(&self, status: &PlayerStatus) {
        self.send(PLAYER_STATUS_EVENT, status);
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
}

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
    tauri::Builder::default()
        .setup(|app| {
            let events = Arc::new(WindowEvents(app.handle().clone()));
            let core = App::start(AppSettings::from_env(), events)?;
            tracing::info!(?core, "Strato started");
            app.manage(core);
            Ok(())
        })
        .register_asynchronous_uri_scheme_protocol("cover", cover_scheme::handle)
        .invoke_handler(tauri::generate_handler![
            commands::default_service_url,
            commands::session,
            commands::sign_in,
            commands::answer_challenge,
            commands::stay_signed_in,
            commands::restore_session,
            commands::sign_up,
            commands::confirm_sign_up,
            commands::resend_confirmation_code,
            commands::forgot_password,
            commands::confirm_forgot_password,
            commands::sign_out,
            commands::remembered_accounts,
            commands::switch_account,
            commands::forget_account,
            commands::catalog_tracks,
            commands::play_track,
            commands::play_queue,
            commands::jump,
            commands::next,
            commands::previous,
            commands::seek,
            commands::set_volume,
            commands::set_shuffle,
            commands::set_repeat,
            commands::pause,
            commands::resume,
            commands::player_status,
            library_commands::playlists,
            library_commands::playlist,
            library_commands::create_playlist,
            library_commands::rename_playlist,
            library_commands::describe_playlist,
            library_commands::delete_playlist,
            library_commands::add_to_playlist,
            library_commands::remove_from_playlist,
            library_commands::move_in_playlist,
            library_commands::play_playlist,
            library_commands::search_library,
            library_commands::search_catalog,
            library_commands::sync_status,
            library_commands::sync_now,
            library_commands::dismiss_sync_notice,
            library_commands::set_offline,
            library_commands::downloads_status,
            library_commands::pause_downloads,
            library_commands::resume_downloads,
        ])
        .run(tauri::generate_context!())
        .expect("the window system could not be started");
    drop(log);
}
