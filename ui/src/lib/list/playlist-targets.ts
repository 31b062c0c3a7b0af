/**
 * Where tracks can be added to a playlist, decided once for the track menu and a page's "Add
 * to playlist" button: files on this computer go into playlists on this computer, the
 * service's tracks into the account's, and a selection of both into neither (each kind's
 * playlists refuse the other's tracks).
 */
import { libraryStore } from "$lib/stores/library.svelte";
import { isLocalTrackId } from "$lib/features/local-files/ids";
import { localPlaylistsStore } from "$lib/features/local-playlists/local-playlists.svelte";

export interface PlaylistTargets {
  /** The tracks are files on this computer (their playlists are those kept here). */
  readonly onThisComputer: boolean;
  /** The playlists they can go into, by name. */
  readonly playlists: readonly { id: string; name: string }[];
  /** Adds them at the end of playlist `id`, as one undoable edit. */
  add(id: string): Promise<boolean>;
  /** Makes a playlist named `name` of them without leaving the screen; its id, or null. */
  create(name: string): Promise<string | null>;
}

/** Where `trackIds` can go (`title` names a single track in the notice); null for a mix. */
export function playlistTargets(trackIds: readonly string[], title?: string): PlaylistTargets | null {
  const local = trackIds.filter(isLocalTrackId).length;
  if (trackIds.length === 0 || (local > 0 && local < trackIds.length)) return null;
  if (local > 0) {
    return {
      onThisComputer: true,
      playlists: localPlaylistsStore.playlists,
      add: (id) => localPlaylistsStore.add(id, trackIds, title),
      create: (name) => localPlaylistsStore.createWith(name, trackIds),
    };
  }
  return {
    onThisComputer: false,
    playlists: libraryStore.playlists,
    add: (id) => libraryStore.addToPlaylist(id, trackIds, title),
    create: (name) => libraryStore.createWith(name, trackIds),
  };
}
