//! The listener's window measured at size (issue 14, points 5 and 6), in the real app under
//! Xvfb, driven by the end-to-end rig. A benchmark, not a test: it prints figures beside
//! their targets and a reference measured in the same run, and fails only when it cannot
//! measure.
//!
//! ```text
//! scripts/bench ui                  # builds the UI, the app and devcloud (perf profile)
//! ui_bench [--seconds N] [--runs N] [--soak-minutes N] [--acceleration on|off|auto]
//!          [--linger N]   # then N s playing, window hidden, for a profiler
//! ```
//!
//! What it does: signs in to a fresh devcloud (the 13-track catalog) and measures a cold
//! start and the memory there (the reference); closes the app and writes a 100,000-track
//! library with a 10,000-item and a 10-item playlist into the account's library
//! (`library.rs`); starts it again (cold start to the kept account's home page), opens each
//! playlist (click to first rows painted), scrolls the big one a page per frame, plays each
//! and meters the bytes the core sends the window, reads the memory (PSS of every process
//! of the app) and the CPU (playing and paused, window shown and hidden: `strato_e2e::window`), and,
//! with `--soak-minutes`, the memory's growth over a long session of playing and scrolling.

#[cfg(target_os = "linux")]
mod library;
#[cfg(target_os = "linux")]
mod page;
#[cfg(target_os = "linux")]
mod procs;
#[cfg(target_os = "linux")]
mod report;
#[cfg(target_os = "linux")]
mod run;

#[cfg(target_os = "linux")]
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    run::main().await
}

/// The measurements read Linux's /proc and X11; elsewhere there is nothing to run.
#[cfg(not(target_os = "linux"))]
fn main() {
    eprintln!("the UI benchmark runs on Linux (WebKitGTK under Xvfb) only");
}
