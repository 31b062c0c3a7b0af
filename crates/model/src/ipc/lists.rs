//! Edits of a selection of a playlist's items as one (`edit_playlist`): a selection removed
//! or moved, and the undo of an edit. The command answers `PlaylistChanges`, as the single
//! edits do.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One edit of a batch, applied in order with the others, all or none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PlaylistItemEdit {
    /// Inserts tracks before the item at `position` (`null`: at the end).
    Add {
        track_ids: Vec<String>,
        position: Option<u32>,
    },
    /// Removes one item.
    Remove { item_id: String },
    /// Puts an item right after `after` (`null`: first), in the list the previous edits
    /// left. A selection moved as a block is one such move per item, each after the one
    /// before.
    Move {
        item_id: String,
        after: Option<String>,
    },
}
