/**
 * Dragging tracks out of a track list: onto a playlist in the sidebar (adds them) or within
 * a playlist (moves them). The drag carries its tracks under a type of its own, so other
 * drops (files, links) are told apart, and is also kept here while it lasts: WebKit lets a
 * page read a drag's data only on drop, but a drop target must decide on `dragover`.
 */

export const TRACKS_MIME = "application/x-strato-tracks";

export interface TrackDrag {
  /** The tracks dragged, in the list's order. */
  readonly trackIds: readonly string[];
  /** When dragged out of a playlist: which, and the items (what a move within it moves). */
  readonly playlistId: string | null;
  readonly itemIds: readonly string[];
  /** The track's title when one is dragged (what the notice after a drop names). */
  readonly title?: string;
}

let current: TrackDrag | null = null;

/** Starts a drag of `drag`; `label` is what other applications get as text. */
export function startTrackDrag(event: DragEvent, drag: TrackDrag, label: string): void {
  current = drag;
  const data = event.dataTransfer;
  if (!data) return;
  data.effectAllowed = "copyMove";
  data.setData(TRACKS_MIME, JSON.stringify(drag));
  // WebKit starts a drag only with some data set, and text is what other apps can take.
  data.setData("text/plain", label);
}

/** The tracks a drag carries, or null when it is not a drag of tracks. */
export function draggedTracks(event: DragEvent): TrackDrag | null {
  if (current) return current;
  const raw = event.dataTransfer?.getData(TRACKS_MIME);
  if (!raw) return null;
  try {
    const parsed = JSON.parse(raw) as Partial<TrackDrag>;
    if (!Array.isArray(parsed.trackIds) || !Array.isArray(parsed.itemIds)) return null;
    return {
      trackIds: parsed.trackIds.filter((id): id is string => typeof id === "string"),
      playlistId: typeof parsed.playlistId === "string" ? parsed.playlistId : null,
      itemIds: parsed.itemIds.filter((id): id is string => typeof id === "string"),
      title: typeof parsed.title === "string" ? parsed.title : undefined,
    };
  } catch {
    return null;
  }
}

/** Whether a drag (on `dragover`, where its data cannot be read yet) carries tracks. */
export function isTrackDrag(event: DragEvent): boolean {
  return current !== null || (event.dataTransfer?.types.includes(TRACKS_MIME) ?? false);
}

/** The drag ended (dropped or not). */
export function endTrackDrag(): void {
  current = null;
}
