//! The play queue: its entries in the order they will play, the listener's place in it,
//! shuffle and repeat. Pure logic, no audio.
//!
//! - Each entry has its own [`EntryId`], so the same track may be queued twice and an edit
//!   names exactly one copy. Ids stay with their entries through every reorder, and are
//!   saved with the queue, so they survive a restart too.
//! - The order kept is the order that will play. With shuffle on, what the listener sees as
//!   "next up" is what plays; the listed order is remembered, and turning shuffle off returns
//!   to it from the current entry.
//! - Entries added with "play next" or "add to queue" are *queued* (Spotify's "Next in
//!   queue"): they play right after the current entry, before the rest of the list, in the
//!   order they were added ("play next" puts tracks at the front of them, "add to queue" at
//!   the end), and shuffling leaves them where they are.
//! - Entries before the current one have played; those after it are next up. Repeat-all
//!   wraps from the last entry to the first; repeat-one holds on the current entry until the
//!   listener skips.

use std::collections::HashSet;
use std::sync::Arc;

use crate::gain::MeasuredLoudness;
use crate::media::QueueItem;

#[cfg(test)]
mod tests;

/// What happens at the end of the queue, or of a track.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RepeatMode {
    #[default]
    Off,
    /// The whole queue, again and again.
    All,
    /// The current track, again and again.
    One,
}

/// An entry's identity in the queue, unique within it and stable while it is there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntryId(pub u64);

/// One place in the queue.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub id: EntryId,
    pub item: QueueItem,
    /// Added by the listener with "play next" or "add to queue", rather than with the list
    /// it was played from.
    pub queued: bool,
}

/// Where added tracks go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// Right after the current entry, before anything queued earlier.
    Next,
    /// After the current entry and what was queued before, ahead of the rest of the list.
    Queue,
}

/// A queue as saved, or as restored after a restart.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueueState {
    /// In play order.
    pub entries: Vec<Entry>,
    /// Index into `entries` of the current entry.
    pub current: Option<usize>,
    /// With shuffle on: the entries' ids in the listed order, to return to.
    pub listed: Option<Vec<EntryId>>,
    pub repeat: RepeatMode,
}

/// The queue as it is at one moment, cheap to clone (the entries are shared).
#[derive(Debug, Clone, Default)]
pub struct QueueSnapshot {
    /// In play order.
    pub entries: Arc<Vec<Entry>>,
    /// Changes whenever the entries or their order change (not when only the place in them
    /// moves), so a reader can keep what it read of them until it changes.
    pub revision: u64,
    /// Index into `entries` of the entry heard now (or about to be).
    pub current: Option<usize>,
    /// Index of the entry that follows the current one when it ends by itself.
    pub following: Option<usize>,
    /// With shuffle on: the listed order, to return to.
    pub listed: Option<Arc<Vec<EntryId>>>,
    pub repeat: RepeatMode,
}

impl QueueSnapshot {
    #[must_use]
    pub fn shuffle(&self) -> bool {
        self.listed.is_some()
    }

    /// The queue to save.
    #[must_use]
    pub fn state(&self) -> QueueState {
        QueueState {
            entries: self.entries.as_ref().clone(),
            current: self.current,
            listed: self.listed.as_deref().cloned(),
            repeat: self.repeat,
        }
    }
}

/// The queue and the listener's place in it.
#[derive(Debug, Clone, Default)]
pub struct Queue {
    /// In play order. Shared with the snapshots handed out; an edit copies it only when a
    /// snapshot still holds it.
    entries: Arc<Vec<Entry>>,
    /// Index into `entries` of the current entry.
    cursor: Option<usize>,
    /// With shuffle on: the ids in the listed order.
    listed: Option<Arc<Vec<EntryId>>>,
    repeat: RepeatMode,
    revision: u64,
    next_id: u64,
    seed: u64,
}

impl Queue {
    /// Replaces the queue with `items` and makes `start` current (shuffled around it when
    /// shuffle is on).
    pub fn set(&mut self, items: Vec<QueueItem>, start: usize) {
        let entries: Vec<Entry> = items
            .into_iter()
            .map(|item| Entry {
                id: self.new_id(),
                item,
                queued: false,
            })
            .collect();
        self.cursor = (start < entries.len()).then_some(start);
        self.entries = Arc::new(entries);
        let shuffle = self.listed.is_some();
        self.listed = None;
        if shuffle {
            self.shuffle_on();
        }
        self.changed();
    }

    /// Takes a saved queue back, its entries' ids included.
    pub fn restore(&mut self, state: QueueState) {
        let QueueState {
            entries,
            current,
            listed,
            repeat,
        } = state;
        let max_id = entries.iter().map(|e| e.id.0).max().unwrap_or(0);
        self.next_id = self.next_id.max(max_id + 1);
        self.cursor = current.filter(|&c| c < entries.len());
        let ids: HashSet<EntryId> = entries.iter().map(|e| e.id).collect();
        // A listed order that does not name exactly these entries is not one to return to.
        self.listed = listed
            .filter(|l| l.len() == ids.len() && l.iter().all(|id| ids.contains(id)))
            .map(Arc::new);
        self.entries = Arc::new(entries);
        self.repeat = repeat;
        self.changed();
    }

    #[must_use]
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The current entry.
    #[must_use]
    pub fn current(&self) -> Option<EntryId> {
        self.cursor.map(|c| self.entries[c].id)
    }

    /// The entry named `id`.
    #[must_use]
    pub fn entry(&self, id: EntryId) -> Option<&Entry> {
        self.entries.iter().find(|e| e.id == id)
    }

    /// Where the entry named `id` is in the play order.
    #[must_use]
    pub fn position(&self, id: EntryId) -> Option<usize> {
        self.entries.iter().position(|e| e.id == id)
    }

    #[must_use]
    pub fn shuffle(&self) -> bool {
        self.listed.is_some()
    }

    #[must_use]
    pub fn repeat(&self) -> RepeatMode {
        self.repeat
    }

    #[must_use]
    pub fn revision(&self) -> u64 {
        self.revision
    }

    pub fn set_repeat(&mut self, repeat: RepeatMode) {
        self.repeat = repeat;
    }

    /// Turns shuffle on or off; the current entry stays current.
    pub fn set_shuffle(&mut self, shuffle: bool) {
        if shuffle == self.shuffle() {
            return;
        }
        if shuffle {
            self.shuffle_on();
        } else {
            self.shuffle_off();
        }
        self.changed();
    }

    /// The entry that follows the current one when it ends by itself.
    #[must_use]
    pub fn following(&self) -> Option<EntryId> {
        let cursor = self.cursor?;
        let next = match self.repeat {
            RepeatMode::One => cursor,
            _ => self.step(cursor, 1)?,
        };
        Some(self.entries[next].id)
    }

    /// Moves to the entry after the current one (the listener pressed "next": repeat-one
    /// does not hold them on the same track). Returns the new current entry.
    pub fn advance(&mut self) -> Option<EntryId> {
        let next = self.step(self.cursor?, 1)?;
        self.cursor = Some(next);
        self.current()
    }

    /// Moves to the entry that follows by itself (repeat-one stays).
    pub fn advance_naturally(&mut self) -> Option<EntryId> {
        if self.repeat == RepeatMode::One {
            return self.current();
        }
        self.advance()
    }

    /// Moves to the previous entry; at the start, stays (or wraps with repeat-all).
    pub fn back(&mut self) -> Option<EntryId> {
        let cursor = self.cursor?;
        let prev = self.step(cursor, -1).unwrap_or(cursor);
        self.cursor = Some(prev);
        self.current()
    }

    /// Makes the entry `id` current. Returns whether it is in the queue.
    pub fn jump(&mut self, id: EntryId) -> bool {
        match self.position(id) {
            Some(position) => {
                self.cursor = Some(position);
                true
            }
            None => false,
        }
    }

    /// Adds `items` as queued entries at `placement`; returns their ids, in order. In an
    /// empty queue they are the whole queue, and the first is current.
    pub fn insert(&mut self, items: Vec<QueueItem>, placement: Placement) -> Vec<EntryId> {
        if items.is_empty() {
            return Vec::new();
        }
        let at = match (self.cursor, placement) {
            (None, _) => self.entries.len(),
            (Some(c), Placement::Next) => c + 1,
            (Some(c), Placement::Queue) => {
                c + 1
                    + self.entries[c + 1..]
                        .iter()
                        .take_while(|e| e.queued)
                        .count()
            }
        };
        let new: Vec<Entry> = items
            .into_iter()
            .map(|item| Entry {
                id: self.new_id(),
                item,
                queued: true,
            })
            .collect();
        let ids: Vec<EntryId> = new.iter().map(|e| e.id).collect();
        // In the listed order, they go right after the entry they follow in play order.
        let before = at.checked_sub(1).map(|i| self.entries[i].id);
        if let Some(listed) = self.listed.as_mut() {
            let listed = Arc::make_mut(listed);
            let at = before
                .and_then(|b| listed.iter().position(|&id| id == b))
                .map_or(0, |p| p + 1);
            listed.splice(at..at, ids.iter().copied());
        }
        Arc::make_mut(&mut self.entries).splice(at..at, new);
        if self.cursor.is_none() {
            self.cursor = Some(at);
        }
        self.changed();
        ids
    }

    /// Takes the entries `ids` out, except those in `keep` (the one being heard cannot be
    /// pulled from under the listener). Returns how many went.
    pub fn remove(&mut self, ids: &[EntryId], keep: &[EntryId]) -> usize {
        let gone: HashSet<EntryId> = ids
            .iter()
            .filter(|id| !keep.contains(id))
            .copied()
            .collect();
        self.retain(|e| !gone.contains(&e.id))
    }

    /// Empties "next up": every entry after the current one goes, except those in `keep`.
    /// Without a current entry, the whole queue goes.
    pub fn clear_upcoming(&mut self, keep: &[EntryId]) -> usize {
        let from = self.cursor.map_or(0, |c| c + 1);
        let gone: HashSet<EntryId> = self.entries[from..]
            .iter()
            .map(|e| e.id)
            .filter(|id| !keep.contains(id))
            .collect();
        self.retain(|e| !gone.contains(&e.id))
    }

    /// Moves the entries `ids` together, in their present order, to `position`: their first
    /// one's index once moved, counted in the queue without them (clamped to its end).
    /// Returns whether anything moved.
    pub fn move_to(&mut self, ids: &[EntryId], position: usize) -> bool {
        let chosen: HashSet<EntryId> = ids.iter().copied().collect();
        let current = self.current();
        let (moving, mut rest): (Vec<Entry>, Vec<Entry>) = self
            .entries
            .iter()
            .cloned()
            .partition(|e| chosen.contains(&e.id));
        if moving.is_empty() {
            return false;
        }
        let at = position.min(rest.len());
        let unchanged = self.entries[at..at + moving.len()]
            .iter()
            .zip(&moving)
            .all(|(a, b)| a.id == b.id);
        if unchanged {
            return false;
        }
        rest.splice(at..at, moving);
        self.entries = Arc::new(rest);
        self.cursor = current.and_then(|id| self.position(id));
        self.changed();
        true
    }

    /// Gives the entries of track `id` that have no loudness the one the player just
    /// measured, so they play normalised from their next start (a repeat, the track queued
    /// twice). Not an edit: the revision stays.
    pub fn set_loudness(&mut self, id: &str, loudness: MeasuredLoudness) {
        let lacking = |e: &Entry| e.item.id == id && e.item.loudness.is_none();
        if self.entries.iter().any(lacking) {
            for entry in Arc::make_mut(&mut self.entries).iter_mut() {
                if lacking(entry) {
                    entry.item.loudness = Some(loudness);
                }
            }
        }
    }

    /// The queue now, to hand to another thread.
    #[must_use]
    pub fn snapshot(&self) -> QueueSnapshot {
        QueueSnapshot {
            entries: Arc::clone(&self.entries),
            revision: self.revision,
            current: self.cursor,
            following: self.following().and_then(|id| self.position(id)),
            listed: self.listed.clone(),
            repeat: self.repeat,
        }
    }

    /// Keeps the entries `keep` says to; the current one stays current. Returns how many
    /// went.
    fn retain(&mut self, keep: impl Fn(&Entry) -> bool) -> usize {
        let before = self.entries.len();
        // The current entry, or if it goes, the first one after it that stays (else the
        // last that stays): the listener's place survives any removal.
        let anchor = self.cursor.and_then(|c| {
            self.entries[c..]
                .iter()
                .find(|e| keep(e))
                .or_else(|| self.entries[..c].iter().rev().find(|e| keep(e)))
                .map(|e| e.id)
        });
        let remaining: Vec<Entry> = self.entries.iter().filter(|e| keep(e)).cloned().collect();
        let gone = before - remaining.len();
        if gone == 0 {
            return 0;
        }
        let ids: HashSet<EntryId> = remaining.iter().map(|e| e.id).collect();
        if let Some(listed) = self.listed.as_mut() {
            Arc::make_mut(listed).retain(|id| ids.contains(id));
        }
        self.entries = Arc::new(remaining);
        self.cursor = anchor.and_then(|id| self.position(id));
        self.changed();
        gone
    }

    /// Shuffles everything but the current entry and the queued ones after it, which stay
    /// first; remembers the listed order.
    fn shuffle_on(&mut self) {
        self.listed = Some(Arc::new(self.entries.iter().map(|e| e.id).collect()));
        let mut head: Vec<Entry> = Vec::new();
        let mut rest: Vec<Entry> = Vec::new();
        let queued_after = self.queued_after_cursor();
        for (i, entry) in self.entries.iter().enumerate() {
            let stays = Some(i) == self.cursor || queued_after.contains(&i);
            if stays {
                head.push(entry.clone());
            } else {
                rest.push(entry.clone());
            }
        }
        self.seed = self.seed.wrapping_add(0x9E37_79B9_7F4A_7C15) | 1;
        let mut state = self.seed ^ clock_seed();
        // Fisher-Yates with xorshift: a fresh, unbiased-enough order every time.
        for i in (1..rest.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let j = usize::try_from(state % (i as u64 + 1)).unwrap_or(0);
            rest.swap(i, j);
        }
        self.cursor = self.cursor.map(|_| 0);
        head.extend(rest);
        self.entries = Arc::new(head);
    }

    /// Back to the listed order from the current entry; what was queued after it stays next.
    fn shuffle_off(&mut self) {
        let Some(listed) = self.listed.take() else {
            return;
        };
        let current = self.current();
        let queued: Vec<EntryId> = self
            .queued_after_cursor()
            .into_iter()
            .map(|i| self.entries[i].id)
            .collect();
        let mut order: Vec<EntryId> = listed
            .iter()
            .copied()
            .filter(|id| !queued.contains(id))
            .collect();
        let at = current
            .and_then(|c| order.iter().position(|&id| id == c))
            .map_or(0, |p| p + 1);
        order.splice(at..at, queued);
        let mut by_id: std::collections::HashMap<EntryId, Entry> =
            self.entries.iter().map(|e| (e.id, e.clone())).collect();
        let entries: Vec<Entry> = order.iter().filter_map(|id| by_id.remove(id)).collect();
        self.entries = Arc::new(entries);
        self.cursor = current.and_then(|id| self.position(id));
    }

    /// Indexes of the queued entries right after the current one.
    fn queued_after_cursor(&self) -> Vec<usize> {
        let Some(c) = self.cursor else {
            return Vec::new();
        };
        (c + 1..self.entries.len())
            .take_while(|&i| self.entries[i].queued)
            .collect()
    }

    fn step(&self, cursor: usize, delta: isize) -> Option<usize> {
        let len = self.entries.len();
        let target = cursor.checked_add_signed(delta);
        match target {
            Some(t) if t < len => Some(t),
            _ if self.repeat == RepeatMode::All && len > 0 => {
                Some(if delta > 0 { 0 } else { len - 1 })
            }
            _ => None,
        }
    }

    fn new_id(&mut self) -> EntryId {
        self.next_id += 1;
        EntryId(self.next_id)
    }

    fn changed(&mut self) {
        self.revision += 1;
    }
}

fn clock_seed() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| u64::from(d.subsec_nanos()) | 1)
}
