/**
 * The playlists kept on this computer ("local playlists") as the window holds them: the list
 * the sidebar shows, the one whose page is open, and every edit of them, each told in the
 * window's one edit notice with Undo (shared with the account's playlists, `playlistEdits`).
 *
 * They belong to the computer, not to an account: the core keeps them in the local files'
 * index and says `local-playlists-changed` after any change (here, or an import), and the
 * list and the page open are read again then. Edits show what the core answered, never a
 * guess; an answer older than one shown is dropped. A removal or a move names the positions
 * of the page shown and its `revision`: the core refuses it, in words, when the playlist
 * changed since (a second Delete before the page is read again removes nothing else).
 */
import * as ipc from "../../../ipc";
import type { AppError, LocalPlaylistPage, LocalPlaylistSummary, Unlisten } from "../../../ipc";
import { playTracks } from "$lib/cards/play";
import { m } from "$lib/i18n";
import type { ItemMove } from "$lib/list/moves";
import { playlistEdits, type UndoSlot } from "$lib/list/undo.svelte";
import { playerStore } from "$lib/stores/player.svelte";
import { indexMoves, localPlaylistRows, playableFrom, putBackMoves, reversedMoves, type IndexMove } from "./rows";

/** A failed command, in words: what was being done, then the core's reason. */
export type LocalPlaylistsError = AppError & { action: string };

export class LocalPlaylistsStore {
  /** Every playlist on this computer, by name (as the core lists them). */
  playlists = $state.raw<LocalPlaylistSummary[]>([]);
  /** The list has been read once (before that, the sidebar says nothing of it). */
  loaded = $state(false);
  error = $state<LocalPlaylistsError | null>(null);
  /** The playlist whose page is shown (null: none). */
  shownId = $state<string | null>(null);
  /** Its items once read; replaced whole by each read. */
  page = $state.raw<LocalPlaylistPage | null>(null);
  /** The playlist shown is not on this computer (deleted, here or by another window's edit). */
  gone = $state(false);

  readonly #undo: UndoSlot;
  #unlisten: Unlisten | null = null;
  #running = false;
  /** Each read or edit takes a number when sent; an answer older than the one shown is dropped. */
  #sequence = 0;
  #listShown = 0;
  #pageShown = 0;

  constructor(undo: UndoSlot = playlistEdits) {
    this.#undo = undo;
  }

  /** The rows of the page shown (empty until it is read). */
  get rows() {
    return localPlaylistRows(this.page?.items ?? []);
  }

  /** The summary of the playlist `id`, from the list. */
  summary(id: string): LocalPlaylistSummary | null {
    return this.playlists.find((playlist) => playlist.id === id) ?? null;
  }

  /** Follows the core's changes and reads the list (the window is up). */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    try {
      const unlisten = await ipc.onLocalPlaylistsChanged(() => void this.refresh());
      if (!this.#running) return unlisten();
      this.#unlisten = unlisten;
    } catch {
      // No shell to listen to (a page without Tauri): read once below.
    }
    await this.refresh();
  }

  stop(): void {
    this.#running = false;
    this.#unlisten?.();
    this.#unlisten = null;
    this.playlists = [];
    this.loaded = false;
    this.error = null;
    this.hide();
    this.#sequence += 1;
    this.#listShown = this.#sequence;
    this.#pageShown = this.#sequence;
  }

  /** Reads the list, and the page shown, again. */
  async refresh(): Promise<void> {
    const sequence = ++this.#sequence;
    await Promise.all([this.#readList(sequence), this.shownId ? this.#readPage(this.shownId, sequence) : undefined]);
  }

  /** Shows the page of playlist `id` (its items read now, again after each change). */
  async show(id: string): Promise<void> {
    if (this.shownId !== id) {
      this.shownId = id;
      this.page = null;
      this.gone = false;
    }
    await this.#readPage(id);
  }

  /** The page of playlist `id` is no longer shown. */
  hide(id: string | null = this.shownId): void {
    if (id === null || this.shownId !== id) return;
    this.shownId = null;
    this.page = null;
    this.gone = false;
  }

  /** Reads the page shown again (its files came or went, see `followLocalFiles`). */
  async reloadPage(): Promise<void> {
    if (this.shownId) await this.#readPage(this.shownId);
  }

  /** Makes an empty playlist named `name`; its summary, or null when it could not be. */
  async create(name: string): Promise<LocalPlaylistSummary | null> {
    const trimmed = name.trim();
    if (!trimmed) return null;
    return this.#edit(m.library_create_failed(), () => ipc.createLocalPlaylist(trimmed, []));
  }

  /**
   * Makes a playlist of `trackIds` ("New playlist on this computer from selection") without
   * leaving the screen; Undo deletes it. Its id, or null when it could not be made.
   */
  async createWith(name: string, trackIds: readonly string[]): Promise<string | null> {
    const created = await this.#edit(m.library_create_failed(), () => ipc.createLocalPlaylist(name.trim(), [...trackIds]));
    if (!created) return null;
    this.#undo.offer(m.edit_made({ name: created.name, count: trackIds.length }), () => this.#delete(created.id, m.library_undo_create_failed()));
    return created.id;
  }

  async rename(id: string, name: string): Promise<boolean> {
    const trimmed = name.trim();
    if (!trimmed) return false;
    return (await this.#edit(m.library_rename_failed(), () => ipc.renameLocalPlaylist(id, trimmed))) !== null;
  }

  /** Deletes the playlist `id` (its files stay where they are). Asked to confirm first, not undone. */
  delete(id: string): Promise<boolean> {
    return this.#delete(id, m.library_delete_failed());
  }

  /**
   * Adds tracks (files on this computer) at the end of playlist `id` as one undoable edit,
   * saying so ("Added “Song” to “Mix”."); `title` names a single track.
   */
  async add(id: string, trackIds: readonly string[], title?: string): Promise<boolean> {
    if (trackIds.length === 0) return false;
    const answer = await this.#edit(m.library_add_failed(), () => ipc.addToLocalPlaylist(id, [...trackIds]));
    if (!answer) return false;
    const told =
      trackIds.length === 1 && title
        ? m.edit_added_one({ title, name: answer.name })
        : m.edit_added({ count: trackIds.length, name: answer.name });
    // They went at the end: the last positions of the answer, as long as nothing changed since.
    const added = Array.from({ length: trackIds.length }, (_, n) => answer.items - trackIds.length + n);
    this.#undo.offer(
      told,
      async () =>
        (await this.#edit(m.library_undo_add_failed(), () => ipc.removeFromLocalPlaylist(id, added, answer.revision))) !== null,
    );
    return true;
  }

  /** Takes the rows `keys` out of the page shown as one undoable edit; Undo puts them back in place. */
  async removeRows(keys: readonly string[]): Promise<boolean> {
    const id = this.shownId;
    const rows = this.rows;
    const revision = this.page?.revision;
    // A lookup made and dropped here, never shown: no need for a reactive set.
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    const wanted = new Set(keys);
    const indexes = rows.flatMap((row, index) => (wanted.has(row.key) ? [index] : []));
    if (!id || indexes.length === 0) return false;
    const answer = await this.#edit(m.library_remove_failed({ count: indexes.length }), () =>
      ipc.removeFromLocalPlaylist(id, indexes, revision),
    );
    if (!answer) return false;
    const removed = indexes.map((index) => rows[index]);
    const title = removed.length === 1 ? removed[0].track?.title : undefined;
    const told = title
      ? m.edit_removed_one({ title, name: answer.name })
      : m.edit_removed({ count: removed.length, name: answer.name });
    this.#undo.offer(told, async () => {
      const back = await this.#edit(m.library_put_back_failed(), () =>
        ipc.addToLocalPlaylist(id, removed.map((row) => row.trackId)),
      );
      return back !== null && (await this.#moveAll(id, putBackMoves(indexes, back.items), m.library_put_back_failed(), back.revision)) !== null;
    });
    return true;
  }

  /**
   * Moves rows of the page shown as one undoable edit: `moves` (see `$lib/list/moves`) are
   * sent as the core's moves, one after the other; `moved` are the rows that move.
   */
  async moveRows(moves: readonly ItemMove[], moved: readonly string[]): Promise<boolean> {
    const id = this.shownId;
    const rows = this.rows;
    const steps = indexMoves(
      rows.map((row) => row.key),
      moves,
    );
    if (!id || steps.length === 0) return false;
    const failed = m.library_move_failed({ count: moved.length });
    const after = await this.#moveAll(id, steps, failed, this.page?.revision);
    if (after === null) return false;
    const name = this.page?.name ?? this.summary(id)?.name ?? m.playlist_unnamed();
    const title = moved.length === 1 ? rows.find((row) => row.key === moved[0])?.track?.title : undefined;
    const told = title ? m.edit_moved_one({ title, name }) : m.edit_moved({ count: moved.length, name });
    this.#undo.offer(told, async () => (await this.#moveAll(id, reversedMoves(steps), m.library_move_back_failed(), after)) !== null);
    return true;
  }

  /** Plays the page shown from the top; files that are missing are skipped. */
  play(): Promise<void> {
    const rows = this.rows;
    return this.playFrom(Math.max(0, rows.findIndex((row) => !row.missing)));
  }

  /** Plays the page shown from row `index` on (not a missing file's: it cannot be played). */
  async playFrom(index: number): Promise<void> {
    const from = playableFrom(this.rows, index);
    if (from) await playerStore.playQueue(from.trackIds, from.start);
  }

  /** Plays the page shown shuffled (shuffle turned on, from a random track). */
  async shuffle(): Promise<void> {
    const trackIds = this.rows.filter((row) => !row.missing).map((row) => row.trackId);
    await playTracks(trackIds, { shuffle: true });
  }

  dismissError(): void {
    this.error = null;
  }

  async #readList(sequence = ++this.#sequence): Promise<void> {
    try {
      const playlists = await ipc.localPlaylists();
      if (sequence < this.#listShown) return;
      this.#listShown = sequence;
      this.playlists = playlists;
      this.loaded = true;
    } catch (error) {
      if (sequence >= this.#listShown) this.#fail(m.local_playlists_read_failed(), error);
    }
  }

  async #readPage(id: string, sequence = ++this.#sequence): Promise<void> {
    try {
      const page = await ipc.localPlaylist(id);
      if (this.shownId !== id || sequence < this.#pageShown) return;
      this.#pageShown = sequence;
      this.page = page;
      this.gone = false;
    } catch (error) {
      if (this.shownId !== id || sequence < this.#pageShown) return;
      const appError = ipc.toAppError(error);
      if (appError.kind === "not_found") {
        this.#pageShown = sequence;
        this.page = null;
        this.gone = true;
      } else {
        this.#fail(m.library_open_failed(), appError);
      }
    }
  }

  /** An edit answered with the playlist's summary: shown in the list, and its page read again. */
  async #edit(action: string, command: () => Promise<LocalPlaylistSummary>): Promise<LocalPlaylistSummary | null> {
    const sequence = ++this.#sequence;
    this.error = null;
    let summary: LocalPlaylistSummary;
    try {
      summary = await command();
    } catch (error) {
      this.#fail(action, error);
      return null;
    }
    this.#showSummary(summary, sequence);
    if (this.shownId === summary.id) await this.#readPage(summary.id);
    return summary;
  }

  /**
   * Sends the core's moves one after the other, the first naming `revision` (the positions'),
   * each next the one the move before it left: the revision after them, or null (and why) at
   * the first refused.
   */
  async #moveAll(id: string, steps: readonly IndexMove[], action: string, revision: number | undefined): Promise<number | undefined | null> {
    let expected = revision;
    for (const { from, to } of steps) {
      const answer = await this.#edit(action, () => ipc.moveInLocalPlaylist(id, from, to, expected));
      if (!answer) return null;
      expected = answer.revision;
    }
    return expected;
  }

  async #delete(id: string, action: string): Promise<boolean> {
    this.error = null;
    try {
      await ipc.deleteLocalPlaylist(id);
    } catch (error) {
      this.#fail(action, error);
      return false;
    }
    this.playlists = this.playlists.filter((playlist) => playlist.id !== id);
    if (this.shownId === id) {
      this.page = null;
      this.gone = true;
    }
    return true;
  }

  /** Puts an edited playlist's new summary in the list (a new one in its place by name). */
  #showSummary(summary: LocalPlaylistSummary, sequence: number): void {
    if (sequence < this.#listShown) return;
    // A read of the whole list sent before this edit would undo it: it is dropped.
    this.#listShown = sequence;
    const others = this.playlists.filter((playlist) => playlist.id !== summary.id);
    this.playlists = [...others, summary].sort((a, b) => a.name.localeCompare(b.name));
  }

  #fail(action: string, error: unknown): void {
    this.error = { ...ipc.toAppError(error), action };
  }
}

export const localPlaylistsStore = new LocalPlaylistsStore();
