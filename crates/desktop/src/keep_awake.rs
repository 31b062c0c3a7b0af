//! Keeps the computer from sleeping while music plays, and lets it sleep again once the
//! music stops: a listener with the screen off for an album expects to hear all of it.
//!
//! [`KeepAwake::follow`] takes each player status; only changes between playing and not
//! reach the OS, from a thread of its own (Windows ties the request to the thread that
//! made it, and no caller should wait on the session bus).
//!
//! - Linux: the XDG desktop portal's `org.freedesktop.portal.Inhibit` (flag "suspend"),
//!   which GNOME, KDE and the wlroots desktops (and Flatpak's sandbox) provide; released by
//!   closing its request. Without a portal, `org.freedesktop.PowerManagement.Inhibit`
//!   (KDE's `PowerDevil`, Xfce's power manager). Both over the session bus with zbus.
//! - Windows (`SetThreadExecutionState`) and macOS (an IOPM assertion) through the keepawake
//!   crate, which wraps those calls.

use std::sync::mpsc;

use strato_model::ipc::{PlaybackState, PlayerStatus};

/// The words the OS shows for why it does not sleep (GNOME's power menu lists them).
pub const REASON: &str = "Playing music";

/// Keeps the computer awake while told the music plays.
#[derive(Debug)]
pub struct KeepAwake {
    playing: std::sync::Mutex<bool>,
    wanted: mpsc::Sender<bool>,
}

impl KeepAwake {
    /// Starts its thread; `app_name` and `app_id` are how the OS names the app asking.
    #[must_use]
    pub fn start(app_name: &'static str, app_id: &'static str) -> Self {
        let (wanted, asked) = mpsc::channel();
        let started = std::thread::Builder::new()
            .name("keep-awake".to_owned())
            .spawn(move || platform::run(&asked, app_name, app_id));
        if let Err(error) = started {
            tracing::warn!(%error, "the computer may sleep while music plays");
        }
        Self {
            playing: std::sync::Mutex::new(false),
            wanted,
        }
    }

    /// The player's status: playing (or about to: loading, buffering) keeps the computer
    /// awake; paused, stopped or finished lets it sleep.
    pub fn follow(&self, status: &PlayerStatus) {
        let playing = matches!(
            status.state,
            PlaybackState::Playing | PlaybackState::Loading | PlaybackState::Buffering
        );
        let mut was = self
            .playing
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if *was != playing {
            *was = playing;
            // Only fails once the thread has ended; there is nothing to keep awake then.
            let _ = self.wanted.send(playing);
        }
    }
}

#[cfg(target_os = "linux")]
mod platform {
    use std::collections::HashMap;
    use std::sync::mpsc::Receiver;

    use zbus::zvariant::{OwnedObjectPath, Value};

    use super::REASON;

    const PORTAL: &str = "org.freedesktop.portal.Desktop";
    const PORTAL_PATH: &str = "/org/freedesktop/portal/desktop";
    const PORTAL_INHIBIT: &str = "org.freedesktop.portal.Inhibit";
    /// The portal's flag for "do not suspend".
    const SUSPEND: u32 = 4;
    const POWER: &str = "org.freedesktop.PowerManagement";
    const POWER_PATH: &str = "/org/freedesktop/PowerManagement/Inhibit";
    const POWER_INHIBIT: &str = "org.freedesktop.PowerManagement.Inhibit";

    /// What is held, to be let go.
    enum Held {
        /// The portal's request object: closing it ends the inhibition.
        Portal(OwnedObjectPath),
        /// The power manager's cookie.
        PowerManagement(u32),
    }

    pub(super) fn run(asked: &Receiver<bool>, app_name: &str, _app_id: &str) {
        let runtime = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(runtime) => runtime,
            Err(error) => return tracing::warn!(%error, "keeping the computer awake is off"),
        };
        let Ok(bus) = runtime.block_on(zbus::Connection::session()) else {
            return tracing::info!("no session bus: the computer may sleep while music plays");
        };
        let mut held = None;
        // Ends when the app drops its `KeepAwake`: what is held is let go with it.
        while let Ok(mut playing) = asked.recv() {
            // Only the latest wish matters.
            while let Ok(later) = asked.try_recv() {
                playing = later;
            }
            runtime.block_on(async {
                match (playing, held.take()) {
                    (true, None) => match hold(&bus, app_name).await {
                        Ok(now) => held = Some(now),
                        Err(error) => tracing::info!(%error, "the computer may sleep"),
                    },
                    (false, Some(was)) => release(&bus, was).await,
                    (_, still) => held = still,
                }
            });
        }
        if let Some(was) = held {
            runtime.block_on(release(&bus, was));
        }
    }

    async fn has(bus: &zbus::Connection, name: &str) -> bool {
        let Ok(dbus) = zbus::fdo::DBusProxy::new(bus).await else {
            return false;
        };
        let Ok(name) = zbus::names::BusName::try_from(name) else {
            return false;
        };
        dbus.name_has_owner(name).await.unwrap_or(false)
    }

    async fn hold(bus: &zbus::Connection, app_name: &str) -> Result<Held, String> {
        if has(bus, PORTAL).await {
            let options = HashMap::from([("reason", Value::from(REASON))]);
            let reply = bus
                .call_method(
                    Some(PORTAL),
                    PORTAL_PATH,
                    Some(PORTAL_INHIBIT),
                    "Inhibit",
                    &("", SUSPEND, options),
                )
                .await
                .map_err(|err| format!("the desktop portal refused: {err}"))?;
            let request: OwnedObjectPath = reply
                .body()
                .deserialize()
                .map_err(|err| format!("the desktop portal answered oddly: {err}"))?;
            tracing::debug!(%request, "the computer stays awake while music plays");
            return Ok(Held::Portal(request));
        }
        if has(bus, POWER).await {
            let reply = bus
                .call_method(
                    Some(POWER),
                    POWER_PATH,
                    Some(POWER_INHIBIT),
                    "Inhibit",
                    &(app_name, REASON),
                )
                .await
                .map_err(|err| format!("the power manager refused: {err}"))?;
            let cookie: u32 = reply
                .body()
                .deserialize()
                .map_err(|err| format!("the power manager answered oddly: {err}"))?;
            tracing::debug!(cookie, "the computer stays awake while music plays");
            return Ok(Held::PowerManagement(cookie));
        }
        Err("neither a desktop portal nor a power manager is on the session bus".to_owned())
    }

    async fn release(bus: &zbus::Connection, held: Held) {
        let outcome = match &held {
            Held::Portal(request) => {
                bus.call_method(
                    Some(PORTAL),
                    request.as_str(),
                    Some("org.freedesktop.portal.Request"),
                    "Close",
                    &(),
                )
                .await
            }
            Held::PowerManagement(cookie) => {
                bus.call_method(
                    Some(POWER),
                    POWER_PATH,
                    Some(POWER_INHIBIT),
                    "UnInhibit",
                    cookie,
                )
                .await
            }
        };
        match outcome {
            Ok(_) => tracing::debug!("the computer may sleep again"),
            Err(error) => tracing::info!(%error, "letting the computer sleep again failed"),
        }
    }
}

#[cfg(any(windows, target_os = "macos"))]
mod platform {
    use std::sync::mpsc::Receiver;

    use super::REASON;

    pub(super) fn run(asked: &Receiver<bool>, app_name: &str, app_id: &str) {
        let mut held = None;
        while let Ok(mut playing) = asked.recv() {
            while let Ok(later) = asked.try_recv() {
                playing = later;
            }
            if !playing {
                // Dropping it lets the computer sleep again.
                held = None;
            } else if held.is_none() {
                held = keepawake::Builder::default()
                    .idle(true)
                    .reason(REASON)
                    .app_name(app_name)
                    .app_reverse_domain(app_id)
                    .create()
                    .map_err(|error| tracing::info!(%error, "the computer may sleep"))
                    .ok();
            }
        }
        drop(held);
    }
}

#[cfg(not(any(target_os = "linux", windows, target_os = "macos")))]
mod platform {
    use std::sync::mpsc::Receiver;

    pub(super) fn run(asked: &Receiver<bool>, _app_name: &str, _app_id: &str) {
        tracing::info!("keeping the computer awake is not built for this OS");
        while asked.recv().is_ok() {}
    }
}
