//! The live channel (`docs/api.md`, "Live events"): a WebSocket at `/v1/live` on which the
//! service tells a signed-in client what changed, as it happens. Events are hints: the
//! changes feed stays the record, and a client pulls it after every (re)connect, so nothing
//! missed while disconnected is ever lost.

use serde::{Deserialize, Serialize};

use super::devices::{Device, DeviceCommand, DevicePlayback};

/// What the service sends, one JSON text frame each, tagged by `type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum LiveEvent {
    /// The first frame of every connection: sent as it opens, or (by a service that cannot
    /// speak first, such as API Gateway's) before its answer to the client's first frame.
    /// Clients send a [`LiveRequest::Ping`] as the connection opens, and act on the hello
    /// whether it comes before or after anything else.
    #[serde(rename = "hello")]
    Hello {
        connection_id: String,
        /// The service pings this often; a client that hears nothing for twice as long
        /// takes the connection for dead.
        heartbeat_secs: u32,
    },
    /// A playlist of the listener's was created or changed (on any device): its
    /// `revision` now, and the changes feed's `seq` that records it.
    #[serde(rename = "playlist.changed")]
    PlaylistChanged {
        playlist_id: String,
        revision: u64,
        seq: u64,
    },
    /// A playlist of the listener's was deleted.
    #[serde(rename = "playlist.deleted")]
    PlaylistDeleted {
        playlist_id: String,
        revision: u64,
        seq: u64,
    },
    /// One of the listener's own uploads changed: sent, processed (ready or failed),
    /// edited, made public or private, taken down or restored, or deleted. Its record is
    /// `GET /v1/uploads/{upload_id}` (a `404` once deleted).
    #[serde(rename = "uploads.changed")]
    UploadsChanged { upload_id: String },
    /// A track other listeners could play no longer is: its owner deleted it or made it
    /// private, or an administrator took it down. Sent to every connection, since the
    /// service does not know who keeps it offline; a client that does asks
    /// `POST /v1/tracks/availability`, which has the last word.
    #[serde(rename = "track.unavailable")]
    TrackUnavailable { track_id: String },
    /// The listener signed out everywhere (on this device or another): every session of
    /// theirs has ended, and the service closes the connection after this frame
    /// ([`close::TOKEN_EXPIRED`]).
    #[serde(rename = "account.signed_out")]
    SignedOut,
    /// The answer to a [`LiveRequest::Ping`].
    #[serde(rename = "pong")]
    Pong,
    /// The service is about to end the connection, with `code` (one of [`close`]'s) and why.
    /// Clients act on it as on a close frame with that code: some services can only close
    /// with 1000 (API Gateway's `DeleteConnection`), whatever the reason.
    #[serde(rename = "closing")]
    Closing { code: u16, reason: String },
    /// The listener's devices now (this one among them, once registered): sent to each of
    /// their connections whenever a device registers, says what it plays, or goes.
    #[serde(rename = "devices")]
    Devices { devices: Vec<Device> },
    /// Another device of the listener's asks this one to act.
    #[serde(rename = "device.command")]
    Command {
        /// The asking device's id.
        from: String,
        command: DeviceCommand,
    },
    /// A command of this connection's was not delivered, with the reason in words: the
    /// device is not (or no longer) one of the listener's open devices, or this connection
    /// has not registered a device.
    #[serde(rename = "device.refused")]
    CommandRefused { to: String, reason: String },
}

/// What a client may send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum LiveRequest {
    /// Asks for a [`LiveEvent::Pong`] (a client's own check that the channel still carries).
    #[serde(rename = "ping")]
    Ping,
    /// Makes this connection the listener's device `device_id` (an id the app keeps per
    /// installation and account), named `name`, running on `os`. Registering again replaces
    /// the earlier registration of the same id (a reconnect).
    #[serde(rename = "device.register")]
    RegisterDevice {
        device_id: String,
        name: String,
        os: String,
    },
    /// What this device plays now (`None`: nothing). Sent on a change of track, of playing
    /// or paused, of volume, and after a seek, not as the position moves: the service says
    /// how old it is, and the others move the position on themselves while it plays.
    #[serde(rename = "device.playback")]
    Playback { playback: Option<DevicePlayback> },
    /// Asks the listener's device `to` to act (answered by a [`LiveEvent::CommandRefused`]
    /// when it cannot be delivered; its effect shows in the next [`LiveEvent::Devices`]).
    #[serde(rename = "device.command")]
    Command { to: String, command: DeviceCommand },
}

/// Why the service closed a live connection: WebSocket close codes of the application's
/// range (4000-4999), with the reason as the close frame's text.
pub mod close {
    /// The connection reached its longest life (API Gateway's is two hours): connect again.
    pub const TOO_OLD: u16 = 4000;
    /// A frame the service could not read (not JSON, not a known request).
    pub const UNREADABLE: u16 = 4400;
    /// The access token the connection was opened with expired: refresh it, connect again.
    pub const TOKEN_EXPIRED: u16 = 4401;
    /// The client read too slowly and events were dropped: connect again and pull the
    /// changes feed.
    pub const LAGGED: u16 = 4409;
}
