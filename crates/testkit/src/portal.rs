//! The XDG desktop portal (`org.freedesktop.portal.Desktop` at
//! `/org/freedesktop/portal/desktop`), served on the session bus the test runs in, with the
//! two interfaces Strato uses: `Settings`, holding the one setting it reads (the color
//! scheme), and `Inhibit`, recording what keeps the computer awake and when it is let go.
//!
//! A desktop's portal (xdg-desktop-portal with its GNOME or KDE backend) needs the whole
//! desktop's settings store behind it; this serves the same interface and signals over the
//! same bus, and lets the test change the desktop's preference as a listener would.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use zbus::object_server::SignalEmitter;
use zbus::zvariant::{OwnedObjectPath, OwnedValue, Value};

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

/// One request to keep the computer from sleeping or idling, as the portal saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inhibition {
    /// The portal's flags: 1 logout, 2 user switch, 4 suspend, 8 idle.
    pub flags: u32,
    pub reason: String,
    /// Closed by the app: the computer may sleep again.
    pub closed: bool,
}

type Inhibitions = Arc<Mutex<Vec<Inhibition>>>;

fn lock(inhibitions: &Inhibitions) -> std::sync::MutexGuard<'_, Vec<Inhibition>> {
    inhibitions
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

struct Inhibit {
    inhibitions: Inhibitions,
}

#[zbus::interface(name = "org.freedesktop.portal.Inhibit")]
impl Inhibit {
    /// Records the inhibition and serves its request object, which the app closes to end it.
    async fn inhibit(
        &self,
        window: &str,
        flags: u32,
        options: HashMap<String, OwnedValue>,
        #[zbus(object_server)] server: &zbus::ObjectServer,
    ) -> zbus::fdo::Result<OwnedObjectPath> {
        // The window a dialog would belong to: an inhibition shows none.
        let _ = window;
        let reason = options
            .get("reason")
            .and_then(|v| v.try_clone().ok())
            .and_then(|v| String::try_from(v).ok())
            .unwrap_or_default();
        let index = {
            let mut all = lock(&self.inhibitions);
            all.push(Inhibition {
                flags,
                reason,
                closed: false,
            });
            all.len() - 1
        };
        let path = format!("{PATH}/request/strato_test/t{index}");
        let request = Request {
            inhibitions: Arc::clone(&self.inhibitions),
            index,
        };
        server.at(path.as_str(), request).await?;
        OwnedObjectPath::try_from(path).map_err(|err| zbus::fdo::Error::Failed(err.to_string()))
    }

    #[zbus(property, name = "version")]
    #[allow(clippy::unused_self)] // zbus reads properties through the object.
    fn version(&self) -> u32 {
        3
    }
}

/// An inhibition's handle: closing it ends the inhibition.
struct Request {
    inhibitions: Inhibitions,
    index: usize,
}

#[zbus::interface(name = "org.freedesktop.portal.Request")]
impl Request {
    async fn close(
        &self,
        #[zbus(object_server)] server: &zbus::ObjectServer,
        #[zbus(header)] header: zbus::message::Header<'_>,
    ) -> zbus::fdo::Result<()> {
        if let Some(inhibition) = lock(&self.inhibitions).get_mut(self.index) {
            inhibition.closed = true;
        }
        if let Some(path) = header.path() {
            server.remove::<Self, _>(path.to_owned()).await?;
        }
        Ok(())
    }
}

/// A desktop portal on the session bus (`DBUS_SESSION_BUS_ADDRESS`); it leaves the bus when
/// dropped.
#[derive(Debug)]
pub struct DesktopPortal {
    connection: zbus::Connection,
    inhibitions: Inhibitions,
}

impl DesktopPortal {
    /// Takes the portal's name on the session bus, answering `scheme`.
    ///
    /// # Panics
    /// Without a session bus, or when another portal holds the name: the test cannot run.
    pub async fn serve(scheme: Scheme) -> Self {
        let inhibitions = Inhibitions::default();
        let connection = zbus::connection::Builder::session()
            .expect("a session bus (run the tests in dbus-run-session)")
            .name(NAME)
            .expect("the portal's name")
            .serve_at(PATH, Settings { scheme })
            .expect("the portal's object")
            .serve_at(
                PATH,
                Inhibit {
                    inhibitions: Arc::clone(&inhibitions),
                },
            )
            .expect("the portal's object")
            .build()
            .await
            .expect("the portal's name on the session bus (is another portal running?)");
        Self {
            connection,
            inhibitions,
        }
    }

    /// Every inhibition asked of the portal so far, in order.
    #[must_use]
    pub fn inhibitions(&self) -> Vec<Inhibition> {
        lock(&self.inhibitions).clone()
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
