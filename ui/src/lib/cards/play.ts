import * as ipc from "../../ipc";
import { playerStore } from "$lib/stores/player.svelte";
import { isLocalAlbumId } from "$lib/features/local-files/ids";

/**
 * Plays an album from its first track (a card's play button): its page is read first, from
 * the service or, offline, from what this computer has seen (a local album's, from the
 * files on this computer). A failure shows where the player's own do (the now-playing bar).
 */
export async function playAlbum(albumId: string, options: { shuffle?: boolean } = {}): Promise<void> {
  let trackIds: string[];
  try {
    const page = isLocalAlbumId(albumId) ? await ipc.localAlbum(albumId) : await ipc.albumPage(albumId);
    trackIds = page.tracks.map((track) => track.id);
  } catch (error) {
    playerStore.commandError = ipc.toAppError(error);
    return;
  }
  await playTracks(trackIds, options);
}

/**
 * Plays `trackIds` from the first, as "Play" does; with `shuffle`, turns shuffle on and starts
 * at a random one, as "Shuffle" does. "Play" leaves the listener's shuffle setting as it is.
 */
export async function playTracks(trackIds: readonly string[], options: { shuffle?: boolean } = {}): Promise<void> {
  if (trackIds.length === 0) return;
  if (options.shuffle && !playerStore.shuffle) await playerStore.toggleShuffle();
  const start = options.shuffle ? Math.floor(Math.random() * trackIds.length) : 0;
  await playerStore.playQueue(trackIds, start);
}
