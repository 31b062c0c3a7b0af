//! The play queue: what plays next, with shuffle and repeat. Pure logic, no audio.

use crate::media::QueueItem;

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

/// The queue and the listener's place in it.
///
/// Shuffle keeps the items in their order and plays them through a permutation, so turning
/// shuffle off returns to the listed order from the current track.
#[derive(Debug, Clone, Default)]
pub struct Queue {
    items: Vec<QueueItem>,
    /// Play order: indexes into `items`.
    order: Vec<usize>,
    /// Position in `order` of the current track.
    cursor: Option<usize>,
    shuffle: bool,
    repeat: RepeatMode,
    seed: u64,
}

impl Queue {
    /// Replaces the items and makes `start` current.
    pub fn set(&mut self, items: Vec<QueueItem>, start: usize) {
        self.items = items;
        let start = (start < self.items.len()).then_some(start);
        self.reorder(start);
    }

    #[must_use]
    pub fn items(&self) -> &[QueueItem] {
        &self.items
    }

    /// The current track's index in `items`.
    #[must_use]
    pub fn current(&self) -> Option<usize> {
        self.cursor.map(|c| self.order[c])
    }

    #[must_use]
    pub fn item(&self, index: usize) -> Option<&QueueItem> {
        self.items.get(index)
    }

    #[must_use]
    pub fn shuffle(&self) -> bool {
        self.shuffle
    }

    #[must_use]
    pub fn repeat(&self) -> RepeatMode {
        self.repeat
    }

    pub fn set_repeat(&mut self, repeat: RepeatMode) {
        self.repeat = repeat;
    }

    /// Turns shuffle on or off; the current track stays current.
    pub fn set_shuffle(&mut self, shuffle: bool) {
        if shuffle != self.shuffle {
            self.shuffle = shuffle;
            let current = self.current();
            self.reorder(current);
        }
    }

    /// The track that follows the current one when it ends by itself.
    #[must_use]
    pub fn following(&self) -> Option<usize> {
        let cursor = self.cursor?;
        match self.repeat {
            RepeatMode::One => Some(self.order[cursor]),
            _ => self.step(cursor, 1).map(|c| self.order[c]),
        }
    }

    /// Moves to the track after the current one (the listener pressed "next": repeat-one
    /// does not hold them on the same track). Returns the new current index.
    pub fn advance(&mut self) -> Option<usize> {
        let next = self.step(self.cursor?, 1)?;
        self.cursor = Some(next);
        self.current()
    }

    /// Moves to the track that follows by itself (repeat-one stays).
    pub fn advance_naturally(&mut self) -> Option<usize> {
        if self.repeat == RepeatMode::One {
            return self.current();
        }
        self.advance()
    }

    /// Moves to the previous track; at the start, stays (or wraps with repeat-all).
    pub fn back(&mut self) -> Option<usize> {
        let cursor = self.cursor?;
        let prev = self.step(cursor, -1).unwrap_or(cursor);
        self.cursor = Some(prev);
        self.current()
    }

    /// Makes the item at `index` current.
    pub fn jump(&mut self, index: usize) -> Option<usize> {
        let position = self.order.iter().position(|&i| i == index)?;
        self.cursor = Some(position);
        self.current()
    }

    fn step(&self, cursor: usize, delta: isize) -> Option<usize> {
        let len = self.order.len();
        let target = cursor.checked_add_signed(delta);
        match target {
            Some(t) if t < len => Some(t),
            _ if self.repeat == RepeatMode::All && len > 0 => {
                Some(if delta > 0 { 0 } else { len - 1 })
            }
            _ => None,
        }
    }

    /// Rebuilds the play order with `current` first when shuffling, in list order otherwise.
    fn reorder(&mut self, current: Option<usize>) {
        self.order = (0..self.items.len()).collect();
        if self.shuffle {
            self.seed = self.seed.wrapping_add(0x9E37_79B9_7F4A_7C15) | 1;
            let mut state = self.seed ^ clock_seed();
            // Fisher-Yates with xorshift: a fresh, unbiased-enough order every time.
            for i in (1..self.order.len()).rev() {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let j = usize::try_from(state % (i as u64 + 1)).unwrap_or(0);
                self.order.swap(i, j);
            }
            if let Some(current) = current
                && let Some(pos) = self.order.iter().position(|&i| i == current)
            {
                self.order.remove(pos);
                self.order.insert(0, current);
            }
        }
        self.cursor = current.and_then(|c| self.order.iter().position(|&i| i == c));
    }
}

fn clock_seed() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| u64::from(d.subsec_nanos()) | 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(n: usize) -> Vec<QueueItem> {
        (0..n)
            .map(|i| QueueItem {
                id: format!("t{i}"),
                duration: None,
                replay_gain: None,
            })
            .collect()
    }

    #[test]
    fn plays_in_order_and_stops_at_the_end() {
        let mut q = Queue::default();
        q.set(items(3), 1);
        assert_eq!(q.current(), Some(1));
        assert_eq!(q.following(), Some(2));
        assert_eq!(q.advance(), Some(2));
        assert_eq!(q.following(), None);
        assert_eq!(q.advance(), None);
        assert_eq!(q.current(), Some(2));
        assert_eq!(q.back(), Some(1));
        assert_eq!(q.back(), Some(0));
        assert_eq!(q.back(), Some(0));
    }

    #[test]
    fn repeat_all_wraps_and_repeat_one_holds_until_next_is_pressed() {
        let mut q = Queue::default();
        q.set(items(2), 1);
        q.set_repeat(RepeatMode::All);
        assert_eq!(q.following(), Some(0));
        assert_eq!(q.advance(), Some(0));
        assert_eq!(q.back(), Some(1));
        q.set_repeat(RepeatMode::One);
        assert_eq!(q.following(), Some(1));
        assert_eq!(q.advance_naturally(), Some(1));
        assert_eq!(q.advance(), None, "repeat-one at the end, no repeat-all");
    }

    #[test]
    fn shuffle_is_a_permutation_starting_at_the_current_track() {
        let mut q = Queue::default();
        q.set(items(50), 7);
        q.set_shuffle(true);
        assert_eq!(q.current(), Some(7));
        let mut seen = vec![7];
        while let Some(i) = q.advance() {
            seen.push(i);
        }
        assert_eq!(seen.len(), 50);
        let mut sorted = seen.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..50).collect::<Vec<_>>());
        assert_ne!(
            seen, sorted,
            "50 items shuffled into list order is 1 in 50!"
        );
        let last = *seen.last().unwrap();
        q.set_shuffle(false);
        assert_eq!(q.current(), Some(last));
    }

    #[test]
    fn an_empty_queue_has_nothing_to_play() {
        let mut q = Queue::default();
        q.set(Vec::new(), 0);
        assert_eq!(q.current(), None);
        assert_eq!(q.advance(), None);
        assert_eq!(q.jump(3), None);
    }
}
