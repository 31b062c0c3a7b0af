//! The About section's facts, which the shell holds: the app's version (Tauri's package
//! information, from the workspace's version) and the folder the logs go to (set up as the
//! app starts); and opening that folder in the desktop's file manager, as "Show logs" does
//! in every desktop app, through the `open` crate (`xdg-open` and its kin on Linux, `open`
//! on macOS, the shell's `explorer` on Windows).

// Tauri's command macro requires `State` by value.
#![allow(clippy::needless_pass_by_value)]

use std::path::PathBuf;

use strato_model::ipc::{AboutView, AppError, ErrorKind};
use tauri::State;

/// What the About section shows, kept from the start.
#[derive(Debug, Clone)]
pub struct AboutInfo {
    pub version: String,
    pub log_dir: Option<PathBuf>,
}

#[tauri::command]
pub fn about(info: State<'_, AboutInfo>) -> AboutView {
    AboutView {
        version: info.version.clone(),
        log_dir: info.log_dir.as_ref().map(|dir| dir.display().to_string()),
    }
}

/// Opens the log folder in the file manager; returns once it is asked to, not when it shows.
/// Off the window's thread and the runtime's: the opener is given a moment to fail.
#[tauri::command]
pub async fn open_log_folder(info: State<'_, AboutInfo>) -> Result<(), AppError> {
    let Some(dir) = info.log_dir.clone() else {
        return Err(AppError::new(
            ErrorKind::NotFound,
            "This run writes no log file, so there is no folder to open.",
        ));
    };
    tauri::async_runtime::spawn_blocking(move || open_folder(&dir))
        .await
        .map_err(|err| {
            AppError::new(
                ErrorKind::Internal,
                format!("opening the log folder failed: {err}"),
            )
        })?
}

fn open_folder(dir: &std::path::Path) -> Result<(), AppError> {
    // Detached: the file manager outlives nothing of ours, and nothing waits for it.
    open::that_detached(dir).map_err(|err| {
        tracing::warn!(%err, dir = %dir.display(), "could not open the log folder");
        AppError::new(
            ErrorKind::Storage,
            format!(
                "The log folder could not be opened ({err}). It is {}.",
                dir.display()
            ),
        )
    })
}
