// Playlists kept on this computer ("local playlists"): lists of the listener's own files,
// kept by the Rust side beside the index of local files, so they are there signed out, offline
// and under every account, and never sync. Their ids start `local-playlist:`; their items are
// files on this computer only (`file://` track ids: a service's track is refused, the whole
// call). An item whose file went away is still listed by the tags kept of it, `missing`.
// Positions run from 0. Every change bumps the playlist's `revision`; a removal or a move given
// the `revision` of the page its positions were read from is refused (`invalid_input`, "The
// playlist changed meanwhile; look again.", nothing changed) when another change came first,
// so a second Delete before the page is read again cannot remove other items. When the index
// cannot be used (the data folder being moved, a damaged index) every call rejects `storage`.
import type { LocalPlaylistPage, LocalPlaylistSummary } from "./bindings";
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
 * Appends files on this computer to a local playlist; rejects `invalid_input` (nothing added)
 * when any id is not a file on this computer.
 */
export function addToLocalPlaylist(id: string, trackIds: readonly string[]): Promise<LocalPlaylistSummary> {
  return call("add_to_local_playlist", { id, trackIds: [...trackIds] });
}

/**
 * Removes the items at `positions` (from 0); a position it lacks rejects, nothing removed. Given
 * `expectedRevision` (the `revision` of the page the positions come from), rejects
 * `invalid_input` with nothing removed when the playlist changed since.
 */
export function removeFromLocalPlaylist(
  id: string,
  positions: readonly number[],
  expectedRevision?: number,
): Promise<LocalPlaylistSummary> {
  return call("remove_from_local_playlist", {
    id,
    positions: [...positions],
    expectedRevision: expectedRevision ?? null,
  });
}

/**
 * Moves the item at `from` to `to` (both from 0; `to` is its place once moved). Given
 * `expectedRevision`, rejects `invalid_input` with nothing moved when the playlist changed since.
 */
export function moveInLocalPlaylist(
  id: string,
  from: number,
  to: number,
  expectedRevision?: number,
): Promise<LocalPlaylistSummary> {
  return call("move_in_local_playlist", { id, from, to, expectedRevision: expectedRevision ?? null });
}

export function onLocalPlaylistsChanged(callback: () => void): Promise<Unlisten> {
  return subscribe<null>(LOCAL_PLAYLISTS_CHANGED_EVENT, () => callback());
}
