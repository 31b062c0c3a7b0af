//! What the desktop around Strato says about itself and offers: whether the listener's
//! desktop prefers light or dark, so that a window set to follow the system does; and the
//! OS's media session ([`media_session`]), through which media keys and the desktop's media
//! panel reach the player; the one running instance ([`single_instance`]) a second launch
//! hands over to; the computer kept awake while music plays ([`keep_awake`]); and a
//! notification as each new track starts ([`track_notices`]).
//!
//! On Linux the answer comes from the XDG desktop portal (`org.freedesktop.portal.Settings`,
//! `org.freedesktop.appearance color-scheme`), read through ashpd on the caller's tokio
//! runtime. It is the one source every desktop (GNOME, KDE, the wlroots ones) keeps current;
//! `WebKitGTK`'s `prefers-color-scheme` and tao's window theme follow the GTK theme's *name*
//! instead, which a desktop in dark mode with a light-named theme gets wrong.
//!
//! Windows and macOS tell the window itself (tao reports their theme and its changes), so
//! there is nothing to follow here: [`follow_color_scheme`] answers [`Unavailable`] and the
//! shell asks the window.

pub mod keep_awake;
pub mod media_session;
pub mod single_instance;
pub mod track_notices;

use std::fmt;

/// The app's launcher as its packages install it (`Strato.desktop`, named by the bundler after
/// the product): what the media session and notifications name, so the desktop shows them
/// with Strato's icon and under its name.
pub const DESKTOP_ENTRY: &str = "Strato";

use tokio::sync::watch;

/// What the desktop asks of applications.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorScheme {
    /// The desktop states no preference. GNOME's Settings says this for "Light" (it never
    /// says prefer-light), and GTK applications draw light: so should we.
    NoPreference,
    PreferDark,
    PreferLight,
}

impl ColorScheme {
    /// Whether a window following the desktop should be dark.
    #[must_use]
    pub fn is_dark(self) -> bool {
        self == Self::PreferDark
    }
}

/// Why the desktop's preference cannot be followed: no portal (a bare X server, an old
/// desktop), or an OS whose window reports it itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unavailable(pub String);

impl fmt::Display for Unavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the desktop's light or dark preference is unavailable: {}",
            self.0
        )
    }
}

impl std::error::Error for Unavailable {}

/// The desktop's preference now, and every change after: the receiver holds the current
/// value and wakes on each change. Following stops when every receiver is dropped, or when
/// the portal goes away (the last value stays).
///
/// Must be called within a tokio runtime; the following runs as a task on it.
///
/// # Errors
/// [`Unavailable`] when there is no portal to ask (see the module's doc).
pub async fn follow_color_scheme() -> Result<watch::Receiver<ColorScheme>, Unavailable> {
    platform::follow().await
}

/// [`follow_color_scheme`] on the bus `bus` rather than the session's.
///
/// # Errors
/// [`Unavailable`] when there is no portal on it.
#[cfg(target_os = "linux")]
pub async fn follow_color_scheme_on(
    bus: zbus::Connection,
) -> Result<watch::Receiver<ColorScheme>, Unavailable> {
    platform::follow_on(bus).await
}

#[cfg(target_os = "linux")]
mod platform {
    use ashpd::desktop::settings::{ColorScheme as PortalScheme, Settings};
    use futures_util::StreamExt;
    use tokio::sync::{oneshot, watch};

    use super::{ColorScheme, Unavailable};

    fn ours(scheme: PortalScheme) -> ColorScheme {
        match scheme {
            PortalScheme::PreferDark => ColorScheme::PreferDark,
            PortalScheme::PreferLight => ColorScheme::PreferLight,
            PortalScheme::NoPreference => ColorScheme::NoPreference,
        }
    }

    /// The portal's name on the session bus.
    const PORTAL: &str = "org.freedesktop.portal.Desktop";

    fn unavailable(err: &dyn std::fmt::Display) -> Unavailable {
        Unavailable(format!("the desktop portal did not answer ({err})"))
    }

    /// Whether a portal is on the bus or can be started by it. Asked first, so
    /// that a desktop without one (a bare X server, a CI runner) is told in one line rather
    /// than by a proxy's failures.
    async fn has_a_portal(connection: &zbus::Connection) -> Result<(), Unavailable> {
        let bus = zbus::fdo::DBusProxy::new(connection)
            .await
            .map_err(|err| unavailable(&err))?;
        let name = zbus::names::BusName::try_from(PORTAL).map_err(|err| unavailable(&err))?;
        let running = bus
            .name_has_owner(name)
            .await
            .map_err(|err| unavailable(&err))?;
        let startable = running
            || bus
                .list_activatable_names()
                .await
                .map_err(|err| unavailable(&err))?
                .iter()
                .any(|name| name.as_str() == PORTAL);
        if startable {
            Ok(())
        } else {
            Err(Unavailable(
                "there is no desktop portal on the bus".to_owned(),
            ))
        }
    }

    pub(super) async fn follow() -> Result<watch::Receiver<ColorScheme>, Unavailable> {
        let connection = zbus::Connection::session()
            .await
            .map_err(|err| Unavailable(format!("there is no session bus ({err})")))?;
        follow_on(connection).await
    }

    pub(super) async fn follow_on(
        connection: zbus::Connection,
    ) -> Result<watch::Receiver<ColorScheme>, Unavailable> {
        has_a_portal(&connection).await?;
        // The change stream borrows the portal's proxy, so both live in the task; the first
        // reading comes back through `first`.
        let (first, reading) = oneshot::channel();
        tokio::spawn(async move {
            let settings = match Settings::with_connection(connection).await {
                Ok(settings) => settings,
                Err(err) => return drop(first.send(Err(unavailable(&err)))),
            };
            // Subscribe before reading, so that a change between the two is not missed.
            let changes = match settings.receive_color_scheme_changed().await {
                Ok(changes) => changes,
                Err(err) => return drop(first.send(Err(unavailable(&err)))),
            };
            let sender = match settings.color_scheme().await {
                Ok(now) => {
                    let (sender, receiver) = watch::channel(ours(now));
                    if first.send(Ok(receiver)).is_err() {
                        return;
                    }
                    sender
                }
                Err(err) => return drop(first.send(Err(unavailable(&err)))),
            };
            let mut changes = std::pin::pin!(changes);
            loop {
                tokio::select! {
                    () = sender.closed() => break,
                    change = changes.next() => match change {
                        Some(scheme) => {
                            tracing::debug!(?scheme, "the desktop's color scheme changed");
                            sender.send_replace(ours(scheme));
                        }
                        None => break,
                    },
                }
            }
        });
        reading
            .await
            .unwrap_or_else(|_| Err(Unavailable("the portal's reader stopped".to_owned())))
    }
}

#[cfg(not(target_os = "linux"))]
mod platform {
    use tokio::sync::watch;

    use super::{ColorScheme, Unavailable};

    pub(super) async fn follow() -> Result<watch::Receiver<ColorScheme>, Unavailable> {
        Err(Unavailable("this OS reports it to the window".to_owned()))
    }
}
