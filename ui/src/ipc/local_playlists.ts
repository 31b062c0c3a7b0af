// Playlists kept on this computer ("local playlists"): lists of the listener's own files,
// kept by the Rust side beside the index of local files, so they are there signed out, offline
// and under every account, and never sync. Their ids start `local-playlist:`; their items are
// files on this computer only (`file://` track ids: a service's track is refused, the whole
// call). An item whose file went away is still listed by the tags kept of it, `missing`.
// Items are changed by their own ids (`item_id`, which stays with an item through every move),
// as an account's playlist's are, so a selection chosen before another change still touches
// what was chosen, or is refused (`invalid_input`, nothing changed) when an item chosen is gone.
// Every change bumps the playlist's `revision`; an edit computed from positions (the Undo of a
// removal) names the revision it was computed at and is refused ("The playlist changed
// meanwhile; look again.") when another change came first. When the index cannot be used (the
// data folder being moved, a damaged index) every call rejects `storage`.
import type { LocalPlaylistEdited, LocalPlaylistPage, LocalPlaylistSummary, PlaylistItemEdit } from "./bindings";
import { call, subscribe, type Unlisten } from "./transport";

/**
 * A local playlist was created, renamed, deleted or its items changed, which of its files are
 * missing may have changed, or the index went out of reach or came back (no payload).
 */
export const LOCAL_PLAYLISTS_CHANGED_EVENT = "local-playlists-changed";

/** Every playlist kept on this computer, by name. */
export function localPlaylists(): Promise<LocalPlaylistSummary[]> {
  return call("local_playlists");
}

/** A local playlist with every item in order; rejects `not_found` once it is gone. */
export function localPlaylist(id: string): Promise<LocalPlaylistPage> {
  return call("local_playlist", { id });
}

/**
 * Creates a local playlist named `name` (trimmed; empty is refused in words) of `trackIds`
 * (files on this computer; none is fine).
 */
export function createLocalPlaylist(name: string, trackIds: readonly string[] = []): Promise<LocalPlaylistSummary> {
  return call("create_local_playlist", { name, trackIds: [...trackIds] });
}

export function renameLocalPlaylist(id: string, name: string): Promise<LocalPlaylistSummary> {
  return call("rename_local_playlist", { id, name });
}

/** Deletes a local playlist; its files stay on disk and in the music folders. */
export function deleteLocalPlaylist(id: string): Promise<void> {
  return call("delete_local_playlist", { id });
}

/**
 * Applies `edits` to a local playlist in order, all or none: tracks (files on this computer)
 * added at a place, items removed or moved by their ids. Given `expectedRevision`, refused
 * when the playlist changed since. Answers its summary and the ids of the items added.
 */
export function editLocalPlaylist(
  id: string,
  edits: readonly PlaylistItemEdit[],
  expectedRevision?: number,
): Promise<LocalPlaylistEdited> {
  return call("edit_local_playlist", { id, edits: [...edits], expectedRevision: expectedRevision ?? null });
}

export function onLocalPlaylistsChanged(callback: () => void): Promise<Unlisten> {
  return subscribe<null>(LOCAL_PLAYLISTS_CHANGED_EVENT, () => callback());
}
