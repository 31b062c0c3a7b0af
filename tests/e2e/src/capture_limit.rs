//! Keeps a runaway capture file from filling the disk.
//!
//! The ALSA file device behind [`crate::Audio::Capture`] is not paced: while the app's
//! output stream is open, even idle, the silence it plays is written as fast as the disk
//! takes it, gigabytes a minute. A test that hangs with the app open would fill the disk of
//! the machine running the suite (it did: 37 GB). Past the limit the watchdog stops the app,
//! so the test fails, saying why, instead of taking the machine down with it.

use std::path::PathBuf;
#[cfg(unix)]
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

/// Far more than any test's audio (a minute of 44.1 kHz stereo is 10 MB).
pub const CAPTURE_LIMIT_BYTES: u64 = 2 << 30;

/// Watches one capture file until dropped.
#[derive(Debug)]
pub struct CaptureLimit {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl CaptureLimit {
    /// Watches `file`; past [`CAPTURE_LIMIT_BYTES`] it stops the process group `pgid`
    /// (tauri-driver's, which holds the app).
    #[must_use]
    pub fn watch(file: PathBuf, pgid: u32) -> Self {
        Self::watch_with_limit(file, pgid, CAPTURE_LIMIT_BYTES)
    }

    fn watch_with_limit(file: PathBuf, pgid: u32, limit: u64) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            while !stopped.load(Ordering::Relaxed) {
                let size = std::fs::metadata(&file).map_or(0, |meta| meta.len());
                if size > limit {
                    eprintln!(
                        "the app wrote {} MB of audio to {} without pause: stopping it before \
                         the disk fills (a test hung with its output open?)",
                        size >> 20,
                        file.display()
                    );
                    stop_group(pgid);
                    return;
                }
                std::thread::sleep(Duration::from_millis(500));
            }
        });
        Self {
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for CaptureLimit {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(unix)]
fn stop_group(pgid: u32) {
    let _ = Command::new("kill")
        .args(["-TERM", "--", &format!("-{pgid}")])
        .status();
}

/// The suite runs under `WebKitGTK` on Linux; elsewhere there is no group to stop.
#[cfg(not(unix))]
fn stop_group(_pgid: u32) {}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_capture_past_the_limit_stops_the_app_and_one_below_does_not() {
        let dir = tempfile::tempdir().unwrap();
        let start = || {
            let mut command = Command::new("sleep");
            command.arg("60");
            std::os::unix::process::CommandExt::process_group(&mut command, 0);
            command.spawn().unwrap()
        };
        let file = dir.path().join("capture.raw");
        std::fs::write(&file, vec![0u8; 4096]).unwrap();

        let mut below = start();
        let watching = CaptureLimit::watch_with_limit(file.clone(), below.id(), 8192);
        std::thread::sleep(Duration::from_millis(1200));
        assert!(
            below.try_wait().unwrap().is_none(),
            "stopped below the limit"
        );
        drop(watching);
        let _ = below.kill();
        let _ = below.wait();

        let mut past = start();
        let _watching = CaptureLimit::watch_with_limit(file, past.id(), 1024);
        let status = past.wait().unwrap();
        assert!(!status.success(), "the app was left running: {status:?}");
    }
}
