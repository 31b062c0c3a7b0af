import { describe, expect, it } from "vitest";
import { makeQueueEntry, makeQueueView, makeTrack } from "../../../test/fixtures";
import type { QueueEntry, QueueView } from "../../../ipc";
import {
  adopt,
  applyPage,
  applyView,
  clearUpcoming,
  EMPTY_CACHE,
  entryAt,
  indexOfEntry,
  isFresh,
  moveEntries,
  PAGE_SIZE,
  pagesToRead,
  removeEntries,
  type QueueCache,
} from "./cache";

const tracks = Array.from({ length: 6 }, (_, i) => makeTrack(`t${i}`));

/** The entry ids shown, in order (`undefined` where not read). */
function ids(cache: QueueCache): (number | undefined)[] {
  return Array.from({ length: cache.length }, (_, index) => entryAt(cache, index)?.entry_id);
}

/** A view of the queue with these entry ids (track `t<id % 6>`), `current` playing. */
function viewOf(entryIds: number[], current: number | null, revision: number): QueueView {
  const entries: QueueEntry[] = entryIds.map((id) => makeQueueEntry(tracks[id % 6], id));
  return {
    revision,
    length: entries.length,
    current,
    now_playing: current === null ? null : entries[current],
    plays_next: current === null ? null : (entries[current + 1] ?? null),
    window: { revision, offset: 0, entries },
  };
}

describe("the queue from the core's views and pages", () => {
  it("takes a first view with its window, the rest to be read", () => {
    const view = makeQueueView(tracks, 2, { revision: 3, window: { from: 1, to: 4 } });
    const cache = applyView(EMPTY_CACHE, view);
    expect(cache.length).toBe(6);
    expect(cache.current).toBe(2);
    expect(ids(cache)).toEqual([undefined, 101, 102, 103, undefined, undefined]);
    expect(cache.slots).toHaveLength(6);
    expect(isFresh(cache, 1)).toBe(true);
    expect(isFresh(cache, 0)).toBe(false);
  });

  it("moves only the place when the entries did not change", () => {
    const cache = applyView(EMPTY_CACHE, makeQueueView(tracks, 0, { revision: 3 }));
    const moved = applyView(cache, { ...makeQueueView(tracks, 4, { revision: 3 }), window: null });
    expect(moved.current).toBe(4);
    expect(moved.nowPlaying?.entry_id).toBe(104);
    expect(moved.slots).toBe(cache.slots);
  });

  it("forgets what was read when the entries changed under it", () => {
    const cache = applyView(EMPTY_CACHE, makeQueueView(tracks, 0, { revision: 3 }));
    const changed = applyView(cache, makeQueueView(tracks.slice(0, 4), 0, { revision: 4, window: { from: 0, to: 2 } }));
    expect(ids(changed)).toEqual([100, 101, undefined, undefined]);
  });

  it("keeps a page only of the revision held", () => {
    const cache = applyView(EMPTY_CACHE, makeQueueView(tracks, 0, { revision: 3, window: null }));
    const entries = tracks.map((track, i) => makeQueueEntry(track, 100 + i));
    const stale = applyPage(cache, { revision: 2, offset: 0, entries });
    expect(stale).toBe(cache);
    const read = applyPage(cache, { revision: 3, offset: 2, entries: entries.slice(2, 4) });
    expect(ids(read)).toEqual([undefined, undefined, 102, 103, undefined, undefined]);
  });

  it("reads each page holding an entry missing or out of date, once", () => {
    const long = adopt({ revision: 1, length: 450, current: 0, now_playing: null, plays_next: null, window: null });
    expect(pagesToRead(long, 0, 10)).toEqual([0]);
    expect(pagesToRead(long, 90, 210)).toEqual([0, 1, 2]);
    expect(pagesToRead(long, 440, 999)).toEqual([4]);
    const entries = Array.from({ length: PAGE_SIZE }, (_, i) => makeQueueEntry(tracks[0], 1_000 + i));
    const first = applyPage(long, { revision: 1, offset: 0, entries });
    expect(pagesToRead(first, 0, 150)).toEqual([1]);
    expect(pagesToRead(first, 0, 100)).toEqual([]);
  });

  it("finds an entry by its id", () => {
    const cache = applyView(EMPTY_CACHE, viewOf([7, 3, 9], 0, 1));
    expect(indexOfEntry(cache, 9)).toBe(2);
    expect(indexOfEntry(cache, 4)).toBeNull();
  });
});

describe("the listener's edits, shown ahead of the core", () => {
  const start = () => applyView(EMPTY_CACHE, viewOf([10, 11, 12, 13, 14], 1, 5));

  it("moves entries together, as the core does, and awaits its answer", () => {
    const moved = moveEntries(start(), [14, 12], 2);
    expect(moved && ids(moved)).toEqual([10, 11, 12, 14, 13]);
    expect(moved?.pending).toEqual([5]);
    expect(moved?.current).toBe(1);
  });

  it("follows the entry playing when entries move around it", () => {
    const moved = moveEntries(start(), [13], 0);
    expect(moved && ids(moved)).toEqual([13, 10, 11, 12, 14]);
    expect(moved?.current).toBe(2);
  });

  it("answers the same queue for a move that moves nothing, null for an entry not read", () => {
    const cache = start();
    expect(moveEntries(cache, [12], 2)).toBe(cache);
    expect(moveEntries(cache, [99], 0)).toBeNull();
    expect(moveEntries(cache, [], 0)).toBe(cache);
  });

  it("removes entries but never the one playing", () => {
    const cache = start();
    const removed = removeEntries(cache, [11, 13]);
    expect(removed && ids(removed)).toEqual([10, 11, 12, 14]);
    expect(removed?.pending).toEqual([4]);
    expect(removeEntries(cache, [11])).toBe(cache);
    expect(removeEntries(cache, [42])).toBeNull();
  });

  it("clears next up, keeping what played and what plays", () => {
    const cleared = clearUpcoming(start());
    expect(cleared && ids(cleared)).toEqual([10, 11]);
    const again = clearUpcoming(cleared!);
    expect(again).toBe(cleared);
  });

  it("keeps showing edits while the core answers them one by one", () => {
    let cache = moveEntries(start(), [12], 3)!; // 10 11 13 12 14
    cache = moveEntries(cache, [12], 4)!; // 10 11 13 14 12
    expect(cache.pending).toEqual([5, 5]);

    // The first answer is older than what is shown: the window's entries are not taken.
    cache = applyView(cache, viewOf([10, 11, 13, 12, 14], 1, 6));
    expect(ids(cache)).toEqual([10, 11, 13, 14, 12]);
    expect(pagesToRead(cache, 0, 5)).toEqual([]);

    cache = applyView(cache, viewOf([10, 11, 13, 14, 12], 1, 7));
    expect(cache.pending).toEqual([]);
    expect(cache.revision).toBe(7);
    expect(isFresh(cache, 4)).toBe(true);
  });

  it("keeps entries outside the answer's window, to be read again", () => {
    const view = viewOf([10, 11, 12, 13, 14], 1, 5);
    let cache = applyView(EMPTY_CACHE, view);
    cache = removeEntries(cache, [13])!;
    const answer = viewOf([10, 11, 12, 14], 1, 6);
    answer.window = { revision: 6, offset: 0, entries: answer.window!.entries.slice(0, 2) };
    cache = applyView(cache, answer);
    expect(ids(cache)).toEqual([10, 11, 12, 14]);
    expect([0, 1, 2, 3].map((i) => isFresh(cache, i))).toEqual([true, true, false, false]);
    expect(pagesToRead(cache, 0, 4)).toEqual([0]);
  });

  it("takes the core's word when its answer is not the queue the edit expected", () => {
    let cache = removeEntries(start(), [13])!;
    cache = applyView(cache, viewOf([10, 11, 12, 13, 14, 15], 1, 6));
    expect(ids(cache)).toEqual([10, 11, 12, 13, 14, 15]);
    expect(cache.pending).toEqual([]);
  });

  it("places the entry playing by its id while edits are on their way", () => {
    let cache = moveEntries(start(), [10], 4)!; // 11 12 13 14 10, current 0 (entry 11)
    // The track ended and the core, not yet at our edit, reports the next one at index 2.
    cache = applyView(cache, { ...viewOf([10, 11, 12, 13, 14], 2, 5), window: null });
    expect(cache.current).toBe(1);
    expect(cache.nowPlaying?.entry_id).toBe(12);
  });
});

describe("no entry shown twice", () => {
  it("drops an entry's old slot when it is read elsewhere", () => {
    let cache = applyView(EMPTY_CACHE, viewOf([10, 11, 12, 13], 0, 1));
    cache = removeEntries(cache, [12])!; // 10 11 13
    // The core moved 13 too (another edit got there first): same length, another order.
    const answer = viewOf([10, 13, 11], 0, 2);
    answer.window = { revision: 2, offset: 1, entries: answer.window!.entries.slice(1, 2) };
    cache = applyView(cache, answer);
    expect(ids(cache)).toEqual([10, 13, undefined]);
  });
});
