//! The queue as the window sees it: the player's snapshots turned into [`QueueView`]s (the
//! `queue-changed` event) and [`QueuePage`]s (the `queue_page` command).
//!
//! A 10,000-entry queue is about 4.3 MB of JSON, so it is never sent whole. Each change
//! (an edit, a track change, shuffle, repeat) sends one event of fixed size: the length, the
//! place of the entry heard, the now-playing and plays-next entries. Only when the entries
//! themselves changed does it carry a window of [`WINDOW`] of them around the entry heard
//! (all of a short queue); the window asks for the rest page by page as it scrolls. Position
//! ticks never carry the queue, so while a track plays a queue of 10 and one of 10,000 cost
//! the window the same bytes (`tests/queue.rs` measures it).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use strato_audio::{AlbumPlace, Entry, QueueItem, QueueSnapshot, ReplayGain};
use strato_model::ipc::{QueueEntry, QueuePage, QueueView, Track};

use crate::playback::AppEvents;

/// Entries sent with a change of the entries: a screenful or two of the queue panel.
pub(crate) const WINDOW: usize = 60;
/// Of them, entries that played before the one heard.
const WINDOW_BEFORE: usize = 10;
/// The most entries one `queue_page` answers.
pub(crate) const MAX_PAGE: usize = 500;

/// Keeps the latest snapshot and the catalog data of the tracks queued.
pub(crate) struct QueueKeeper {
    events: Arc<dyn AppEvents>,
    state: Mutex<KeeperState>,
}

#[derive(Default)]
struct KeeperState {
    snapshot: QueueSnapshot,
    /// What the last event said, so a snapshot that changes nothing the window shows is not
    /// sent again.
    sent: Option<Sent>,
    /// The queued tracks' catalog data, by track id.
    tracks: HashMap<String, Track>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Sent {
    revision: u64,
    current: Option<usize>,
    following: Option<usize>,
}

impl QueueKeeper {
    pub(crate) fn new(events: Arc<dyn AppEvents>) -> Self {
        Self {
            events,
            state: Mutex::new(KeeperState::default()),
        }
    }

    /// Remembers the catalog data of tracks about to be queued.
    pub(crate) fn know(&self, tracks: &[Track]) {
        let mut state = self.lock();
        for track in tracks {
            state.tracks.insert(track.id.clone(), track.clone());
        }
    }

    /// A queued track's catalog data.
    pub(crate) fn track(&self, track_id: &str) -> Option<Track> {
        self.lock().tracks.get(track_id).cloned()
    }

    /// The player's latest snapshot.
    pub(crate) fn snapshot(&self) -> QueueSnapshot {
        self.lock().snapshot.clone()
    }

    /// Takes the player's snapshot and tells the window, unless nothing it shows changed.
    /// Runs on the player thread: a lookup per entry of the window, nothing that waits.
    pub(crate) fn apply(&self, snapshot: QueueSnapshot) {
        let view = {
            let mut state = self.lock();
            let now = Sent {
                revision: snapshot.revision,
                current: snapshot.current,
                following: snapshot.following,
            };
            let entries_changed = state.sent.is_none_or(|s| s.revision != now.revision);
            if entries_changed {
                prune(&mut state.tracks, &snapshot);
            }
            state.snapshot = snapshot;
            if state.sent == Some(now) {
                return;
            }
            state.sent = Some(now);
            view(&state, entries_changed)
        };
        self.events.queue_changed(&view);
    }

    /// The queue now, with its window, for a window that just opened.
    pub(crate) fn view(&self) -> QueueView {
        view(&self.lock(), true)
    }

    /// Up to `limit` entries from `offset`, in play order.
    pub(crate) fn page(&self, offset: usize, limit: usize) -> QueuePage {
        let state = self.lock();
        page(&state, offset, limit.min(MAX_PAGE))
    }

    /// Forgets the queue's tracks (another account signs in).
    pub(crate) fn forget(&self) {
        let mut state = self.lock();
        state.tracks.clear();
    }

    fn lock(&self) -> MutexGuard<'_, KeeperState> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn view(state: &KeeperState, with_window: bool) -> QueueView {
    let snapshot = &state.snapshot;
    let len = snapshot.entries.len();
    let entry = |index: Option<usize>| {
        index
            .and_then(|i| snapshot.entries.get(i))
            .map(|e| to_ipc(state, e))
    };
    let window = with_window.then(|| {
        let start = snapshot
            .current
            .unwrap_or(0)
            .saturating_sub(WINDOW_BEFORE)
            .min(len.saturating_sub(WINDOW));
        page(state, start, WINDOW)
    });
    QueueView {
        revision: snapshot.revision,
        length: to_u32(len),
        current: snapshot.current.map(to_u32),
        now_playing: entry(snapshot.current),
        plays_next: entry(snapshot.following),
        window,
    }
}

fn page(state: &KeeperState, offset: usize, limit: usize) -> QueuePage {
    let entries = &state.snapshot.entries;
    let from = offset.min(entries.len());
    let to = from.saturating_add(limit).min(entries.len());
    QueuePage {
        revision: state.snapshot.revision,
        offset: to_u32(from),
        entries: entries[from..to].iter().map(|e| to_ipc(state, e)).collect(),
    }
}

fn to_ipc(state: &KeeperState, entry: &Entry) -> QueueEntry {
    QueueEntry {
        entry_id: entry.id.0,
        track_id: entry.item.id.clone(),
        track: state.tracks.get(&entry.item.id).cloned(),
        queued: entry.queued,
    }
}

/// Drops the data of tracks no longer queued once it holds many more than the queue.
fn prune(tracks: &mut HashMap<String, Track>, snapshot: &QueueSnapshot) {
    if tracks.len() <= 2 * snapshot.entries.len() + 1_000 {
        return;
    }
    let queued: std::collections::HashSet<&str> = snapshot
        .entries
        .iter()
        .map(|e| e.item.id.as_str())
        .collect();
    tracks.retain(|id, _| queued.contains(id.as_str()));
}

/// Queue positions are far below `u32::MAX` (each entry was a command's argument).
fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// What the player needs of a catalog track.
pub(crate) fn queue_item(track: &Track) -> QueueItem {
    QueueItem {
        id: track.id.clone(),
        duration: Some(std::time::Duration::from_millis(track.duration_ms.into())),
        replay_gain: track.replaygain.as_ref().map(|rg| ReplayGain {
            track_gain_db: Some(rg.track_gain_db),
            track_peak: Some(rg.track_peak),
            album_gain_db: Some(rg.album_gain_db),
            album_peak: Some(rg.album_peak),
        }),
        loudness: None,
        album: Some(AlbumPlace {
            album_id: track.album_id.clone(),
            track_number: track.track_number,
        }),
    }
}
