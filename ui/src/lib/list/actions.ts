/**
 * The actions on a selection of tracks, as the context menu offers them: play, play next,
 * add to the queue, add to a playlist (or to a new one), remove from this playlist, keep
 * offline or remove the download (known from the rows, else asked of the core as the menu
 * opens), star or unstar (where the service has stars), and go to the album or artist of a
 * single track. Files on this computer go into playlists on this computer, the service's
 * tracks into the account's: each kind of playlist refuses the other's.
 */
import * as ipc from "../../ipc";
import { m } from "$lib/i18n";
import { navigation } from "$lib/navigation";
import { libraryStore } from "$lib/stores/library.svelte";
import { playerStore } from "$lib/stores/player.svelte";
import { sessionStore } from "$lib/stores/session.svelte";
import { starsStore } from "$lib/features/starred/stars.svelte";
import { isLocalTrackId } from "$lib/features/local-files/ids";
import type { OfflineState } from "../../ipc";
import type { ListEditor } from "./editor";
import type { MenuAction } from "./menu";
import { playlistTargets } from "./playlist-targets";
import { rowTitle, type TrackRow } from "./rows";

export interface MenuContext {
  /** The selected rows, in the list's order. */
  readonly selected: readonly TrackRow[];
  /** Whether tracks play offline, asked of the core for rows that do not say (`offlineOf`). */
  readonly offline?: ReadonlyMap<string, OfflineState>;
  /** The playlist the list shows, when it shows one (left out of "Add to playlist"). */
  readonly playlistId: string | null;
  /** How the playlist shown is edited ("Remove from this playlist"). */
  readonly editor?: ListEditor | null;
  /** Plays the list from the row at `index` (one row selected: Play means "from here"). */
  readonly playFrom: (row: TrackRow) => void;
}

/** The name "New playlist from selection" gives: the album's when all come from one. */
export function newPlaylistName(selected: readonly TrackRow[]): string {
  const albums = new Set(selected.map((row) => row.track?.album_title ?? null));
  const [album] = albums;
  if (albums.size === 1 && album) return album;
  if (selected.length === 1 && selected[0].track) return selected[0].track.title;
  return m.playlist_new();
}

/** The most a menu asks the core about (a Ctrl+A of the whole catalog is not worth a wait). */
export const OFFLINE_ASK_LIMIT = 2_000;

/**
 * Whether the selected rows that do not say play offline do, from the core; empty when all
 * say, or when there are too many to ask about before the menu opens.
 */
export async function offlineOf(selected: readonly TrackRow[]): Promise<Map<string, OfflineState>> {
  const unknown = [...new Set(selected.filter((row) => row.offline === undefined).map((row) => row.trackId))];
  if (unknown.length === 0 || unknown.length > OFFLINE_ASK_LIMIT) return new Map();
  try {
    const states = await ipc.offlineStates(unknown);
    return new Map(unknown.map((id, index) => [id, states[index] ?? "none"]));
  } catch {
    // Signed out, or the library unreadable: the menu offers what it knows.
    return new Map();
  }
}

/** What the menu offers for files on this computer (Local files). */
const LOCAL_FILE_ACTIONS: ReadonlySet<string> = new Set([
  "play",
  "play-next",
  "add-to-queue",
  "add-to-playlist",
  "remove-from-playlist",
  "go-to-album",
  "go-to-artist",
]);

/**
 * "Add to playlist": a new one made of the selection, then the playlists it can go into
 * (`playlistId`, the one shown, left out). Files on this computer go into playlists on this
 * computer, the service's tracks into the account's; a selection of both, into neither.
 */
function addToPlaylistMenu(selected: readonly TrackRow[], playlistId: string | null): MenuAction | null {
  const targets = playlistTargets(
    selected.map((row) => row.trackId),
    selected.length === 1 ? rowTitle(selected[0]) : undefined,
  );
  if (!targets) return null;
  const made: MenuAction = {
    id: targets.onThisComputer ? "new-local-playlist" : "new-playlist",
    label: targets.onThisComputer ? m.local_playlist_from_selection() : m.playlist_from_selection(),
    run: () => void targets.create(newPlaylistName(selected)),
  };
  const options: MenuAction[] = targets.playlists
    .filter((playlist) => playlist.id !== playlistId)
    .map((playlist, index) => ({
      id: `playlist-${playlist.id}`,
      label: playlist.name,
      testId: "add-to-playlist-option",
      separatorBefore: index === 0,
      run: () => void targets.add(playlist.id),
    }));
  return {
    id: "add-to-playlist",
    label: m.add_to_playlist(),
    separatorBefore: true,
    submenuTestId: "add-to-playlist-menu",
    submenu: [made, ...options],
  };
}

export function trackMenu({ selected, offline, playlistId, editor, playFrom }: MenuContext): MenuAction[] {
  const trackIds = selected.map((row) => row.trackId);
  // A file on this computer that is not found cannot be played or queued.
  const playable = selected.filter((row) => !row.missing);
  const playableIds = playable.map((row) => row.trackId);
  const one = selected.length === 1 ? selected[0] : null;
  const stateOf = (row: TrackRow) => row.offline ?? offline?.get(row.trackId);
  const anyOffline = selected.some((row) => (stateOf(row) ?? "none") !== "none");
  const allOffline = selected.length > 0 && selected.every((row) => stateOf(row) === "available");
  const nothingPlays = playable.length === 0;

  const entries: MenuAction[] = [
    {
      id: "play",
      label: m.player_play(),
      disabled: nothingPlays,
      run: () => (one ? playFrom(one) : void playerStore.playQueue(playableIds, 0)),
    },
    { id: "play-next", label: m.play_next(), disabled: nothingPlays, run: () => void playerStore.playNext(playableIds) },
    { id: "add-to-queue", label: m.add_to_queue(), disabled: nothingPlays, run: () => void playerStore.addToQueue(playableIds) },
  ];
  const addTo = addToPlaylistMenu(selected, playlistId);
  if (addTo) entries.push(addTo);
  if (editor) {
    entries.push({
      id: "remove-from-playlist",
      label: m.playlist_remove_from(),
      run: () => void editor.remove(selected.map((row) => row.key)),
    });
  }
  // Only where the service's tracks can be kept on this computer.
  if (sessionStore.features.downloads) {
    entries.push({
      id: "make-offline",
      label: m.offline_make(),
      separatorBefore: true,
      disabled: allOffline,
      run: () => void setOffline(trackIds, true),
    });
    if (anyOffline) {
      entries.push({ id: "remove-download", label: m.offline_remove(), run: () => void setOffline(trackIds, false) });
    }
  }
  // A star for all: "Remove star" only when every selected track has one.
  if (sessionStore.features.stars && trackIds.length > 0) {
    const allStarred = trackIds.every((id) => starsStore.has("track", id));
    entries.push({
      id: allStarred ? "unstar" : "star",
      label: allStarred ? m.star_remove() : m.star_add(),
      separatorBefore: true,
      run: () => void starsStore.set("track", trackIds, !allStarred),
    });
  }
  // A file not found has no album or artist page to go to (its kept tags may name none).
  const track = one?.missing ? undefined : one?.track;
  if (track) {
    entries.push(
      {
        id: "go-to-album",
        label: m.go_to_album(),
        separatorBefore: true,
        run: () => navigation.go({ kind: "album", id: track.album_id }),
      },
      { id: "go-to-artist", label: m.go_to_artist(), run: () => navigation.go({ kind: "artist", id: track.artist_id }) },
    );
  }
  // Files on this computer are not the account's to keep offline, star or put in its
  // playlists (its server and other devices could not play them): played and queued only.
  return trackIds.some(isLocalTrackId) ? entries.filter((entry) => LOCAL_FILE_ACTIONS.has(entry.id)) : entries;
}

/** Keeps tracks for offline listening, or stops (their files go unless a kept album or playlist needs them). */
async function setOffline(trackIds: readonly string[], offline: boolean): Promise<void> {
  for (const id of trackIds) {
    try {
      await ipc.setOffline({ kind: "track", id }, offline);
    } catch (error) {
      libraryStore.error = {
        ...ipc.toAppError(error),
        action: offline ? m.offline_make_failed() : m.downloads_remove_all_failed(),
      };
      return;
    }
  }
  await libraryStore.refresh();
}
