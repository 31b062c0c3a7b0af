//! A moto server (the Cognito emulator) on a loopback port of the kernel's choosing.

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};

use crate::watched;

/// What werkzeug (moto's server) writes before the port it listens on.
const WERKZEUG_BANNER: &str = "Running on http://127.0.0.1:";
/// A start can fail (a slow machine, a crash at import); try a few.
const START_ATTEMPTS: usize = 3;

/// A running moto server. [`Moto::start`] shares one per process; [`Moto::spawn`] makes a
/// private one. Either way the server dies with the test process: a small shell watchdog
/// kills it when the process that started it is gone, as statics are never dropped.
#[derive(Debug)]
pub struct Moto {
    url: String,
    watchdog: Mutex<Option<Child>>,
    log: PathBuf,
}

impl Moto {
    /// The process's shared moto, started on first use.
    ///
    /// # Panics
    /// If `moto_server` cannot be found or does not start (the message says how to set it up).
    pub fn start() -> &'static Moto {
        static SHARED: OnceLock<Moto> = OnceLock::new();
        SHARED.get_or_init(Moto::spawn)
    }

    /// A private moto, stopped when dropped.
    ///
    /// # Panics
    /// As [`Moto::start`].
    #[must_use]
    pub fn spawn() -> Moto {
        static STARTED: AtomicUsize = AtomicUsize::new(0);
        let program = find_moto_server();
        let mut last_log = PathBuf::new();
        for _ in 0..START_ATTEMPTS {
            let log = std::env::temp_dir().join(format!(
                "strato-moto-{}-{}.log",
                std::process::id(),
                STARTED.fetch_add(1, Ordering::Relaxed)
            ));
            let watchdog = spawn_watched(&program, &log);
            if let Some((watchdog, port)) = wait_until_answering(watchdog, &log) {
                return Moto {
                    url: format!("http://127.0.0.1:{port}"),
                    watchdog: Mutex::new(Some(watchdog)),
                    log,
                };
            }
            last_log = log;
        }
        let log = std::fs::read_to_string(&last_log).unwrap_or_default();
        panic!(
            "moto_server ({}) did not start; its output:\n{log}",
            program.display()
        );
    }

    /// `http://127.0.0.1:<port>`.
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }

    /// moto's own output, for diagnosing a failure.
    #[must_use]
    pub fn log_path(&self) -> &Path {
        &self.log
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let watchdog = self
            .watchdog
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(mut watchdog) = watchdog {
            watched::stop(&mut watchdog);
        }
        let _ = std::fs::remove_file(&self.log);
    }
}

/// `$STRATO_MOTO_SERVER`, then the project venv, then `PATH`.
fn find_moto_server() -> PathBuf {
    if let Some(path) = std::env::var_os("STRATO_MOTO_SERVER") {
        return PathBuf::from(path);
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    let venv = home.join(".cache/strato/venv/bin/moto_server");
    if venv.is_file() {
        return venv;
    }
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join("moto_server"))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| {
            panic!(
                "moto_server not found (checked $STRATO_MOTO_SERVER, {}, PATH). Set it up as \
                 the README says: python3 -m venv ~/.cache/strato/venv && \
                 ~/.cache/strato/venv/bin/pip install 'moto[server,cognitoidp]' boto3",
                venv.display()
            )
        })
}

/// Starts moto on a port of the kernel's choosing (`-p 0`; it writes the port to its log)
/// under the test kit's watchdog ([`watched`]).
fn spawn_watched(program: &Path, log: &Path) -> Child {
    let mut server = Command::new(program);
    server.args(["-H", "127.0.0.1", "-p", "0"]);
    watched::spawn("strato-moto", &server, log, log)
}

/// The watchdog and moto's port once moto answers HTTP, or `None` if it died or timed out.
fn wait_until_answering(watchdog: Child, log: &Path) -> Option<(Child, u16)> {
    watched::wait_until_answering(watchdog, log, WERKZEUG_BANNER, answers_http)
}

/// Whether an HTTP server answers on `port`: a status line, not merely an open socket.
fn answers_http(port: u16) -> bool {
    watched::http_answer(port, "GET /moto-api/ HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        .is_some_and(|answer| answer.starts_with("HTTP/1."))
}
