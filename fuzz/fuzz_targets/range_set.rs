//! The progressive reader's `RangeSet` against a model anyone can check by eye: one bool per
//! byte. Input: 8 bytes of base offset (so inserts also run near `u64::MAX`), then pairs of
//! bytes, each an insert of `base + a .. base + b` (empty and reversed ranges included, as a
//! buggy caller could pass them), at most 64 of them. After every insert the set must be
//! sorted, disjoint and non-touching and equal the bitmap's runs; at the end it must answer
//! every query (`held_until`, `next_missing`, `next_held_after`, `covers`) as the bitmap does.
#![no_main]

use libfuzzer_sys::fuzz_target;
use strato_stream::progressive::RangeSet;

/// Positions `0..SPAN` relative to the base: offsets are one byte, plus room past the end.
const SPAN: usize = 258;
/// Inserts per input; bytes after them are ignored.
const MAX_INSERTS: usize = 64;

fuzz_target!(|data: &[u8]| {
    let (base, ops) = match data.split_first_chunk::<8>() {
        Some((head, rest)) => (u64::from_le_bytes(*head), rest),
        None => (0, data),
    };
    // Keep base + SPAN representable: the model, not the set, must not overflow.
    let base = base.min(u64::MAX - SPAN as u64);
    let mut set = RangeSet::default();
    let mut bitmap = [false; SPAN];
    // More inserts find nothing new in a 258-byte space, and the checks are quadratic.
    for op in ops.chunks_exact(2).take(MAX_INSERTS) {
        let (a, b) = (usize::from(op[0]), usize::from(op[1]));
        set.insert(base + a as u64, base + b as u64);
        if a < b {
            bitmap[a..b].fill(true);
        }
        check_ranges(&set, &bitmap, base);
    }
    // The queries are pure functions of the ranges, just checked; every intermediate state
    // is also the final state of a shorter input, so checking them once per input suffices.
    check_queries(&set, &bitmap, base);
});

fn check_ranges(set: &RangeSet, bitmap: &[bool; SPAN], base: u64) {
    let ranges = set.ranges();
    for &(s, e) in ranges {
        assert!(s < e, "empty or reversed range {s}..{e} in {ranges:?}");
    }
    for pair in ranges.windows(2) {
        assert!(
            pair[0].1 < pair[1].0,
            "ranges not sorted, disjoint and non-touching: {ranges:?}"
        );
    }
    let runs = runs(bitmap, base);
    assert_eq!(
        ranges,
        runs.as_slice(),
        "set differs from the bitmap's runs"
    );
    let total: u64 = runs.iter().map(|&(s, e)| e - s).sum();
    assert_eq!(set.total(), total);
}

fn check_queries(set: &RangeSet, bitmap: &[bool; SPAN], base: u64) {
    // Walk backwards, so the end of the current run and the next run's start are known.
    let mut run_end = None;
    let mut next_start = None;
    for offset in (0..SPAN).rev() {
        let pos = base + offset as u64;
        let held = bitmap[offset];
        let starts_run = held && (offset == 0 || !bitmap[offset - 1]);
        if !held {
            run_end = None;
        } else if run_end.is_none() {
            run_end = Some(pos + 1);
        }
        assert_eq!(set.held_until(pos), run_end, "held_until({pos})");
        assert_eq!(
            set.next_missing(pos),
            run_end.unwrap_or(pos),
            "next_missing({pos})"
        );
        assert_eq!(
            set.next_held_after(pos),
            next_start,
            "next_held_after({pos})"
        );
        if starts_run {
            next_start = Some(pos);
        }
    }
    if base == 0 {
        let held_from_zero = bitmap.iter().position(|&h| !h).unwrap_or(SPAN);
        for len in 0..=SPAN {
            assert_eq!(
                set.covers(len as u64),
                len <= held_from_zero,
                "covers({len})"
            );
        }
    }
}

/// The maximal runs of held bytes, as absolute half-open ranges.
fn runs(bitmap: &[bool; SPAN], base: u64) -> Vec<(u64, u64)> {
    let mut out = Vec::new();
    let mut start = None;
    for (offset, &held) in bitmap.iter().chain([&false]).enumerate() {
        match (held, start) {
            (true, None) => start = Some(offset),
            (false, Some(s)) => {
                out.push((base + s as u64, base + offset as u64));
                start = None;
            }
            _ => {}
        }
    }
    out
}
