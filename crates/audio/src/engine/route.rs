//! Where the player's sound goes: an [`OutputSource`] opens the output, and a
//! [`DeviceRoute`] is the one a listener's choice of device makes. The chosen device plays
//! when it is there; while it is not (unplugged, or not there at start), the system's
//! default stands in, the listener is told, and a watcher thread looks for the chosen one
//! every [`WATCH_PERIOD`] so that playback goes back to it when it returns.
//!
//! The watcher runs only while a device stands in: listing devices probes each of them on
//! some backends, a cost not worth paying while the chosen device plays.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::sink::{DeviceList, Sink, SinkError};

/// How often a route looks for its chosen device while another stands in.
pub const WATCH_PERIOD: Duration = Duration::from_secs(2);

/// Opens the player's output, on the player thread (device handles are often not `Send`).
/// Any `FnMut() -> Result<Box<dyn Sink>, SinkError>` is one (the null sink, a file, a
/// test's capture); a [`DeviceRoute`] also stands in for a missing device.
pub trait OutputSource: Send {
    fn open(&mut self) -> Result<Box<dyn Sink>, SinkError>;

    /// The device the listener chose, when the output opened last is standing in for it.
    fn stands_in_for(&self) -> Option<&str> {
        None
    }

    /// True once the output should be opened again because a better one is there (the
    /// chosen device came back). Cheap: the player asks on every turn of its loop.
    fn prefers_another(&self) -> bool {
        false
    }
}

impl<F> OutputSource for F
where
    F: FnMut() -> Result<Box<dyn Sink>, SinkError> + Send,
{
    fn open(&mut self) -> Result<Box<dyn Sink>, SinkError> {
        self()
    }
}

/// The output a choice of device makes: `wanted` from `devices` (the default for `None`),
/// the default standing in while `wanted` is not there.
pub struct DeviceRoute {
    devices: Arc<dyn DeviceList>,
    wanted: Option<String>,
    /// Set while the default stands in: the watcher looking for `wanted`.
    standing_in: Option<Watcher>,
}

impl std::fmt::Debug for DeviceRoute {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceRoute")
            .field("wanted", &self.wanted)
            .field("standing_in", &self.standing_in.is_some())
            .finish_non_exhaustive()
    }
}

impl DeviceRoute {
    #[must_use]
    pub fn new(devices: Arc<dyn DeviceList>, wanted: Option<String>) -> Self {
        Self {
            devices,
            wanted,
            standing_in: None,
        }
    }
}

impl OutputSource for DeviceRoute {
    fn open(&mut self) -> Result<Box<dyn Sink>, SinkError> {
        self.standing_in = None;
        let Some(wanted) = self.wanted.as_deref() else {
            return self.devices.open(None);
        };
        match self.devices.open(Some(wanted)) {
            Err(SinkError::NoDevice(why)) => {
                let sink = self.devices.open(None)?;
                tracing::warn!(wanted, %why, standing_in = %sink.name(), "the chosen audio output is not there");
                self.standing_in = Some(Watcher::start(Arc::clone(&self.devices), wanted));
                Ok(sink)
            }
            opened => opened,
        }
    }

    fn stands_in_for(&self) -> Option<&str> {
        self.standing_in.as_ref().and(self.wanted.as_deref())
    }

    fn prefers_another(&self) -> bool {
        self.standing_in
            .as_ref()
            .is_some_and(|w| w.found.load(Ordering::Relaxed))
    }
}

/// A thread listing the devices every [`WATCH_PERIOD`] until the wanted one is there, or
/// until dropped.
struct Watcher {
    found: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
}

impl Watcher {
    fn start(devices: Arc<dyn DeviceList>, wanted: &str) -> Self {
        let found = Arc::new(AtomicBool::new(false));
        let stop = Arc::new(AtomicBool::new(false));
        let (found_by_thread, stopped) = (Arc::clone(&found), Arc::clone(&stop));
        let wanted = wanted.to_owned();
        let spawned = std::thread::Builder::new()
            .name("strato-devices".into())
            .spawn(move || {
                while !stopped.load(Ordering::Relaxed) {
                    std::thread::sleep(WATCH_PERIOD);
                    let back = devices
                        .devices()
                        .is_ok_and(|list| list.iter().any(|d| d.is(&wanted)));
                    if back && !stopped.load(Ordering::Relaxed) {
                        tracing::info!(device = %wanted, "the chosen audio output is back");
                        found_by_thread.store(true, Ordering::Relaxed);
                        return;
                    }
                }
            });
        if let Err(err) = spawned {
            tracing::warn!(%err, "no thread to watch for the chosen audio output");
        }
        Self { found, stop }
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sink::NullDevices;

    #[test]
    fn the_default_stands_in_for_a_missing_device_until_it_is_back() {
        let devices = NullDevices::new(&["Speakers"]);
        let mut route = DeviceRoute::new(Arc::new(devices.clone()), Some("USB DAC".into()));
        let sink = route.open().unwrap();
        assert_eq!(sink.name(), "Speakers");
        assert_eq!(route.stands_in_for(), Some("USB DAC"));
        assert!(!route.prefers_another());

        devices.plug("USB DAC");
        let deadline = std::time::Instant::now() + WATCH_PERIOD * 3;
        while !route.prefers_another() {
            assert!(
                std::time::Instant::now() < deadline,
                "the device came back and the route did not notice"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        assert_eq!(route.open().unwrap().name(), "USB DAC");
        assert_eq!(route.stands_in_for(), None);
        assert!(!route.prefers_another());
    }

    #[test]
    fn with_no_device_at_all_the_route_says_so() {
        let mut route = DeviceRoute::new(Arc::new(NullDevices::new(&[])), Some("USB DAC".into()));
        assert!(matches!(route.open(), Err(SinkError::NoDevice(_))));
        assert_eq!(route.stands_in_for(), None);
    }
}
