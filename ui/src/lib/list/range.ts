/**
 * Which rows of a virtualised list of fixed-height rows are on screen, and whether the end
 * of what is loaded is near: what tells a paged list (the catalog) to read its next page as
 * the scroll reaches it, rather than when a sentinel below every row comes into view.
 */

/** The rows on screen: `start` is the first (partly) visible, `end` one past the last. */
export interface RowRange {
  readonly start: number;
  readonly end: number;
}

export const NO_ROWS: RowRange = { start: 0, end: 0 };

/**
 * The rows a scroll root shows, `offset` pixels down its content, `viewport` pixels tall,
 * when the list starts `startMargin` pixels into that content (a header above it) and has
 * `count` rows of `rowHeight` pixels.
 */
export function visibleRows(
  offset: number,
  viewport: number,
  startMargin: number,
  rowHeight: number,
  count: number,
): RowRange {
  if (count <= 0 || rowHeight <= 0 || viewport <= 0) return NO_ROWS;
  const top = offset - startMargin;
  const start = clamp(Math.floor(top / rowHeight), 0, count);
  const end = clamp(Math.ceil((top + viewport) / rowHeight), start, count);
  return { start, end };
}

/**
 * Whether the next page should be read: the last row on screen is within `aheadRows` of the
 * last row loaded (or the list ends above the screen). Nothing on screen yet (not measured,
 * or no rows) is not near anything: the first page is read by whoever shows the list.
 */
export function nearEnd(range: RowRange, count: number, aheadRows: number): boolean {
  if (range.end === 0) return false;
  return range.end >= count - aheadRows;
}

/**
 * The rows whose data to read for a screen showing `range` of `count` rows: the blocks of
 * `block` rows that the screen and `margin` rows either side of it touch. Whole blocks, so
 * a scroll reads a block once, ahead of it, rather than a few rows every frame.
 */
export function blocksAround(range: RowRange, count: number, block: number, margin: number): RowRange {
  if (range.end === 0 || count <= 0 || block <= 0) return NO_ROWS;
  const start = Math.floor(Math.max(0, range.start - margin) / block) * block;
  const end = Math.min(count, Math.ceil((range.end + margin) / block) * block);
  return { start, end: Math.max(start, end) };
}

export function sameRange(a: RowRange, b: RowRange): boolean {
  return a.start === b.start && a.end === b.end;
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}
