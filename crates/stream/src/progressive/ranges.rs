//! Which byte ranges of a file are held: sorted, disjoint, merged half-open intervals.

/// A set of half-open byte ranges `start..end`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RangeSet {
    ranges: Vec<(u64, u64)>,
}

impl RangeSet {
    /// Adds `start..end`, merging with neighbours it touches or overlaps.
    pub fn insert(&mut self, start: u64, end: u64) {
        if start >= end {
            return;
        }
        let first = self.ranges.partition_point(|&(_, e)| e < start);
        let mut merged = (start, end);
        let mut last = first;
        while last < self.ranges.len() && self.ranges[last].0 <= merged.1 {
            merged.0 = merged.0.min(self.ranges[last].0);
            merged.1 = merged.1.max(self.ranges[last].1);
            last += 1;
        }
        self.ranges.splice(first..last, [merged]);
    }

    /// The end of the held range containing `pos`, or `None` when `pos` is not held.
    #[must_use]
    pub fn held_until(&self, pos: u64) -> Option<u64> {
        let i = self.ranges.partition_point(|&(_, e)| e <= pos);
        self.ranges
            .get(i)
            .filter(|&&(s, _)| s <= pos)
            .map(|&(_, e)| e)
    }

    /// The first byte at or after `pos` that is not held.
    #[must_use]
    pub fn next_missing(&self, pos: u64) -> u64 {
        self.held_until(pos).unwrap_or(pos)
    }

    /// The start of the first held range after `pos`, if any: where a fetch from `pos`
    /// can stop.
    #[must_use]
    pub fn next_held_after(&self, pos: u64) -> Option<u64> {
        self.ranges.iter().map(|&(s, _)| s).find(|&s| s > pos)
    }

    /// Whether all of `0..len` is held.
    #[must_use]
    pub fn covers(&self, len: u64) -> bool {
        len == 0 || self.ranges.first() == Some(&(0, len)) || self.held_until(0) >= Some(len)
    }

    /// Bytes held.
    #[must_use]
    pub fn total(&self) -> u64 {
        self.ranges.iter().map(|&(s, e)| e - s).sum()
    }

    #[must_use]
    pub fn ranges(&self) -> &[(u64, u64)] {
        &self.ranges
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inserts_merge_and_queries_answer() {
        let mut set = RangeSet::default();
        set.insert(10, 20);
        set.insert(30, 40);
        set.insert(20, 25); // touches the first
        assert_eq!(set.ranges(), &[(10, 25), (30, 40)]);
        set.insert(5, 35); // swallows both
        assert_eq!(set.ranges(), &[(5, 40)]);
        set.insert(50, 50); // empty: ignored
        assert_eq!(set.held_until(5), Some(40));
        assert_eq!(set.held_until(39), Some(40));
        assert_eq!(set.held_until(40), None);
        assert_eq!(set.held_until(4), None);
        assert_eq!(set.next_missing(7), 40);
        assert_eq!(set.next_missing(45), 45);
        assert_eq!(set.next_held_after(0), Some(5));
        assert_eq!(set.next_held_after(5), None);
        assert!(!set.covers(40));
        set.insert(0, 5);
        assert!(set.covers(40));
        assert!(!set.covers(41));
        assert_eq!(set.total(), 40);
    }

    #[test]
    fn random_inserts_match_a_bitmap() {
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % 200
        };
        for _ in 0..200 {
            let mut set = RangeSet::default();
            let mut bitmap = [false; 200];
            for _ in 0..12 {
                let (a, b) = (next(), next());
                let (s, e) = (a.min(b), a.max(b));
                set.insert(s, e);
                for bit in &mut bitmap[usize::try_from(s).unwrap()..usize::try_from(e).unwrap()] {
                    *bit = true;
                }
            }
            for pos in 0..200_u64 {
                let held = bitmap[usize::try_from(pos).unwrap()];
                assert_eq!(set.held_until(pos).is_some(), held, "pos {pos}");
            }
            assert!(set.ranges().windows(2).all(|w| w[0].1 < w[1].0));
        }
    }
}
