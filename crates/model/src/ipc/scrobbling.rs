//! The Settings screen's Scrobbling group: whether `ListenBrainz` is connected (and as whom),
//! whether plays are reported to the account's own Subsonic server, and the listens waiting.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Where the signed-in account's plays are reported, and what waits to be sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ScrobblingView {
    /// The `ListenBrainz` user the kept token belongs to; `None` when not connected.
    pub listenbrainz_user: Option<String>,
    /// Plays are reported to the account's server (a Subsonic account's `scrobble`).
    pub server_scrobbles: bool,
    /// Listens heard and not sent yet (offline, or the service not answering), all targets.
    pub pending: u32,
    /// Why the last attempt to send failed, in words, until one succeeds.
    pub last_error: Option<String>,
}
