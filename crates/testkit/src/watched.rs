//! A server of another project (moto, Supysonic) run for the tests as a child process that
//! dies with the test process, on a loopback port of the kernel's choosing.
//!
//! - **The watchdog**: a small shell starts the server and stops it when the process that
//!   started the watchdog is gone (the shared servers live in statics, which are never
//!   dropped), or when it is sent SIGTERM ([`stop`]). Once the test process is gone it also
//!   removes what the server left (its log, or its whole folder).
//! - **Its port**: the server is started on port 0 and writes the port it got to its log;
//!   [`wait_until_answering`] reads it from there and waits until the server answers on it.
//!   Picking a free port first and handing it over would race: another process can take the
//!   port between the two, and a connect to a port in the ephemeral range that nothing listens
//!   on can meet itself (TCP simultaneous open) and pass for a server that answers.

use std::io::{Read as _, Write as _};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a server may take to answer after starting.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// The watchdog: `$1` the test process, `$2` what to remove once it is gone, `$3` the log,
/// then the server's command line.
const WATCHDOG: &str = r#"
    parent=$1; leftover=$2; log=$3; shift 3
    "$@" >"$log" 2>&1 &
    server=$!
    trap 'kill $server 2>/dev/null; exit 0' TERM INT HUP
    while kill -0 "$parent" 2>/dev/null && kill -0 $server 2>/dev/null; do sleep 0.5; done
    kill $server 2>/dev/null
    wait $server
    if ! kill -0 "$parent" 2>/dev/null; then rm -rf "$leftover"; fi
"#;

/// Starts `server` (its program, arguments, folder and environment as the caller set them;
/// its output to `log`) under the watchdog, named `name` in `ps`. `leftover` is removed once
/// the test process is gone.
///
/// # Panics
/// If `sh` cannot be started.
pub(crate) fn spawn(name: &str, server: &Command, log: &Path, leftover: &Path) -> Child {
    let mut watchdog = Command::new("sh");
    watchdog
        .args(["-c", WATCHDOG, name])
        .arg(std::process::id().to_string())
        .arg(leftover)
        .arg(log)
        .arg(server.get_program())
        .args(server.get_args())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(dir) = server.get_current_dir() {
        watchdog.current_dir(dir);
    }
    for (key, value) in server.get_envs() {
        match value {
            Some(value) => watchdog.env(key, value),
            None => watchdog.env_remove(key),
        };
    }
    watchdog.spawn().unwrap_or_else(|e| {
        panic!(
            "starting {}: {e}",
            Path::new(server.get_program()).display()
        )
    })
}

/// The watchdog and the server's port once the port is in `log` after `banner` and
/// `answers(port)` says the server works, or `None` if it died or did not within a minute
/// (the watchdog, and with it the server, then stopped).
pub(crate) fn wait_until_answering(
    mut watchdog: Child,
    log: &Path,
    banner: &str,
    answers: impl Fn(u16) -> bool,
) -> Option<(Child, u16)> {
    let deadline = Instant::now() + START_TIMEOUT;
    while Instant::now() < deadline {
        let port = std::fs::read_to_string(log)
            .ok()
            .and_then(|text| port_after(&text, banner));
        if let Some(port) = port
            && answers(port)
        {
            return Some((watchdog, port));
        }
        if watchdog.try_wait().ok().flatten().is_some() {
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    stop(&mut watchdog);
    None
}

/// Stops the watchdog with SIGTERM, whose trap stops the server, and reaps it. (SIGKILL
/// would leave the server running, holding its port and folder.)
pub(crate) fn stop(watchdog: &mut Child) {
    let _ = Command::new("kill").arg(watchdog.id().to_string()).status();
    let _ = watchdog.wait();
}

/// The port written right after `banner` in `log`.
pub(crate) fn port_after(log: &str, banner: &str) -> Option<u16> {
    let (_, rest) = log.split_once(banner)?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// The answer to `request` (an HTTP/1.0 request, so the server closes when done) sent to
/// `port` on loopback, as much as came within 5 s; `None` if nothing answers.
pub(crate) fn http_answer(port: u16, request: &str) -> Option<String> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_millis(500)).ok()?;
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    stream.write_all(request.as_bytes()).ok()?;
    let mut answer = Vec::new();
    // What came before a reset or a slow end still says whether it answers.
    let _ = stream.read_to_end(&mut answer);
    (!answer.is_empty()).then(|| String::from_utf8_lossy(&answer).into_owned())
}

#[cfg(test)]
mod tests {
    use super::port_after;

    #[test]
    fn the_port_is_read_after_the_banner() {
        let werkzeug = "WARNING: This is a development server.\n * Running on \
                        http://127.0.0.1:34087\nPress CTRL+C to quit\n";
        let banner = "Running on http://127.0.0.1:";
        assert_eq!(port_after(werkzeug, banner), Some(34087));
        assert_eq!(port_after("starting", banner), None);
        assert_eq!(port_after(" * Running on http://127.0.0.1:", banner), None);
        let launcher = "strato-supysonic listening on ";
        assert_eq!(
            port_after("strato-supysonic listening on 40585\n", launcher),
            Some(40585)
        );
        assert_eq!(
            port_after("Traceback (most recent call last):", launcher),
            None
        );
        assert_eq!(port_after(launcher, launcher), None);
    }
}
