/**
 * The context menu's logic, kept out of the component so it can be tested plainly: which
 * item a key moves to (arrows, Home/End, first-letter typeahead), which key opens a menu,
 * and where a menu goes so that it stays inside the window.
 */

/** What the navigation needs to know of an item. */
export interface MenuItemLike {
  readonly label: string;
  readonly disabled?: boolean;
}

/** How long typed letters add up to one search, as in native menus. */
export const TYPEAHEAD_RESET_MS = 700;

/** The next enabled item from `from` going `step` (±1), wrapping; -1 when none is enabled. */
export function stepFrom(items: readonly MenuItemLike[], from: number, step: 1 | -1): number {
  const count = items.length;
  for (let offset = 1; offset <= count; offset++) {
    const index = (((from + step * offset) % count) + count) % count;
    if (!items[index].disabled) return index;
  }
  return -1;
}

export function firstEnabled(items: readonly MenuItemLike[]): number {
  return stepFrom(items, -1, 1);
}

export function lastEnabled(items: readonly MenuItemLike[]): number {
  return stepFrom(items, items.length, -1);
}

/**
 * The item a navigation key moves to from `active`, or null when the key does not navigate
 * (ArrowUp/ArrowDown wrap; Home/End go to the ends; disabled items are skipped).
 */
export function navigate(items: readonly MenuItemLike[], active: number, key: string): number | null {
  let target: number;
  switch (key) {
    case "ArrowDown":
      target = stepFrom(items, active, 1);
      break;
    case "ArrowUp":
      target = stepFrom(items, active < 0 ? items.length : active, -1);
      break;
    case "Home":
    case "PageUp":
      target = firstEnabled(items);
      break;
    case "End":
    case "PageDown":
      target = lastEnabled(items);
      break;
    default:
      return null;
  }
  return target === -1 ? null : target;
}

/**
 * Typeahead: the item whose label starts with `typed` (letters typed within
 * `TYPEAHEAD_RESET_MS`), searching after `active` and wrapping. The same letter pressed
 * again moves on to the next item starting with it, as native menus do.
 */
export function typeahead(items: readonly MenuItemLike[], active: number, typed: string): number | null {
  const query = typed.toLocaleLowerCase();
  if (!query) return null;
  const repeated = [...query].every((letter) => letter === query[0]);
  // "bb" in a menu with no label starting "bb" cycles through the "b"s.
  const prefix = repeated && !items.some((item) => matches(item, query)) ? query[0] : query;
  // A longer search may still match the item it is on; a single letter moves on.
  const start = prefix.length > 1 ? active : active + 1;
  for (let offset = 0; offset < items.length; offset++) {
    const index = (start + offset + items.length) % items.length;
    if (matches(items[index], prefix)) return index;
  }
  return null;
}

function matches(item: MenuItemLike, prefix: string): boolean {
  return !item.disabled && item.label.trim().toLocaleLowerCase().startsWith(prefix);
}

/** Whether a key typed in a menu is a letter or digit for the typeahead. */
export function isTypeaheadKey(event: Pick<KeyboardEvent, "key" | "ctrlKey" | "metaKey" | "altKey">): boolean {
  return event.key.length === 1 && event.key !== " " && !event.ctrlKey && !event.metaKey && !event.altKey;
}

/** The keys that open a context menu from the keyboard: the Menu key and Shift+F10. */
export function isContextMenuKey(event: Pick<KeyboardEvent, "key" | "shiftKey" | "ctrlKey" | "metaKey" | "altKey">): boolean {
  if (event.key === "ContextMenu") return true;
  return event.key === "F10" && event.shiftKey && !event.ctrlKey && !event.metaKey && !event.altKey;
}

export interface Size {
  readonly width: number;
  readonly height: number;
}

export interface Point {
  readonly x: number;
  readonly y: number;
}

/** Kept between a menu and the window's edge. */
export const VIEWPORT_MARGIN = 8;

/**
 * Where a menu of `size` opened at `at` goes: its top-left corner at the point, moved left
 * or up (flipped to the other side of the point when it fits there) so it stays in the
 * viewport, and never past its top-left margin.
 */
export function placeMenu(at: Point, size: Size, viewport: Size, margin = VIEWPORT_MARGIN): Point {
  return { x: placeAlong(at.x, at.x, size.width, viewport.width, margin), y: placeAlong(at.y, at.y, size.height, viewport.height, margin) };
}

/**
 * Where a submenu of `size` goes beside its item (`item`: the item's box): to its right,
 * else to its left, else clamped; its top level with the item's, moved up to fit.
 */
export function placeSubmenu(
  item: { left: number; right: number; top: number },
  size: Size,
  viewport: Size,
  margin = VIEWPORT_MARGIN,
): Point {
  return {
    x: placeAlong(item.right, item.left, size.width, viewport.width, margin),
    y: placeAlong(item.top, item.top, size.height, viewport.height, margin),
  };
}

/**
 * One axis: start at `forward` (growing forward), else end at `backward` (growing back)
 * when it fits, else pushed back just enough to fit (or pinned to the margin when larger
 * than the viewport).
 */
function placeAlong(forward: number, backward: number, length: number, viewport: number, margin: number): number {
  if (forward + length <= viewport - margin) return Math.max(margin, forward);
  if (backward - length >= margin) return backward - length;
  return Math.max(margin, viewport - margin - length);
}

/** An entry of a context menu. */
export interface MenuAction extends MenuItemLike {
  /** Names it in tests: `data-testid="menu-<id>"` unless `testId` says otherwise. */
  readonly id: string;
  readonly testId?: string;
  /** Drawn with a line above it, starting a group. */
  readonly separatorBefore?: boolean;
  readonly run?: () => void;
  /** Opens a submenu (right arrow, Enter, or hovering). */
  readonly submenu?: readonly MenuAction[];
  readonly submenuTestId?: string;
  /** Shown in the submenu when it has no entries. */
  readonly submenuEmpty?: string;
}
