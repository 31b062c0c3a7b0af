//! Launches: one Strato per listener, and what the app is opened with.
//!
//! - A second launch of the app hands its arguments to the running one and ends
//!   (tauri-plugin-single-instance, registered before every other plugin so that nothing
//!   else starts in the second process); the running window comes forward.
//! - Arguments (this launch's, or a second's), and on macOS the files and links the OS opens
//!   the app with, become a [`Launch`] the core keeps until the window asks for it.
//! - `strato play ITEMS` with a window open hands the items over too ([`hand_over_play`]).
//!
//! `strato://` is registered as the app's scheme by the installers (tauri-plugin-deep-link's
//! configuration in `tauri.conf.json`): the OS then starts `strato <link>`.

use std::ffi::OsString;
use std::path::Path;
use std::process::ExitCode;

use strato_core::launch::Launch;
use strato_core::{App, AppSettings};
use strato_model::ipc::AppError;
use tauri::{AppHandle, Manager};

/// The single-instance plugin for this listener's settings folder (see
/// `strato_desktop::single_instance`). To be registered first.
pub fn single_instance(settings: &AppSettings) -> tauri::plugin::TauriPlugin<tauri::Wry> {
    let id = strato_desktop::single_instance::instance_id(settings.config_dir.as_deref());
    tauri_plugin_single_instance::Builder::new()
        .dbus_id(id)
        .callback(|app, argv, cwd| {
            tracing::info!("a second launch handed over");
            crate::media_session::raise(app);
            let args = argv.get(1..).unwrap_or_default();
            receive(app, Launch::from_args(args, Path::new(&cwd)));
        })
        .build()
}

/// This launch's own arguments, once the core has started.
pub fn receive_own_arguments(app: &AppHandle) {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cwd = std::env::current_dir().unwrap_or_default();
    receive(app, Launch::from_args(&args, &cwd));
}

/// What macOS opened the app with: files and `strato://` links, as URLs.
#[cfg(target_os = "macos")]
pub fn receive_opened(app: &AppHandle, urls: &[tauri::Url]) {
    let urls: Vec<&str> = urls.iter().map(tauri::Url::as_str).collect();
    receive(app, Launch::from_urls(&urls));
}

fn receive(app: &AppHandle, launch: Result<Option<Launch>, AppError>) {
    let Some(core) = app.try_state::<App>() else {
        return;
    };
    if let Some(launch) = launch.transpose() {
        core.receive_launch(launch);
    }
}

/// `strato play ITEMS` (no options) while a Strato window is open: the items go to it, and
/// this process ends. `None` when it must play here instead: options were given (they
/// configure the player without a window), or no window is open to take them.
#[must_use]
pub fn hand_over_play(args: &[OsString]) -> Option<ExitCode> {
    let args: Vec<String> = args
        .iter()
        .map(|arg| arg.to_str().map(str::to_owned))
        .collect::<Option<_>>()?;
    let (Some("play"), Some(items)) = (args.get(1).map(String::as_str), args.get(2..)) else {
        return None;
    };
    if items.is_empty() || items.iter().any(|item| item.starts_with('-')) {
        return None;
    }
    let settings = AppSettings::from_env();
    let id = strato_desktop::single_instance::instance_id(settings.config_dir.as_deref());
    let cwd = std::env::current_dir().unwrap_or_default();
    match strato_desktop::single_instance::hand_over(&id, &args, &cwd) {
        Ok(true) => {
            eprintln!("strato: playing in the open Strato window");
            Some(ExitCode::SUCCESS)
        }
        Ok(false) => None,
        Err(reason) => {
            eprintln!("strato: {reason}");
            Some(ExitCode::FAILURE)
        }
    }
}

/// Carries out the launches waiting (see `App::run_launches`): the window asks at start, once
/// it knows whether an account is signed in, and on each `launches-waiting` event.
#[tauri::command]
pub async fn run_launches(
    app: tauri::State<'_, App>,
) -> Result<Vec<strato_model::ipc::LaunchOutcome>, AppError> {
    Ok(app.run_launches().await)
}
