//! The app's own binary answers the CLI's commands without opening a window: `strato decode`
//! runs with no display at all and decodes a real MP3 made by ffmpeg. (The commands
//! themselves are tested in crates/cli.)

use std::process::Command;

fn make_mp3(path: &std::path::Path) {
    let status = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-f", "lavfi", "-i"])
        .arg("sine=frequency=440:duration=1:sample_rate=44100")
        .args(["-ac", "2", "-c:a", "libmp3lame", "-b:a", "128k"])
        .arg(path)
        .status()
        .expect("running ffmpeg");
    assert!(status.success(), "ffmpeg could not make {}", path.display());
}

#[test]
fn decode_runs_without_a_window_system() {
    let dir = tempfile::tempdir().unwrap();
    let mp3 = dir.path().join("tone.mp3");
    make_mp3(&mp3);

    let output = Command::new(env!("CARGO_BIN_EXE_strato"))
        .args(["decode", mp3.to_str().unwrap(), "--to", "null"])
        // No display and no session bus: a window could not open.
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .output()
        .expect("running strato");

    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    // One second at 44.1 kHz, decoded gaplessly.
    assert!(stdout.contains(": 44100 frames ("), "{stdout}\n{stderr}");
}

#[test]
fn an_unknown_option_to_a_cli_command_is_a_usage_error() {
    let output = Command::new(env!("CARGO_BIN_EXE_strato"))
        .args(["play", "--loudly"])
        .env_remove("DISPLAY")
        .output()
        .expect("running strato");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--loudly"));
}
