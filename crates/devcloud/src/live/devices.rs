//! The devices of one listener, as their live connections registered them: the connections
//! table's device columns in a real deployment (connection id, user, device, what it plays,
//! when it said so).
//!
//! A connection is at most one device; a device is at most one connection (registering an id
//! again, after a reconnect, moves it to the new connection). Commands are routed by this
//! table only, so they never leave the listener whose connections it holds.
//!
//! The rules are the one copy both homes use: devcloud keeps a registry per listener in
//! memory; a deployment's live function builds one from the listener's connection rows
//! ([`DeviceRegistry::from_records`]), applies a request, and writes back what changed
//! ([`DeviceRegistry::records`]). Times are wall-clock milliseconds, passed in, since a
//! deployment's are read back from rows another process wrote.

use std::collections::BTreeMap;
use std::sync::Arc;

use strato_model::api::{
    Device, DeviceCommand, DevicePlayback, MAX_DEVICE_NAME, MAX_HANDOVER_TRACKS,
};

/// The longest device id and OS name a client may register.
const MAX_ID: usize = 64;
/// The most devices one account may have connected at once.
const MAX_DEVICES: usize = 32;

/// One listener's devices; see the module's documentation.
#[derive(Debug, Default)]
pub struct DeviceRegistry {
    by_id: BTreeMap<String, Registered>,
}

#[derive(Debug, Clone)]
struct Registered {
    connection: Arc<str>,
    name: String,
    os: String,
    playback: Option<DevicePlayback>,
    said_at_ms: u64,
}

/// A registered device as a deployment stores it, on its connection's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRecord {
    pub connection: String,
    pub device_id: String,
    pub name: String,
    pub os: String,
    pub playback: Option<DevicePlayback>,
    /// When it last said what it plays (or registered), in Unix milliseconds.
    pub said_at_ms: u64,
}

impl DeviceRegistry {
    /// The registry these records make (a deployment's, from its rows). Two rows may name
    /// one device for a moment (a reconnect, before the old connection is reported closed):
    /// the one that spoke last is the device.
    #[must_use]
    pub fn from_records(records: impl IntoIterator<Item = DeviceRecord>) -> Self {
        let mut by_id: BTreeMap<String, Registered> = BTreeMap::new();
        for r in records {
            if by_id
                .get(&r.device_id)
                .is_some_and(|known| known.said_at_ms >= r.said_at_ms)
            {
                continue;
            }
            let registered = Registered {
                connection: Arc::from(r.connection),
                name: r.name,
                os: r.os,
                playback: r.playback,
                said_at_ms: r.said_at_ms,
            };
            by_id.insert(r.device_id, registered);
        }
        Self { by_id }
    }

    /// Every registered device, as records to store.
    #[must_use]
    pub fn records(&self) -> Vec<DeviceRecord> {
        self.by_id
            .iter()
            .map(|(id, d)| DeviceRecord {
                connection: d.connection.to_string(),
                device_id: id.clone(),
                name: d.name.clone(),
                os: d.os.clone(),
                playback: d.playback.clone(),
                said_at_ms: d.said_at_ms,
            })
            .collect()
    }

    /// Makes `connection` the device `device_id` at `now_ms`; `Err` says in words what is
    /// wrong with the registration.
    ///
    /// # Errors
    /// An id or OS name that is not 1-64 letters, digits, `-` or `_`, or a 33rd device.
    pub fn register(
        &mut self,
        connection: &Arc<str>,
        (device_id, name, os): (&str, &str, &str),
        now_ms: u64,
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
        let (playback, said_at_ms) = self
            .by_id
            .get(device_id)
            .filter(|d| d.connection == *connection)
            .map_or((None, now_ms), |d| (d.playback.clone(), d.said_at_ms));
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
                said_at_ms,
            },
        );
        Ok(())
    }

    /// Records what `connection`'s device plays, said at `now_ms`; `false` when it
    /// registered no device.
    pub fn set_playback(
        &mut self,
        connection: &str,
        playback: Option<DevicePlayback>,
        now_ms: u64,
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
        device.said_at_ms = now_ms;
        true
    }

    /// Forgets `connection`'s device (it closed); `true` when it had one.
    pub fn leave(&mut self, connection: &str) -> bool {
        let before = self.by_id.len();
        self.by_id.retain(|_, d| &*d.connection != connection);
        self.by_id.len() != before
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// Where a command from `connection` to the device `to` goes, and from which device id.
    ///
    /// # Errors
    /// The refusal's reason: an unregistered sender, no such device, or an unsound command.
    pub fn route(
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

    /// The list as the listener's devices are told it at `now_ms`.
    #[must_use]
    pub fn list(&self, now_ms: u64) -> Vec<Device> {
        self.by_id
            .iter()
            .map(|(id, d)| Device {
                device_id: id.clone(),
                name: d.name.clone(),
                os: d.os.clone(),
                playback: d.playback.clone(),
                // A clock set back says "just now", not a negative age.
                said_ms_ago: now_ms.saturating_sub(d.said_at_ms),
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
            .register(&conn("c1"), ("desk", "Desk", "linux"), 0)
            .unwrap();
        devices
            .register(&conn("c2"), ("desk", "Desk", "linux"), 0)
            .unwrap();
        assert_eq!(devices.list(0).len(), 1);
        // The old connection closing later does not take the device with it.
        assert!(!devices.leave("c1"));
        assert_eq!(devices.list(0).len(), 1);
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
            .register(&conn("c1"), ("laptop", "Laptop", "macos"), 0)
            .unwrap();
        assert!(
            devices.route("c1", "desk", &play).is_err(),
            "unknown target"
        );
        devices
            .register(&conn("c2"), ("desk", "Desk", "linux"), 0)
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
        assert!(
            devices
                .register(&conn("c3"), ("", "x", "linux"), 0)
                .is_err()
        );
        assert!(
            devices
                .register(&conn("c3"), ("a b", "x", "linux"), 0)
                .is_err()
        );
    }

    #[test]
    fn a_registry_read_back_from_its_records_keeps_the_rules_and_the_times() {
        let mut devices = DeviceRegistry::default();
        devices
            .register(&conn("c1"), ("desk", "Desk", "linux"), 1_000)
            .unwrap();
        devices
            .register(&conn("c2"), ("laptop", "Laptop", "macos"), 2_000)
            .unwrap();
        let playing = DevicePlayback {
            track: None,
            playing: true,
            position_ms: 5_000,
            volume_percent: 150,
        };
        assert!(devices.set_playback("c1", Some(playing), 3_000));
        let mut again = DeviceRegistry::from_records(devices.records());
        assert_eq!(again.records(), devices.records());
        let listed = again.list(4_500);
        assert_eq!(listed[0].device_id, "desk");
        assert_eq!(listed[0].said_ms_ago, 1_500);
        assert_eq!(listed[0].playback.as_ref().unwrap().volume_percent, 100);
        assert_eq!(listed[1].said_ms_ago, 2_500);
        // A clock set back: "just now", not an age below zero.
        assert_eq!(again.list(0)[0].said_ms_ago, 0);
        // Two rows naming one device (a reconnect not yet reported closed): the later wins.
        let mut stale = devices.records()[0].clone();
        stale.connection = "c0".into();
        stale.said_at_ms = 500;
        let mut records = devices.records();
        records.push(stale.clone());
        assert_eq!(
            DeviceRegistry::from_records(records).records(),
            devices.records()
        );
        let mut records = vec![stale];
        records.extend(devices.records());
        assert_eq!(
            DeviceRegistry::from_records(records).records(),
            devices.records()
        );
        // The rules hold on what was read back: a reconnect moves the device.
        again
            .register(&conn("c3"), ("desk", "Desk", "linux"), 5_000)
            .unwrap();
        assert!(!again.leave("c1"));
        let (from, to) = again.route("c2", "desk", &DeviceCommand::Play).unwrap();
        assert_eq!((from.as_str(), &*to), ("laptop", "c3"));
    }

    #[test]
    fn names_are_trimmed_and_cut() {
        let mut devices = DeviceRegistry::default();
        let long = "x".repeat(200);
        devices
            .register(&conn("c1"), ("a", &long, "Linux"), 0)
            .unwrap();
        devices
            .register(&conn("c2"), ("b", "   ", "linux"), 0)
            .unwrap();
        let list = devices.list(0);
        assert_eq!(list[0].name.chars().count(), MAX_DEVICE_NAME);
        assert_eq!(list[0].os, "linux");
        assert_eq!(list[1].name, "Unnamed device");
    }
}
