/**
 * Multi-select over a list of rows, as pure functions of an immutable state.
 *
 * Rows are named by their keys (a playlist item's id, a track's id), never by their index,
 * so a selection survives scrolling, paging and rows being added or removed around it. The
 * state keeps three things: what is selected, the anchor a Shift range starts from (the
 * last row clicked or toggled, as in a file manager, not the selection's first or last
 * row), and the row the keyboard is on.
 */

export interface Selection {
  /** The selected rows' keys (in no particular order: `inOrder` gives the list's). */
  readonly selected: ReadonlySet<string>;
  /** Where a Shift range starts. */
  readonly anchor: string | null;
  /** The row the keyboard is on (the one with tabindex 0). */
  readonly focus: string | null;
}

export const EMPTY_SELECTION: Selection = { selected: new Set(), anchor: null, focus: null };

/** How a click (or a key) changes the selection. */
export interface Modifiers {
  /** Shift: a range from the anchor. */
  readonly range: boolean;
  /** Ctrl (Cmd on macOS): toggle one row, or add a range to what is selected. */
  readonly toggle: boolean;
}

/** A plain click: only this row, which becomes the anchor. */
export function selectOnly(key: string): Selection {
  return { selected: new Set([key]), anchor: key, focus: key };
}

/** Ctrl/Cmd-click: this row in or out, the others kept; it becomes the anchor. */
export function toggle(state: Selection, key: string): Selection {
  const selected = new Set(state.selected);
  if (!selected.delete(key)) selected.add(key);
  return { selected, anchor: key, focus: key };
}

/**
 * Shift-click: the rows from the anchor to `key`, both included; with `add` (Ctrl+Shift)
 * added to what was selected, else replacing it. The anchor stays, so a second Shift-click
 * redraws the range from the same row. Without an anchor (or with one no longer in the
 * list), `key` becomes the anchor.
 */
export function selectRange(state: Selection, keys: readonly string[], key: string, add = false): Selection {
  const to = keys.indexOf(key);
  if (to === -1) return state;
  const from = state.anchor === null ? -1 : keys.indexOf(state.anchor);
  if (from === -1) {
    return add ? { selected: new Set([...state.selected, key]), anchor: key, focus: key } : selectOnly(key);
  }
  const selected = new Set(add ? state.selected : []);
  for (let index = Math.min(from, to); index <= Math.max(from, to); index++) selected.add(keys[index]);
  return { selected, anchor: state.anchor, focus: key };
}

/** A click with its modifiers. */
export function click(state: Selection, keys: readonly string[], key: string, modifiers: Modifiers): Selection {
  if (modifiers.range) return selectRange(state, keys, key, modifiers.toggle);
  if (modifiers.toggle) return toggle(state, key);
  return selectOnly(key);
}

/**
 * A right-click (or the context-menu key) on a row: inside the selection it acts on the
 * selection as it is; outside, that row alone is selected first.
 */
export function forContextMenu(state: Selection, key: string): Selection {
  if (state.selected.has(key)) return { ...state, focus: key };
  return selectOnly(key);
}

/** How a key moves the keyboard's row. */
export type FocusMove = "select" | "extend" | "focus";

/**
 * The keyboard moves to the row at `index`:
 * - `select` (an arrow alone): that row alone is selected and anchors the next range;
 * - `extend` (Shift+arrow): the range from the anchor to it;
 * - `focus` (Ctrl+arrow): only the focus moves, the selection stays (Ctrl+Space toggles).
 */
export function moveTo(state: Selection, keys: readonly string[], index: number, how: FocusMove): Selection {
  if (keys.length === 0) return state;
  const key = keys[Math.min(keys.length - 1, Math.max(0, index))];
  if (how === "focus") return { ...state, focus: key };
  if (how === "extend") {
    // The first Shift+arrow starts from the row the keyboard was on.
    const anchored = state.anchor !== null && keys.includes(state.anchor) ? state : { ...state, anchor: state.focus };
    return selectRange(anchored, keys, key);
  }
  return selectOnly(key);
}

/** Ctrl/Cmd+A: every row; the anchor and focus stay where they were. */
export function selectAll(state: Selection, keys: readonly string[]): Selection {
  return { ...state, selected: new Set(keys) };
}

/** Escape: nothing selected; the keyboard stays on its row. */
export function clear(state: Selection): Selection {
  if (state.selected.size === 0 && state.anchor === null) return state;
  return { selected: new Set(), anchor: null, focus: state.focus };
}

/**
 * Drops what is no longer in the list (after an edit or a new search). The same object
 * comes back when nothing was dropped, so a store holding it does not change.
 */
export function prune(state: Selection, keys: readonly string[]): Selection {
  const present = new Set(keys);
  const gone = [...state.selected].some((key) => !present.has(key));
  const anchorGone = state.anchor !== null && !present.has(state.anchor);
  const focusGone = state.focus !== null && !present.has(state.focus);
  if (!gone && !anchorGone && !focusGone) return state;
  return {
    selected: gone ? new Set([...state.selected].filter((key) => present.has(key))) : state.selected,
    anchor: anchorGone ? null : state.anchor,
    focus: focusGone ? null : state.focus,
  };
}

/** The selected keys in the list's order. */
export function inOrder(state: Selection, keys: readonly string[]): string[] {
  if (state.selected.size === 0) return [];
  return keys.filter((key) => state.selected.has(key));
}

/** The indexes of the selected rows, ascending. */
export function selectedIndexes(state: Selection, keys: readonly string[]): number[] {
  const indexes: number[] = [];
  keys.forEach((key, index) => {
    if (state.selected.has(key)) indexes.push(index);
  });
  return indexes;
}

/**
 * The row a navigation key moves the keyboard to, from `index` in a list of `length` rows
 * with `pageSize` rows on screen; null when the key does not navigate.
 */
export function navigationTarget(key: string, index: number, length: number, pageSize: number): number | null {
  if (length === 0) return null;
  const last = length - 1;
  const page = Math.max(1, pageSize - 1);
  switch (key) {
    case "ArrowUp":
      return Math.max(0, index - 1);
    case "ArrowDown":
      return Math.min(last, index + 1);
    case "PageUp":
      return Math.max(0, index - page);
    case "PageDown":
      return Math.min(last, index + page);
    case "Home":
      return 0;
    case "End":
      return last;
    default:
      return null;
  }
}
