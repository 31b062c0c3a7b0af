//! A playlist's items as `DynamoDB` keeps them: in blocks of at most [`BLOCK_MAX`] entries,
//! each block an item of its own ordered by a fractional order key (`B#<key>`).
//!
//! Why blocks: an item per track would make a front insert into 10,000 items renumber 10,000
//! items (dense positions), or make `AddItems` of 500 tracks 500 actions, past a
//! transaction's 100; one item for the whole list would pass the 400 KB item limit at a few
//! thousand tracks. A block of 200 entries is about 20 KB. An edit rewrites the block it
//! touches, and splits it when it grows past [`BLOCK_MAX`]: a front insert writes one block
//! (two when it splits), `AddItems` of 500 at most four, a move or a removal one or two.
//! Positions on the wire stay dense: they are the order of blocks and of their entries.

use strato_model::order_key::{self, OrderKeyError};

/// The most entries a block holds: about 20 KB, far below `DynamoDB`'s 400 KB an item.
pub const BLOCK_MAX: usize = 200;
/// A block this small is merged into a neighbour when their entries fit in one.
const BLOCK_MERGE_BELOW: usize = BLOCK_MAX / 4;

/// One playlist item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub item_id: String,
    pub track_id: String,
    pub added_at: i64,
}

/// A run of consecutive items under one order key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub key: String,
    pub entries: Vec<Entry>,
}

/// A playlist's blocks being edited: what to write back and what to delete.
#[derive(Debug, Default)]
pub struct Blocks {
    list: Vec<Block>,
    /// Parallel to `list`: changed since read (or new).
    dirty: Vec<bool>,
    /// Keys of the blocks as read: only those need deleting when they go.
    stored: std::collections::HashSet<String>,
    /// Keys of blocks read that are gone.
    removed: Vec<String>,
}

/// What an edit leaves to write: blocks to put, keys to delete.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct BlockWrites {
    pub put: Vec<Block>,
    pub delete: Vec<String>,
}

impl Blocks {
    /// Blocks as read, in key order.
    #[must_use]
    pub fn new(blocks: Vec<Block>) -> Self {
        let dirty = vec![false; blocks.len()];
        let stored = blocks.iter().map(|b| b.key.clone()).collect();
        Self {
            list: blocks,
            dirty,
            stored,
            removed: Vec::new(),
        }
    }

    /// How many items the playlist holds.
    #[must_use]
    pub fn len(&self) -> usize {
        self.list.iter().map(|b| b.entries.len()).sum()
    }

    /// The items in order.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.list.iter().flat_map(|b| b.entries.iter())
    }

    /// Inserts `entries` before position `at` (the end when `at` is past it).
    ///
    /// # Errors
    /// When the stored order keys are malformed or out of order.
    pub fn insert(&mut self, at: usize, entries: Vec<Entry>) -> Result<(), OrderKeyError> {
        if entries.is_empty() {
            return Ok(());
        }
        if self.list.is_empty() {
            self.list.push(Block {
                key: order_key::key_between(None, None)?,
                entries: Vec::new(),
            });
            self.dirty.push(true);
        }
        let (index, offset) = self.locate_insert(at);
        let block = &mut self.list[index].entries;
        let tail = block.split_off(offset);
        block.extend(entries);
        block.extend(tail);
        self.dirty[index] = true;
        self.split_if_full(index)
    }

    /// Removes the item `item_id`; answers its position and entry.
    pub fn remove(&mut self, item_id: &str) -> Option<(usize, Entry)> {
        let mut position = 0;
        for index in 0..self.list.len() {
            let block = &mut self.list[index].entries;
            if let Some(offset) = block.iter().position(|e| e.item_id == item_id) {
                let entry = block.remove(offset);
                self.dirty[index] = true;
                self.tidy(index);
                return Some((position + offset, entry));
            }
            position += block.len();
        }
        None
    }

    /// The blocks to write and delete for the edits made.
    #[must_use]
    pub fn into_writes(self) -> BlockWrites {
        let put: Vec<Block> = self
            .list
            .into_iter()
            .zip(self.dirty)
            .filter_map(|(block, dirty)| dirty.then_some(block))
            .collect();
        // A key can come back in one edit (a block emptied, then a split between its
        // neighbours picks the same midpoint): the put replaces it, and a transaction may
        // name an item once.
        let mut delete = self.removed;
        delete.retain(|key| put.iter().all(|b| &b.key != key));
        BlockWrites { put, delete }
    }

    /// The block and offset an insert before `at` goes to: the block holding position `at`,
    /// or the end of the last one.
    fn locate_insert(&self, at: usize) -> (usize, usize) {
        let mut start = 0;
        for (index, block) in self.list.iter().enumerate() {
            if at < start + block.entries.len() {
                return (index, at - start);
            }
            start += block.entries.len();
        }
        let last = self.list.len() - 1;
        (last, self.list[last].entries.len())
    }

    /// Splits block `index` into even parts of at most [`BLOCK_MAX`] when it holds more; the
    /// first keeps its key, the others get keys between it and the next block's.
    fn split_if_full(&mut self, index: usize) -> Result<(), OrderKeyError> {
        let len = self.list[index].entries.len();
        if len <= BLOCK_MAX {
            return Ok(());
        }
        let parts = len.div_ceil(BLOCK_MAX);
        let size = len.div_ceil(parts);
        let next_key = self.list.get(index + 1).map(|b| b.key.clone());
        let keys =
            order_key::keys_between(Some(&self.list[index].key), next_key.as_deref(), parts - 1)?;
        let rest = self.list[index].entries.split_off(size);
        let new_blocks = keys
            .into_iter()
            .zip(rest.chunks(size))
            .map(|(key, chunk)| Block {
                key,
                entries: chunk.to_vec(),
            });
        let at = index + 1;
        let new_blocks: Vec<Block> = new_blocks.collect();
        let added = new_blocks.len();
        self.list.splice(at..at, new_blocks);
        self.dirty.splice(at..at, std::iter::repeat_n(true, added));
        Ok(())
    }

    /// After a removal from block `index`: drops it when empty, or merges a small block into
    /// a neighbour when both fit in one, so blocks do not dwindle into many small ones.
    fn tidy(&mut self, index: usize) {
        if self.list[index].entries.is_empty() {
            self.drop_block(index);
            return;
        }
        if self.list[index].entries.len() >= BLOCK_MERGE_BELOW {
            return;
        }
        let fits =
            |other: &Block| other.entries.len() + self.list[index].entries.len() <= BLOCK_MAX;
        if index + 1 < self.list.len() && fits(&self.list[index + 1]) {
            let next = std::mem::take(&mut self.list[index + 1].entries);
            self.list[index].entries.extend(next);
            self.drop_block(index + 1);
        } else if index > 0 && fits(&self.list[index - 1]) {
            let this = std::mem::take(&mut self.list[index].entries);
            self.list[index - 1].entries.extend(this);
            self.dirty[index - 1] = true;
            self.drop_block(index);
        }
    }

    fn drop_block(&mut self, index: usize) {
        let block = self.list.remove(index);
        self.dirty.remove(index);
        // A block made in this edit was never stored.
        if self.stored.contains(&block.key) {
            self.removed.push(block.key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(prefix: &str, count: usize) -> Vec<Entry> {
        (0..count)
            .map(|n| Entry {
                item_id: format!("it-{prefix}{n}"),
                track_id: format!("t-{prefix}{n}"),
                added_at: 0,
            })
            .collect()
    }

    /// A stored list of `count` items in full blocks.
    fn stored(count: usize) -> Blocks {
        let mut blocks = Blocks::default();
        blocks.insert(0, entries("s", count)).unwrap();
        let writes = blocks.into_writes();
        Blocks::new(writes.put)
    }

    fn keys_in_order(blocks: &Blocks) -> bool {
        blocks.list.windows(2).all(|w| w[0].key < w[1].key)
    }

    #[test]
    fn a_front_insert_into_ten_thousand_items_writes_one_block_or_two() {
        let mut blocks = stored(10_000);
        assert!(blocks.list.iter().all(|b| b.entries.len() <= BLOCK_MAX));
        blocks.insert(0, entries("new", 1)).unwrap();
        assert_eq!(blocks.entries().next().unwrap().item_id, "it-new0");
        assert_eq!(blocks.len(), 10_001);
        assert!(keys_in_order(&blocks));
        let writes = blocks.into_writes();
        assert!(
            (1..=2).contains(&writes.put.len()),
            "{} blocks written",
            writes.put.len()
        );
        assert!(writes.delete.is_empty());
    }

    #[test]
    fn adding_five_hundred_in_the_middle_writes_at_most_four_blocks() {
        let mut blocks = stored(1_000);
        blocks.insert(333, entries("new", 500)).unwrap();
        assert!(keys_in_order(&blocks));
        let order: Vec<&str> = blocks.entries().map(|e| e.item_id.as_str()).collect();
        assert_eq!(order[332], "it-s332");
        assert_eq!(order[333], "it-new0");
        assert_eq!(order[832], "it-new499");
        assert_eq!(order[833], "it-s333");
        let writes = blocks.into_writes();
        assert!(writes.put.len() <= 4, "{} blocks written", writes.put.len());
        assert!(writes.put.iter().all(|b| b.entries.len() <= BLOCK_MAX));
    }

    #[test]
    fn removals_empty_and_merge_blocks_and_say_what_to_delete() {
        let mut blocks = stored(400);
        assert_eq!(blocks.list.len(), 2);
        let second_key = blocks.list[1].key.clone();
        for n in 0..170 {
            let (position, entry) = blocks.remove(&format!("it-s{n}")).unwrap();
            assert_eq!((position, entry.track_id), (0, format!("t-s{n}")));
        }
        // 30 left in the first block: merged with the second's 200? No: 230 do not fit.
        assert_eq!(blocks.list.len(), 2);
        for n in 200..360 {
            blocks.remove(&format!("it-s{n}")).unwrap();
        }
        // 30 and 40 left: merged into the first block, the second deleted.
        assert_eq!(blocks.list.len(), 1);
        assert_eq!(blocks.len(), 70);
        assert!(blocks.remove("it-nope").is_none());
        let writes = blocks.into_writes();
        assert_eq!(writes.delete, [second_key]);
        assert_eq!(writes.put.len(), 1);
    }

    #[test]
    fn every_block_fits_a_dynamodb_item_with_room_to_spare() {
        let mut blocks = Blocks::default();
        let long = (0..BLOCK_MAX)
            .map(|n| Entry {
                item_id: format!("it-{n:032}"),
                track_id: format!("up-{n:060}"),
                added_at: i64::MAX,
            })
            .collect();
        blocks.insert(0, long).unwrap();
        let block = &blocks.into_writes().put[0];
        // DynamoDB counts attribute names and values in UTF-8 bytes, a number at most 21
        // bytes; names "i", "t", "a" and a list/map overhead of a few bytes each.
        let bytes: usize = block
            .entries
            .iter()
            .map(|e| 3 + e.item_id.len() + e.track_id.len() + 21 + 3 * 4)
            .sum();
        assert!(bytes < 40_000, "{bytes} bytes");
    }

    /// A block item's size by `DynamoDB`'s rules: names and strings in UTF-8 bytes, a number
    /// at most 21 bytes, a list or map 3 bytes plus a byte an element.
    fn item_size(playlist_id: &str, block: &Block) -> usize {
        let number = |value: i64| 1 + value.unsigned_abs().to_string().len().div_ceil(2);
        let entries: usize = block
            .entries
            .iter()
            .map(|e| {
                1 + 3
                    + 3
                    + (1 + e.item_id.len())
                    + (1 + e.track_id.len())
                    + (1 + number(e.added_at))
            })
            .sum();
        let pk = 2 + 3 + playlist_id.len();
        let sk = 2 + 2 + block.key.len();
        pk + sk + "entries".len() + 3 + entries
    }

    #[test]
    fn random_edits_keep_order_and_stay_within_dynamodb_limits() {
        use rand::rngs::StdRng;
        use rand::{Rng as _, SeedableRng as _};
        use std::collections::BTreeMap;

        const FIXED_ACTIONS: usize = 7;
        let playlist_id = "pl-0123456789abcdef0123456789abcdef";
        let mut rng = StdRng::seed_from_u64(strato_testkit::test_seed(
            "random_edits_keep_order_and_stay_within_dynamodb_limits",
        ));
        // The table as a transaction leaves it, and the list as the listener sees it.
        let mut table: BTreeMap<String, Block> = BTreeMap::new();
        let mut model: Vec<Entry> = Vec::new();
        let mut next = 0usize;
        for step in 0..600 {
            let mut blocks = Blocks::new(table.values().cloned().collect());
            let len = model.len();
            let roll = rng.gen_range(0..10);
            if len == 0 || (roll < 5 && len < 10_000) {
                let count = rng.gen_range(1..=500).min(10_000 - len).max(1);
                let at = if rng.gen_bool(0.3) {
                    0
                } else {
                    rng.gen_range(0..=len)
                };
                let new: Vec<Entry> = (0..count)
                    .map(|n| Entry {
                        item_id: format!("it-{:032}", next + n),
                        track_id: format!("up-{:032}", next + n),
                        added_at: 1_800_000_000,
                    })
                    .collect();
                next += count;
                blocks.insert(at, new.clone()).unwrap();
                model.splice(at..at, new);
            } else if roll < 8 {
                let index = rng.gen_range(0..len);
                let victim = model.remove(index);
                let (position, removed) = blocks.remove(&victim.item_id).unwrap();
                assert_eq!((position, removed), (index, victim), "step {step}");
            } else {
                let from = rng.gen_range(0..len);
                let entry = model.remove(from);
                blocks.remove(&entry.item_id).unwrap();
                let to = rng.gen_range(0..=model.len());
                blocks.insert(to, vec![entry.clone()]).unwrap();
                model.insert(to, entry);
            }
            let writes = blocks.into_writes();
            let actions = FIXED_ACTIONS + writes.put.len() + writes.delete.len();
            assert!(actions <= 100, "step {step}: {actions} actions");
            let sizes: Vec<usize> = writes
                .put
                .iter()
                .map(|b| item_size(playlist_id, b))
                .collect();
            assert!(
                sizes.iter().all(|&size| size < 400 * 1024),
                "step {step}: {sizes:?}"
            );
            assert!(sizes.iter().sum::<usize>() < 4 * 1024 * 1024, "step {step}");
            for key in &writes.delete {
                assert!(
                    table.remove(key).is_some(),
                    "step {step}: deletes a block never stored"
                );
            }
            for block in writes.put {
                assert!(
                    !block.entries.is_empty(),
                    "step {step}: an empty block stored"
                );
                table.insert(block.key.clone(), block);
            }
            let stored: Vec<&Entry> = table.values().flat_map(|b| &b.entries).collect();
            assert!(
                stored.iter().copied().eq(model.iter()),
                "step {step}: the table, read in key order, is not the list"
            );
        }
    }
}
