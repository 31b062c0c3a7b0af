/**
 * A playlist on this computer as the track list shows it, and the arithmetic between the
 * list's edits and the core's. The list names rows by key and moves them by anchors ("after
 * that row", see `$lib/list/moves`); the core names items by position (from 0) and moves one
 * item at a time ("from 3 to 1", `to` being its place once moved). Pure, so it is tested
 * plainly.
 */
import type { LocalPlaylistItem } from "../../../ipc";
import { applyMoves, type ItemMove } from "$lib/list/moves";
import type { TrackRow } from "$lib/list/rows";

/**
 * The rows of a playlist's items, in order. A row's key is its file's id and which copy of
 * it this is ("file:///a.flac#0", "…#1"): items have no id of their own, and positions change
 * with every move, but a key made so stays with its item across moves and removals, so the
 * selection and the keyboard's place follow it.
 */
export function localPlaylistRows(items: readonly LocalPlaylistItem[]): TrackRow[] {
  const copies = new Map<string, number>();
  return items.map((item) => {
    const copy = copies.get(item.track.id) ?? 0;
    copies.set(item.track.id, copy + 1);
    return { key: `${item.track.id}#${copy}`, trackId: item.track.id, track: item.track, missing: item.missing };
  });
}

/** One move of the core's: the item at index `from` goes to `to`, its place once moved. */
export interface IndexMove {
  readonly from: number;
  readonly to: number;
}

/**
 * The core's moves that do what the list's `moves` do to `order` (the rows' keys), one after
 * the other, each counted in the list the previous one left. Moves that change nothing are
 * left out.
 */
export function indexMoves(order: readonly string[], moves: readonly ItemMove[]): IndexMove[] {
  const steps: IndexMove[] = [];
  let list = [...order];
  for (const move of moves) {
    const from = list.indexOf(move.item_id);
    const next = applyMoves(list, [move]);
    const to = next.indexOf(move.item_id);
    if (from !== -1 && to !== from) steps.push({ from, to });
    list = next;
  }
  return steps;
}

/** The moves that take `moves` back: each reversed, the last first. */
export function reversedMoves(moves: readonly IndexMove[]): IndexMove[] {
  return [...moves].reverse().map(({ from, to }) => ({ from: to, to: from }));
}

/**
 * The moves that put items back where they were, once added again at the end of the list
 * in the order they had: `indexes` are where they were (ascending), `length` the list's
 * length with them added back. Each goes from the end block to its old place, lowest
 * first, so the list before it is as it was up to there.
 */
export function putBackMoves(indexes: readonly number[], length: number): IndexMove[] {
  const sorted = [...indexes].sort((a, b) => a - b);
  const first = length - sorted.length;
  return sorted.map((to, n) => ({ from: first + n, to })).filter(({ from, to }) => from !== to);
}

/**
 * Where playing from row `index` starts among the rows that play (a missing file is left
 * out): the ids to play and the start, or null when that row's file is missing.
 */
export function playableFrom(rows: readonly TrackRow[], index: number): { trackIds: string[]; start: number } | null {
  if (rows[index]?.missing) return null;
  const trackIds: string[] = [];
  let start = 0;
  rows.forEach((row, at) => {
    if (row.missing) return;
    if (at === index) start = trackIds.length;
    trackIds.push(row.trackId);
  });
  return trackIds.length > 0 ? { trackIds, start } : null;
}
