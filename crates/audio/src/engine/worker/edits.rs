//! The listener's edits of the queue while it plays: tracks added, entries removed or
//! moved, "next up" cleared. Playback goes on through all of them: the entry heard (and,
//! during a gapless handoff, the one already being decoded after it) stays where the queue
//! puts it, and a track decoded ahead that is no longer next is let go.

use std::time::Duration;

use super::Worker;
use crate::engine::queue::{EntryId, Placement};
use crate::media::QueueItem;

impl Worker {
    pub(super) fn insert(&mut self, items: Vec<QueueItem>, placement: Placement) {
        let was_empty = self.queue.current().is_none();
        if self.queue.insert(items, placement).is_empty() {
            return;
        }
        self.after_edit();
        if was_empty {
            // Nothing was there to play: the listener wants to hear what they added.
            self.restored_at = None;
            self.start_current(Duration::ZERO);
        }
    }

    pub(super) fn remove(&mut self, entries: &[EntryId]) {
        let keep = self.playing_entries();
        if self.queue.remove(entries, &keep) > 0 {
            self.after_edit();
        }
    }

    pub(super) fn move_entries(&mut self, entries: &[EntryId], position: usize) {
        if self.queue.move_to(entries, position) {
            self.after_edit();
        }
    }

    pub(super) fn clear_upcoming(&mut self) {
        let keep = self.playing_entries();
        if self.queue.clear_upcoming(&keep) > 0 {
            self.after_edit();
        }
    }

    /// What an edit may not take away: the entry heard, the one being decoded, and the
    /// current one (paused, or restored from the last run and waiting to be resumed).
    fn playing_entries(&self) -> Vec<EntryId> {
        [
            self.heard,
            self.feeding.as_ref().map(|f| f.entry),
            self.queue.current(),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    fn after_edit(&mut self) {
        let following = self.queue.following();
        if self
            .upcoming
            .as_ref()
            .is_some_and(|up| Some(up.entry) != following)
        {
            // The right one is prefetched in time, as for any track.
            self.drop_upcoming();
        }
        self.emit_queue();
    }
}
