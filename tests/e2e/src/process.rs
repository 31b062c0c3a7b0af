//! The processes and files around the app under test: the tauri-driver process tree and
//! the app in it, the ALSA configuration its audio goes through, the recording opener that
//! stands in for the file manager, the app binary, and the `WebDriver` session.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use fantoccini::{Client, ClientBuilder};

use crate::Audio;

/// Stops tauri-driver and everything it started (its process group, on Unix).
pub(crate) fn stop_process_tree(driver: &mut std::process::Child) {
    #[cfg(unix)]
    {
        let _ = Command::new("kill")
            .args(["-TERM", "--", &format!("-{}", driver.id())])
            .status();
    }
    let _ = driver.kill();
    let _ = driver.wait();
}

/// Whether the app binary runs in tauri-driver's process group (`pgid`).
pub(crate) fn app_running(pgid: u32) -> Result<bool> {
    Ok(app_pid(pgid)?.is_some())
}

/// The app binary's process in tauri-driver's process group (`pgid`), from `/proc`.
#[cfg(target_os = "linux")]
pub(crate) fn app_pid(pgid: u32) -> Result<Option<u32>> {
    let pgid = pgid.to_string();
    for entry in std::fs::read_dir("/proc")?.flatten() {
        // Processes come and go while the folder is read.
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // "pid (comm) state ppid pgrp ...": comm may hold spaces, so split at its last ')'.
        let Some((head, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        let (process, comm) = head.split_once(" (").unwrap_or(("", ""));
        let mut fields = rest.split_whitespace();
        let state = fields.next();
        let pgrp = fields.nth(1);
        // A zombie has exited; only its parent's bookkeeping is left.
        if comm == "strato" && pgrp == Some(pgid.as_str()) && state != Some("Z") {
            return Ok(process.trim().parse().ok());
        }
    }
    Ok(None)
}

/// Whether process `pid` runs (a zombie has ended: only its parent's bookkeeping is left).
#[cfg(target_os = "linux")]
pub(crate) fn running(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        stat.rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .is_some_and(|state| state != "Z")
    })
}

/// Elsewhere the session's end is taken as the app's.
#[cfg(not(target_os = "linux"))]
pub(crate) fn running(_pid: u32) -> bool {
    false
}

/// Elsewhere the session's end is taken as the app's (the suite runs under `WebKitGTK`).
#[cfg(not(target_os = "linux"))]
#[allow(clippy::unnecessary_wraps)]
pub(crate) fn app_pid(_pgid: u32) -> Result<Option<u32>> {
    Ok(None)
}

/// The desktop's opener (`xdg-open`), standing in for the file manager: it records what the
/// app asked it to open (`AppUnderTest::opened`). Returns the `PATH` that finds it first.
pub(crate) fn recording_opener(dir: &Path) -> Result<std::ffi::OsString> {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin)?;
    let opener = bin.join("xdg-open");
    std::fs::write(
        &opener,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$@\" >> '{}'\n",
            dir.join("opened.txt").display()
        ),
    )?;
    #[cfg(unix)]
    std::fs::set_permissions(&opener, std::os::unix::fs::PermissionsExt::from_mode(0o755))?;
    let inherited = std::env::var_os("PATH").unwrap_or_default();
    Ok(std::env::join_paths(
        std::iter::once(bin).chain(std::env::split_paths(&inherited)),
    )?)
}

pub(crate) fn alsa_config(audio: Audio, capture: &Path) -> String {
    let default = match audio {
        // `plug` converts whatever cpal opens with to the file's format; `file` writes what
        // passes through and hands it on to `null`. Not paced: it plays faster than real time.
        Audio::Capture | Audio::Silent | Audio::SilentDevices => format!(
            "pcm.!default {{ type plug slave {{ pcm \"strato_capture\" format S16_LE rate 44100 channels 2 }} }}\n\
             pcm.strato_capture {{ type file slave.pcm \"null\" file \"{}\" format \"raw\" }}\n",
            capture.display()
        ),
        Audio::Missing => {
            "pcm.!default { type hw card 97 }\nctl.!default { type hw card 97 }\n".to_owned()
        }
    };
    format!("</usr/share/alsa/alsa.conf>\n{default}")
}

/// Runs the app's binary again with `args`, in the running app's own environment (read from
/// `/proc`): as a second launch from the same desktop session would. Its output, once it
/// ended (killed after `limit`).
#[cfg(target_os = "linux")]
pub(crate) fn launch_again(
    pid: u32,
    args: &[&str],
    limit: Duration,
) -> Result<std::process::Output> {
    use std::os::unix::ffi::OsStrExt;
    let environ = std::fs::read(format!("/proc/{pid}/environ"))?;
    let env = environ
        .split(|&byte| byte == 0)
        .filter_map(|pair| {
            let at = pair.iter().position(|&byte| byte == b'=')?;
            Some((
                std::ffi::OsStr::from_bytes(&pair[..at]).to_owned(),
                std::ffi::OsStr::from_bytes(&pair[at + 1..]).to_owned(),
            ))
        })
        .collect::<Vec<_>>();
    let mut child = Command::new(app_binary()?)
        .args(args)
        .env_clear()
        .envs(env)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()?;
    let deadline = Instant::now() + limit;
    while child.try_wait()?.is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let output = child.wait_with_output()?;
            bail!(
                "`strato {}` was still running after {} s: {}",
                args.join(" "),
                limit.as_secs(),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(child.wait_with_output()?)
}

/// Waits (up to 10 s) until no Strato holds its single-instance name on the session bus.
/// The bus lets a name go a moment after its owner's process ended; a Strato started in
/// that moment would take the ended one for the running instance and hand over to it.
#[cfg(target_os = "linux")]
pub(crate) async fn instance_released() -> Result<()> {
    let Ok(bus) = zbus::Connection::session().await else {
        return Ok(());
    };
    let dbus = zbus::fdo::DBusProxy::new(&bus).await?;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let held = dbus.list_names().await?.into_iter().any(|name| {
            name.starts_with("dev.strato.desktop") && name.ends_with(".SingleInstance")
        });
        if !held {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("Strato's single-instance name was still held 10 s after the app ended");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[cfg(not(target_os = "linux"))]
#[allow(clippy::unused_async)]
pub(crate) async fn instance_released() -> Result<()> {
    Ok(())
}

/// The app under test: `STRATO_E2E_APP` when set (an installed one: scripts/lib/install-test.sh),
/// else the build's.
pub(crate) fn app_binary() -> Result<PathBuf> {
    if let Some(app) = std::env::var_os("STRATO_E2E_APP") {
        return Ok(PathBuf::from(app));
    }
    // The test runs from target/<profile>/deps; the app is built into target/<profile>.
    let exe = std::env::current_exe()?;
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .context("unexpected test binary location")?;
    let app = profile_dir.join(if cfg!(windows) {
        "strato.exe"
    } else {
        "strato"
    });
    if !app.exists() {
        bail!(
            "{} is missing: run `cargo build -p strato-app` first",
            app.display()
        );
    }
    Ok(app)
}

/// A `WebDriver` session with a newly started app. tauri-driver refuses connections until
/// it listens; then `WebKitWebDriver` waits for the app's window without a limit of its own,
/// so an app that dies while starting would hang the test: past the deadline it fails with
/// the end of the driver's log, where the app's own error is.
pub(crate) async fn connect(
    url: &str,
    caps: &serde_json::Map<String, serde_json::Value>,
    driver_log: &Path,
) -> Result<Client> {
    const LIMIT: Duration = Duration::from_secs(60);
    let deadline = Instant::now() + LIMIT;
    let gave_up = || {
        let log = std::fs::read_to_string(driver_log).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(12).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        format!(
            "no WebDriver session with the app within {} s; the end of {}:\n{}",
            LIMIT.as_secs(),
            driver_log.display(),
            tail.join("\n")
        )
    };
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let mut builder = ClientBuilder::rustls()?;
        let session = builder.capabilities(caps.clone()).connect(url);
        match tokio::time::timeout(left, session).await {
            Ok(Ok(client)) => return Ok(client),
            Ok(Err(_)) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Ok(Err(err)) => return Err(err).context(gave_up()),
            Err(_) => bail!(gave_up()),
        }
    }
}

pub(crate) fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}
