//! GTK's own file dialogs, which the app opens for a folder of music, a playlist file to
//! import and where to save one, driven as a listener drives them: the dialog found by its
//! title, its location field opened by typing `/`, the path typed through XTEST, Return.
//! `type_text` types lower case, digits, `/`, `-` and `.` unshifted, so the paths given are
//! made of those (a link to a folder where its own path has more).
//!
//! Each key waits for the dialog's answer to the one before: GTK answers by drawing, so the
//! dialog's picture on the screen changing, then holding still, says it has done so. Keys sent
//! sooner are lost: with GTK 3.24, a path typed at once after `/` lost its start while the
//! dialog went from its recent files to a folder (`//music/list.m3u8` left in the field, the
//! dialog up), four times in four; waiting as here, in none of 48 (15 beside three busy
//! loops).

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};

use crate::AppUnderTest;
use crate::window::{AppWindow, press_key, type_text};

const RETURN: u32 = 0xff0d;
const END: u32 = 0xff57;
const BACKSPACE: u32 = 0xff08;
/// How long the app may take to open a dialog it was asked for.
const DIALOG_WAIT: Duration = Duration::from_secs(20);
/// How long GTK may take to draw its answer to a key (about half a second when idle).
const ANSWER_WAIT: Duration = Duration::from_secs(10);
/// How often the dialog's picture is read while waiting (a read takes some 50 ms).
const LOOK_EVERY: Duration = Duration::from_millis(50);
/// How long the picture must stay the same for GTK to be done answering: longer than the gap
/// between two frames of its animations (the location bar slides in over 250 ms), shorter
/// than a text cursor stays lit after a key or a focus (800 ms), so a blinking cursor does
/// not keep the dialog from settling.
const STILL_FOR: Duration = Duration::from_millis(200);

/// The dialog's picture once it differs from `before` (any picture, with none) and has then
/// held still for `STILL_FOR`: GTK has drawn its answer to what was sent, and is done.
///
/// # Errors
/// When it has not within `ANSWER_WAIT`: the error names `awaited`, and says whether the
/// picture never changed or never held still.
async fn settled(dialog: &AppWindow, before: Option<&[u8]>, awaited: &str) -> Result<Vec<u8>> {
    let deadline = Instant::now() + ANSWER_WAIT;
    let mut shown = dialog.picture()?;
    let mut changed = before.is_none_or(|before| before != shown);
    let mut since = Instant::now();
    loop {
        tokio::time::sleep(LOOK_EVERY).await;
        let now = dialog.picture()?;
        if now != shown {
            changed = changed || before.is_none_or(|before| before != now);
            shown = now;
            since = Instant::now();
        } else if changed && since.elapsed() >= STILL_FOR {
            return Ok(shown);
        }
        if Instant::now() >= deadline {
            let how = if changed {
                "its picture kept changing"
            } else {
                "its picture did not change"
            };
            anyhow::bail!("waited {ANSWER_WAIT:?} for {awaited}: {how}");
        }
    }
}

/// Gives the dialog the keyboard focus (Xvfb runs no window manager to do so) and waits for
/// it to be drawn and still, GTK ready for keys; answers its picture then.
///
/// # Errors
/// When it does not take the focus or settle in time.
async fn focus_when_drawn(dialog: &AppWindow, title: &str) -> Result<Vec<u8>> {
    dialog.focus()?;
    anyhow::ensure!(
        dialog.has_focus()?,
        "the dialog {title:?} did not take the keyboard focus"
    );
    settled(dialog, None, &format!("the dialog {title:?} to be drawn")).await
}

/// Types `path` into the location field of the dialog titled `title` (already asked for) and
/// presses Return: what typed before the field is up would be lost, so `/` opens it first.
/// Answers the dialog and its picture before Return.
async fn type_location(
    app: &AppUnderTest,
    title: &str,
    path: &Path,
) -> Result<(AppWindow, Vec<u8>)> {
    let dialog = AppWindow::wait_titled(app.app_pid()?, title, DIALOG_WAIT).await?;
    let shown = focus_when_drawn(&dialog, title).await?;
    let path = path.to_str().context("a UTF-8 path")?;
    type_text("/")?;
    let awaited = format!("the dialog {title:?} to open its location field after `/`");
    let shown = settled(&dialog, Some(&shown), &awaited).await?;
    type_text(&path[1..])?;
    let awaited = format!("the dialog {title:?} to show {path} typed");
    let shown = settled(&dialog, Some(&shown), &awaited).await?;
    type_text("\n")?;
    Ok((dialog, shown))
}

/// Opens `file` in the open dialog titled `title`.
///
/// # Errors
/// When no such dialog opens, does not answer the keys in time, or the keys cannot be sent.
pub async fn open_file(app: &AppUnderTest, title: &str, file: &Path) -> Result<()> {
    type_location(app, title, file).await.map(drop)
}

/// Chooses `folder` in the folder dialog titled `title`: a dialog still up after Return has
/// gone into the folder, and Return again selects the folder it shows.
///
/// # Errors
/// When no such dialog opens, does not answer the keys in time, or the keys cannot be sent.
pub async fn choose_folder(app: &AppUnderTest, title: &str, folder: &Path) -> Result<()> {
    let (dialog, typed) = type_location(app, title, folder).await?;
    let pid = app.app_pid()?;
    if !still_up_after_return(pid, &dialog, title, &typed).await? {
        return Ok(());
    }
    dialog.focus()?;
    if !dialog.has_focus()? {
        // Gone after all, between its last picture and the focus: it took the folder.
        if AppWindow::find_titled(pid, Some(title)).is_err() {
            return Ok(());
        }
        anyhow::bail!("the dialog {title:?} did not take the keyboard focus again");
    }
    press_key(RETURN)
}

/// After Return in the dialog titled `title`, whose picture was `typed`: `false` once it has
/// gone, `true` once it is still up showing another picture, held still (it went into the
/// folder).
///
/// # Errors
/// When neither happens within `ANSWER_WAIT`.
async fn still_up_after_return(
    pid: u32,
    dialog: &AppWindow,
    title: &str,
    typed: &[u8],
) -> Result<bool> {
    let deadline = Instant::now() + ANSWER_WAIT;
    let mut shown: Option<Vec<u8>> = None;
    let mut since = Instant::now();
    loop {
        if AppWindow::find_titled(pid, Some(title)).is_err() {
            return Ok(false);
        }
        // Unreadable while it goes: the next look finds it gone.
        if let Ok(now) = dialog.picture() {
            if shown.as_ref() != Some(&now) {
                shown = Some(now);
                since = Instant::now();
            } else if shown.as_deref() != Some(typed) && since.elapsed() >= STILL_FOR {
                return Ok(true);
            }
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "waited {ANSWER_WAIT:?} for the dialog {title:?} to go or to show the folder after Return"
        );
        tokio::time::sleep(LOOK_EVERY).await;
    }
}

/// Saves to `file` in the save dialog titled `title`: the name it suggests cleared, the
/// whole path typed.
///
/// # Errors
/// When no such dialog opens, does not answer the keys in time, or the keys cannot be sent.
pub async fn save_as(app: &AppUnderTest, title: &str, file: &Path) -> Result<()> {
    let dialog = AppWindow::wait_titled(app.app_pid()?, title, DIALOG_WAIT).await?;
    let shown = focus_when_drawn(&dialog, title).await?;
    press_key(END)?;
    for _ in 0..64 {
        press_key(BACKSPACE)?;
    }
    let file = file.to_str().context("a UTF-8 path")?;
    type_text(file)?;
    let awaited = format!("the dialog {title:?} to show {file} typed");
    settled(&dialog, Some(&shown), &awaited).await?;
    type_text("\n")?;
    Ok(())
}
