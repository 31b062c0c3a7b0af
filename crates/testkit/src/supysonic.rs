//! A real Subsonic server, Supysonic (from `PyPI`), on a loopback port of the kernel's
//! choosing, serving a music folder written from the demo catalog ([`folder`]).
//!
//! Set-up, each step as Supysonic's own documentation gives it, all in a temporary dir:
//! `supysonic.conf` in the working dir (an SQLite database, a cache dir, no watcher, the
//! daemon's socket kept inside the dir), `supysonic-cli user add`, `folder add`, a foreground
//! `folder scan`, then the WSGI app under waitress. Not through `supysonic-server -p`: it
//! cannot be told to pick a free port and say which (waitress logs nothing at its level), and
//! choosing a free port first races with other processes. A three-line launcher does what
//! `supysonic-server -S waitress` does (`waitress.serve(create_application())`) with port 0,
//! and prints the port.
//!
//! What Supysonic is, as found on 0.7.9: API 1.12.0, no `OpenSubsonic` extensions; the
//! password only, plain or `enc:<hex>` (a token request lacks `p`, so it answers code 10);
//! `stream` sends the original with Range support (206); `getCoverArt` answers code 70 for no
//! cover, and an album whose only art is embedded makes it fail inside (code 0, "500 Internal
//! Server Error").

mod folder;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock, PoisonError};

pub use folder::{CoverPlacement, FolderAlbum, FolderFormat, FolderTrack};

use crate::watched;
/// The account the fixture makes. The password has a space, `&` and non-ASCII letters, so a
/// client that forgets to encode it (or hex-encodes other than UTF-8) is refused.
const USERNAME: &str = "listener";
const PASSWORD: &str = "s3cret & ünïcode";
/// What `scripts/lib/setup.sh` installs, for the message when it is missing.
const INSTALL_HINT: &str = "python3 -m venv ~/.cache/strato/venv-supysonic && \
     ~/.cache/strato/venv-supysonic/bin/pip install supysonic==0.7.9 waitress==3.0.2 \
     (scripts/test does this itself)";

/// Runs Supysonic's app under waitress on a port the kernel picks, and prints it.
const LAUNCHER: &str = "\
from supysonic.web import create_application
from waitress import create_server
server = create_server(create_application(), host='127.0.0.1', port=0)
print(f'strato-supysonic listening on {server.effective_port}', flush=True)
server.run()
";
/// What the launcher prints before its port.
const LAUNCHER_BANNER: &str = "strato-supysonic listening on ";

/// A running Supysonic. [`Supysonic::start`] shares one per test process; [`Supysonic::spawn`]
/// makes a private one. Either way the server dies with the test process: a shell watchdog
/// stops it (and removes its dir) when the process that started it is gone, as statics are
/// never dropped.
#[derive(Debug)]
pub struct Supysonic {
    url: String,
    dir: PathBuf,
    albums: Vec<FolderAlbum>,
    watchdog: Mutex<Option<Child>>,
}

impl Supysonic {
    /// The process's shared server, started on first use (about two seconds).
    ///
    /// # Panics
    /// If Supysonic is not installed (the message says how to install it), or does not start.
    pub fn start() -> &'static Supysonic {
        static SHARED: OnceLock<Supysonic> = OnceLock::new();
        SHARED.get_or_init(Supysonic::spawn)
    }

    /// A private server, stopped when dropped.
    ///
    /// # Panics
    /// As [`Supysonic::start`].
    #[must_use]
    pub fn spawn() -> Supysonic {
        let venv = find_venv();
        let dir = tempfile::Builder::new()
            .prefix("strato-supysonic-")
            .tempdir()
            .expect("a temporary dir")
            .keep();
        let music = dir.join("music");
        let albums = folder::write_music_folder(crate::media_dir(), &music);
        write_config(&dir);
        let cli = venv_program(&venv, "supysonic-cli");
        run_cli(&cli, &dir, &["user", "add", USERNAME, "-p", PASSWORD]);
        let music_arg = music.to_str().expect("a UTF-8 temporary dir");
        run_cli(&cli, &dir, &["folder", "add", "music", music_arg]);
        run_cli(&cli, &dir, &["folder", "scan", "--foreground", "music"]);
        std::fs::write(dir.join("launch.py"), LAUNCHER).expect("writing the launcher");
        let log = dir.join("server.log");
        let watchdog = spawn_watched(&venv_program(&venv, "python"), &dir, &log);
        let Some((watchdog, port)) = wait_until_answering(watchdog, &log) else {
            // The watchdog is stopped (its trap stopped the server): the dir goes too, read
            // first for the message.
            let output = std::fs::read_to_string(&log).unwrap_or_default();
            let _ = std::fs::remove_dir_all(&dir);
            panic!("Supysonic did not start; its output:\n{output}")
        };
        Supysonic {
            url: format!("http://127.0.0.1:{port}"),
            dir,
            albums,
            watchdog: Mutex::new(Some(watchdog)),
        }
    }

    /// `http://127.0.0.1:<port>` (the API is under `/rest/`).
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The account's name.
    #[must_use]
    pub fn username(&self) -> &str {
        USERNAME
    }

    /// The account's password.
    #[must_use]
    pub fn password(&self) -> &str {
        PASSWORD
    }

    /// What was put in the music folder, album by album in catalog order.
    #[must_use]
    pub fn albums(&self) -> &[FolderAlbum] {
        &self.albums
    }

    /// Every track put in the folder.
    pub fn tracks(&self) -> impl Iterator<Item = &FolderTrack> {
        self.albums.iter().flat_map(|album| album.tracks.iter())
    }

    /// The server's output, for diagnosing a failure.
    #[must_use]
    pub fn log_path(&self) -> PathBuf {
        self.dir.join("server.log")
    }
}

impl Drop for Supysonic {
    fn drop(&mut self) {
        let watchdog = self
            .watchdog
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(mut watchdog) = watchdog {
            watched::stop(&mut watchdog);
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// `$STRATO_SUPYSONIC_VENV`, then `$STRATO_CACHE/venv-supysonic`, then
/// `~/.cache/strato/venv-supysonic`: the first holding `supysonic-cli`.
fn find_venv() -> PathBuf {
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    let candidates: Vec<PathBuf> = [
        std::env::var_os("STRATO_SUPYSONIC_VENV").map(PathBuf::from),
        std::env::var_os("STRATO_CACHE").map(|cache| PathBuf::from(cache).join("venv-supysonic")),
        Some(home.join(".cache/strato/venv-supysonic")),
    ]
    .into_iter()
    .flatten()
    .collect();
    candidates
        .iter()
        .find(|venv| venv_program(venv, "supysonic-cli").is_file())
        .cloned()
        .unwrap_or_else(|| {
            panic!(
                "Supysonic is not installed (looked in {}). Install it: {INSTALL_HINT}",
                candidates
                    .iter()
                    .map(|c| c.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
}

/// A venv's program (`bin/` on Unix, `Scripts/` on Windows).
fn venv_program(venv: &Path, name: &str) -> PathBuf {
    if cfg!(windows) {
        venv.join("Scripts").join(format!("{name}.exe"))
    } else {
        venv.join("bin").join(name)
    }
}

/// `supysonic.conf` in `dir`, read from the working dir by both the CLI and the server.
fn write_config(dir: &Path) {
    let dir_text = dir.to_str().expect("a UTF-8 temporary dir");
    let config = format!(
        "[base]\n\
         database_uri = sqlite:///{dir_text}/supysonic.db\n\
         [webapp]\n\
         cache_dir = {dir_text}/cache\n\
         [daemon]\n\
         run_watcher = no\n\
         socket = {dir_text}/daemon.sock\n"
    );
    std::fs::create_dir_all(dir.join("cache")).expect("making the cache dir");
    std::fs::write(dir.join("supysonic.conf"), config).expect("writing supysonic.conf");
}

/// Runs `supysonic-cli` in `dir` (where its config is); `HOME` there too, so no listener's
/// own `~/.supysonic` is read.
fn run_cli(cli: &Path, dir: &Path, args: &[&str]) {
    let output = Command::new(cli)
        .args(args)
        .current_dir(dir)
        .env("HOME", dir)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", cli.display()));
    assert!(
        output.status.success(),
        "supysonic-cli {} failed: {}{}",
        args.first().copied().unwrap_or_default(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Starts the launcher in `dir` (its `HOME` too: Supysonic reads its config from the
/// working dir) under the test kit's watchdog ([`watched`]), which removes `dir` once the
/// test process is gone.
fn spawn_watched(python: &Path, dir: &Path, log: &Path) -> Child {
    let mut server = Command::new(python);
    server.arg("launch.py").current_dir(dir).env("HOME", dir);
    watched::spawn("strato-supysonic", &server, log, dir)
}

/// The watchdog and the server's port once `ping` answers ok, or `None` if it died or timed
/// out (the watchdog, and with it the server, then stopped).
fn wait_until_answering(watchdog: Child, log: &Path) -> Option<(Child, u16)> {
    watched::wait_until_answering(watchdog, log, LAUNCHER_BANNER, pings)
}

/// Whether `ping` answers `ok` for the fixture's account on `port`.
fn pings(port: u16) -> bool {
    let hex = PASSWORD.bytes().fold(String::new(), |mut hex, byte| {
        let _ = write!(hex, "{byte:02x}");
        hex
    });
    let request = format!(
        "GET /rest/ping.view?u={USERNAME}&p=enc:{hex}&v=1.12.0&c=strato-testkit&f=json HTTP/1.0\r\n\
         Host: 127.0.0.1\r\n\r\n"
    );
    watched::http_answer(port, &request).is_some_and(|answer| answer.contains(r#""status":"ok""#))
}
