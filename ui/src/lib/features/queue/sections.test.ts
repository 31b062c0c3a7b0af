import { describe, expect, it } from "vitest";
import { makeQueueEntry, makeTrack } from "../../../test/fixtures";
import {
  dropPosition,
  keyboardPosition,
  nowPlayingRow,
  playsNextWords,
  queueRows,
  rangeIndexes,
  rowOfEntry,
  sectionIndexes,
  sectionOf,
  type QueueRow,
} from "./sections";

function describeRows(rows: QueueRow[]): string[] {
  return rows.map((row) => (row.kind === "entry" ? `${row.section}:${row.index}` : `${row.kind}:${row.section}`));
}

describe("the queue's sections", () => {
  it("lays out played, now playing and next up, in play order", () => {
    expect(describeRows(queueRows(4, 1))).toEqual([
      "heading:played",
      "played:0",
      "heading:now",
      "now:1",
      "heading:next",
      "next:2",
      "next:3",
    ]);
  });

  it("has no played section at the start, and says when nothing is next", () => {
    expect(describeRows(queueRows(1, 0))).toEqual(["heading:now", "now:0", "heading:next", "empty:next"]);
    expect(queueRows(0, null)).toEqual([]);
  });

  it("shows everything as next up with nothing current", () => {
    expect(describeRows(queueRows(2, null))).toEqual(["heading:next", "next:0", "next:1"]);
  });

  it("finds an entry's row without laying the rows out", () => {
    for (const [length, current] of [
      [6, 0],
      [6, 3],
      [6, 5],
      [3, null],
    ] as const) {
      const rows = queueRows(length, current);
      for (let index = 0; index < length; index++) {
        const row = rows[rowOfEntry(index, current)];
        expect(row.kind === "entry" && row.index).toBe(index);
      }
      const heading = rows[nowPlayingRow(current)];
      expect(heading.kind).toBe("heading");
    }
  });

  it("tells an entry's section", () => {
    expect([0, 1, 2].map((index) => sectionOf(index, 1))).toEqual(["played", "now", "next"]);
    expect(sectionOf(0, null)).toBe("next");
  });
});

describe("reordering within a section", () => {
  // Six entries, the one at 2 playing: 0-1 played, 3-5 next up.
  it("moves next up by one place with Alt+arrows, and to its ends with Alt+Home/End", () => {
    expect(keyboardPosition([4], "ArrowUp", 6, 2)).toBe(3);
    expect(keyboardPosition([4], "ArrowDown", 6, 2)).toBe(5);
    expect(keyboardPosition([5], "Home", 6, 2)).toBe(3);
    expect(keyboardPosition([3], "End", 6, 2)).toBe(5);
  });

  it("never moves an entry out of its section, nor the one playing", () => {
    expect(keyboardPosition([3], "ArrowUp", 6, 2)).toBeNull();
    expect(keyboardPosition([5], "ArrowDown", 6, 2)).toBeNull();
    expect(keyboardPosition([1], "ArrowDown", 6, 2)).toBeNull();
    expect(keyboardPosition([0], "ArrowDown", 6, 2)).toBe(1);
    expect(keyboardPosition([2], "ArrowDown", 6, 2)).toBeNull();
    expect(keyboardPosition([4], "Enter", 6, 2)).toBeNull();
  });

  it("moves anywhere with nothing playing", () => {
    expect(keyboardPosition([0], "End", 3, null)).toBe(2);
  });

  // Eight entries, the one at 0 playing: 1-7 next up.
  it("moves a selection as one block, gathering a scattered one", () => {
    expect(keyboardPosition([2, 4], "Home", 8, 0)).toBe(1);
    expect(keyboardPosition([2, 4], "ArrowUp", 8, 0)).toBe(1);
    // Counted without the block: [0, 1, 3, 5, 6, 7] with it put at 3.
    expect(keyboardPosition([2, 4], "ArrowDown", 8, 0)).toBe(3);
    expect(keyboardPosition([2, 4], "End", 8, 0)).toBe(6);
    // A block already at the top or the bottom stays; a scattered one at the top gathers.
    expect(keyboardPosition([1, 2], "ArrowUp", 8, 0)).toBeNull();
    expect(keyboardPosition([6, 7], "End", 8, 0)).toBeNull();
    expect(keyboardPosition([1, 3], "ArrowUp", 8, 0)).toBe(1);
  });

  it("does not move a selection across sections, nor with the one playing in it", () => {
    expect(keyboardPosition([1, 3], "ArrowDown", 6, 2)).toBeNull();
    expect(keyboardPosition([2, 3], "ArrowDown", 6, 2)).toBeNull();
    expect(dropPosition([1, 3], 5, 6, 2)).toBeNull();
    expect(keyboardPosition([], "ArrowDown", 6, 2)).toBeNull();
  });

  it("drops a selection into a gap, counted without it", () => {
    // Entries 2 and 4 dropped after entry 6 (gap 7): [0, 1, 3, 5, 6] + block at 5.
    expect(dropPosition([2, 4], 7, 8, 0)).toBe(5);
    expect(dropPosition([5, 6], 1, 8, 0)).toBe(1);
    // A contiguous block dropped on either edge of itself stays; a scattered one gathers.
    expect(dropPosition([3, 4], 3, 8, 0)).toBeNull();
    expect(dropPosition([3, 4], 5, 8, 0)).toBeNull();
    expect(dropPosition([3, 5], 4, 8, 0)).toBe(3);
  });

  it("drops into a gap of the entry's own section only", () => {
    // Entry 3 dragged to the gap after entry 5 (gap 6): it lands last, index 5.
    expect(dropPosition([3], 6, 6, 2)).toBe(5);
    expect(dropPosition([5], 3, 6, 2)).toBe(3);
    // Into its own place, or across the one playing: nothing.
    expect(dropPosition([4], 4, 6, 2)).toBeNull();
    expect(dropPosition([4], 5, 6, 2)).toBeNull();
    expect(dropPosition([4], 2, 6, 2)).toBeNull();
    expect(dropPosition([0], 3, 6, 2)).toBeNull();
    expect(dropPosition([0], 2, 6, 2)).toBe(1);
    expect(dropPosition([2], 5, 6, 2)).toBeNull();
  });
});

describe("selecting in the queue", () => {
  // Eight entries, the one at 3 playing: 0-2 played, 4-7 next up.
  it("selects a Shift range within the target's section", () => {
    expect(rangeIndexes(5, 7, 8, 3)).toEqual([5, 6, 7]);
    expect(rangeIndexes(7, 5, 8, 3)).toEqual([5, 6, 7]);
    // From an anchor in another section: from the target section's edge.
    expect(rangeIndexes(1, 5, 8, 3)).toEqual([4, 5]);
    expect(rangeIndexes(6, 1, 8, 3)).toEqual([1, 2]);
  });

  it("never selects the one playing", () => {
    expect(rangeIndexes(5, 3, 8, 3)).toEqual([]);
    expect(rangeIndexes(5, 8, 8, 3)).toEqual([]);
  });

  it("selects a whole section with Ctrl+A, next up from the one playing", () => {
    expect(sectionIndexes(5, 8, 3)).toEqual([4, 5, 6, 7]);
    expect(sectionIndexes(1, 8, 3)).toEqual([0, 1, 2]);
    expect(sectionIndexes(3, 8, 3)).toEqual([4, 5, 6, 7]);
    expect(sectionIndexes(3, 4, 3)).toEqual([]);
    expect(sectionIndexes(0, 3, null)).toEqual([0, 1, 2]);
  });
});

describe("what plays next, in words", () => {
  const entry = makeQueueEntry(makeTrack("t1", { title: "Drift Ice" }), 7);

  it("names the next track, the wrap of repeat-all and repeat-one", () => {
    expect(playsNextWords(entry, 0, 3, "off")).toBe("Plays next: Drift Ice");
    expect(playsNextWords(entry, 2, 3, "all")).toBe("Then from the top: Drift Ice");
    expect(playsNextWords(entry, 1, 3, "one")).toBe("Repeat one: this track plays again.");
  });

  it("says when the queue ends, and nothing with nothing playing", () => {
    expect(playsNextWords(null, 2, 3, "off")).toBe("Nothing plays after this track.");
    expect(playsNextWords(null, null, 0, "off")).toBe("");
  });
});
