//! The listener's own music for the tests of Local files: FLAC files tagged by ffmpeg in a
//! test's scratch folder (named otherwise than their titles, so a title the window shows can
//! only come from the tags) with a cover beside them, a link to their folder that the folder
//! dialog can be typed (`dialogs`), and the folder added from Settings › Local files.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Result, ensure};
use strato_testkit::ffmpeg::{HlsPart, make_file};

use crate::AppUnderTest;
use crate::dialogs::choose_folder;
use crate::ui::scroll_main_to;

/// The folder dialog's title (the window's English).
pub const CHOOSER_TITLE: &str = "Choose a folder of music";

/// What the files' tags say of their album.
#[derive(Debug, Clone, Copy)]
pub struct AlbumTags<'a> {
    pub album: &'a str,
    pub artist: &'a str,
}

/// A FLAC file `name` of `seconds` in `dir`, tagged as track `number` of `album`, titled
/// `title` (a tone of its own per number, so two tracks never sound alike).
#[must_use]
pub fn tagged_flac(
    dir: &Path,
    album: AlbumTags<'_>,
    (name, title): (&str, &str),
    number: usize,
    seconds: f64,
) -> PathBuf {
    let part = HlsPart {
        name: "local",
        rate: 44_100,
        channels: 2,
        codec: "flac",
        bitrate: "",
        base_hz: 220 + 40 * u32::try_from(number).unwrap_or(0),
        seconds,
    };
    let tags = [
        format!("title={title}"),
        format!("artist={}", album.artist),
        format!("album={}", album.album),
        format!("track={number}"),
    ];
    let args: Vec<&str> = tags
        .iter()
        .flat_map(|tag| ["-metadata", tag.as_str()])
        .collect();
    make_file(dir, name, &part, &args)
}

/// A cover for an album's folder, as a scanner's or a shop's JPEG: a gradient, 320 px.
///
/// # Errors
/// When ffmpeg cannot be run or makes no picture.
pub fn cover_jpeg(path: &Path) -> Result<()> {
    let out = std::process::Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-f", "lavfi", "-i"])
        .arg("gradients=s=320x320:c0=0xe9a44c:c1=0x3d5a80:x0=0:y0=0:x1=320:y1=320:d=1")
        .args(["-frames:v", "1"])
        .arg(path)
        .output()?;
    ensure!(
        out.status.success(),
        "ffmpeg made no cover: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(())
}

/// A link to a folder, removed when dropped (the test passed or not).
#[derive(Debug)]
pub struct FolderLink(pub PathBuf);

impl FolderLink {
    /// A link at `at` to `to` (replacing one a failed run left there).
    ///
    /// # Errors
    /// When the link cannot be made.
    #[cfg(unix)]
    pub fn new(to: &Path, at: PathBuf) -> Result<Self> {
        let _ = std::fs::remove_file(&at);
        std::os::unix::fs::symlink(to, &at)?;
        Ok(Self(at))
    }
}

impl Drop for FolderLink {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// In Settings (already open), Local files' "Add a folder…": the folder chosen in the OS's
/// dialog through `link`, then waits until the folder says `state` ("3 tracks").
///
/// # Errors
/// When a step fails, or the folder never says `state`.
pub async fn add_folder_in_settings(app: &AppUnderTest, link: &Path, state: &str) -> Result<()> {
    scroll_main_to(app, "settings-local-files").await?;
    app.wait_for("settings-local-add").await?.click().await?;
    choose_folder(app, CHOOSER_TITLE, link).await?;
    app.wait_for_text("local-folder-state", Duration::from_secs(60), |t| {
        t == state
    })
    .await?;
    Ok(())
}
