//! A moto server (the Cognito emulator) on a loopback port of the kernel's choosing.

use std::io::{Read as _, Write as _};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

/// How long moto may take to answer after starting.
const START_TIMEOUT: Duration = Duration::from_secs(60);
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
            // SIGTERM lets the watchdog's trap stop moto; then reap it.
            let _ = Command::new("kill").arg(watchdog.id().to_string()).status();
            let _ = watchdog.wait();
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
/// under a shell that kills it when this process (or the shell) goes away. Picking a free
/// port first and handing it over is a race: another process can take the port between the
/// two, and a connect to a port in the ephemeral range that nothing listens on can meet
/// itself (TCP simultaneous open) and pass for a server that answers.
fn spawn_watched(program: &Path, log: &Path) -> Child {
    const WATCHDOG: &str = r#"
        "$1" -H 127.0.0.1 -p 0 >"$3" 2>&1 &
        moto=$!
        trap 'kill $moto 2>/dev/null; exit 0' TERM INT HUP
        while kill -0 "$2" 2>/dev/null && kill -0 $moto 2>/dev/null; do sleep 0.5; done
        kill $moto 2>/dev/null
        wait $moto
        # The shared server is never dropped: its log goes when the tests are gone.
        if ! kill -0 "$2" 2>/dev/null; then rm -f "$3"; fi
    "#;
    Command::new("sh")
        .args(["-c", WATCHDOG, "strato-moto"])
        .arg(program)
        .arg(std::process::id().to_string())
        .arg(log)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("starting {}: {e}", program.display()))
}

/// The watchdog and moto's port once moto answers HTTP, or `None` if it died or timed out.
fn wait_until_answering(mut watchdog: Child, log: &Path) -> Option<(Child, u16)> {
    let deadline = Instant::now() + START_TIMEOUT;
    while Instant::now() < deadline {
        let port = std::fs::read_to_string(log)
            .ok()
            .and_then(|text| listening_port(&text));
        if let Some(port) = port
            && answers_http(port)
        {
            return Some((watchdog, port));
        }
        if watchdog.try_wait().ok().flatten().is_some() {
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = watchdog.kill();
    let _ = watchdog.wait();
    None
}

/// The port in werkzeug's `* Running on http://127.0.0.1:<port>` line.
fn listening_port(log: &str) -> Option<u16> {
    let (_, rest) = log.split_once("Running on http://127.0.0.1:")?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// Whether an HTTP server answers on `port`: a status line, not merely an open socket.
fn answers_http(port: u16) -> bool {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(500)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    if stream
        .write_all(b"GET /moto-api/ HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut head = [0_u8; 7];
    stream.read_exact(&mut head).is_ok() && &head == b"HTTP/1."
}

#[cfg(test)]
mod tests {
    use super::listening_port;

    #[test]
    fn the_port_is_read_from_werkzeugs_banner() {
        let log = "WARNING: This is a development server.\n * Running on http://127.0.0.1:34087\n\
                   Press CTRL+C to quit\n";
        assert_eq!(listening_port(log), Some(34087));
        assert_eq!(listening_port("starting"), None);
        assert_eq!(listening_port(" * Running on http://127.0.0.1:"), None);
    }
}
