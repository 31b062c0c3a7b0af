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
//! [`hand_over`] calls it as a second launch of the app would. Windows and macOS: the plugin
//! uses a named mutex and window message, or a socket, which only the app itself speaks, so
//! `strato play` plays without a window there ([`hand_over`] answers `Ok(false)`).

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

#[cfg(not(target_os = "linux"))]
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
