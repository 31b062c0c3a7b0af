//! Several edits of one playlist as one: a selection removed, moved or put back by an undo.
//!
//! The edits are applied in order in ONE transaction, each logged as its own operation, so
//! the listener sees all of them or none, and the sync engine sends them as the ordered
//! single edits the service takes. Moves name the item to follow ("right after Y", or first)
//! rather than an index, and are resolved against the list as the previous edit left it: a
//! selection moved as a block is one move per item, each after the one before. A move that
//! would leave its item where it is logs nothing.

use rusqlite::{Connection, OptionalExtension as _, Transaction, params};

use crate::aliases::{self, AliasKind};
use crate::error::{Error, Result};
use crate::library::{Library, unix_now};
use crate::op_log::{Anchor, PlaylistOp};
use crate::playlist_apply::{self, MAX_ITEMS};
use crate::playlist_edits::{add_op, edit_in, remove_op, require_item, to_u32};
use crate::playlists::{self, PlaylistInfo};

/// One edit of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemEdit {
    /// Inserts tracks at `position` (`None` appends), as [`Library::add_tracks`].
    Add {
        track_ids: Vec<String>,
        position: Option<u32>,
    },
    /// Removes one item.
    Remove { item_id: String },
    /// Puts an item right after `after` (`None`: first).
    Move {
        item_id: String,
        after: Option<String>,
    },
}

/// What a batch did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchOutcome {
    /// The playlist as it is now.
    pub playlist: PlaylistInfo,
    /// What each logged operation changed, in order (moves that changed nothing log
    /// nothing and are not here).
    pub changes: Vec<BatchChange>,
}

/// One change a batch made to the list, with the indexes as they were right after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchChange {
    /// New items for `track_ids`, the first at `index`.
    Added {
        index: u32,
        item_ids: Vec<String>,
        track_ids: Vec<String>,
    },
    Removed {
        item_id: String,
    },
    /// The item is now at `index`.
    Moved {
        item_id: String,
        index: u32,
    },
}

impl Library {
    /// Applies `edits` to playlist `id` in order, all or none.
    pub fn edit_items(&mut self, id: &str, edits: &[ItemEdit]) -> Result<BatchOutcome> {
        if edits.is_empty() {
            return Err(Error::Invalid("no edits to make".into()));
        }
        if edits.len() > MAX_ITEMS {
            return Err(Error::Invalid(format!(
                "at most {MAX_ITEMS} edits can be made at once"
            )));
        }
        let now = unix_now();
        self.write(|tx| {
            let id = &aliases::resolve(tx, AliasKind::Playlist, id)?;
            let mut changes = Vec::with_capacity(edits.len());
            for edit in edits {
                let change = match edit {
                    ItemEdit::Add {
                        track_ids,
                        position,
                    } => {
                        let outcome = edit_in(tx, id, now, |tx, id| {
                            add_op(tx, id, track_ids, *position, now)
                        })?;
                        BatchChange::Added {
                            index: outcome.index.unwrap_or(0),
                            item_ids: outcome.item_ids,
                            track_ids: track_ids.clone(),
                        }
                    }
                    // Changes name items as the caller did (the window's ids), even when sync
                    // has given them the service's ids meanwhile.
                    ItemEdit::Remove { item_id } => {
                        edit_in(tx, id, now, |tx, id| remove_op(tx, id, item_id))?;
                        BatchChange::Removed {
                            item_id: item_id.clone(),
                        }
                    }
                    ItemEdit::Move { item_id, after } => {
                        let Some(op) = move_op(tx, id, item_id, after.as_ref())? else {
                            continue;
                        };
                        let outcome = edit_in(tx, id, now, |_, _| Ok(op))?;
                        BatchChange::Moved {
                            item_id: item_id.clone(),
                            index: outcome.index.unwrap_or(0),
                        }
                    }
                };
                changes.push(change);
            }
            let playlist = playlists::info(tx, id)?
                .filter(|playlist| !playlist.deleted)
                .ok_or_else(|| Error::not_found("playlist", id))?;
            Ok(BatchOutcome { playlist, changes })
        })
    }
}

/// The operation putting `item_id` right after `after`, or `None` when it is there already.
fn move_op(
    tx: &Transaction<'_>,
    id: &str,
    item_id: &str,
    after: Option<&String>,
) -> Result<Option<PlaylistOp>> {
    if playlist_apply::playlist_state(tx, id)?.is_none_or(|state| state.deleted) {
        return Err(Error::not_found("playlist", id));
    }
    let item_id = aliases::resolve(tx, AliasKind::Item, item_id)?;
    require_item(tx, id, &item_id)?;
    let after = match after {
        Some(after) => {
            let after = aliases::resolve(tx, AliasKind::Item, after)?;
            require_item(tx, id, &after)?;
            if after == item_id {
                return Err(Error::Invalid("an item cannot follow itself".into()));
            }
            Some(after)
        }
        None => None,
    };
    // Indexes in the list without the item, as `MoveItem` counts them.
    let target = match &after {
        None => 0,
        Some(after) => items_before(tx, id, after, &item_id)? + 1,
    };
    if items_before(tx, id, &item_id, &item_id)? == target {
        return Ok(None);
    }
    Ok(Some(PlaylistOp::MoveItem {
        position: to_u32(target),
        anchor: after.map_or(Anchor::Start, |item_id| Anchor::After { item_id }),
        item_id,
    }))
}

/// How many items come before `item_id`, not counting `excluding`.
fn items_before(conn: &Connection, id: &str, item_id: &str, excluding: &str) -> Result<usize> {
    let count: Option<i64> = conn
        .prepare_cached(
            "SELECT count(*) FROM playlist_items WHERE playlist_id = ?1 AND item_id IS NOT ?3 \
             AND order_key < (SELECT order_key FROM playlist_items \
                              WHERE playlist_id = ?1 AND item_id = ?2)",
        )?
        .query_row(params![id, item_id, excluding], |row| row.get(0))
        .optional()?;
    let count = count.ok_or_else(|| Error::not_found("playlist item", item_id))?;
    Ok(usize::try_from(count).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::assert_healthy;

    fn filled(library: &mut Library, tracks: &[&str]) -> (String, Vec<String>) {
        let id = library.create_playlist("Batch", "").unwrap().playlist.id;
        let items = library.add_tracks(&id, tracks, None).unwrap().item_ids;
        (id, items)
    }

    fn tracks(library: &Library, id: &str) -> Vec<String> {
        let playlist = library.playlist(id).unwrap();
        playlist
            .items
            .into_iter()
            .map(|item| item.track_id)
            .collect()
    }

    fn mv(item: &str, after: Option<&str>) -> ItemEdit {
        ItemEdit::Move {
            item_id: item.to_owned(),
            after: after.map(str::to_owned),
        }
    }

    #[test]
    fn a_selection_moves_as_a_block_one_logged_move_per_item() {
        let mut library = Library::open_in_memory().unwrap();
        let (id, items) = filled(&mut library, &["a", "b", "c", "d", "e"]);
        let ops_before = library.pending_ops().unwrap().len();
        // a and c, after d: b, d, a, c, e.
        let outcome = library
            .edit_items(
                &id,
                &[
                    mv(&items[0], Some(&items[3])),
                    mv(&items[2], Some(&items[0])),
                ],
            )
            .unwrap();
        assert_eq!(
            outcome.changes,
            [
                BatchChange::Moved {
                    item_id: items[0].clone(),
                    index: 3
                },
                BatchChange::Moved {
                    item_id: items[2].clone(),
                    index: 3
                }
            ]
        );
        assert_eq!(tracks(&library, &id), ["b", "d", "a", "c", "e"]);
        let ops = library.pending_ops().unwrap();
        assert_eq!(ops.len(), ops_before + 2);
        // Logged as the service takes them: positions counted without the moved item.
        let logged: Vec<_> = ops[ops_before..]
            .iter()
            .map(|op| match &op.op {
                PlaylistOp::MoveItem {
                    item_id, position, ..
                } => (item_id.clone(), *position),
                other => panic!("not a move: {other:?}"),
            })
            .collect();
        assert_eq!(
            logged,
            [(items[0].clone(), 3), (items[2].clone(), 3)],
            "a goes after d in [b, c, d, e]; c after a in [b, d, a, e]"
        );
        assert_healthy(&library);
    }

    #[test]
    fn moves_that_change_nothing_log_nothing() {
        let mut library = Library::open_in_memory().unwrap();
        let (id, items) = filled(&mut library, &["a", "b", "c"]);
        let ops_before = library.pending_ops().unwrap().len();
        let outcome = library
            .edit_items(&id, &[mv(&items[0], None), mv(&items[2], Some(&items[1]))])
            .unwrap();
        assert!(outcome.changes.is_empty());
        assert_eq!(library.pending_ops().unwrap().len(), ops_before);
        assert_eq!(tracks(&library, &id), ["a", "b", "c"]);
    }

    #[test]
    fn removals_and_their_undo_put_the_tracks_back_where_they_were() {
        let mut library = Library::open_in_memory().unwrap();
        let (id, items) = filled(&mut library, &["a", "b", "c", "d", "e"]);
        library
            .edit_items(
                &id,
                &[
                    ItemEdit::Remove {
                        item_id: items[1].clone(),
                    },
                    ItemEdit::Remove {
                        item_id: items[2].clone(),
                    },
                    ItemEdit::Remove {
                        item_id: items[4].clone(),
                    },
                ],
            )
            .unwrap();
        assert_eq!(tracks(&library, &id), ["a", "d"]);
        // Undo: runs of removed items, back at their first index, ascending.
        let outcome = library
            .edit_items(
                &id,
                &[
                    ItemEdit::Add {
                        track_ids: vec!["b".into(), "c".into()],
                        position: Some(1),
                    },
                    ItemEdit::Add {
                        track_ids: vec!["e".into()],
                        position: Some(4),
                    },
                ],
            )
            .unwrap();
        assert_eq!(tracks(&library, &id), ["a", "b", "c", "d", "e"]);
        let added: Vec<_> = outcome
            .changes
            .iter()
            .map(|change| match change {
                BatchChange::Added {
                    index, track_ids, ..
                } => (*index, track_ids.clone()),
                other => panic!("not an add: {other:?}"),
            })
            .collect();
        assert_eq!(
            added,
            [(1, vec!["b".into(), "c".into()]), (4, vec!["e".into()])]
        );
        assert_eq!(outcome.playlist.item_count, 5);
        assert_healthy(&library);
    }

    #[test]
    fn one_failing_edit_undoes_the_whole_batch() {
        let mut library = Library::open_in_memory().unwrap();
        let (id, items) = filled(&mut library, &["a", "b", "c"]);
        let ops_before = library.pending_ops().unwrap().len();
        let error = library
            .edit_items(
                &id,
                &[
                    ItemEdit::Remove {
                        item_id: items[0].clone(),
                    },
                    mv(&items[1], Some("no-such-item")),
                ],
            )
            .unwrap_err();
        assert_eq!(error.kind(), crate::ErrorKind::NotFound);
        assert_eq!(tracks(&library, &id), ["a", "b", "c"]);
        assert_eq!(library.pending_ops().unwrap().len(), ops_before);
    }

    #[test]
    fn bad_batches_are_refused_in_words() {
        let mut library = Library::open_in_memory().unwrap();
        let (id, items) = filled(&mut library, &["a", "b"]);
        assert_eq!(
            library.edit_items(&id, &[]).unwrap_err().kind(),
            crate::ErrorKind::Invalid
        );
        let error = library
            .edit_items(&id, &[mv(&items[0], Some(&items[0]))])
            .unwrap_err();
        assert!(error.to_string().contains("follow itself"), "{error}");
        assert_eq!(
            library
                .edit_items("nope", &[mv(&items[0], None)])
                .unwrap_err()
                .kind(),
            crate::ErrorKind::NotFound
        );
    }
}
