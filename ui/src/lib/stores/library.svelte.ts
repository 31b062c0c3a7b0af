import * as ipc from "../../ipc";
import type {
  AppError,
  DownloadsStatus,
  LibraryPlaylist,
  PlaylistChanges,
  PlaylistItemEdit,
  PlaylistView,
  SyncStatus,
  Unlisten,
} from "../../ipc";
import { addedItemIds, addedTracks, applyChanges } from "$lib/list/changes";
import { TrackCache } from "$lib/list/track-cache.svelte";
import { restoreMoves, restoreRemovals, type ItemMove } from "$lib/list/moves";
import { playlistEdits, UndoSlot, type EditNotice } from "$lib/list/undo.svelte";
import { navigation } from "$lib/navigation/navigation.svelte";
import { m, windowError } from "$lib/i18n";

// What the sync and download engines' states read as; kept beside the store they describe.
export { describeDownloads, describeLiveUpdates, describeSync, downloadFailureTone } from "./library-words";

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
  /**
   * Its items, once read; replaced whole by each answer (never deeply reactive: a playlist
   * may hold 10,000 items). Its tracks' data is in `tracks`.
   */
  open = $state.raw<PlaylistView | null>(null);
  /** The open playlist's tracks: the first ones read with it, the rest as the list scrolls. */
  readonly tracks = new TrackCache((ids) => ipc.tracks(ids));
  loaded = $state(false);
  sync = $state<SyncStatus | null>(null);
  downloads = $state<DownloadsStatus | null>(null);
  error = $state<LibraryError | null>(null);
  /** What Ctrl/Cmd+Z undoes: the last edit, until another one (or an undo) replaces it. */
  readonly #undo: UndoSlot;
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

  /** `undo`: the slot its edits are told in (the window's, shared with the playlists on this computer). */
  constructor(undo: UndoSlot = new UndoSlot()) {
    this.#undo = undo;
  }

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
      this.#fail(m.library_follow_failed(), error);
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
    this.tracks.clear();
    this.loaded = false;
    this.sync = null;
    this.downloads = null;
    this.error = null;
    this.#undo.clear();
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
      this.tracks.clear();
    }
    this.error = null;
    await this.#readView(id);
  }

  /** Back to the catalog. */
  closePlaylist(): void {
    this.openId = null;
    this.open = null;
    this.tracks.clear();
  }

  /** Creates a playlist and opens it; false when it could not be created. */
  async create(name: string, description = ""): Promise<boolean> {
    const trimmed = name.trim();
    if (!trimmed) return false;
    const created = await this.#list(m.library_create_failed(), () => ipc.createPlaylist(trimmed, description));
    if (!created) return false;
    await this.openPlaylist(created.id);
    return true;
  }

  async rename(id: string, name: string): Promise<boolean> {
    const trimmed = name.trim();
    if (!trimmed) return false;
    return (await this.#list(m.library_rename_failed(), () => ipc.renamePlaylist(id, trimmed))) !== null;
  }

  async describe(id: string, description: string): Promise<boolean> {
    const answer = await this.#list(m.library_describe_failed(), () => ipc.describePlaylist(id, description.trim()));
    return answer !== null;
  }

  /** Shows a playlist on the listener's page for everyone, or stops. */
  async setPublic(id: string, isPublic: boolean): Promise<boolean> {
    return (await this.#list(m.library_public_failed(), () => ipc.setPlaylistPublic(id, isPublic))) !== null;
  }

  /** Deletes a playlist; Undo makes it again, with its tracks, in its place in the list. */
  async remove(id: string): Promise<boolean> {
    this.error = null;
    // What it held, so an undo can make it again (without: deleted all the same).
    let content: PlaylistView | null = this.open?.playlist.id === id ? this.open : null;
    try {
      content ??= await ipc.playlist(id);
    } catch {
      content = null;
    }
    try {
      await ipc.deletePlaylist(id);
    } catch (error) {
      this.#fail(m.library_delete_failed(), error);
      return false;
    }
    this.playlists = this.playlists.filter((playlist) => playlist.id !== id);
    if (this.openId === id) this.closePlaylist();
    if (content) {
      const deleted = content;
      this.#undo.offer(m.edit_deleted({ name: deleted.playlist.name }), () => this.#recreate(deleted));
    }
    return true;
  }

  /** Adds tracks to a playlist (at the end when `position` is null). */
  addTracks(id: string, trackIds: readonly string[], position: number | null = null): Promise<boolean> {
    return this.#edit(m.library_add_failed(), id, () => ipc.addToPlaylist(id, trackIds, position));
  }

  /** Takes an item out of the open playlist. */
  removeItem(itemId: string): Promise<boolean> {
    const id = this.openId;
    if (!id) return Promise.resolve(false);
    return this.#edit(m.library_remove_failed({ count: 1 }), id, () => ipc.removeFromPlaylist(id, itemId));
  }

  /** Moves an item of the open playlist to its final index `position`. */
  moveItem(itemId: string, position: number): Promise<boolean> {
    const id = this.openId;
    if (!id) return Promise.resolve(false);
    return this.#edit(m.library_move_failed({ count: 1 }), id, () => ipc.moveInPlaylist(id, itemId, position));
  }

  /**
   * Adds tracks at the end of a playlist as one undoable edit, saying so ("Added “Song” to
   * “Run”.", or "Added 3 tracks to “Run”."); `title` names a single track.
   */
  async addToPlaylist(id: string, trackIds: readonly string[], title?: string): Promise<boolean> {
    if (trackIds.length === 0) return false;
    const name = this.#nameOf(id);
    const told =
      trackIds.length === 1 && title
        ? m.edit_added_one({ title, name })
        : m.edit_added({ count: trackIds.length, name });
    const answer = await this.#batch(m.library_add_failed(), id, [
      { kind: "add", track_ids: [...trackIds], position: null },
    ]);
    if (!answer) return false;
    const playlistId = answer.playlist.id;
    const added = addedItemIds(answer);
    this.#undo.offer(told, async () =>
      (await this.#batch(m.library_undo_add_failed(), playlistId, added.map((item_id) => ({ kind: "remove", item_id })))) !== null,
    );
    return true;
  }

  /**
   * Makes a playlist of the given tracks ("New playlist from selection") without leaving
   * the screen; Undo deletes it. Answers its id, or null when it could not be made.
   */
  async createWith(name: string, trackIds: readonly string[]): Promise<string | null> {
    const created = await this.#list(m.library_create_failed(), () => ipc.createPlaylist(name.trim(), ""));
    if (!created) return null;
    let id = created.id;
    if (trackIds.length > 0) {
      const answer = await this.#batch(m.library_add_new_failed(), id, [
        { kind: "add", track_ids: [...trackIds], position: null },
      ]);
      if (answer) id = answer.playlist.id;
    }
    this.#undo.offer(m.edit_made({ name: created.name, count: trackIds.length }), async () => {
      try {
        await ipc.deletePlaylist(id);
      } catch (error) {
        this.#fail(m.library_undo_create_failed(), error);
        return false;
      }
      this.playlists = this.playlists.filter((playlist) => playlist.id !== id);
      if (this.openId === id) this.closePlaylist();
      return true;
    });
    return id;
  }

  /** Takes items out of the open playlist as one undoable edit; Undo puts them back in place. */
  async removeItems(itemIds: readonly string[]): Promise<boolean> {
    const view = this.open;
    if (!view || view.playlist.id !== this.openId || itemIds.length === 0) return false;
    // A lookup made and dropped here, never shown: no need for a reactive set.
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    const wanted = new Set(itemIds);
    const removed = view.items.flatMap((entry, index) =>
      wanted.has(entry.item_id) ? [{ index, trackId: entry.track_id, title: this.tracks.get(entry.track_id)?.title }] : [],
    );
    const action = m.library_remove_failed({ count: itemIds.length });
    if (removed.length < wanted.size) {
      // Chosen from rows that sync redrew meanwhile (the service gave the items its own ids):
      // where they were is not known any more, so nothing is removed rather than some.
      this.error = { ...windowError("not_found", m.library_changed_while_choosing()), action };
      return false;
    }
    const answer = await this.#batch(
      action,
      view.playlist.id,
      removed.map(({ index }) => ({ kind: "remove", item_id: view.items[index].item_id })),
    );
    if (!answer) return false;
    const playlistId = answer.playlist.id;
    const name = view.playlist.name;
    const told =
      removed.length === 1 && removed[0].title
        ? m.edit_removed_one({ title: removed[0].title, name })
        : m.edit_removed({ count: removed.length, name });
    this.#undo.offer(told, async () => {
      const edits: PlaylistItemEdit[] = restoreRemovals(removed).map((insert) => ({
        kind: "add",
        track_ids: insert.trackIds,
        position: insert.position,
      }));
      return (await this.#batch(m.library_put_back_failed(), playlistId, edits)) !== null;
    });
    return true;
  }

  /**
   * Moves items of the open playlist as one undoable edit: `moves` (see `$lib/list/moves`)
   * are sent together and applied in order. `moved` are the items that move.
   */
  async moveItems(moves: readonly ItemMove[], moved: readonly string[]): Promise<boolean> {
    const view = this.open;
    if (!view || view.playlist.id !== this.openId || moves.length === 0) return false;
    const before = view.items.map((entry) => entry.item_id);
    const answer = await this.#batch(
      m.library_move_failed({ count: moved.length }),
      view.playlist.id,
      moves.map((move) => ({ kind: "move", item_id: move.item_id, after: move.after })),
    );
    if (!answer) return false;
    const playlistId = answer.playlist.id;
    const after = this.open?.playlist.id === playlistId ? this.open.items.map((entry) => entry.item_id) : null;
    const movedTrack = moved.length === 1 ? view.items.find((entry) => entry.item_id === moved[0])?.track_id : undefined;
    const title = movedTrack === undefined ? undefined : this.tracks.get(movedTrack)?.title;
    const name = view.playlist.name;
    const told = title ? m.edit_moved_one({ title, name }) : m.edit_moved({ count: moved.length, name });
    this.#undo.offer(told, async () => {
      const current = this.open?.playlist.id === playlistId ? this.open.items.map((entry) => entry.item_id) : after;
      const back = restoreMoves(before, current ?? [], moved);
      const edits: PlaylistItemEdit[] = back.map((move) => ({ kind: "move", item_id: move.item_id, after: move.after }));
      return (await this.#batch(m.library_move_back_failed(), playlistId, edits)) !== null;
    });
    return true;
  }

  /** The notice shown after an edit (with Undo when it can be undone). */
  get notice(): EditNotice | null {
    return this.#undo.notice;
  }

  /** Takes back the last edit (Ctrl/Cmd+Z, or the notice's Undo); false when there is none. */
  undo(): Promise<boolean> {
    return this.#undo.undo();
  }

  /** Whether Ctrl/Cmd+Z has an edit to take back (its notice shown or not). */
  get canUndo(): boolean {
    return this.#undo.canUndo;
  }

  /** Hides the notice; Ctrl/Cmd+Z still undoes the edit it told of. */
  dismissEditNotice(id: number): void {
    this.#undo.dismiss(id);
  }

  /** Plays the open playlist from its item at `start`. */
  async play(start = 0): Promise<void> {
    const id = this.openId;
    if (!id) return;
    await this.#command(m.library_play_failed(), () => ipc.playPlaylist(id, start));
  }

  /** Keeps a playlist (and the tracks added to it later) for offline listening, or stops. */
  async setPlaylistOffline(id: string, offline: boolean): Promise<void> {
    if (await this.#command(m.library_offline_failed(), () => ipc.setOffline({ kind: "playlist", id }, offline))) {
      // `set_offline` answers nothing: read back what the library now says.
      await this.refresh();
    }
  }

  async syncNow(): Promise<void> {
    await this.#command(m.library_sync_failed(), ipc.syncNow);
  }

  async dismissNotice(noticeId: number): Promise<void> {
    if (await this.#command(m.library_dismiss_failed(), () => ipc.dismissSyncNotice(noticeId))) {
      await this.#readSync();
    }
  }

  async pauseDownloads(): Promise<void> {
    if (await this.#command(m.library_pause_failed(), ipc.pauseDownloads)) await this.#readDownloads();
  }

  async resumeDownloads(): Promise<void> {
    if (await this.#command(m.library_resume_failed(), ipc.resumeDownloads)) await this.#readDownloads();
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
      if (sequence > this.#newestShown) this.#fail(m.library_read_failed(), error);
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
      else this.#fail(m.library_open_failed(), appError);
    }
  }

  async #readSync(): Promise<void> {
    try {
      const status = await ipc.syncStatus();
      // An event that arrived while asking is newer than this answer.
      if (this.#running && !this.#sawSyncEvent) this.sync = status;
    } catch (error) {
      this.#fail(m.library_sync_status_failed(), error);
    }
  }

  async #readDownloads(): Promise<void> {
    try {
      const status = await ipc.downloadsStatus();
      if (this.#running && !this.#sawDownloadsEvent) this.downloads = status;
    } catch (error) {
      this.#fail(m.library_downloads_failed(), error);
    }
  }

  /**
   * Shows an answer about the open playlist. `asked` is the id the command named: when the
   * answer carries another, sync has given the playlist the service's id meanwhile (the
   * library still takes the old one), and the screen follows it.
   */
  #showView(view: PlaylistView, sequence: number, asked: string | null = null): void {
    if (asked !== null && asked === this.openId && view.playlist.id !== asked) {
      // The screens visited follow the new id first, so the route and the open id agree.
      navigation.renamePlaylist(asked, view.playlist.id);
      this.openId = view.playlist.id;
    }
    this.#showPlaylist(view.playlist, sequence);
    if (view.playlist.id !== this.openId || sequence <= this.#viewShown) return;
    this.#viewShown = sequence;
    this.tracks.put(view.tracks);
    this.open = view;
  }

  /**
   * Shows an edit's answer about playlist `asked`: its details in the list, and its changes
   * applied to the items shown when it is the open playlist (following a new id, as
   * `#showView` does).
   */
  #showChanges(answer: PlaylistChanges, sequence: number, asked: string): void {
    const open = this.open;
    const applies = open !== null && (open.playlist.id === asked || open.playlist.id === answer.playlist.id);
    if (asked === this.openId && answer.playlist.id !== asked) {
      navigation.renamePlaylist(asked, answer.playlist.id);
      this.openId = answer.playlist.id;
    }
    this.#showPlaylist(answer.playlist, sequence);
    if (!applies || !open || sequence <= this.#viewShown) return;
    this.#viewShown = sequence;
    this.tracks.put(addedTracks(answer));
    this.open = applyChanges(open, answer);
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
  /** An edit of playlist `id` answered with what changed. */
  async #edit(action: string, id: string, command: () => Promise<PlaylistChanges>): Promise<boolean> {
    const sequence = ++this.#sequence;
    this.error = null;
    try {
      this.#showChanges(await command(), sequence, id);
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

  /** A batch of edits of one playlist (`edit_playlist`), its answer shown. */
  async #batch(action: string, id: string, edits: PlaylistItemEdit[]): Promise<PlaylistChanges | null> {
    const sequence = ++this.#sequence;
    this.error = null;
    try {
      const answer = await ipc.editPlaylist(id, edits);
      this.#showChanges(answer, sequence, id);
      return answer;
    } catch (error) {
      this.#fail(action, error);
      return null;
    }
  }

  /** Makes a deleted playlist again: its name, description, tracks and offline wish. */
  async #recreate(deleted: PlaylistView): Promise<boolean> {
    const { playlist, items } = deleted;
    const created = await this.#list(m.library_restore_failed(), () => ipc.createPlaylist(playlist.name, playlist.description));
    if (!created) return false;
    const trackIds = items.map((entry) => entry.track_id);
    if (trackIds.length > 0) {
      const answer = await this.#batch(m.library_restore_tracks_failed(), created.id, [
        { kind: "add", track_ids: trackIds, position: null },
      ]);
      if (!answer) return false;
    }
    if (playlist.offline) await this.setPlaylistOffline(created.id, true);
    return true;
  }

  #nameOf(id: string): string {
    return this.playlists.find((playlist) => playlist.id === id)?.name ?? m.playlist_unnamed();
  }

  #fail(action: string, error: unknown): void {
    this.error = { ...ipc.toAppError(error), action };
  }
}

export const libraryStore = new LibraryStore(playlistEdits);
