//! The play queue as the window sees it.
//!
//! A queue may hold tens of thousands of entries: one 10,000-entry queue as JSON is about
//! 4.3 MB, so it is never sent whole. The `queue-changed` event ([`QueueView`]) goes once per
//! change (an edit, a track change, shuffle or repeat) and carries a fixed-size summary (the
//! length, the place of the entry heard, the now-playing and plays-next entries) plus, only
//! when the entries themselves changed, a window of them around the entry heard. The window
//! asks for the rest with the `queue_page` command as it scrolls ([`QueuePage`]). Position
//! ticks never carry the queue: while a track plays, a queue of 10 and one of 10,000 cost the
//! window the same bytes.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::api::Track;

/// One place in the queue. The same track may be queued twice: `entry_id` tells the copies
/// apart, and every queue command names entries by it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct QueueEntry {
    #[ts(type = "number")]
    pub entry_id: u64,
    pub track_id: String,
    /// The track's data (`None` for a file or URL played without the catalog).
    pub track: Option<Track>,
    /// Added with "play next" or "add to queue": it plays before the rest of the list.
    pub queued: bool,
}

/// A run of the queue's entries in play order, from `offset`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct QueuePage {
    /// The entries' [`QueueView::revision`]: a page of another revision is of another queue.
    #[ts(type = "number")]
    pub revision: u64,
    pub offset: u32,
    pub entries: Vec<QueueEntry>,
}

/// The queue as the window shows it: what has played (the entries before `current`), what
/// plays now, and what is next up (the entries after it), in the order they will play, so
/// with shuffle on "next up" is the shuffled order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct QueueView {
    /// Changes whenever the entries or their order change, not when only the place in them
    /// moves: entries read at one revision stay valid until it changes.
    #[ts(type = "number")]
    pub revision: u64,
    pub length: u32,
    /// The index of the entry heard now (or paused, or about to play).
    pub current: Option<u32>,
    pub now_playing: Option<QueueEntry>,
    /// The entry that plays when this one ends by itself: with repeat-one the same one,
    /// with repeat-all the first after the last, with shuffle the next in the shuffled order.
    pub plays_next: Option<QueueEntry>,
    /// Entries around the one heard, sent when the entries changed (`None` when only the
    /// place in them moved: what was read before still holds).
    pub window: Option<QueuePage>,
}

impl QueueView {
    #[must_use]
    pub fn empty() -> Self {
        Self {
            revision: 0,
            length: 0,
            current: None,
            now_playing: None,
            plays_next: None,
            window: None,
        }
    }
}

/// The name of the event that carries [`QueueView`].
pub const QUEUE_CHANGED_EVENT: &str = "queue-changed";
