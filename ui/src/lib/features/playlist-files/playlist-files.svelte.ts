// Playlist files in and out. An import is read and matched first, then shown for the listener
// to confirm ("12 of 14 matched", the others listed with why) before anything is created; an
// export asks where to save and says where it went.
import * as ipc from "../../../ipc";
import type { PlaylistImport, UnmatchedReason } from "../../../ipc";
import { formatTime } from "$lib/format";
import { errorWords, m } from "$lib/i18n";
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

  /** Creates the playlist of the tracks matched, and opens it. */
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
      await libraryStore.refresh();
      // Files on this computer alone make no playlist of the library to open.
      if (created.library) await libraryStore.openPlaylist(created.library.id);
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

export const playlistFiles = new PlaylistFilesStore();
