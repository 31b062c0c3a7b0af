/**
 * A playlist on this computer as the track list shows it: its rows, and where playing from one
 * starts. Pure, so it is tested plainly.
 */
import type { LocalPlaylistItem } from "../../../ipc";
import type { TrackRow } from "$lib/list/rows";

/**
 * The rows of a playlist's items, in order. A row's key is its item's id, which stays with it
 * through moves and removals (the same file twice is two items), so the selection and the
 * keyboard's place follow it, and an edit names it.
 */
export function localPlaylistRows(items: readonly LocalPlaylistItem[]): TrackRow[] {
  return items.map((item) => ({ key: item.item_id, trackId: item.track.id, track: item.track, missing: item.missing }));
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
