//! The devices of one listener, as their live connections registered them: the connections
//! table's device columns in a real deployment (connection id, user, device, what it plays,
//! when it said so).
//!
//! A connection is at most one device; a device is at most one connection (registering an id
//! again, after a reconnect, moves it to the new connection). Commands are routed by this
//! table only, so they never leave the listener whose connections it holds.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use strato_model::api::{
    Device, DeviceCommand, DevicePlayback, MAX_DEVICE_NAME, MAX_HANDOVER_TRACKS,
};

/// The longest device id and OS name a client may register.
const MAX_ID: usize = 64;
/// The most devices one account may have connected at once.
const MAX_DEVICES: usize = 32;

#[derive(Debug, Default)]
pub(super) struct DeviceRegistry {
    by_id: BTreeMap<String, Registered>,
}

#[derive(Debug)]
struct Registered {
    connection: Arc<str>,
    name: String,
    os: String,
    playback: Option<DevicePlayback>,
    said_at: Instant,
}

impl DeviceRegistry {
    /// Makes `connection` the device `device_id`; `Err` says in words what is wrong with the
    /// registration.
    pub(super) fn register(
        &mut self,
        connection: &Arc<str>,
        device_id: &str,
        name: &str,
        os: &str,
    ) -> Result<(), &'static str> {
        let is_token = |text: &str| {
            !text.is_empty()
                && text.len() <= MAX_ID
                && text
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        };
        if !is_token(device_id) {
            return Err("a device id is 1 to 64 letters, digits, '-' or '_'");
        }
        if !is_token(os) {
            return Err("an operating system is 1 to 64 letters, digits, '-' or '_'");
        }
        let name: String = name.trim().chars().take(MAX_DEVICE_NAME).collect();
        if !self.by_id.contains_key(device_id) && self.by_id.len() >= MAX_DEVICES {
            return Err("an account has at most 32 devices connected at once");
        }
        // A new name for the same device keeps what it plays, and when it said so.
        let (playback, said_at) = self
            .by_id
            .get(device_id)
            .filter(|d| d.connection == *connection)
            .map_or((None, Instant::now()), |d| (d.playback.clone(), d.said_at));
        // One device per connection: a connection registering anew drops its old id.
        self.leave(connection);
        self.by_id.insert(
            device_id.to_owned(),
            Registered {
                connection: Arc::clone(connection),
                name: if name.is_empty() {
                    "Unnamed device".to_owned()
                } else {
                    name
                },
                os: os.to_ascii_lowercase(),
                playback,
                said_at,
            },
        );
        Ok(())
    }

    /// Records what `connection`'s device plays; `false` when it registered no device.
    pub(super) fn set_playback(
        &mut self,
        connection: &str,
        playback: Option<DevicePlayback>,
    ) -> bool {
        let Some(device) = self
            .by_id
            .values_mut()
            .find(|d| &*d.connection == connection)
        else {
            return false;
        };
        device.playback = playback.map(|mut p| {
            p.volume_percent = p.volume_percent.min(100);
            p
        });
        device.said_at = Instant::now();
        true
    }

    /// Forgets `connection`'s device (it closed); `true` when it had one.
    pub(super) fn leave(&mut self, connection: &str) -> bool {
        let before = self.by_id.len();
        self.by_id.retain(|_, d| &*d.connection != connection);
        self.by_id.len() != before
    }

    pub(super) fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// Where a command from `connection` to the device `to` goes, and from which device id;
    /// `Err` is the refusal's reason.
    pub(super) fn route(
        &self,
        connection: &str,
        to: &str,
        command: &DeviceCommand,
    ) -> Result<(String, Arc<str>), &'static str> {
        let from = self
            .by_id
            .iter()
            .find(|(_, d)| &*d.connection == connection)
            .map(|(id, _)| id.clone())
            .ok_or("register this device before steering another")?;
        let target = self
            .by_id
            .get(to)
            .ok_or("no device of this account by that id is connected")?;
        match command {
            DeviceCommand::TakeOver { queue, index, .. }
                if queue.len() > MAX_HANDOVER_TRACKS
                    || usize::try_from(*index).map_or(true, |i| i >= queue.len()) =>
            {
                Err("a hand-over holds 1 to 500 tracks and starts at one of them")
            }
            DeviceCommand::Volume { volume_percent } if *volume_percent > 100 => {
                Err("a volume is 0 to 100")
            }
            _ => Ok((from, Arc::clone(&target.connection))),
        }
    }

    /// The list as the listener's devices are told it.
    pub(super) fn list(&self) -> Vec<Device> {
        let now = Instant::now();
        self.by_id
            .iter()
            .map(|(id, d)| Device {
                device_id: id.clone(),
                name: d.name.clone(),
                os: d.os.clone(),
                playback: d.playback.clone(),
                said_ms_ago: u64::try_from(now.duration_since(d.said_at).as_millis())
                    .unwrap_or(u64::MAX),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conn(name: &str) -> Arc<str> {
        Arc::from(name)
    }

    #[test]
    fn a_reconnecting_device_moves_to_its_new_connection() {
        let mut devices = DeviceRegistry::default();
        devices
            .register(&conn("c1"), "desk", "Desk", "linux")
            .unwrap();
        devices
            .register(&conn("c2"), "desk", "Desk", "linux")
            .unwrap();
        assert_eq!(devices.list().len(), 1);
        // The old connection closing later does not take the device with it.
        assert!(!devices.leave("c1"));
        assert_eq!(devices.list().len(), 1);
        assert!(devices.leave("c2"));
        assert!(devices.is_empty());
    }

    #[test]
    fn commands_go_only_to_registered_devices_and_only_when_sound() {
        let mut devices = DeviceRegistry::default();
        let play = DeviceCommand::Play;
        assert!(
            devices.route("c1", "desk", &play).is_err(),
            "unregistered sender"
        );
        devices
            .register(&conn("c1"), "laptop", "Laptop", "macos")
            .unwrap();
        assert!(
            devices.route("c1", "desk", &play).is_err(),
            "unknown target"
        );
        devices
            .register(&conn("c2"), "desk", "Desk", "linux")
            .unwrap();
        let (from, to) = devices.route("c1", "desk", &play).unwrap();
        assert_eq!((from.as_str(), &*to), ("laptop", "c2"));
        let empty = DeviceCommand::TakeOver {
            queue: Vec::new(),
            index: 0,
            position_ms: 0,
        };
        assert!(devices.route("c1", "desk", &empty).is_err());
        let loud = DeviceCommand::Volume {
            volume_percent: 101,
        };
        assert!(devices.route("c1", "desk", &loud).is_err());
        assert!(devices.register(&conn("c3"), "", "x", "linux").is_err());
        assert!(devices.register(&conn("c3"), "a b", "x", "linux").is_err());
    }

    #[test]
    fn names_are_trimmed_and_cut() {
        let mut devices = DeviceRegistry::default();
        let long = "x".repeat(200);
        devices.register(&conn("c1"), "a", &long, "Linux").unwrap();
        devices.register(&conn("c2"), "b", "   ", "linux").unwrap();
        let list = devices.list();
        assert_eq!(list[0].name.chars().count(), MAX_DEVICE_NAME);
        assert_eq!(list[0].os, "linux");
        assert_eq!(list[1].name, "Unnamed device");
    }
}
