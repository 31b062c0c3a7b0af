import type { PlaylistChanges, PlaylistItem, PlaylistView, Track } from "../../ipc";

/**
 * A playlist as shown, with an edit's answer applied: the playlist's new details, and each
 * change (items added at an index, items removed, items moved together to an index) in
 * order, as the core made them. Nothing else of a long list is copied more than once.
 */
export function applyChanges(view: PlaylistView, answer: PlaylistChanges): PlaylistView {
  let items: PlaylistItem[] = [...view.items];
  for (const change of answer.changes) {
    switch (change.kind) {
      case "added":
        items.splice(
          Math.min(change.position, items.length),
          0,
          // Added here: playable (the service takes only tracks this listener may hear).
          ...change.items.map(({ item_id, track_id, offline }) => ({ item_id, track_id, offline, available: true })),
        );
        break;
      case "removed": {
        const gone = new Set(change.item_ids);
        items = items.filter((entry) => !gone.has(entry.item_id));
        break;
      }
      case "moved": {
        const moving = new Set(change.item_ids);
        const moved = change.item_ids.flatMap((id) => items.filter((entry) => entry.item_id === id));
        items = items.filter((entry) => !moving.has(entry.item_id));
        items.splice(Math.min(change.position, items.length), 0, ...moved);
        break;
      }
    }
  }
  return { ...view, playlist: answer.playlist, items };
}

/** The tracks' data an answer's additions carry (for the list's track cache). */
export function addedTracks(answer: PlaylistChanges): Track[] {
  return answer.changes.flatMap((change) =>
    change.kind === "added" ? change.items.flatMap((entry) => (entry.track ? [entry.track] : [])) : [],
  );
}

/** The item ids an answer's additions created, in order (what undoing them removes). */
export function addedItemIds(answer: PlaylistChanges): string[] {
  return answer.changes.flatMap((change) => (change.kind === "added" ? change.items.map((entry) => entry.item_id) : []));
}
