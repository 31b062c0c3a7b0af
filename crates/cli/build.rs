//! Names the commit Strato is built from, for `strato --version` (`STRATO_COMMIT`): the short
//! hash of the checkout's HEAD, or what the environment says (a release build from a source
//! archive sets `STRATO_COMMIT` itself), else "unknown".

use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=STRATO_COMMIT");
    let commit = std::env::var("STRATO_COMMIT")
        .ok()
        .filter(|c| !c.is_empty())
        .or_else(head_commit)
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=STRATO_COMMIT={commit}");
}

/// `git rev-parse --short HEAD`, rerun when HEAD moves (a commit, a checkout).
fn head_commit() -> Option<String> {
    let git = |args: &[&str]| {
        let output = Command::new("git").args(args).output().ok()?;
        output
            .status
            .success()
            .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
    };
    let commit = git(&["rev-parse", "--short=12", "HEAD"])?;
    let git_dir = Path::new(&git(&["rev-parse", "--absolute-git-dir"])?).to_owned();
    // HEAD names a branch whose ref file (or the packed refs) moves with each commit.
    for watched in ["HEAD", "packed-refs"] {
        println!("cargo:rerun-if-changed={}", git_dir.join(watched).display());
    }
    if let Ok(head) = std::fs::read_to_string(git_dir.join("HEAD"))
        && let Some(reference) = head.trim().strip_prefix("ref: ")
    {
        println!(
            "cargo:rerun-if-changed={}",
            git_dir.join(reference).display()
        );
    }
    Some(commit)
}
