//! The Strato desktop app: a thin Tauri shell. It builds the window, turns each IPC command
//! into a one-line call on [`strato_core::App`], forwards core events to the window, and
//! serves album art on the `cover://` scheme. Everything else lives in the core.

mod commands;
mod cover_scheme;

use std::sync::Arc;

use strato_core::{App, AppEvents, AppSettings};
use strato_model::ipc::{PLAYER_STATUS_EVENT, PlayerStatus};
use tauri::{Emitter, Manager};

/// Forwards core events to the window.
struct WindowEvents(tauri::AppHandle);

impl AppEvents for WindowEvents {
    fn player_status(&self, status: &PlayerStatus) {
        if let Err(err) = self.0.emit(PLAYER_STATUS_EVENT, status) {
            tracing::warn!(%err, "could not send player status to the window");
        }
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
        ])
        .run(tauri::generate_context!())
        .expect("the window system could not be started");
    drop(log);
}
