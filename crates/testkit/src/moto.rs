//! A moto server (the Cognito emulator) on a free loopback port.

use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

/// How long moto may take to answer after starting.
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// Ports can be taken between picking and binding; try a few.
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
        let program = find_moto_server();
        let mut last_log = PathBuf::new();
        for _ in 0..START_ATTEMPTS {
            let port = free_port();
            let log =
                std::env::temp_dir().join(format!("strato-moto-{}-{port}.log", std::process::id()));
            let watchdog = spawn_watched(&program, port, &log);
            if let Some(watchdog) = wait_until_listening(watchdog, port) {
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

fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("binding a free loopback port")
}

/// Starts moto under a shell that kills it when this process (or the shell) goes away.
fn spawn_watched(program: &Path, port: u16, log: &Path) -> Child {
    const WATCHDOG: &str = r#"
        "$1" -H 127.0.0.1 -p "$2" >"$4" 2>&1 &
        moto=$!
        trap 'kill $moto 2>/dev/null; exit 0' TERM INT HUP
        while kill -0 "$3" 2>/dev/null && kill -0 $moto 2>/dev/null; do sleep 0.5; done
        kill $moto 2>/dev/null
        wait $moto
    "#;
    Command::new("sh")
        .args(["-c", WATCHDOG, "strato-moto"])
        .arg(program)
        .arg(port.to_string())
        .arg(std::process::id().to_string())
        .arg(log)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("starting {}: {e}", program.display()))
}

/// The watchdog back once moto accepts connections, or `None` if it died or timed out.
fn wait_until_listening(mut watchdog: Child, port: u16) -> Option<Child> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let deadline = Instant::now() + START_TIMEOUT;
    while Instant::now() < deadline {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return Some(watchdog);
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
