// Playlist files in and out. An import is read and matched first, then shown for the listener
// to confirm ("12 of 14 matched", the others listed with why) before anything is created: the
// service's tracks go into a playlist in the library, files on this computer into a playlist
// on this computer, both made when the file names both. An export (of either kind of
// playlist) asks where to save and says where it went.
import * as ipc from "../../../ipc";
import type { PlaylistImport, UnmatchedReason } from "../../../ipc";
import { formatTime } from "$lib/format";
import { errorWords, m } from "$lib/i18n";
import { localPlaylistsStore } from "$lib/features/local-playlists/local-playlists.svelte";
import { navigation } from "$lib/navigation";
import { libraryStore } from "$lib/stores/library.svelte";

/** An import waiting for the listener's word. */
export interface PendingImport {
  /** The file's reading and matching, once done. */
  found: PlaylistImport | null;
  /** The name the playlist will have (the file's, until changed). */
  name: string;
  creating: boolean;
  /** Why the last Create failed, said in the sheet (the sidebar is behind it). */
  error: string | null;
}

/** Why an entry matched nothing, in the window's language. */
export function reasonWords(reason: UnmatchedReason): string {
  switch (reason.kind) {
    case "nothing_to_look_for":
      return m.import_reason_nothing();
    case "not_found":
      return m.import_reason_not_found();
    case "length_differs":
      return m.import_reason_length({
        expected: formatTime(reason.expected_ms),
        closest: formatTime(reason.closest_ms),
      });
    case "ambiguous":
      return m.import_reason_ambiguous({ count: reason.count });
  }
}

export class PlaylistFilesStore {
  pending = $state<PendingImport | null>(null);
  /** Where the last export was saved, for the header to say. */
  exported = $state<{ playlistId: string; path: string } | null>(null);
  /**
   * Which import is current: an answer for one cancelled (or from before a sign-out) is
   * dropped, not shown in a later one's sheet.
   */
  #generation = 0;

  /** Asks for a file, reads and matches it, and shows what was found. One at a time. */
  async startImport(): Promise<void> {
    if (this.pending) return;
    const generation = ++this.#generation;
    let path: string | null;
    try {
      path = await ipc.choosePlaylistFile(m.import_choose_title(), m.import_filter());
    } catch (error) {
      libraryStore.error = { ...ipc.toAppError(error), action: m.import_failed() };
      return;
    }
    if (!path || generation !== this.#generation) return;
    this.pending = { found: null, name: "", creating: false, error: null };
    try {
      const found = await ipc.readPlaylistFile(path);
      if (generation !== this.#generation || !this.pending) return;
      this.pending = { found, name: found.name, creating: false, error: null };
    } catch (error) {
      if (generation !== this.#generation) return;
      this.pending = null;
      libraryStore.error = { ...ipc.toAppError(error), action: m.import_failed() };
    }
  }

  setName(name: string): void {
    if (this.pending) this.pending.name = name;
  }

  /** Closes the sheet; a reading still under way is dropped when it answers. */
  cancel(): void {
    if (this.pending?.creating) return;
    this.#generation++;
    this.pending = null;
  }

  /**
   * Creates the playlists of the tracks matched (the library's, the one on this computer, or
   * both), and opens one: the library's when it was made.
   */
  async confirm(): Promise<void> {
    const pending = this.pending;
    if (!pending?.found || pending.creating) return;
    const name = pending.name.trim() || pending.found.name;
    pending.creating = true;
    pending.error = null;
    try {
      const created = await ipc.importPlaylist(
        name,
        pending.found.matched.map((track) => track.id),
      );
      this.pending = null;
      if (created.local) await localPlaylistsStore.refresh();
      if (created.library) {
        await libraryStore.refresh();
        await libraryStore.openPlaylist(created.library.id);
      } else if (created.local) {
        navigation.go({ kind: "local-playlist", id: created.local.id });
      }
    } catch (error) {
      pending.creating = false;
      pending.error = errorWords(ipc.toAppError(error));
    }
  }

  /** Asks where to save the playlist, writes it, and says where. */
  async export(playlistId: string, name: string): Promise<void> {
    try {
      const path = await ipc.exportPlaylist(playlistId, name, m.export_playlist_title());
      if (path) this.exported = { playlistId, path };
    } catch (error) {
      libraryStore.error = { ...ipc.toAppError(error), action: m.export_playlist_failed() };
    }
  }

  /** Another account, or none: nothing of this one's import or export is kept. */
  reset(): void {
    this.#generation++;
    this.pending = null;
    this.exported = null;
  }
}

/**
 * Where an import's tracks go, in words, when some are files on this computer (null when
 * all are the service's: a playlist in the library, as always).
 */
export function destinationWords(found: PlaylistImport): string | null {
  const local = found.local_matched;
  const service = found.matched.length - local;
  if (local === 0) return null;
  return service > 0 ? m.import_local_and_library({ local, service }) : m.import_local_only({ count: local });
}

export const playlistFiles = new PlaylistFilesStore();
