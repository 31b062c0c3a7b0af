//! Stars (favourites), where the service has them (`Features::stars`): what the window
//! stars or unstars, the stars it shows on tracks, albums and artists, and the Starred page.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::api::{Album, Artist, Track};

/// Sent, with no payload, when the stars kept changed other than by the window's own toggle
/// (the server refused one waiting, made offline, and the star went back): the window reads
/// the stars, and an open Starred page, again.
pub const STARS_CHANGED_EVENT: &str = "stars-changed";

/// What a star names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum StarKind {
    Track,
    Album,
    Artist,
}

/// A starred track, album or artist, by its id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
pub struct StarRef {
    pub kind: StarKind,
    pub id: String,
}

/// The Starred page: what the listener starred on the server, newest star first as the
/// server lists them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct StarredPage {
    pub tracks: Vec<Track>,
    pub albums: Vec<Album>,
    pub artists: Vec<Artist>,
    /// Stars toggled on this computer that the server has not taken yet (made offline):
    /// those starred are not on the page until it has.
    pub waiting: u32,
}
