//! A Subsonic playlist as the library keeps it: its entries named by the library's own item
//! ids, matched against the last copy seen; what an edit makes of a copy; and whether two
//! copies say the same.
//!
//! The API names an entry only by its place, which every insert or removal before it
//! changes; the pending edits name items by id. So each copy read from the server is
//! matched against the previous one, and an entry that is still there keeps its id:
//! 1. the common start and the common end are the same entries;
//! 2. between them, the longest common run of songs (a table of at most [`MAX_TABLE`] cells,
//!    so a playlist replaced whole costs milliseconds, not seconds): what another client
//!    inserted or removed in the middle leaves the rest matched in order, and of two copies
//!    of one song the one that stayed in place keeps its id;
//! 3. what is left is paired by song, in order: an entry moved elsewhere keeps its id, so
//!    a pending removal of it still removes it;
//! 4. the rest are new entries, with new ids.

use std::collections::{HashMap, VecDeque};

use strato_library::PlaylistOp;
use strato_model::api::{Playlist, PlaylistItem};
use strato_subsonic::{convert, wire};

/// The largest table of step 2 (a million cells, 4 MB); beyond it, step 3 alone pairs the
/// middle's entries.
const MAX_TABLE: usize = 1 << 20;

/// `server` as the library takes it: converted, its entries named after `previous` (the
/// last copy seen, or the expected result of an edit whose answer this is). Entries that
/// keep their id keep their `added_at` too.
pub(super) fn named_after(server: &wire::Playlist, previous: &[PlaylistItem]) -> Playlist {
    let mut playlist = convert::playlist(server);
    let songs: Vec<&str> = playlist
        .items
        .iter()
        .map(|item| item.track_id.as_str())
        .collect();
    let matched = match_entries(previous, &songs);
    for (item, from) in playlist.items.iter_mut().zip(matched) {
        match from {
            Some(index) => {
                item.item_id.clone_from(&previous[index].item_id);
                item.added_at = previous[index].added_at;
            }
            None => item.item_id = uuid::Uuid::new_v4().to_string(),
        }
    }
    playlist
}

/// Whether two copies say the same: name, comment, visibility and songs in order (item ids
/// and dates aside).
pub(super) fn same_content(a: &Playlist, b: &Playlist) -> bool {
    a.name == b.name
        && a.description == b.description
        && a.public == b.public
        && a.items.len() == b.items.len()
        && a.items
            .iter()
            .zip(&b.items)
            .all(|(a, b)| a.track_id == b.track_id)
}

/// The songs of a copy, in order.
pub(super) fn songs(playlist: &Playlist) -> Vec<String> {
    playlist
        .items
        .iter()
        .map(|item| item.track_id.clone())
        .collect()
}

/// What `op` makes of `seen`, the copy it was made on (the head of the log always names
/// places valid in the last copy seen). `None` when it does not apply: its item is not
/// there, or it is a create or a delete, which the caller handles.
pub(super) fn expected_after(seen: &Playlist, op: &PlaylistOp) -> Option<Playlist> {
    let mut expected = seen.clone();
    match op {
        PlaylistOp::Rename { name } => expected.name.clone_from(name),
        PlaylistOp::Describe { description } => expected.description.clone_from(description),
        PlaylistOp::AddTracks {
            items, position, ..
        } => {
            let at = position.map_or(expected.items.len(), |p| {
                usize::try_from(p).map_or(expected.items.len(), |p| p.min(expected.items.len()))
            });
            let added = items.iter().map(|item| PlaylistItem {
                item_id: item.item_id.clone(),
                track_id: item.track_id.clone(),
                added_at: item.added_at,
                available: true,
            });
            expected.items.splice(at..at, added);
        }
        PlaylistOp::RemoveItem { item_id } => {
            let index = index_of(&expected, item_id)?;
            expected.items.remove(index);
        }
        PlaylistOp::MoveItem {
            item_id, position, ..
        } => {
            let index = index_of(&expected, item_id)?;
            let item = expected.items.remove(index);
            let at = usize::try_from(*position)
                .map_or(expected.items.len(), |p| p.min(expected.items.len()));
            expected.items.insert(at, item);
        }
        _ => return None,
    }
    Some(expected)
}

fn index_of(playlist: &Playlist, item_id: &str) -> Option<usize> {
    playlist
        .items
        .iter()
        .position(|item| item.item_id == item_id)
}

/// For each of `songs`, the index in `previous` of the entry it is (see the module doc).
fn match_entries(previous: &[PlaylistItem], songs: &[&str]) -> Vec<Option<usize>> {
    let (old_len, new_len) = (previous.len(), songs.len());
    let mut matched = vec![None; new_len];
    let prefix = previous
        .iter()
        .zip(songs)
        .take_while(|(old, new)| old.track_id == **new)
        .count();
    let suffix = previous[prefix..]
        .iter()
        .rev()
        .zip(songs[prefix..].iter().rev())
        .take_while(|(old, new)| old.track_id == **new)
        .count();
    for (index, slot) in matched.iter_mut().enumerate().take(prefix) {
        *slot = Some(index);
    }
    for offset in 1..=suffix {
        matched[new_len - offset] = Some(old_len - offset);
    }
    let old_middle = prefix..old_len - suffix;
    let new_middle = prefix..new_len - suffix;
    let mut used = vec![false; old_len];
    for (old, new) in common_run(&previous[old_middle.clone()], &songs[new_middle.clone()]) {
        matched[prefix + new] = Some(prefix + old);
        used[prefix + old] = true;
    }
    // Step 3: the middle's entries left, paired by song in order.
    let mut left: HashMap<&str, VecDeque<usize>> = HashMap::new();
    for index in old_middle.filter(|index| !used[*index]) {
        left.entry(previous[index].track_id.as_str())
            .or_default()
            .push_back(index);
    }
    for index in new_middle {
        if matched[index].is_none() {
            matched[index] = left.get_mut(songs[index]).and_then(VecDeque::pop_front);
        }
    }
    matched
}

/// The longest common run of songs of `old` and `new`, as pairs of indexes in order; empty
/// when the table would exceed [`MAX_TABLE`].
fn common_run(old: &[PlaylistItem], new: &[&str]) -> Vec<(usize, usize)> {
    let (rows, columns) = (old.len(), new.len());
    if rows == 0 || columns == 0 || (rows + 1).saturating_mul(columns + 1) > MAX_TABLE {
        return Vec::new();
    }
    // lengths[i][j]: the longest common run of old[i..] and new[j..].
    let width = columns + 1;
    let mut lengths = vec![0_u32; (rows + 1) * width];
    for i in (0..rows).rev() {
        for j in (0..columns).rev() {
            lengths[i * width + j] = if old[i].track_id == new[j] {
                lengths[(i + 1) * width + j + 1] + 1
            } else {
                lengths[(i + 1) * width + j].max(lengths[i * width + j + 1])
            };
        }
    }
    let mut pairs = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < rows && j < columns {
        if old[i].track_id == new[j] {
            pairs.push((i, j));
            i += 1;
            j += 1;
        } else if lengths[(i + 1) * width + j] >= lengths[i * width + j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    pairs
}

#[cfg(test)]
mod tests {
    use strato_library::{AddedItem, Anchor};

    use super::*;

    fn copy(entries: &[(&str, &str)]) -> Playlist {
        Playlist {
            id: "p".into(),
            name: "Mix".into(),
            description: String::new(),
            revision: 1,
            created_at: 0,
            updated_at: 0,
            public: false,
            items: entries
                .iter()
                .map(|(item, song)| PlaylistItem {
                    item_id: (*item).into(),
                    track_id: (*song).into(),
                    added_at: 7,
                    available: true,
                })
                .collect(),
        }
    }

    fn wire_playlist(songs: &[&str]) -> wire::Playlist {
        wire::Playlist {
            id: "p".into(),
            name: "Mix".into(),
            entry: songs
                .iter()
                .map(|id| wire::Song {
                    id: (*id).into(),
                    ..wire::Song::default()
                })
                .collect(),
            ..wire::Playlist::default()
        }
    }

    /// The ids `songs` get after `previous`, new ones shown as "new".
    fn ids_after(previous: &[(&str, &str)], songs: &[&str]) -> Vec<String> {
        let previous = copy(previous).items;
        named_after(&wire_playlist(songs), &previous)
            .items
            .into_iter()
            .map(|item| {
                if previous.iter().any(|p| p.item_id == item.item_id) {
                    item.item_id
                } else {
                    "new".into()
                }
            })
            .collect()
    }

    #[test]
    fn entries_still_there_keep_their_ids() {
        let before = [("i1", "a"), ("i2", "b"), ("i3", "c"), ("i4", "d")];
        // Another client inserted x in the middle and removed c.
        assert_eq!(
            ids_after(&before, &["a", "x", "b", "d"]),
            ["i1", "new", "i2", "i4"]
        );
        // Moved d to the front: d keeps its id.
        assert_eq!(
            ids_after(&before, &["d", "a", "b", "c"]),
            ["i4", "i1", "i2", "i3"]
        );
        // Emptied, then refilled with what was there: paired by song.
        assert_eq!(ids_after(&before, &["c", "b"]), ["i3", "i2"]);
        assert_eq!(ids_after(&[], &["a"]), ["new"]);
    }

    #[test]
    fn of_two_copies_of_a_song_the_one_left_in_place_keeps_its_id() {
        let before = [("x1", "x"), ("a1", "a"), ("x2", "x")];
        // The first copy was removed elsewhere: the one left is the second.
        assert_eq!(ids_after(&before, &["a", "x"]), ["a1", "x2"]);
        // A third copy appended: the two there keep theirs.
        assert_eq!(
            ids_after(&before, &["x", "a", "x", "x"]),
            ["x1", "a1", "x2", "new"]
        );
    }

    #[test]
    fn a_playlist_replaced_whole_is_matched_by_song_beyond_the_table() {
        let before: Vec<(String, String)> = (0..1_200)
            .map(|n| (format!("i{n}"), format!("s{n}")))
            .collect();
        let before: Vec<(&str, &str)> = before
            .iter()
            .map(|(item, song)| (item.as_str(), song.as_str()))
            .collect();
        let reversed: Vec<String> = (0..1_200).rev().map(|n| format!("s{n}")).collect();
        let reversed: Vec<&str> = reversed.iter().map(String::as_str).collect();
        let ids = ids_after(&before, &reversed);
        assert_eq!(ids[0], "i1199");
        assert_eq!(ids[1_199], "i0");
        assert!(!ids.iter().any(|id| id == "new"));
    }

    #[test]
    fn an_edit_applied_to_the_copy_it_was_made_on() {
        let seen = copy(&[("i1", "a"), ("i2", "b"), ("i3", "c")]);
        let songs_of = |op: &PlaylistOp| songs(&expected_after(&seen, op).unwrap());
        let add = PlaylistOp::AddTracks {
            items: vec![AddedItem {
                item_id: "n1".into(),
                track_id: "z".into(),
                added_at: 9,
            }],
            position: Some(1),
            anchor: Anchor::After {
                item_id: "i1".into(),
            },
        };
        assert_eq!(songs_of(&add), ["a", "z", "b", "c"]);
        let moved = PlaylistOp::MoveItem {
            item_id: "i3".into(),
            position: 0,
            anchor: Anchor::Start,
        };
        assert_eq!(songs_of(&moved), ["c", "a", "b"]);
        let removed = PlaylistOp::RemoveItem {
            item_id: "i2".into(),
        };
        assert_eq!(songs_of(&removed), ["a", "c"]);
        let renamed = expected_after(&seen, &PlaylistOp::Rename { name: "New".into() });
        assert_eq!(renamed.unwrap().name, "New");
        let gone = PlaylistOp::RemoveItem {
            item_id: "i9".into(),
        };
        assert!(expected_after(&seen, &gone).is_none());
        assert!(expected_after(&seen, &PlaylistOp::Delete).is_none());
        assert!(same_content(
            &seen,
            &copy(&[("x", "a"), ("y", "b"), ("z", "c")])
        ));
        assert!(!same_content(&seen, &copy(&[("i1", "a"), ("i2", "b")])));
    }
}
