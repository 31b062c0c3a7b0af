import * as ipc from "../../ipc";
import type { AppError, DownloadsStatus, LibraryPlaylist, PlaylistView, SyncStatus, Unlisten } from "../../ipc";

/** A failed library command, in words: what was being done, then the backend's reason. */
export type LibraryError = AppError & { action: string };

/**
 * The listener's library: playlists (read from and edited in the local library, so they
 * answer at once, offline too), the playlist open in the main area, and the sync and
 * download engines' status. Edits show what the command answered, never a guess: the
 * backend applies them locally before answering.
 */
export class LibraryStore {
  playlists = $state<LibraryPlaylist[]>([]);
  /** The playlist shown in the main area (null: the catalog). */
  openId = $state<string | null>(null);
  /** Its content, once read. */
  open = $state<PlaylistView | null>(null);
  loaded = $state(false);
  sync = $state<SyncStatus | null>(null);
  downloads = $state<DownloadsStatus | null>(null);
  error = $state<LibraryError | null>(null);

  #unlisten: Unlisten[] = [];
  #running = false;
  #sawSyncEvent = false;
  #sawDownloadsEvent = false;
  /**
   * Each read or edit takes a number when it is sent; an answer older than the one shown is
   * dropped (a re-read sent before an edit must not undo the edit's answer).
   */
  #sequence = 0;
  /** The read of the whole list shown. */
  #listShown = 0;
  /** The newest answer shown for each playlist of the list. */
  #entryShown: Record<string, number> = {};
  /** The newest answer shown in the list, whole or one playlist. */
  #newestShown = 0;
  #viewShown = 0;

  /** The open playlist's details (from the list until its content is read). */
  get opened(): LibraryPlaylist | null {
    if (this.open && this.open.playlist.id === this.openId) return this.open.playlist;
    return this.playlists.find((playlist) => playlist.id === this.openId) ?? null;
  }

  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    this.#sawSyncEvent = false;
    this.#sawDownloadsEvent = false;
    try {
      const unlisten = await Promise.all([
        ipc.onPlaylistsChanged(() => void this.refresh()),
        ipc.onSyncStatus((status) => {
          this.#sawSyncEvent = true;
          this.sync = status;
        }),
        ipc.onDownloadsStatus((status) => {
          this.#sawDownloadsEvent = true;
          this.downloads = status;
        }),
      ]);
      if (!this.#running) return unlisten.forEach((stop) => stop());
      this.#unlisten = unlisten;
    } catch (error) {
      this.#fail("Couldn't follow library changes", error);
    }
    await Promise.all([this.refresh(), this.#readSync(), this.#readDownloads()]);
  }

  stop(): void {
    this.#running = false;
    for (const stop of this.#unlisten) stop();
    this.#unlisten = [];
    this.playlists = [];
    this.openId = null;
    this.open = null;
    this.loaded = false;
    this.sync = null;
    this.downloads = null;
    this.error = null;
    // Answers to what was sent before now belong to the previous session.
    this.#sequence += 1;
    this.#listShown = this.#sequence;
    this.#newestShown = this.#sequence;
    this.#viewShown = this.#sequence;
    this.#entryShown = {};
  }

  /** Re-reads the playlists and the open playlist (on `playlists-changed`, after an account switch). */
  async refresh(): Promise<void> {
    // One sequence for both reads: they ask about the same moment, so whichever answers first
    // must not make the other look stale. (A view answering first under the id sync just gave
    // its playlist would otherwise drop the list, leaving the old id's entry beside the new.)
    const sequence = ++this.#sequence;
    await Promise.all([
      this.#readList(sequence),
      this.openId ? this.#readView(this.openId, sequence) : undefined,
    ]);
  }

  /** Reads everything again for another account (after an account switch). */
  async reload(): Promise<void> {
    if (!this.#running) return;
    this.closePlaylist();
    this.error = null;
    this.#sawSyncEvent = false;
    this.#sawDownloadsEvent = false;
    await Promise.all([this.refresh(), this.#readSync(), this.#readDownloads()]);
  }

  /** Shows a playlist in the main area. */
  async openPlaylist(id: string): Promise<void> {
    if (this.openId !== id) {
      this.openId = id;
      this.open = null;
    }
    this.error = null;
    await this.#readView(id);
  }

  /** Back to the catalog. */
  closePlaylist(): void {
    this.openId = null;
    this.open = null;
  }

  /** Creates a playlist and opens it; false when it could not be created. */
  async create(name: string, description = ""): Promise<boolean> {
    const trimmed = name.trim();
    if (!trimmed) return false;
    const created = await this.#list("Couldn't create the playlist", () => ipc.createPlaylist(trimmed, description));
    if (!created) return false;
    await this.openPlaylist(created.id);
    return true;
  }

  async rename(id: string, name: string): Promise<boolean> {
    const trimmed = name.trim();
    if (!trimmed) return false;
    return (await this.#list("Couldn't rename the playlist", () => ipc.renamePlaylist(id, trimmed))) !== null;
  }

  async describe(id: string, description: string): Promise<boolean> {
    const answer = await this.#list("Couldn't change the description", () =>
      ipc.describePlaylist(id, description.trim()),
    );
    return answer !== null;
  }

  async remove(id: string): Promise<boolean> {
    this.error = null;
    try {
      await ipc.deletePlaylist(id);
    } catch (error) {
      this.#fail("Couldn't delete the playlist", error);
      return false;
    }
    this.playlists = this.playlists.filter((playlist) => playlist.id !== id);
    if (this.openId === id) this.closePlaylist();
    return true;
  }

  /** Adds tracks to a playlist (at the end when `position` is null). */
  addTracks(id: string, trackIds: readonly string[], position: number | null = null): Promise<boolean> {
    return this.#edit("Couldn't add to the playlist", () => ipc.addToPlaylist(id, trackIds, position));
  }

  /** Takes an item out of the open playlist. */
  removeItem(itemId: string): Promise<boolean> {
    const id = this.openId;
    if (!id) return Promise.resolve(false);
    return this.#edit("Couldn't remove the track", () => ipc.removeFromPlaylist(id, itemId));
  }

  /** Moves an item of the open playlist to its final index `position`. */
  moveItem(itemId: string, position: number): Promise<boolean> {
    const id = this.openId;
    if (!id) return Promise.resolve(false);
    return this.#edit("Couldn't move the track", () => ipc.moveInPlaylist(id, itemId, position));
  }

  /** Plays the open playlist from its item at `start`. */
  async play(start = 0): Promise<void> {
    const id = this.openId;
    if (!id) return;
    await this.#command("Couldn't play the playlist", () => ipc.playPlaylist(id, start));
  }

  /** Keeps a playlist (and the tracks added to it later) for offline listening, or stops. */
  async setPlaylistOffline(id: string, offline: boolean): Promise<void> {
    if (await this.#command("Couldn't change offline listening", () => ipc.setOffline({ kind: "playlist", id }, offline))) {
      // `set_offline` answers nothing: read back what the library now says.
      await this.refresh();
    }
  }

  async syncNow(): Promise<void> {
    await this.#command("Couldn't start syncing", ipc.syncNow);
  }

  async dismissNotice(noticeId: number): Promise<void> {
    if (await this.#command("Couldn't dismiss the notice", () => ipc.dismissSyncNotice(noticeId))) {
      await this.#readSync();
    }
  }

  async pauseDownloads(): Promise<void> {
    if (await this.#command("Couldn't pause downloads", ipc.pauseDownloads)) await this.#readDownloads();
  }

  async resumeDownloads(): Promise<void> {
    if (await this.#command("Couldn't resume downloads", ipc.resumeDownloads)) await this.#readDownloads();
  }

  dismissError(): void {
    this.error = null;
  }

  async #readList(sequence = ++this.#sequence): Promise<void> {
    try {
      const playlists = await ipc.playlists();
      // Strictly older only: an answer of the same sequence is the view read beside it.
      if (sequence < this.#newestShown) return;
      this.#listShown = sequence;
      this.#newestShown = sequence;
      this.playlists = playlists;
      this.loaded = true;
    } catch (error) {
      if (sequence > this.#newestShown) this.#fail("Couldn't read the playlists", error);
    }
  }

  async #readView(id: string, sequence = ++this.#sequence): Promise<void> {
    try {
      this.#showView(await ipc.playlist(id), sequence, id);
    } catch (error) {
      if (this.openId !== id || sequence <= this.#viewShown) return;
      const appError = ipc.toAppError(error);
      // Deleted meanwhile (here or on another device): back to the catalog.
      if (appError.kind === "not_found") this.closePlaylist();
      else this.#fail("Couldn't open the playlist", appError);
    }
  }

  async #readSync(): Promise<void> {
    try {
      const status = await ipc.syncStatus();
      // An event that arrived while asking is newer than this answer.
      if (this.#running && !this.#sawSyncEvent) this.sync = status;
    } catch (error) {
      this.#fail("Couldn't read the sync status", error);
    }
  }

  async #readDownloads(): Promise<void> {
    try {
      const status = await ipc.downloadsStatus();
      if (this.#running && !this.#sawDownloadsEvent) this.downloads = status;
    } catch (error) {
      this.#fail("Couldn't read the downloads", error);
    }
  }

  /**
   * Shows an answer about the open playlist. `asked` is the id the command named: when the
   * answer carries another, sync has given the playlist the service's id meanwhile (the
   * library still takes the old one), and the screen follows it.
   */
  #showView(view: PlaylistView, sequence: number, asked: string | null = null): void {
    if (asked !== null && asked === this.openId && view.playlist.id !== asked) {
      this.openId = view.playlist.id;
    }
    this.#showPlaylist(view.playlist, sequence);
    if (view.playlist.id !== this.openId || sequence <= this.#viewShown) return;
    this.#viewShown = sequence;
    this.open = view;
  }

  /** Puts an edited playlist's new state in the list (a new one at the end). */
  #showPlaylist(playlist: LibraryPlaylist, sequence: number): void {
    if (sequence <= Math.max(this.#listShown, this.#entryShown[playlist.id] ?? 0)) return;
    this.#entryShown[playlist.id] = sequence;
    this.#newestShown = Math.max(this.#newestShown, sequence);
    const index = this.playlists.findIndex((candidate) => candidate.id === playlist.id);
    if (index === -1) this.playlists.push(playlist);
    else this.playlists[index] = playlist;
    if (this.open?.playlist.id === playlist.id && sequence > this.#viewShown) {
      this.open = { ...this.open, playlist };
    }
  }

  /** An edit answered with the playlist's new content. */
  async #edit(action: string, command: () => Promise<PlaylistView>): Promise<boolean> {
    const sequence = ++this.#sequence;
    const asked = this.openId;
    this.error = null;
    try {
      this.#showView(await command(), sequence, asked);
      return true;
    } catch (error) {
      this.#fail(action, error);
      return false;
    }
  }

  /** An edit answered with the playlist's new details. */
  async #list(action: string, command: () => Promise<LibraryPlaylist>): Promise<LibraryPlaylist | null> {
    const sequence = ++this.#sequence;
    this.error = null;
    try {
      const playlist = await command();
      this.#showPlaylist(playlist, sequence);
      return playlist;
    } catch (error) {
      this.#fail(action, error);
      return null;
    }
  }

  async #command(action: string, command: () => Promise<void>): Promise<boolean> {
    this.error = null;
    try {
      await command();
      return true;
    } catch (error) {
      this.#fail(action, error);
      return false;
    }
  }

  #fail(action: string, error: unknown): void {
    this.error = { ...ipc.toAppError(error), action };
  }
}

export const libraryStore = new LibraryStore();

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** The sync engine's state, in words. */
export function describeSync(status: SyncStatus): string {
  const waiting = plural(status.unsynced_edits, "change", "changes");
  switch (status.state) {
    case "syncing":
      return "Syncing…";
    case "offline":
      // Not the network but a service that could not prove who it is: say so, not "offline".
      if (status.error?.kind === "untrusted") return `Not connected: ${status.error.message}`;
      return status.unsynced_edits > 0 ? `Offline — ${waiting} waiting` : "Offline";
    case "error":
      return `Sync failed: ${status.error?.message ?? "unknown error"}`;
    case "idle":
      return status.unsynced_edits > 0 ? `${waiting} waiting` : "Synced";
  }
}

/**
 * How a download failure reads: `warning` when it mends itself (the network: failed
 * downloads start again once the service answers), `full` when only room helps (a full disk
 * or the storage limit, so the space used is what to look at), `error` otherwise. Its words
 * come from the backend and already say what to do.
 */
export function downloadFailureTone(error: AppError | null): "warning" | "full" | "error" {
  switch (error?.kind) {
    case "network":
      return "warning";
    case "storage_full":
      return "full";
    default:
      return "error";
  }
}

/** The download manager's progress, in words; null when nothing was ever asked for. */
export function describeDownloads(status: DownloadsStatus): string | null {
  const pending = status.total - status.done - status.failed;
  if (pending > 0) {
    const progress = `${status.done} of ${status.total}`;
    return status.paused ? `Downloads paused — ${progress}` : `Downloading ${progress}`;
  }
  if (status.done > 0) return `${plural(status.done, "track", "tracks")} available offline`;
  return null;
}
