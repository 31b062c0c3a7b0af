/**
 * Moving several items of a playlist as one edit: the arithmetic of drops and of Alt+arrow
 * presses, and of undoing them.
 *
 * A move of a selection is sent as the ordered moves it is: "put item X right after item
 * Y" (or first), one per moved item, each applied to the list the previous one left. Anchors
 * rather than indexes, so that the core (which applies them in one transaction, against the
 * list as it is then) and the service (which receives them as single moves) agree whatever
 * the indexes were when the window computed them.
 */

/** One step of a move: `item_id` goes right after `after` (null: to the top). */
export interface ItemMove {
  readonly item_id: string;
  readonly after: string | null;
}

/**
 * The moves that take `moving` (item ids, in the list's order) out of `order` and put them,
 * together and in that order, into gap `gap` of `order` (0: before the first item,
 * `order.length`: after the last). Empty when the list would not change.
 */
export function blockMoves(order: readonly string[], moving: readonly string[], gap: number): ItemMove[] {
  if (moving.length === 0) return [];
  const set = new Set(moving);
  let after: string | null = null;
  for (let index = Math.min(gap, order.length) - 1; index >= 0; index--) {
    if (!set.has(order[index])) {
      after = order[index];
      break;
    }
  }
  const moves = moving.map((item_id, index) => ({ item_id, after: index === 0 ? after : moving[index - 1] }));
  return sameOrder(applyMoves(order, moves), order) ? [] : moves;
}

/**
 * The moves that undo a move: every item of `moved` goes back right after the item it
 * followed in `original` (the nearest one still in `current`), in `original`'s order, so
 * each lands where it was.
 */
export function restoreMoves(original: readonly string[], current: readonly string[], moved: readonly string[]): ItemMove[] {
  const present = new Set(current);
  const movedSet = new Set(moved);
  const moves: ItemMove[] = [];
  let previous: string | null = null;
  for (const item of original) {
    if (!present.has(item)) continue;
    if (movedSet.has(item)) moves.push({ item_id: item, after: previous });
    previous = item;
  }
  return moves;
}

/** The list after `moves`, applied one after the other (what the core will do). */
export function applyMoves(order: readonly string[], moves: readonly ItemMove[]): string[] {
  const list = [...order];
  for (const { item_id, after } of moves) {
    const from = list.indexOf(item_id);
    if (from === -1) continue;
    list.splice(from, 1);
    const anchor = after === null ? -1 : list.indexOf(after);
    // An anchor not in the list (the core refuses such a move): the item stays.
    const to = after !== null && anchor === -1 ? from : anchor + 1;
    list.splice(to, 0, item_id);
  }
  return list;
}

/**
 * The gap an Alt+arrow press moves the selected rows (their indexes, ascending) into:
 * Alt+Up one row up, Alt+Down one row down (a scattered selection gathers as it moves),
 * Alt+Home to the top, Alt+End to the bottom. Null for other keys.
 */
export function keyboardGap(length: number, selected: readonly number[], key: string): number | null {
  if (selected.length === 0) return null;
  const first = selected[0];
  const last = selected[selected.length - 1];
  switch (key) {
    case "ArrowUp":
      return Math.max(0, first - 1);
    case "ArrowDown":
      return Math.min(length, last + 2);
    case "Home":
      return 0;
    case "End":
      return length;
    default:
      return null;
  }
}

/** The gap a drop over the row at `index` points at: before it on its upper half, else after. */
export function dropGap(index: number, pointerY: number, top: number, height: number): number {
  return pointerY > top + height / 2 ? index + 1 : index;
}

function sameOrder(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, index) => item === b[index]);
}

/** An item taken out of a playlist, where it was. */
export interface RemovedItem {
  /** Its index in the playlist before the removal. */
  readonly index: number;
  readonly trackId: string;
}

/** Inserting tracks at an index of a playlist (`position`: before the item there). */
export interface Insert {
  readonly trackIds: string[];
  readonly position: number;
}

/**
 * The inserts that put removed items back where they were: each run of neighbouring items
 * at once, the runs in ascending order, so that every index is counted in the list as the
 * previous inserts left it, which is the list before the removal up to that point.
 */
export function restoreRemovals(removed: readonly RemovedItem[]): Insert[] {
  const sorted = [...removed].sort((a, b) => a.index - b.index);
  const inserts: Insert[] = [];
  for (const item of sorted) {
    const run = inserts.at(-1);
    if (run && run.position + run.trackIds.length === item.index) run.trackIds.push(item.trackId);
    else inserts.push({ trackIds: [item.trackId], position: item.index });
  }
  return inserts;
}
