//! The listener's devices as the window shows them: the "Devices" menu of the player bar,
//! and the bar itself while it steers another device.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::AppError;

/// The event that carries a [`DevicesView`] whenever it changes.
pub const DEVICES_CHANGED_EVENT: &str = "devices-changed";

/// The signed-in listener's devices with Strato open, this one among them.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
pub struct DevicesView {
    /// The live channel is open: the list is current and commands can be sent. Otherwise
    /// the list is empty (nothing is known of the other devices).
    pub reachable: bool,
    /// This device first, then the others by name.
    pub devices: Vec<DeviceView>,
    /// The last command that could not be carried out, in words, until the next one is.
    pub problem: Option<AppError>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct DeviceView {
    pub device_id: String,
    pub name: String,
    /// `linux`, `macos`, `windows`, or what another app says.
    pub os: String,
    pub this_device: bool,
    /// What it plays (`None`: it has said nothing yet).
    pub playback: Option<RemotePlayback>,
}

/// What another device plays, as of the view's making: a window moves the position on by
/// itself while `playing`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RemotePlayback {
    pub track: Option<RemoteTrack>,
    pub playing: bool,
    pub position_ms: u32,
    /// 0.0 to 1.0.
    pub volume: f32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RemoteTrack {
    pub track_id: String,
    pub title: String,
    pub artist: String,
    pub duration_ms: u32,
}

/// What the player bar asks of another device it steers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum RemoteCommand {
    Play,
    Pause,
    Next,
    Previous,
    Seek {
        position_ms: u32,
    },
    /// 0.0 to 1.0.
    Volume {
        volume: f32,
    },
    /// Move your playback on to the device `device_id` (from one remote device to another).
    HandTo {
        device_id: String,
    },
}
