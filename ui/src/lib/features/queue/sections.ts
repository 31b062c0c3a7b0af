/**
 * How the queue panel lays the queue out, and the arithmetic of its keyboard and drops.
 *
 * One list, in play order, in three sections: what has played (above, scrolled past when
 * the panel opens, as Apple Music shows its history), what plays now, and what is next up.
 * Each section has a heading row; all rows have one height, so a row's place is arithmetic
 * and a 10,000-entry queue lays out without measuring anything.
 *
 * Reordering keeps an entry in its section: "next up" is reordered among itself (dragging
 * a track above the one playing would make it "played" without it being heard), what has
 * played among itself, and the entry playing does not move.
 */
import type { QueueEntry, RepeatMode } from "../../../ipc";

export type QueueSection = "played" | "now" | "next";

export type QueueRow =
  | { readonly kind: "heading"; readonly section: QueueSection }
  /** An entry: `index` is its place in the queue. */
  | { readonly kind: "entry"; readonly section: QueueSection; readonly index: number }
  /** "Next up" has nothing in it. */
  | { readonly kind: "empty"; readonly section: "next" };

/** The rows of a queue of `length` entries, the one at `current` playing. */
export function queueRows(length: number, current: number | null): QueueRow[] {
  const rows: QueueRow[] = [];
  if (length === 0) return rows;
  if (current === null) {
    rows.push({ kind: "heading", section: "next" });
    for (let index = 0; index < length; index++) rows.push({ kind: "entry", section: "next", index });
    return rows;
  }
  if (current > 0) {
    rows.push({ kind: "heading", section: "played" });
    for (let index = 0; index < current; index++) rows.push({ kind: "entry", section: "played", index });
  }
  rows.push({ kind: "heading", section: "now" }, { kind: "entry", section: "now", index: current });
  rows.push({ kind: "heading", section: "next" });
  if (current === length - 1) rows.push({ kind: "empty", section: "next" });
  for (let index = current + 1; index < length; index++) rows.push({ kind: "entry", section: "next", index });
  return rows;
}

/** The row showing entry `index` (as `queueRows` lays them out), without laying them out. */
export function rowOfEntry(index: number, current: number | null): number {
  if (current === null) return index + 1;
  const played = current > 0 ? current + 1 : 0;
  if (index < current) return index + 1;
  if (index === current) return played + 1;
  return played + 3 + (index - current - 1);
}

/** The row of the "Now playing" heading (where the panel opens), else the first. */
export function nowPlayingRow(current: number | null): number {
  return current === null ? 0 : rowOfEntry(current, current) - 1;
}

export function sectionOf(index: number, current: number | null): QueueSection {
  if (current === null || index > current) return "next";
  return index === current ? "now" : "played";
}

/** The gaps (0: before the first entry, `length`: after the last) an entry of `section` may drop into. */
export function gapBounds(section: QueueSection, length: number, current: number | null): [number, number] | null {
  if (section === "now") return null;
  if (section === "played") return current === null ? null : [0, current];
  return current === null ? [0, length] : [current + 1, length];
}

/**
 * The `move_in_queue` position that puts entry `from` into gap `gap` of the queue (the
 * entry's index once moved, counted without it), or null when it would not move or the gap
 * is outside its section.
 */
export function dropPosition(from: number, gap: number, length: number, current: number | null): number | null {
  const bounds = gapBounds(sectionOf(from, current), length, current);
  if (!bounds || gap < bounds[0] || gap > bounds[1]) return null;
  if (gap === from || gap === from + 1) return null;
  return gap > from ? gap - 1 : gap;
}

/**
 * The `move_in_queue` position an Alt+key press moves entry `from` to: Alt+Up / Alt+Down
 * one place, Alt+Home / Alt+End to the top or bottom of its section. Null when it cannot
 * move that way (or the key is not one of these).
 */
export function keyboardPosition(from: number, key: string, length: number, current: number | null): number | null {
  const bounds = gapBounds(sectionOf(from, current), length, current);
  if (!bounds) return null;
  const [first, last] = [bounds[0], bounds[1] - 1];
  const target = { ArrowUp: from - 1, ArrowDown: from + 1, Home: first, End: last }[key];
  if (target === undefined || target === from || target < first || target > last) return null;
  return target;
}

/** What the panel says plays when the current track ends by itself. */
export function playsNextWords(
  playsNext: QueueEntry | null,
  current: number | null,
  length: number,
  repeat: RepeatMode,
): string {
  if (current === null) return "";
  const title = playsNext?.track?.title ?? playsNext?.track_id;
  if (repeat === "one") return "Repeat one: this track plays again.";
  if (!playsNext || title === undefined) return "Nothing plays after this track.";
  if (repeat === "all" && current === length - 1) return `Then from the top: ${title}`;
  return `Plays next: ${title}`;
}
