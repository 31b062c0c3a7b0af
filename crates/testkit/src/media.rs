//! Where the generated demo media lives.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The repository's root: the folder with `Cargo.lock` above where the test runs
/// (`CARGO_MANIFEST_DIR`, which cargo sets when it runs a test, else the current folder),
/// so that a test built in another checkout (the target dir is shared, and a workspace
/// crate's artifacts are the same in any checkout) reads this checkout's files, not the
/// other's; the checkout it was built in when neither is inside one.
///
/// # Panics
/// If no checkout is found, and the one built in has moved.
#[must_use]
pub fn workspace_root() -> PathBuf {
    let running_in = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .into_iter()
        .chain(std::env::current_dir().ok());
    for start in running_in {
        if let Some(root) = start
            .ancestors()
            .find(|dir| dir.join("Cargo.lock").is_file())
        {
            return root.to_owned();
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    root.canonicalize()
        .unwrap_or_else(|e| panic!("workspace root {}: {e}", root.display()))
}

/// The demo media dir: `$STRATO_MEDIA_DIR` if set, else the path printed by
/// `scripts/ensure-media.sh` (which generates and caches it the first time, taking a few
/// minutes). Computed once per process.
///
/// # Panics
/// If the script fails or prints a path without a `catalog.json`.
#[must_use]
pub fn media_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = match std::env::var_os("STRATO_MEDIA_DIR") {
            Some(dir) => PathBuf::from(dir),
            None => ensure_media(),
        };
        assert!(
            dir.join("catalog.json").is_file(),
            "media dir {} has no catalog.json (set STRATO_MEDIA_DIR or run scripts/ensure-media.sh)",
            dir.display()
        );
        dir
    })
}

fn ensure_media() -> PathBuf {
    let script = workspace_root().join("scripts/ensure-media.sh");
    let output = Command::new(&script)
        .stderr(std::process::Stdio::inherit())
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", script.display()));
    assert!(
        output.status.success(),
        "{} failed ({})",
        script.display(),
        output.status
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let path = stdout.lines().last().unwrap_or_default().trim();
    assert!(!path.is_empty(), "{} printed no path", script.display());
    PathBuf::from(path)
}
