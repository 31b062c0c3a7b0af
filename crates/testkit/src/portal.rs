//! The XDG desktop portal's settings interface (`org.freedesktop.portal.Settings` at
//! `/org/freedesktop/portal/desktop`, named `org.freedesktop.portal.Desktop`), served on the
//! session bus the test runs in, holding the one setting Strato reads: the color scheme.
//!
//! A desktop's portal (xdg-desktop-portal with its GNOME or KDE backend) needs the whole
//! desktop's settings store behind it; this serves the same interface and signals over the
//! same bus, and lets the test change the desktop's preference as a listener would.

use zbus::object_server::SignalEmitter;
use zbus::zvariant::{OwnedValue, Value};

const NAME: &str = "org.freedesktop.portal.Desktop";
const PATH: &str = "/org/freedesktop/portal/desktop";
const APPEARANCE: &str = "org.freedesktop.appearance";
const COLOR_SCHEME: &str = "color-scheme";

/// The portal's color-scheme values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    NoPreference = 0,
    PreferDark = 1,
    PreferLight = 2,
}

struct Settings {
    scheme: Scheme,
}

#[zbus::interface(name = "org.freedesktop.portal.Settings")]
impl Settings {
    /// The deprecated single read; ashpd still calls it.
    fn read(&self, namespace: &str, key: &str) -> zbus::fdo::Result<OwnedValue> {
        self.read_one(namespace, key)
    }

    fn read_one(&self, namespace: &str, key: &str) -> zbus::fdo::Result<OwnedValue> {
        if namespace == APPEARANCE && key == COLOR_SCHEME {
            Ok(OwnedValue::from(self.scheme as u32))
        } else {
            Err(zbus::fdo::Error::Failed(format!(
                "Requested setting {namespace}.{key} not found"
            )))
        }
    }

    #[zbus(signal)]
    async fn setting_changed(
        emitter: &SignalEmitter<'_>,
        namespace: &str,
        key: &str,
        value: Value<'_>,
    ) -> zbus::Result<()>;

    #[zbus(property, name = "version")]
    #[allow(clippy::unused_self)] // zbus reads properties through the object.
    fn version(&self) -> u32 {
        2
    }
}

/// A desktop portal on the session bus (`DBUS_SESSION_BUS_ADDRESS`); it leaves the bus when
/// dropped.
#[derive(Debug)]
pub struct DesktopPortal {
    connection: zbus::Connection,
}

impl DesktopPortal {
    /// Takes the portal's name on the session bus, answering `scheme`.
    ///
    /// # Panics
    /// Without a session bus, or when another portal holds the name: the test cannot run.
    pub async fn serve(scheme: Scheme) -> Self {
        let connection = zbus::connection::Builder::session()
            .expect("a session bus (run the tests in dbus-run-session)")
            .name(NAME)
            .expect("the portal's name")
            .serve_at(PATH, Settings { scheme })
            .expect("the portal's object")
            .build()
            .await
            .expect("the portal's name on the session bus (is another portal running?)");
        Self { connection }
    }

    /// Changes the desktop's preference, as its settings would, and signals it.
    ///
    /// # Panics
    /// When the bus refuses the signal.
    pub async fn set(&self, scheme: Scheme) {
        let iface = self
            .connection
            .object_server()
            .interface::<_, Settings>(PATH)
            .await
            .expect("the portal's object");
        iface.get_mut().await.scheme = scheme;
        Settings::setting_changed(
            iface.signal_emitter(),
            APPEARANCE,
            COLOR_SCHEME,
            Value::from(scheme as u32),
        )
        .await
        .expect("the SettingChanged signal");
    }
}
