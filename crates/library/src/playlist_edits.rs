//! The listener's playlist edits, which work offline.
//!
//! Each edit is validated like the service would (so it is not refused later), applied to
//! the local tables and appended to the operation log, all in ONE transaction: either the
//! listener sees the edit and the sync engine will send it, or neither happened.

use rusqlite::Transaction;

use crate::aliases::{self, AliasKind};
use crate::error::{Error, Result};
use crate::library::{Library, unix_now};
use crate::op_log::{self, AddedItem, PlaylistOp};
use crate::playlist_apply::{self, MAX_ITEMS};
use crate::playlists::{self, PlaylistInfo};

/// Playlist names are trimmed, then 1 to 200 characters (as the service requires).
const MAX_NAME_CHARS: usize = 200;
/// Descriptions hold at most 2,000 characters.
const MAX_DESCRIPTION_CHARS: usize = 2_000;

/// What an edit did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditOutcome {
    /// The operation log entry written for it.
    pub op_seq: i64,
    /// The playlist as it is now, locally (a deleted playlist reports `deleted`).
    pub playlist: PlaylistInfo,
    /// The items the edit added (in order) or moved; empty for other edits.
    pub item_ids: Vec<String>,
    /// The index of the first item added, or of the item moved, in the playlist now.
    pub index: Option<u32>,
}

impl Library {
    /// Creates a playlist here; it gets a client id (a UUID) until the server has it.
    pub fn create_playlist(&mut self, name: &str, description: &str) -> Result<EditOutcome> {
        let op = PlaylistOp::Create {
            name: valid_name(name)?,
            description: valid_description(description)?,
        };
        let id = uuid::Uuid::new_v4().to_string();
        let now = unix_now();
        self.write(|tx| {
            if !playlist_apply::apply(tx, &id, &op, now)? {
                return Err(Error::Invalid(format!("playlist id {id} is taken")));
            }
            log_and_report(tx, &id, None, &op, now)
        })
    }

    /// Creates a playlist holding `track_ids` in order (an imported playlist file), in one
    /// transaction: a crash or a refusal (more than [`MAX_ITEMS`] tracks) leaves no empty
    /// playlist behind. Logged as the two operations sync replays, create then add.
    pub fn create_playlist_with<S: AsRef<str>>(
        &mut self,
        name: &str,
        description: &str,
        track_ids: &[S],
    ) -> Result<EditOutcome> {
        let create = PlaylistOp::Create {
            name: valid_name(name)?,
            description: valid_description(description)?,
        };
        if track_ids.len() > MAX_ITEMS {
            return Err(Error::PlaylistFull { limit: MAX_ITEMS });
        }
        let id = uuid::Uuid::new_v4().to_string();
        let now = unix_now();
        self.write(|tx| {
            if !playlist_apply::apply(tx, &id, &create, now)? {
                return Err(Error::Invalid(format!("playlist id {id} is taken")));
            }
            let created = log_and_report(tx, &id, None, &create, now)?;
            if track_ids.is_empty() {
                return Ok(created);
            }
            edit_in(tx, &id, now, |tx, id| add_op(tx, id, track_ids, None, now))
        })
    }

    /// Renames a playlist.
    pub fn rename_playlist(&mut self, id: &str, name: &str) -> Result<EditOutcome> {
        let name = valid_name(name)?;
        self.edit(id, |_, _| Ok(PlaylistOp::Rename { name }))
    }

    /// Replaces a playlist's description (empty clears it).
    pub fn describe_playlist(&mut self, id: &str, description: &str) -> Result<EditOutcome> {
        let description = valid_description(description)?;
        self.edit(id, |_, _| Ok(PlaylistOp::Describe { description }))
    }

    /// Deletes a playlist. Its items go at once; the playlist row stays as a tombstone
    /// (hidden from listings, refusing edits) until the server confirms.
    pub fn delete_playlist(&mut self, id: &str) -> Result<EditOutcome> {
        self.edit(id, |_, _| Ok(PlaylistOp::Delete))
    }

    /// Inserts tracks at `position` (0-based; `None` or past the end appends), in the given
    /// order. Each gets a new item id, so a track may be added twice.
    pub fn add_tracks<S: AsRef<str>>(
        &mut self,
        id: &str,
        track_ids: &[S],
        position: Option<u32>,
    ) -> Result<EditOutcome> {
        let now = unix_now();
        self.edit(id, |tx, id| add_op(tx, id, track_ids, position, now))
    }

    /// Removes one item (one copy of a track).
    pub fn remove_item(&mut self, id: &str, item_id: &str) -> Result<EditOutcome> {
        self.edit(id, |tx, id| remove_op(tx, id, item_id))
    }

    /// Moves an item to `position`, counted in the list without it and clamped to the end
    /// (the service's `MoveItem` semantics). Writes one row, whatever the playlist's size.
    pub fn move_item(&mut self, id: &str, item_id: &str, position: u32) -> Result<EditOutcome> {
        self.edit(id, |tx, id| {
            let item_id = &aliases::resolve(tx, AliasKind::Item, item_id)?;
            require_item(tx, id, item_id)?;
            let index = usize::try_from(position).unwrap_or(usize::MAX);
            let (anchor, index) = playlist_apply::anchor_for_index(tx, id, index, Some(item_id))?;
            Ok(PlaylistOp::MoveItem {
                item_id: item_id.to_owned(),
                position: to_u32(index),
                anchor,
            })
        })
    }

    /// The shape of every edit of an existing playlist: check it is there, build the
    /// operation, apply it, log it; one transaction.
    fn edit(
        &mut self,
        id: &str,
        build: impl FnOnce(&Transaction<'_>, &str) -> Result<PlaylistOp>,
    ) -> Result<EditOutcome> {
        let now = unix_now();
        self.write(|tx| edit_in(tx, id, now, build))
    }
}

/// One edit of an existing playlist inside the caller's transaction (one of a batch, see
/// `playlist_batch`): resolve the id, check the playlist is there, build the operation,
/// apply it, log it.
pub(crate) fn edit_in(
    tx: &Transaction<'_>,
    id: &str,
    now: i64,
    build: impl FnOnce(&Transaction<'_>, &str) -> Result<PlaylistOp>,
) -> Result<EditOutcome> {
    // The UI may still name a playlist by the id it had before sync re-keyed it.
    let id = &aliases::resolve(tx, AliasKind::Playlist, id)?;
    let state = playlist_apply::playlist_state(tx, id)?
        .filter(|state| !state.deleted)
        .ok_or_else(|| Error::not_found("playlist", id))?;
    let op = build(tx, id)?;
    if !playlist_apply::apply(tx, id, &op, now)? {
        return Err(Error::not_found("playlist", id));
    }
    log_and_report(tx, id, state.server_revision, &op, now)
}

/// The operation inserting `track_ids` at `position` (`None` or past the end appends).
pub(crate) fn add_op<S: AsRef<str>>(
    tx: &Transaction<'_>,
    id: &str,
    track_ids: &[S],
    position: Option<u32>,
    now: i64,
) -> Result<PlaylistOp> {
    if track_ids.is_empty() {
        return Err(Error::Invalid("no tracks to add".into()));
    }
    if let Some(blank) = track_ids.iter().find(|t| t.as_ref().trim().is_empty()) {
        return Err(Error::Invalid(format!(
            "{:?} is not a track id",
            blank.as_ref()
        )));
    }
    let len = playlist_apply::item_count(tx, id, None)?;
    if len + track_ids.len() > MAX_ITEMS {
        return Err(Error::PlaylistFull { limit: MAX_ITEMS });
    }
    let index = position.map_or(len, |p| usize::try_from(p).unwrap_or(usize::MAX));
    let (anchor, index) = playlist_apply::anchor_for_index(tx, id, index, None)?;
    let items = track_ids
        .iter()
        .map(|track_id| AddedItem {
            item_id: uuid::Uuid::new_v4().to_string(),
            track_id: track_id.as_ref().to_owned(),
            added_at: now,
        })
        .collect();
    Ok(PlaylistOp::AddTracks {
        items,
        // An insert at the end is an append, so it stays one after a rebase.
        position: (index < len).then(|| to_u32(index)),
        anchor,
    })
}

/// The operation removing one item (one copy of a track).
pub(crate) fn remove_op(tx: &Transaction<'_>, id: &str, item_id: &str) -> Result<PlaylistOp> {
    let item_id = &aliases::resolve(tx, AliasKind::Item, item_id)?;
    require_item(tx, id, item_id)?;
    Ok(PlaylistOp::RemoveItem {
        item_id: item_id.to_owned(),
    })
}

fn log_and_report(
    tx: &Transaction<'_>,
    id: &str,
    base_revision: Option<u64>,
    op: &PlaylistOp,
    now: i64,
) -> Result<EditOutcome> {
    let op_seq = op_log::append(tx, id, base_revision, op, now)?;
    let playlist = playlists::info(tx, id)?.ok_or_else(|| Error::not_found("playlist", id))?;
    let item_ids = match op {
        PlaylistOp::AddTracks { items, .. } => items.iter().map(|i| i.item_id.clone()).collect(),
        PlaylistOp::MoveItem { item_id, .. } => vec![item_id.clone()],
        _ => Vec::new(),
    };
    // Where the items added or moved now are, so the window can apply the edit to the list
    // it shows instead of reading the playlist again.
    let index = match op {
        PlaylistOp::AddTracks {
            items, position, ..
        } => Some(
            position.unwrap_or_else(|| playlist.item_count.saturating_sub(to_u32(items.len()))),
        ),
        PlaylistOp::MoveItem { position, .. } => Some(*position),
        _ => None,
    };
    Ok(EditOutcome {
        op_seq,
        playlist,
        item_ids,
        index,
    })
}

pub(crate) fn require_item(tx: &Transaction<'_>, id: &str, item_id: &str) -> Result<()> {
    if playlist_apply::item_exists(tx, id, item_id)? {
        Ok(())
    } else {
        Err(Error::not_found("playlist item", item_id))
    }
}

/// Indexes here are bounded by [`MAX_ITEMS`] plus one batch, far below `u32::MAX`.
pub(crate) fn to_u32(index: usize) -> u32 {
    u32::try_from(index).unwrap_or(u32::MAX)
}

fn valid_name(name: &str) -> Result<String> {
    let name = name.trim();
    let chars = name.chars().count();
    if chars == 0 {
        return Err(Error::Invalid("a playlist needs a name".into()));
    }
    if chars > MAX_NAME_CHARS {
        return Err(Error::Invalid(format!(
            "a playlist name can be at most {MAX_NAME_CHARS} characters"
        )));
    }
    Ok(name.to_owned())
}

fn valid_description(description: &str) -> Result<String> {
    if description.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(Error::Invalid(format!(
            "a playlist description can be at most {MAX_DESCRIPTION_CHARS} characters"
        )));
    }
    Ok(description.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::assert_healthy;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(valid_name("  Road trip ").unwrap(), "Road trip");
        assert!(valid_name("   ").is_err());
        assert!(valid_name(&"é".repeat(200)).is_ok());
        assert!(valid_name(&"é".repeat(201)).is_err());
        assert!(valid_description(&"x".repeat(2_001)).is_err());
    }

    #[test]
    fn edits_of_unknown_or_deleted_playlists_are_not_found() {
        let mut library = Library::open_in_memory().unwrap();
        let error = library.rename_playlist("nope", "x").unwrap_err();
        assert_eq!(error.kind(), crate::ErrorKind::NotFound);
        let id = library.create_playlist("Gone", "").unwrap().playlist.id;
        let deleted = library.delete_playlist(&id).unwrap();
        assert!(deleted.playlist.deleted);
        assert_eq!(
            library.add_tracks(&id, &["t1"], None).unwrap_err().kind(),
            crate::ErrorKind::NotFound
        );
        assert!(library.playlists().unwrap().is_empty());
        assert_eq!(library.pending_ops().unwrap().len(), 2);
        assert_healthy(&library);
    }

    #[test]
    fn a_full_disk_refuses_the_edit_in_words_and_keeps_everything() {
        let mut library = Library::open_in_memory().unwrap();
        let id = library.create_playlist("Full", "").unwrap().playlist.id;
        library.add_tracks(&id, &["a", "b"], None).unwrap();
        let before = library.playlist(&id).unwrap();
        let ops_before = library.pending_ops().unwrap();
        // The database may not grow: as when the disk is full.
        library.limit_growth(Some(0)).unwrap();
        let many: Vec<String> = (0..2_000).map(|n| format!("track-{n}")).collect();
        let error = library.add_tracks(&id, &many, None).unwrap_err();
        assert_eq!(error.kind(), crate::ErrorKind::DiskFull, "{error}");
        assert!(error.to_string().contains("disk is full"), "{error}");
        assert_eq!(library.playlist(&id).unwrap(), before);
        assert_eq!(library.pending_ops().unwrap(), ops_before);
        assert_healthy(&library);
        // Room again: the same edit goes through.
        library.limit_growth(None).unwrap();
        library.add_tracks(&id, &many, None).unwrap();
        assert_eq!(library.playlist(&id).unwrap().items.len(), 2_002);
        assert_healthy(&library);
    }

    #[test]
    fn moving_an_unknown_item_changes_nothing() {
        let mut library = Library::open_in_memory().unwrap();
        let id = library.create_playlist("P", "").unwrap().playlist.id;
        let error = library.move_item(&id, "ghost", 0).unwrap_err();
        assert_eq!(error.kind(), crate::ErrorKind::NotFound);
        assert_eq!(library.pending_ops().unwrap().len(), 1);
        assert_healthy(&library);
    }
}
