/**
 * Where the keyboard goes when rows are taken out of a list: to the row that comes into the
 * first removed one's place, else (the last rows removed) the row before them. Pure, so it is
 * tested plainly.
 */

/** The key that takes the keyboard once `removing` leave `keys`; null when none stays. */
export function keyAfterRemoval(keys: readonly string[], removing: readonly string[]): string | null {
  const gone = new Set(removing);
  const first = keys.findIndex((key) => gone.has(key));
  if (first === -1) return null;
  const after = keys.slice(first).find((key) => !gone.has(key));
  return after ?? [...keys.slice(0, first)].reverse().find((key) => !gone.has(key)) ?? null;
}
