//! An edit as the `updatePlaylist` requests that make it, and how many of them a playlist
//! read from the server shows done.
//!
//! `updatePlaylist` removes entries by their place (in the list as it was before the
//! request) and appends songs at the end; nothing inserts in the middle. So a list edit is:
//! - a removal of consecutive entries (one removed item): those places;
//! - anything else (an add, an insert, a move): every entry after the common start removed,
//!   and the new tail appended. An append removes nothing.
//!
//! Requests are kept under [`MAX_LIST_CHARS`] of song parameters, since every call is a GET
//! whose whole query is in the request line, and servers cap that line (gunicorn at 4,094
//! bytes, Tomcat at 8 KiB). Removals go first, the highest places first, so each request's
//! places are still right after the ones before it; then the appends. Every state between
//! two requests is thus known in advance, and a run cut short (the connection dropped, the
//! app quit) is found again from the playlist alone and taken up where it stopped.
//!
//! The other choice, `createPlaylist` with a `playlistId` and every song (both devcloud and
//! Supysonic replace the list with it), sends the whole playlist for any edit; a removal
//! here sends one number.

use strato_model::api::Playlist;
use strato_subsonic::PlaylistUpdate;

/// The most characters of song parameters (`songIdToAdd=…&`, `songIndexToRemove=…&`) in one
/// request: with the address, the credentials and the other parameters (about 300), under
/// the smallest common cap on a request line.
pub(super) const MAX_LIST_CHARS: usize = 3_000;

/// What requests change of a playlist: its name, comment and songs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Shape {
    pub name: String,
    pub comment: String,
    pub songs: Vec<String>,
}

impl Shape {
    pub(super) fn of(playlist: &Playlist) -> Self {
        Self {
            name: playlist.name.clone(),
            comment: playlist.description.clone(),
            songs: super::content::songs(playlist),
        }
    }

    /// The state after `update`, as the API defines it.
    fn after(&self, update: &PlaylistUpdate) -> Self {
        let mut next = self.clone();
        if let Some(name) = &update.name {
            next.name.clone_from(name);
        }
        if let Some(comment) = &update.comment {
            next.comment.clone_from(comment);
        }
        let mut places: Vec<usize> = update
            .song_indexes_to_remove
            .iter()
            .filter_map(|&index| usize::try_from(index).ok())
            .collect();
        places.sort_unstable_by(|a, b| b.cmp(a));
        places.dedup();
        for place in places {
            if place < next.songs.len() {
                next.songs.remove(place);
            }
        }
        next.songs.extend(update.song_ids_to_add.iter().cloned());
        next
    }
}

/// The requests that turn `before` into `after`: the name and comment in one, then the
/// list's, in order. None when they are the same.
pub(super) fn requests(before: &Shape, after: &Shape) -> Vec<PlaylistUpdate> {
    let mut requests = Vec::new();
    let fields = PlaylistUpdate {
        name: (before.name != after.name).then(|| after.name.clone()),
        comment: (before.comment != after.comment).then(|| after.comment.clone()),
        ..PlaylistUpdate::default()
    };
    if fields != PlaylistUpdate::default() {
        requests.push(fields);
    }
    let (old, new) = (&before.songs, &after.songs);
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..]
        .iter()
        .rev()
        .zip(new[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let (removed, added) = if prefix + suffix == new.len() {
        // Only consecutive entries removed.
        (prefix..old.len() - suffix, &new[new.len()..])
    } else {
        (prefix..old.len(), &new[prefix..])
    };
    let mut current = PlaylistUpdate::default();
    let mut used = 0;
    let mut put = |current: &mut PlaylistUpdate, cost: usize| {
        if used + cost > MAX_LIST_CHARS && current != &PlaylistUpdate::default() {
            requests.push(std::mem::take(current));
            used = 0;
        }
        used += cost;
    };
    for place in removed.rev() {
        let place = u32::try_from(place).unwrap_or(u32::MAX);
        put(
            &mut current,
            "songIndexToRemove=&".len() + place.to_string().len(),
        );
        current.song_indexes_to_remove.push(place);
    }
    for song in added {
        put(&mut current, "songIdToAdd=&".len() + encoded_len(song));
        current.song_ids_to_add.push(song.clone());
    }
    if current != PlaylistUpdate::default() {
        requests.push(current);
    }
    requests
}

/// How many of `requests` (made from `before`) the server's `current` shows done: the most
/// whose result it equals. Without `partial`, only all of them count (a run is known to
/// have started only when the attempt was recorded before it; otherwise a state between
/// two requests could be another client's edit). `None` when it is none of them.
pub(super) fn done_requests(
    before: &Shape,
    requests: &[PlaylistUpdate],
    current: &Shape,
    partial: bool,
) -> Option<usize> {
    let mut state = before.clone();
    let mut done = None;
    for (count, request) in requests.iter().enumerate() {
        state = state.after(request);
        let counts = partial || count + 1 == requests.len();
        if counts && state == *current {
            done = Some(count + 1);
        }
    }
    done
}

/// The length of `text` in a query, percent-encoded.
fn encoded_len(text: &str) -> usize {
    url::form_urlencoded::byte_serialize(text.as_bytes())
        .map(str::len)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(songs: &[&str]) -> Shape {
        Shape {
            name: "Mix".into(),
            comment: String::new(),
            songs: songs.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    /// The state after every request, checked against `after`.
    fn replay(before: &Shape, requests: &[PlaylistUpdate]) -> Shape {
        requests
            .iter()
            .fold(before.clone(), |state, request| state.after(request))
    }

    #[test]
    fn a_removal_sends_its_places_and_an_append_its_songs() {
        let before = shape(&["a", "b", "c", "d"]);
        let removed = requests(&before, &shape(&["a", "d"]));
        assert_eq!(removed.len(), 1);
        assert_eq!(removed[0].song_indexes_to_remove, [2, 1]);
        assert!(removed[0].song_ids_to_add.is_empty());
        let appended = requests(&before, &shape(&["a", "b", "c", "d", "e"]));
        assert_eq!(appended[0].song_ids_to_add, ["e"]);
        assert!(appended[0].song_indexes_to_remove.is_empty());
    }

    #[test]
    fn an_insert_or_a_move_rewrites_the_tail_after_the_common_start() {
        let before = shape(&["a", "b", "c", "d"]);
        let moved = shape(&["a", "d", "b", "c"]);
        let sent = requests(&before, &moved);
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].song_indexes_to_remove, [3, 2, 1]);
        assert_eq!(sent[0].song_ids_to_add, ["d", "b", "c"]);
        assert_eq!(replay(&before, &sent), moved);
        let renamed = Shape {
            name: "New".into(),
            ..before.clone()
        };
        let sent = requests(&before, &renamed);
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].name.as_deref(), Some("New"));
        assert!(requests(&before, &before).is_empty());
    }

    #[test]
    fn long_edits_go_in_requests_that_each_fit_and_a_cut_run_is_found_again() {
        let ids: Vec<String> = (0..400).map(|n| format!("song-{n:04}")).collect();
        let before = shape(&ids.iter().map(String::as_str).collect::<Vec<_>>());
        let mut reordered = before.clone();
        reordered.songs.reverse();
        let sent = requests(&before, &reordered);
        assert!(sent.len() > 2, "{} requests", sent.len());
        for request in &sent {
            let chars: usize = request
                .song_ids_to_add
                .iter()
                .map(|id| "songIdToAdd=&".len() + id.len())
                .chain(
                    request
                        .song_indexes_to_remove
                        .iter()
                        .map(|i| "songIndexToRemove=&".len() + i.to_string().len()),
                )
                .sum();
            assert!(chars <= MAX_LIST_CHARS, "{chars}");
        }
        assert_eq!(replay(&before, &sent), reordered);
        // Cut after two requests: found there when a run was recorded, not otherwise.
        let cut = replay(&before, &sent[..2]);
        assert_eq!(done_requests(&before, &sent, &cut, true), Some(2));
        assert_eq!(done_requests(&before, &sent, &cut, false), None);
        assert_eq!(
            done_requests(&before, &sent, &reordered, false),
            Some(sent.len())
        );
        assert_eq!(done_requests(&before, &sent, &before, true), None);
    }
}
