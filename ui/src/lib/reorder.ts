/**
 * Where an item ends up when dropped into a gap of its list: `gap` counts the gaps of the
 * list as shown (0 = before the first item, `length` = after the last), the answer is the
 * item's final index in the list without it (what `move_in_playlist` takes).
 */
export function finalIndex(from: number, gap: number): number {
  return gap > from ? gap - 1 : gap;
}

/** The gap a drop over the item at `index` points at: before it on its upper half, else after. */
export function dropGap(index: number, pointerY: number, top: number, height: number): number {
  return pointerY > top + height / 2 ? index + 1 : index;
}

/** The final index an Alt+Arrow press moves an item to, or null when it can't move further. */
export function keyboardTarget(from: number, length: number, key: string): number | null {
  if (key === "ArrowUp") return from > 0 ? from - 1 : null;
  if (key === "ArrowDown") return from < length - 1 ? from + 1 : null;
  if (key === "Home") return from > 0 ? 0 : null;
  if (key === "End") return from < length - 1 ? length - 1 : null;
  return null;
}
