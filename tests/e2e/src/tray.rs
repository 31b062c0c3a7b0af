//! The desktop's side of the tray, over the session bus, as a panel (GNOME's `AppIndicator`
//! extension, KDE Plasma, waybar) is: a `StatusNotifierWatcher` the app registers its icon
//! with, and the icon's menu read and clicked through `com.canonical.dbusmenu`, the way the
//! panel draws it and passes a listener's click on.
#![cfg(target_os = "linux")]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use zbus::zvariant::{OwnedObjectPath, OwnedValue, Value};

const WATCHER: &str = "org.kde.StatusNotifierWatcher";
const ITEM: &str = "org.kde.StatusNotifierItem";
const MENU: &str = "com.canonical.dbusmenu";

/// A menu entry as `com.canonical.dbusmenu` lays it out: its id, properties and children.
type Layout = (i32, HashMap<String, OwnedValue>, Vec<OwnedValue>);

/// Items registered: the sender's unique name and what it registered (a path or a name).
type Registered = Arc<Mutex<Vec<(String, String)>>>;

struct Watcher {
    registered: Registered,
}

// The protocol's methods and properties, as zbus serves them: some answer constants, and
// zbus hands the header over by value.
#[allow(clippy::unused_self, clippy::needless_pass_by_value)]
#[zbus::interface(name = "org.kde.StatusNotifierWatcher")]
impl Watcher {
    fn register_status_notifier_item(
        &self,
        service: &str,
        #[zbus(header)] header: zbus::message::Header<'_>,
    ) {
        let sender = header.sender().map(ToString::to_string).unwrap_or_default();
        self.registered
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push((sender, service.to_owned()));
    }

    fn register_status_notifier_host(&self, service: &str) {
        // A host is the panel's own side: this one is.
        let _ = service;
    }

    #[zbus(property)]
    fn registered_status_notifier_items(&self) -> Vec<String> {
        self.registered
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .map(|(sender, service)| format!("{sender}{service}"))
            .collect()
    }

    #[zbus(property)]
    fn is_status_notifier_host_registered(&self) -> bool {
        true
    }

    #[zbus(property)]
    fn protocol_version(&self) -> i32 {
        0
    }
}

/// A panel with a tray, on the session bus for as long as it lives.
#[allow(missing_debug_implementations)] // A bus connection has nothing to show.
pub struct TrayHost {
    bus: zbus::Connection,
    registered: Registered,
}

/// One entry of a tray menu, as the panel shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuEntry {
    pub id: i32,
    pub label: String,
    pub enabled: bool,
}

impl TrayHost {
    /// Takes the watcher's name on the session bus (the test command's private one).
    ///
    /// # Errors
    /// When there is no session bus, or another watcher holds the name.
    pub async fn start() -> Result<Self> {
        let registered = Registered::default();
        let bus = zbus::connection::Builder::session()?
            .name(WATCHER)?
            .serve_at(
                "/StatusNotifierWatcher",
                Watcher {
                    registered: Arc::clone(&registered),
                },
            )?
            .build()
            .await
            .context("the session bus (the test command runs in dbus-run-session)")?;
        Ok(Self { bus, registered })
    }

    /// The menu of the icon registered last, once there is one (up to `wait`): where its
    /// `com.canonical.dbusmenu` object is.
    ///
    /// # Errors
    /// When no icon registers in time, or it has no menu.
    pub async fn menu(&self, wait: Duration) -> Result<TrayMenu> {
        let deadline = Instant::now() + wait;
        let (sender, service) = loop {
            let last = self
                .registered
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .last()
                .cloned();
            if let Some(last) = last {
                break last;
            }
            if Instant::now() > deadline {
                bail!("no tray icon registered within {wait:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        // An item registers by its object path (on its own connection) or by a bus name.
        let (destination, path) = if service.starts_with('/') {
            (sender, service)
        } else {
            (service, "/StatusNotifierItem".to_owned())
        };
        let item = zbus::Proxy::new(&self.bus, destination.clone(), path, ITEM).await?;
        let menu: OwnedObjectPath = item.get_property("Menu").await?;
        Ok(TrayMenu {
            bus: self.bus.clone(),
            destination,
            path: menu.to_string(),
        })
    }
}

/// A tray icon's menu, as the panel reads it.
#[allow(missing_debug_implementations)]
pub struct TrayMenu {
    bus: zbus::Connection,
    destination: String,
    path: String,
}

impl TrayMenu {
    /// Every entry with a label, in order.
    ///
    /// # Errors
    /// When the menu does not answer.
    pub async fn entries(&self) -> Result<Vec<MenuEntry>> {
        let reply = self
            .bus
            .call_method(
                Some(self.destination.as_str()),
                self.path.as_str(),
                Some(MENU),
                "GetLayout",
                &(0i32, -1i32, Vec::<String>::new()),
            )
            .await?;
        let (_revision, (_id, _properties, children)): (u32, Layout) =
            reply.body().deserialize()?;
        let mut entries = Vec::new();
        flatten(&children, &mut entries)?;
        Ok(entries)
    }

    /// The entry whose label is `label`, once the menu shows one (up to `wait`).
    ///
    /// # Errors
    /// When it does not show one in time.
    pub async fn wait_for(&self, label: &str, wait: Duration) -> Result<MenuEntry> {
        let deadline = Instant::now() + wait;
        loop {
            let entries = self.entries().await?;
            if let Some(entry) = entries.iter().find(|e| e.label == label) {
                return Ok(entry.clone());
            }
            if Instant::now() > deadline {
                bail!("the tray menu never showed {label:?}: {entries:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Clicks an entry, as the panel passes a listener's click on.
    ///
    /// # Errors
    /// When the menu does not take it.
    pub async fn click(&self, entry: &MenuEntry) -> Result<()> {
        let timestamp = 0u32;
        self.bus
            .call_method(
                Some(self.destination.as_str()),
                self.path.as_str(),
                Some(MENU),
                "Event",
                &(entry.id, "clicked", Value::from(0i32), timestamp),
            )
            .await?;
        Ok(())
    }
}

/// The menu's entries, depth first: each child is `(id, properties, children)`.
fn flatten(children: &[OwnedValue], into: &mut Vec<MenuEntry>) -> Result<()> {
    for child in children {
        let (id, properties, grandchildren): Layout = child.try_clone()?.try_into()?;
        let text = |key: &str| {
            properties
                .get(key)
                .and_then(|v| v.try_clone().ok())
                .and_then(|v| String::try_from(v).ok())
        };
        if let Some(label) = text("label") {
            let enabled = properties
                .get("enabled")
                .and_then(|v| bool::try_from(v).ok())
                .unwrap_or(true);
            into.push(MenuEntry {
                id,
                // GTK marks a mnemonic with `_`; the panel shows the label without it.
                label: label.replace('_', ""),
                enabled,
            });
        }
        flatten(&grandchildren, into)?;
    }
    Ok(())
}
