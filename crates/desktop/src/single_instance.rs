//! One Strato per listener: a second launch hands what it was asked (files, a `strato://`
//! link) to the one running, and ends. The shell does it with tauri-plugin-single-instance;
//! this module names the instance and lets `strato play` (which has no window of its own)
//! hand over too.
//!
//! An instance is one settings folder: two Stratos reading one settings file would open one
//! library twice, while a test's app with a folder of its own (or a developer's build with
//! its own `XDG_CONFIG_HOME`) is another listener's and runs alongside.
//!
//! Linux: the plugin owns a D-Bus name on the session bus (`<id>.SingleInstance`) and
//! serves `org.SingleInstance.DBus.ExecuteCallback(argv, cwd)` at the name's path;
//! [`hand_over`] calls it as a second launch of the app would. Windows: a named mutex and a
//! hidden window that takes a `WM_COPYDATA`; macOS: a Unix socket in `/tmp`. Both are named
//! by the app's identifier alone (the plugin takes no id there), so on those systems one
//! Strato runs per user rather than per settings folder; [`hand_over`] speaks each as the
//! plugin's own second launch does.

use std::path::Path;

/// The app's identifier (`tauri.conf.json`).
pub const APP_IDENTIFIER: &str = "dev.strato.desktop";

/// The instance's id, for tauri-plugin-single-instance's `dbus_id`: the app's identifier and
/// the settings folder's fingerprint (`dev.strato.desktop.c9f3a...`). A D-Bus name element
/// must not start with a digit: hence the `c`.
#[must_use]
pub fn instance_id(config_dir: Option<&Path>) -> String {
    match config_dir {
        Some(dir) => format!(
            "{APP_IDENTIFIER}.c{:016x}",
            fnv1a(dir.as_os_str().as_encoded_bytes())
        ),
        None => APP_IDENTIFIER.to_owned(),
    }
}

/// FNV-1a, 64 bits: the same for the same path in every build (the std hasher may change
/// between Rust releases, and an installed app and a newer `strato` must agree).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Hands `argv` (with the program's name first) and `cwd` to the running instance `id`.
/// `Ok(true)` when it took them, `Ok(false)` when none is running (or, on Windows and
/// macOS, when it cannot be reached from here).
///
/// # Errors
/// In words, when an instance is running but did not take them.
pub fn hand_over(id: &str, argv: &[String], cwd: &Path) -> Result<bool, String> {
    platform::hand_over(id, argv, cwd)
}

#[cfg(target_os = "linux")]
mod platform {
    use std::path::Path;

    /// The interface and method tauri-plugin-single-instance 2 serves.
    const INTERFACE: &str = "org.SingleInstance.DBus";
    const METHOD: &str = "ExecuteCallback";

    /// The plugin's name and object path for `id`.
    fn address(id: &str) -> (String, String) {
        let name = format!("{id}.SingleInstance");
        let path = format!("/{}", name.replace('.', "/").replace('-', "_"));
        (name, path)
    }

    pub(super) fn hand_over(id: &str, argv: &[String], cwd: &Path) -> Result<bool, String> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|err| format!("could not start: {err}"))?;
        runtime.block_on(async {
            let Ok(bus) = zbus::Connection::session().await else {
                // No session bus: no window to hand over to either.
                return Ok(false);
            };
            let (name, path) = address(id);
            let dbus = zbus::fdo::DBusProxy::new(&bus)
                .await
                .map_err(|err| format!("the session bus did not answer: {err}"))?;
            let bus_name = zbus::names::BusName::try_from(name.as_str())
                .map_err(|err| format!("{name} is not a bus name: {err}"))?;
            if !dbus.name_has_owner(bus_name).await.unwrap_or(false) {
                return Ok(false);
            }
            let cwd = cwd.display().to_string();
            bus.call_method(
                Some(name.as_str()),
                path.as_str(),
                Some(INTERFACE),
                METHOD,
                &(argv, cwd.as_str()),
            )
            .await
            .map_err(|err| format!("the open Strato window did not answer: {err}"))?;
            Ok(true)
        })
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn the_address_is_the_plugin_s() {
            assert_eq!(
                super::address("dev.strato.desktop.c00ff"),
                (
                    "dev.strato.desktop.c00ff.SingleInstance".to_owned(),
                    "/dev/strato/desktop/c00ff/SingleInstance".to_owned()
                )
            );
        }
    }
}

#[cfg(target_os = "macos")]
mod platform {
    use std::path::Path;

    pub(super) fn hand_over(_id: &str, argv: &[String], cwd: &Path) -> Result<bool, String> {
        super::socket::hand_over(&super::socket::path(), argv, cwd)
    }
}

/// macOS: the plugin listens on a Unix socket named by the app's identifier (one instance
/// per identifier there: it takes no id of its own), and reads the working folder, two NULs,
/// then the arguments joined by NUL, to the end of the stream. Built on Linux too, to be
/// tested against a listener reading as the plugin reads.
#[cfg(any(target_os = "macos", all(test, unix)))]
mod socket {
    use std::io::{ErrorKind, Write};
    use std::os::unix::net::UnixStream;
    use std::path::{Path, PathBuf};

    /// Where tauri-plugin-single-instance 2 listens (`/tmp`: a socket's path is short).
    pub(super) fn path() -> PathBuf {
        PathBuf::from(format!(
            "/tmp/{}_si.sock",
            super::APP_IDENTIFIER.replace(['.', '-'], "_")
        ))
    }

    pub(super) fn hand_over(socket: &Path, argv: &[String], cwd: &Path) -> Result<bool, String> {
        let mut stream = match UnixStream::connect(socket) {
            Ok(stream) => stream,
            // No socket, or one left by an app that is gone: no window to hand over to.
            Err(error)
                if matches!(
                    error.kind(),
                    ErrorKind::NotFound | ErrorKind::ConnectionRefused
                ) =>
            {
                return Ok(false);
            }
            Err(error) => {
                return Err(format!(
                    "the open Strato window could not be reached: {error}"
                ));
            }
        };
        let message = format!("{}\0\0{}", cwd.display(), argv.join("\0"));
        stream
            .write_all(message.as_bytes())
            .map_err(|error| format!("the open Strato window did not take the items: {error}"))?;
        // Read to its end by the app: closed here.
        Ok(true)
    }

    #[cfg(test)]
    mod tests {
        use std::io::Read;
        use std::os::unix::net::UnixListener;
        use std::path::Path;

        #[test]
        fn the_items_reach_a_listener_that_reads_as_the_plugin_does() {
            let folder = tempfile::tempdir().expect("a folder");
            let socket = folder.path().join("si.sock");
            let argv = ["strato".to_owned(), "play".to_owned(), "a b.mp3".to_owned()];
            assert_eq!(
                super::hand_over(&socket, &argv, Path::new("/music")),
                Ok(false),
                "no app listening"
            );
            let listener = UnixListener::bind(&socket).expect("listening");
            let reader = std::thread::spawn(move || {
                let (mut stream, _) = listener.accept().expect("a connection");
                let mut received = String::new();
                stream
                    .read_to_string(&mut received)
                    .expect("read to the end");
                received
            });
            assert_eq!(
                super::hand_over(&socket, &argv, Path::new("/music")),
                Ok(true)
            );
            let received = reader.join().expect("the reader");
            let (cwd, items) = received
                .split_once("\0\0")
                .expect("the folder, then the items");
            assert_eq!(cwd, "/music");
            assert_eq!(
                items.split('\0').collect::<Vec<_>>(),
                ["strato", "play", "a b.mp3"]
            );
            assert_eq!(
                super::path(),
                Path::new("/tmp/dev_strato_desktop_si.sock"),
                "the plugin's name for the app's identifier"
            );
        }
    }
}

/// Windows: the plugin's hidden window, found by its class and title (named by the app's
/// identifier: one instance per identifier there), takes a `WM_COPYDATA` of the working
/// folder and the arguments, joined by `|` (which no Windows path holds).
#[cfg(windows)]
mod platform {
    use std::path::Path;

    use windows_sys::Win32::System::DataExchange::COPYDATASTRUCT;
    use windows_sys::Win32::UI::WindowsAndMessaging::{
        AllowSetForegroundWindow, FindWindowW, GetWindowThreadProcessId, SendMessageW, WM_COPYDATA,
    };

    /// The plugin's mark on its own messages.
    const SINGLE_INSTANCE_DATA: usize = 1542;

    fn wide(text: &str) -> Vec<u16> {
        text.encode_utf16().chain(std::iter::once(0)).collect()
    }

    #[allow(unsafe_code)] // Win32 calls, as the plugin makes them; see the module doc.
    pub(super) fn hand_over(_id: &str, argv: &[String], cwd: &Path) -> Result<bool, String> {
        let class = wide(&format!("{}-sic", super::APP_IDENTIFIER));
        let title = wide(&format!("{}-siw", super::APP_IDENTIFIER));
        let mut message = format!("{}|{}", cwd.display(), argv.join("|")).into_bytes();
        message.push(0);
        let length = u32::try_from(message.len()).map_err(|_| "too many items".to_owned())?;
        // SAFETY: the strings are NUL-terminated UTF-16 that outlive the calls; the message
        // outlives `SendMessageW`, which returns once the window has handled it.
        unsafe {
            let window = FindWindowW(class.as_ptr(), title.as_ptr());
            if window.is_null() {
                return Ok(false);
            }
            // Let the open window come to the front when it takes the items.
            let mut process = 0;
            GetWindowThreadProcessId(window, &raw mut process);
            if process != 0 {
                AllowSetForegroundWindow(process);
            }
            let data = COPYDATASTRUCT {
                dwData: SINGLE_INSTANCE_DATA,
                cbData: length,
                lpData: message.as_mut_ptr().cast(),
            };
            SendMessageW(
                window,
                WM_COPYDATA,
                0,
                (&raw const data).addr().cast_signed(),
            );
        }
        Ok(true)
    }
}

#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
mod platform {
    use std::path::Path;

    #[allow(clippy::unnecessary_wraps)]
    pub(super) fn hand_over(_id: &str, _argv: &[String], _cwd: &Path) -> Result<bool, String> {
        Ok(false)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::instance_id;

    #[test]
    fn each_settings_folder_is_an_instance_of_its_own() {
        let one = instance_id(Some(Path::new("/home/a/.config/strato")));
        let other = instance_id(Some(Path::new("/home/b/.config/strato")));
        assert_ne!(one, other);
        assert_eq!(one, instance_id(Some(Path::new("/home/a/.config/strato"))));
        assert!(one.starts_with("dev.strato.desktop.c"), "{one}");
        assert_eq!(instance_id(None), "dev.strato.desktop");
    }

    #[test]
    fn the_fingerprint_is_fnv_1a() {
        // The published test vectors: "" and "a".
        assert_eq!(super::fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(super::fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
