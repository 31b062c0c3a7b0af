/**
 * How the queue panel lays the queue out, and the arithmetic of its keyboard and drops.
 *
 * One list, in play order, in three sections: what has played (above, scrolled past when
 * the panel opens, as Apple Music shows its history), what plays now, and what is next up.
 * Each section has a heading row; all rows have one height, so a row's place is arithmetic
 * and a 10,000-entry queue lays out without measuring anything.
 *
 * Reordering keeps entries in their section: "next up" is reordered among itself (dragging
 * a track above the one playing would make it "played" without it being heard), what has
 * played among itself, and the entry playing does not move. A selection moves as one block,
 * in its order, and is made within one section.
 */
import { m } from "$lib/i18n";
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
 * The section all of `moving` (ascending indexes) belong to; null when they span sections,
 * include the one playing (which does not move) or are none.
 */
function sectionOfAll(moving: readonly number[], current: number | null): QueueSection | null {
  if (moving.length === 0) return null;
  const section = sectionOf(moving[0], current);
  if (section === "now" || sectionOf(moving[moving.length - 1], current) !== section) return null;
  return section;
}

/** Whether the block `moving` put at `position` (counted without it) is where it is now. */
function staysPut(moving: readonly number[], position: number): boolean {
  const contiguous = moving[moving.length - 1] - moving[0] === moving.length - 1;
  return contiguous && moving[0] === position;
}

/**
 * The `move_in_queue` position that puts the entries `moving` (ascending indexes, one
 * section: a selection, or one entry) into gap `gap` of the queue, together and in their
 * order: the first one's index once moved, counted without them. Null when nothing would
 * move or the gap is outside their section.
 */
export function dropPosition(
  moving: readonly number[],
  gap: number,
  length: number,
  current: number | null,
): number | null {
  const section = sectionOfAll(moving, current);
  const bounds = section && gapBounds(section, length, current);
  if (!bounds || gap < bounds[0] || gap > bounds[1]) return null;
  const position = gap - moving.filter((index) => index < gap).length;
  return staysPut(moving, position) ? null : position;
}

/**
 * The `move_in_queue` position an Alt+key press moves the entries `moving` to (ascending
 * indexes, one section): Alt+Up / Alt+Down one place (a scattered selection gathers there),
 * Alt+Home / Alt+End to the top or bottom of their section. Null when they cannot move that
 * way (or the key is not one of these).
 */
export function keyboardPosition(
  moving: readonly number[],
  key: string,
  length: number,
  current: number | null,
): number | null {
  const section = sectionOfAll(moving, current);
  const bounds = section && gapBounds(section, length, current);
  if (!bounds) return null;
  const [first, last] = [bounds[0], bounds[1] - moving.length];
  const from = moving[0];
  const target = { ArrowUp: from - 1, ArrowDown: from + 1, Home: first, End: last }[key];
  if (target === undefined) return null;
  const position = Math.min(Math.max(target, first), last);
  return staysPut(moving, position) ? null : position;
}

/**
 * The entries a Shift range from `anchor` to `target` selects, ascending: both ends, kept
 * within the target's section (the one playing is never selected: it does not move and
 * cannot be removed).
 */
export function rangeIndexes(anchor: number, target: number, length: number, current: number | null): number[] {
  const section = sectionOf(target, current);
  const bounds = gapBounds(section, length, current);
  if (!bounds || target < 0 || target >= length) return [];
  const from = Math.min(Math.max(anchor, bounds[0]), bounds[1] - 1);
  const indexes: number[] = [];
  for (let index = Math.min(from, target); index <= Math.max(from, target); index++) indexes.push(index);
  return indexes;
}

/** Every entry of `index`'s section (Ctrl+A), ascending; from the one playing: next up. */
export function sectionIndexes(index: number, length: number, current: number | null): number[] {
  const section = sectionOf(index, current);
  const bounds = gapBounds(section === "now" ? "next" : section, length, current);
  if (!bounds) return [];
  return Array.from({ length: bounds[1] - bounds[0] }, (_, offset) => bounds[0] + offset);
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
  if (repeat === "one") return m.queue_repeat_one();
  if (!playsNext || title === undefined) return m.queue_nothing_after();
  if (repeat === "all" && current === length - 1) return m.queue_from_top({ title });
  return m.queue_plays_next({ title });
}
