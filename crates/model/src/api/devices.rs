//! A listener's devices on the live channel (`docs/api.md`, "Your devices"): each running app
//! registers itself, says what it plays, and may ask another of the same listener's devices
//! to act, or to take playback over. The service routes these within one listener's
//! connections only: a device is never listed to, nor steered by, another account.

use serde::{Deserialize, Serialize};

/// The most tracks a hand-over carries: the current one and those around it. A queue longer
/// than this is cut around the current track (a frame stays well under API Gateway's 128 KB).
pub const MAX_HANDOVER_TRACKS: usize = 500;
/// The longest device name, in characters; longer names are cut.
pub const MAX_DEVICE_NAME: usize = 64;

/// One of the listener's devices, as the service lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Device {
    /// The app's own id for itself on this account (stable across restarts).
    pub device_id: String,
    /// What the listener calls it: the computer's name, or one chosen in Settings.
    pub name: String,
    /// `linux`, `macos` or `windows` (others may come).
    pub os: String,
    /// What it last said it plays (`None`: nothing yet).
    pub playback: Option<DevicePlayback>,
    /// How long ago, by the service's clock, `playback` was said: a device playing has
    /// moved on by this much since (no clocks of two computers are compared).
    pub said_ms_ago: u64,
}

/// What a device is playing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevicePlayback {
    /// The track, if one is loaded.
    pub track: Option<NowPlaying>,
    /// Playing (as opposed to paused, stopped, or waiting for the network).
    pub playing: bool,
    /// Where in the track, when this was said.
    pub position_ms: u64,
    /// The device's volume, 0 to 100.
    pub volume_percent: u8,
}

/// The track a device plays, as much as a list of devices shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NowPlaying {
    pub track_id: String,
    pub title: String,
    pub artist: String,
    pub duration_ms: u64,
}

/// What one device may ask another to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum DeviceCommand {
    Play,
    Pause,
    Next,
    Previous,
    Seek {
        position_ms: u64,
    },
    Volume {
        volume_percent: u8,
    },
    /// Play this queue from track `index`, `position_ms` in: the sending device hands its
    /// playback over (and pauses its own).
    TakeOver {
        /// Track ids in play order, at most [`MAX_HANDOVER_TRACKS`].
        queue: Vec<String>,
        index: u32,
        position_ms: u64,
    },
    /// Hand your playback over to `device_id` (a device asking to have it back).
    HandTo {
        device_id: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{LiveEvent, LiveRequest};

    #[test]
    fn frames_read_as_the_contract_writes_them() {
        let register: LiveRequest = serde_json::from_str(
            r#"{"type": "device.register", "device_id": "d-1", "name": "Desk", "os": "linux"}"#,
        )
        .unwrap();
        assert_eq!(
            register,
            LiveRequest::RegisterDevice {
                device_id: "d-1".into(),
                name: "Desk".into(),
                os: "linux".into()
            }
        );
        let command: LiveRequest = serde_json::from_str(
            r#"{"type": "device.command", "to": "d-2",
                "command": {"action": "take_over", "queue": ["t-1", "t-2"], "index": 1,
                            "position_ms": 61000}}"#,
        )
        .unwrap();
        assert_eq!(
            command,
            LiveRequest::Command {
                to: "d-2".into(),
                command: DeviceCommand::TakeOver {
                    queue: vec!["t-1".into(), "t-2".into()],
                    index: 1,
                    position_ms: 61_000
                }
            }
        );
        let seek = serde_json::to_value(DeviceCommand::Seek { position_ms: 5 }).unwrap();
        assert_eq!(
            seek,
            serde_json::json!({"action": "seek", "position_ms": 5})
        );
        let devices = LiveEvent::Devices {
            devices: vec![Device {
                device_id: "d-1".into(),
                name: "Desk".into(),
                os: "linux".into(),
                playback: None,
                said_ms_ago: 0,
            }],
        };
        let text = serde_json::to_value(&devices).unwrap();
        assert_eq!(text["type"], "devices");
        assert_eq!(text["devices"][0]["playback"], serde_json::Value::Null);
    }
}
