//! The output devices a listener chooses from, behind a seam: [`DeviceList`] lists them and
//! opens one. [`SystemDevices`] is the system's (cpal's default host); [`NullDevices`] is a
//! set of devices that play nowhere at real-time pace and can be plugged in and pulled out
//! at will, a real alternative for tests of hot-plugging and for machines without sound.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use super::{DeviceSink, NullSink, OutputDevice, Pacing, PcmFormat, Sink, SinkError};

/// Lists the output devices and opens one. Both may be slow on some systems (a backend
/// probes each device): call them off the audio thread's hot path.
pub trait DeviceList: Send + Sync {
    /// The devices there are now. An empty list is a normal answer without sound.
    fn devices(&self) -> Result<Vec<OutputDevice>, SinkError>;

    /// Opens the device whose [`OutputDevice::id`] or name is `wanted`, or the default
    /// device for `None`. A device that is not there is [`SinkError::NoDevice`].
    fn open(&self, wanted: Option<&str>) -> Result<Box<dyn Sink>, SinkError>;
}

impl OutputDevice {
    /// Whether `wanted` (an id or a name, as kept in the settings) names this device.
    #[must_use]
    pub fn is(&self, wanted: &str) -> bool {
        (!self.id.is_empty() && self.id == wanted) || self.name == wanted
    }
}

/// The system's output devices (cpal's default host).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemDevices;

impl DeviceList for SystemDevices {
    fn devices(&self) -> Result<Vec<OutputDevice>, SinkError> {
        super::output_devices()
    }

    fn open(&self, wanted: Option<&str>) -> Result<Box<dyn Sink>, SinkError> {
        Ok(Box::new(DeviceSink::open(wanted)?))
    }
}

/// Devices that play nowhere, at real-time pace: each opened sink is a [`NullSink`] that
/// says it is lost once its device is pulled out. The first device plugged in is the
/// default. Clones share the devices.
#[derive(Debug, Clone, Default)]
pub struct NullDevices {
    plugged: Arc<Mutex<Vec<NullDevice>>>,
}

#[derive(Debug)]
struct NullDevice {
    name: String,
    /// Cleared when the device is pulled out; the sinks opened on it hold it.
    present: Arc<AtomicBool>,
}

impl NullDevices {
    /// Devices with these names, all plugged in; the first is the default.
    #[must_use]
    pub fn new(names: &[&str]) -> Self {
        let devices = Self::default();
        for name in names {
            devices.plug(name);
        }
        devices
    }

    /// Plugs a device in (at the end of the list). Sinks opened on it before it was
    /// pulled out stay lost, as a real device's would.
    pub fn plug(&self, name: &str) {
        let mut plugged = self.lock();
        if !plugged.iter().any(|d| d.name == name) {
            plugged.push(NullDevice {
                name: name.to_owned(),
                present: Arc::new(AtomicBool::new(true)),
            });
        }
    }

    /// Pulls a device out: its open sinks are lost from now on.
    pub fn unplug(&self, name: &str) {
        self.lock().retain(|d| {
            let keep = d.name != name;
            if !keep {
                d.present.store(false, Ordering::Relaxed);
            }
            keep
        });
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<NullDevice>> {
        self.plugged.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn null_id(name: &str) -> String {
    format!("null:{name}")
}

impl DeviceList for NullDevices {
    fn devices(&self) -> Result<Vec<OutputDevice>, SinkError> {
        Ok(self
            .lock()
            .iter()
            .enumerate()
            .map(|(i, d)| OutputDevice {
                name: d.name.clone(),
                id: null_id(&d.name),
                is_default: i == 0,
            })
            .collect())
    }

    fn open(&self, wanted: Option<&str>) -> Result<Box<dyn Sink>, SinkError> {
        let plugged = self.lock();
        let device = match wanted {
            None => plugged.first().ok_or_else(|| {
                SinkError::NoDevice("the system has no default output device".to_owned())
            })?,
            Some(wanted) => plugged
                .iter()
                .find(|d| d.name == wanted || null_id(&d.name) == wanted)
                .ok_or_else(|| {
                    SinkError::NoDevice(format!("there is no output device \"{wanted}\""))
                })?,
        };
        Ok(Box::new(NullDeviceSink {
            sink: NullSink::new(Pacing::RealTime),
            name: device.name.clone(),
            present: Arc::clone(&device.present),
        }))
    }
}

/// A [`NullSink`] standing for a device: named, lost once unplugged, and worth closing at
/// rest as a device is.
struct NullDeviceSink {
    sink: NullSink,
    name: String,
    present: Arc<AtomicBool>,
}

impl Sink for NullDeviceSink {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn start(&mut self, format: PcmFormat) -> Result<(), SinkError> {
        self.sink.start(format)
    }

    fn write(&mut self, samples: &[f32], timeout: Duration) -> usize {
        if self.is_lost() {
            return 0;
        }
        self.sink.write(samples, timeout)
    }

    fn refill_in(&self) -> Duration {
        self.sink.refill_in()
    }

    fn played_frames(&self) -> u64 {
        self.sink.played_frames()
    }

    fn written_frames(&self) -> u64 {
        self.sink.written_frames()
    }

    fn pause(&mut self) {
        self.sink.pause();
    }

    fn resume(&mut self) {
        self.sink.resume();
    }

    fn stop(&mut self) {
        self.sink.stop();
    }

    fn is_lost(&self) -> bool {
        !self.present.load(Ordering::Relaxed)
    }

    fn costs_at_rest(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_null_device_pulled_out_loses_its_sinks_and_leaves_the_list() {
        let devices = NullDevices::new(&["Speakers", "USB DAC"]);
        let listed = devices.devices().unwrap();
        assert_eq!(listed.len(), 2);
        assert!(listed[0].is_default && listed[0].is("Speakers"));
        assert!(listed[1].is("null:USB DAC") && listed[1].is("USB DAC"));

        let dac = devices.open(Some("USB DAC")).unwrap();
        assert_eq!(dac.name(), "USB DAC");
        assert!(!dac.is_lost() && dac.costs_at_rest());
        devices.unplug("USB DAC");
        assert!(dac.is_lost(), "pulled out, its sink is lost");
        assert!(matches!(
            devices.open(Some("USB DAC")),
            Err(SinkError::NoDevice(_))
        ));
        assert_eq!(devices.open(None).unwrap().name(), "Speakers");

        devices.plug("USB DAC");
        assert!(dac.is_lost(), "the old sink stays lost");
        assert!(!devices.open(Some("null:USB DAC")).unwrap().is_lost());
    }
}
