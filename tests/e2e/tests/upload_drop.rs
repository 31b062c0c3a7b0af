//! Music dropped on the window from another program: a folder and a file dragged from a GTK
//! drag source (`src/bin/drag_source.rs`, another X client, as a file manager is) with the
//! pointer moved by XTEST as a hand would, a real XDND drop that Tauri turns into its
//! drag-drop event. The upload sheet opens with every file the drop holds (the folder
//! walked), and sending them puts them in "Your uploads".

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{Context, Result, ensure};
use strato_e2e::ui::{text, wait_for_route, wait_until};
use strato_e2e::window::{AppWindow, drag_pointer};
use strato_e2e::{AppUnderTest, Audio};
use strato_testkit::ffmpeg::make_audio_file;

const DEMO_USER: &str = "demo";
const DEMO_PASSWORD: &str = "Strato-demo-1";
/// The middle of the drag source's window (placed at the screen's corner, 160 by 80).
const SOURCE: (i16, i16) = (80, 40);

/// Waits for the drag source to say `expected` on its standard output.
fn expect_line(
    lines: &mut impl Iterator<Item = std::io::Result<String>>,
    expected: &str,
) -> Result<()> {
    let line = lines.next().context("the drag source ended early")??;
    ensure!(
        line == expected,
        "the drag source said {line:?}, not {expected:?}"
    );
    Ok(())
}

#[tokio::test]
async fn a_folder_and_a_file_dropped_on_the_window_open_the_upload_sheet() -> Result<()> {
    let app = AppUnderTest::launch(Audio::Silent).await?;
    app.sign_in(DEMO_USER, DEMO_PASSWORD).await?;
    app.wait_for("home-screen").await?;

    let music = tempfile::tempdir()?;
    let album = music.path().join("Garden Tapes");
    std::fs::create_dir_all(&album)?;
    make_audio_file(&album, "morning.flac", 3.0);
    make_audio_file(&album, "evening.wav", 3.0);
    let single = make_audio_file(music.path(), "porch.flac", 3.0);
    std::fs::write(album.join("notes.txt"), "not music")?;

    let mut source = Command::new(env!("CARGO_BIN_EXE_strato-drag-source"))
        .arg(&album)
        .arg(&single)
        .stdout(Stdio::piped())
        .spawn()
        .context("starting the drag source")?;
    let stdout = source.stdout.take().context("the drag source's output")?;
    let target = AppWindow::find(app.app_pid()?)?.centre()?;
    let dropped = tokio::task::spawn_blocking(move || -> Result<()> {
        let mut lines = BufReader::new(stdout).lines();
        expect_line(&mut lines, "ready")?;
        drag_pointer(SOURCE, target)?;
        expect_line(&mut lines, "dropped")
    });
    let dropped = tokio::time::timeout(Duration::from_secs(30), dropped).await;
    let _ = source.kill();
    let _ = source.wait();
    dropped.context("the drag did not end")???;

    // The sheet: the folder's music (its text file left out) and the file, each to confirm.
    app.wait_for("upload-sheet").await?;
    let names = wait_until(
        Duration::from_secs(20),
        "the dropped files in the upload sheet",
        async || {
            let mut names = Vec::new();
            for draft in app.all("upload-draft").await? {
                names.push(text(&draft).await?);
            }
            Ok(names)
        },
        |names| names.len() == 3,
    )
    .await?;
    for file in ["morning.flac", "evening.wav", "porch.flac"] {
        ensure!(
            names.iter().any(|n| n.contains(file)),
            "{file} is not in the sheet: {names:?}"
        );
    }
    app.wait_for("upload-send").await?.click().await?;
    wait_for_route(&app, "uploads").await?;
    wait_until(
        Duration::from_secs(120),
        "three uploads listed",
        async || app.all("upload-row").await,
        |rows| rows.len() == 3,
    )
    .await?;
    app.close().await
}
