//! GTK's own file dialogs, which the app opens for a folder of music, a playlist file to
//! import and where to save one, driven as a listener drives them: the dialog found by its
//! title, its location field opened by typing `/`, the path typed through XTEST, Return.
//! `type_text` types lower case, digits, `/`, `-` and `.` unshifted, so the paths given are
//! made of those (a link to a folder where its own path has more).

use std::path::Path;
use std::time::Duration;

use anyhow::{Context as _, Result};

use crate::AppUnderTest;
use crate::window::{AppWindow, press_key, type_text};

const RETURN: u32 = 0xff0d;
const END: u32 = 0xff57;
const BACKSPACE: u32 = 0xff08;
/// How long the app may take to open a dialog it was asked for.
const DIALOG_WAIT: Duration = Duration::from_secs(20);

/// Types `path` into the location field of the dialog titled `title` (already asked for) and
/// presses Return: what typed before the field is up would be lost, so `/` opens it first.
async fn type_location(app: &AppUnderTest, title: &str, path: &Path) -> Result<AppWindow> {
    let dialog = AppWindow::wait_titled(app.app_pid()?, title, DIALOG_WAIT).await?;
    dialog.focus()?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let path = path.to_str().context("a UTF-8 path")?;
    type_text("/")?;
    tokio::time::sleep(Duration::from_millis(800)).await;
    type_text(&path[1..])?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    type_text("\n")?;
    Ok(dialog)
}

/// Opens `file` in the open dialog titled `title`.
///
/// # Errors
/// When no such dialog opens, or the keys cannot be sent.
pub async fn open_file(app: &AppUnderTest, title: &str, file: &Path) -> Result<()> {
    type_location(app, title, file).await.map(drop)
}

/// Chooses `folder` in the folder dialog titled `title`: a dialog still up after Return has
/// gone into the folder, and Return again selects the folder it shows.
///
/// # Errors
/// When no such dialog opens, or the keys cannot be sent.
pub async fn choose_folder(app: &AppUnderTest, title: &str, folder: &Path) -> Result<()> {
    let dialog = type_location(app, title, folder).await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    if AppWindow::find_titled(app.app_pid()?, Some(title)).is_ok() {
        dialog.focus()?;
        press_key(RETURN)?;
    }
    Ok(())
}

/// Saves to `file` in the save dialog titled `title`: the name it suggests cleared, the
/// whole path typed.
///
/// # Errors
/// When no such dialog opens, or the keys cannot be sent.
pub async fn save_as(app: &AppUnderTest, title: &str, file: &Path) -> Result<()> {
    let dialog = AppWindow::wait_titled(app.app_pid()?, title, DIALOG_WAIT).await?;
    dialog.focus()?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    press_key(END)?;
    for _ in 0..64 {
        press_key(BACKSPACE)?;
    }
    type_text(file.to_str().context("a UTF-8 path")?)?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    type_text("\n")?;
    Ok(())
}
