/**
 * The playlists kept on this computer ("local playlists") as the window holds them: the list
 * the sidebar shows, the one whose page is open, and every edit of them, each told in the
 * window's one edit notice with Undo (shared with the account's playlists, `playlistEdits`).
 *
 * They belong to the computer, not to an account: the core keeps them in the local files'
 * index and says `local-playlists-changed` after any change (here, or an import), and the
 * list and the page open are read again then. Edits show what the core answered, never a
 * guess; an answer older than one shown is dropped. Items are named by their own ids, as an
 * account's playlist's are, and a selection is sent as one batch (`edit_local_playlist`,
 * all or none), so edits made quickly one after another each touch what was chosen, or are
 * refused in words when an item chosen went meanwhile. Only the Undo of a removal, which puts
 * tracks back at their positions, names the revision its removal left, and is refused when
 * the playlist changed after it.
 */
import * as ipc from "../../../ipc";
import type {
  AppError,
  LocalPlaylistEdited,
  LocalPlaylistPage,
  LocalPlaylistSummary,
  PlaylistItemEdit,
  Unlisten,
} from "../../../ipc";
import { playTracks } from "$lib/cards/play";
import { m, windowError } from "$lib/i18n";
import { restoreMoves, restoreRemovals, type ItemMove } from "$lib/list/moves";
import { playlistEdits, type UndoSlot } from "$lib/list/undo.svelte";
import { playerStore } from "$lib/stores/player.svelte";
import { localPlaylistRows, playableFrom } from "./rows";

/** A failed command, in words: what was being done, then the core's reason. */
export type LocalPlaylistsError = AppError & { action: string };

export class LocalPlaylistsStore {
  /** Every playlist on this computer, by name (as the core lists them). */
  playlists = $state.raw<LocalPlaylistSummary[]>([]);
  /** The list has been read once (before that, the sidebar says nothing of it). */
  loaded = $state(false);
  /** The last edit or read of the list that failed (the sidebar says it). */
  error = $state<LocalPlaylistsError | null>(null);
  /** The page shown could not be read (its page says so, with "Try again"). */
  pageError = $state<AppError | null>(null);
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
  /** The number of the call whose failure `error` says: a later call's success clears it. */
  #errorAt = 0;

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
      this.pageError = null;
    }
    await this.#readPage(id);
  }

  /** The page of playlist `id` is no longer shown. */
  hide(id: string | null = this.shownId): void {
    if (id === null || this.shownId !== id) return;
    this.shownId = null;
    this.page = null;
    this.gone = false;
    this.pageError = null;
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

  /**
   * Deletes the playlist `id` (its files stay where they are), once the listener confirmed;
   * Undo makes it again, with its items, under a new id.
   */
  async delete(id: string): Promise<boolean> {
    // What it held, so an Undo can make it again (without: deleted all the same).
    let content: LocalPlaylistPage | null = this.shownId === id ? this.page : null;
    try {
      content ??= await ipc.localPlaylist(id);
    } catch {
      content = null;
    }
    if (!(await this.#delete(id, m.library_delete_failed()))) return false;
    if (content) {
      const { name, items } = content;
      this.#undo.offer(m.edit_deleted({ name }), async () => {
        const trackIds = items.map((item) => item.track.id);
        return (await this.#edit(m.library_restore_failed(), () => ipc.createLocalPlaylist(name, trackIds))) !== null;
      });
    }
    return true;
  }

  /**
   * Adds tracks (files on this computer) at the end of playlist `id` as one undoable edit,
   * saying so ("Added “Song” to “Mix”."); `title` names a single track. Undo takes out the
   * items added, wherever they are by then.
   */
  async add(id: string, trackIds: readonly string[], title?: string): Promise<boolean> {
    if (trackIds.length === 0) return false;
    const answer = await this.#batch(m.library_add_failed(), id, [{ kind: "add", track_ids: [...trackIds], position: null }]);
    if (!answer) return false;
    const name = answer.playlist.name;
    const told = trackIds.length === 1 && title ? m.edit_added_one({ title, name }) : m.edit_added({ count: trackIds.length, name });
    const added: PlaylistItemEdit[] = answer.added_item_ids.map((item_id) => ({ kind: "remove", item_id }));
    this.#undo.offer(told, async () => (await this.#batch(m.library_undo_add_failed(), id, added)) !== null);
    return true;
  }

  /**
   * Takes the rows `keys` (item ids) out of the page shown as one undoable edit; Undo puts
   * their tracks back at their places, unless the playlist changed after the removal.
   */
  async removeRows(keys: readonly string[]): Promise<boolean> {
    const id = this.shownId;
    const rows = this.rows;
    // A lookup made and dropped here, never shown: no need for a reactive set.
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    const wanted = new Set(keys);
    const removed = rows.flatMap((row, index) => (wanted.has(row.key) ? [{ index, trackId: row.trackId, title: row.track?.title }] : []));
    if (!id || removed.length === 0) return false;
    const action = m.library_remove_failed({ count: wanted.size });
    if (removed.length < wanted.size) {
      // Chosen from rows redrawn meanwhile: nothing is removed rather than some.
      this.#fail(action, windowError("invalid_input", m.local_playlist_changed_meanwhile()));
      return false;
    }
    // The page the positions come from: its Undo puts them back only if this removal is the
    // one change since (another, in flight or from elsewhere, moved them).
    const read = this.page?.revision ?? 0;
    const answer = await this.#batch(
      action,
      id,
      removed.map(({ index }) => ({ kind: "remove", item_id: rows[index].key })),
    );
    if (!answer) return false;
    const name = answer.playlist.name;
    const title = removed.length === 1 ? removed[0].title : undefined;
    const told = title ? m.edit_removed_one({ title, name }) : m.edit_removed({ count: removed.length, name });
    const putBack: PlaylistItemEdit[] = restoreRemovals(removed).map((insert) => ({
      kind: "add",
      track_ids: insert.trackIds,
      position: insert.position,
    }));
    this.#undo.offer(told, async () => (await this.#batch(m.library_put_back_failed(), id, putBack, read + 1)) !== null);
    return true;
  }

  /**
   * Moves rows of the page shown as one undoable edit: `moves` (see `$lib/list/moves`) are
   * sent together and applied in order; `moved` are the rows (item ids) that move. Undo puts
   * each back after the item it followed.
   */
  async moveRows(moves: readonly ItemMove[], moved: readonly string[]): Promise<boolean> {
    const id = this.shownId;
    const rows = this.rows;
    if (!id || moves.length === 0) return false;
    const before = rows.map((row) => row.key);
    const edits: PlaylistItemEdit[] = moves.map((move) => ({ kind: "move", item_id: move.item_id, after: move.after }));
    const answer = await this.#batch(m.library_move_failed({ count: moved.length }), id, edits);
    if (!answer) return false;
    const name = answer.playlist.name;
    const title = moved.length === 1 ? rows.find((row) => row.key === moved[0])?.track?.title : undefined;
    const told = title ? m.edit_moved_one({ title, name }) : m.edit_moved({ count: moved.length, name });
    this.#undo.offer(told, async () => {
      // The order as it is now (read again after the move, or another window's change).
      const current = this.shownId === id && this.page ? this.rows.map((row) => row.key) : before;
      const back: PlaylistItemEdit[] = restoreMoves(before, current, moved).map((move) => ({
        kind: "move",
        item_id: move.item_id,
        after: move.after,
      }));
      return (await this.#batch(m.library_move_back_failed(), id, back)) !== null;
    });
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

  /** Reads the page shown again after it failed to read ("Try again"). */
  retryPage(): Promise<void> {
    return this.reloadPage();
  }

  async #readList(sequence = ++this.#sequence): Promise<void> {
    try {
      const playlists = await ipc.localPlaylists();
      if (sequence < this.#listShown) return;
      this.#listShown = sequence;
      this.playlists = playlists;
      this.loaded = true;
    } catch (error) {
      if (sequence >= this.#listShown) this.#fail(m.local_playlists_read_failed(), error, sequence);
    }
  }

  async #readPage(id: string, sequence = ++this.#sequence): Promise<void> {
    try {
      const page = await ipc.localPlaylist(id);
      if (this.shownId !== id || sequence < this.#pageShown) return;
      this.#pageShown = sequence;
      this.page = page;
      this.gone = false;
      this.pageError = null;
    } catch (error) {
      if (this.shownId !== id || sequence < this.#pageShown) return;
      const appError = ipc.toAppError(error);
      if (appError.kind === "not_found") {
        this.#pageShown = sequence;
        this.page = null;
        this.gone = true;
      } else {
        this.pageError = appError;
      }
    }
  }

  /** An edit answered with the playlist's summary: shown in the list, and its page read again. */
  async #edit(action: string, command: () => Promise<LocalPlaylistSummary>): Promise<LocalPlaylistSummary | null> {
    const sequence = ++this.#sequence;
    let summary: LocalPlaylistSummary;
    try {
      summary = await command();
    } catch (error) {
      this.#fail(action, error, sequence);
      return null;
    }
    this.#succeeded(sequence);
    this.#showSummary(summary, sequence);
    if (this.shownId === summary.id) await this.#readPage(summary.id);
    return summary;
  }

  /**
   * A batch of edits of playlist `id` (`edit_local_playlist`), given `revision` only if the
   * playlist is still there: its answer shown, and its page read again. An item chosen that
   * went meanwhile, or a revision passed, is said in the window's words.
   */
  async #batch(action: string, id: string, edits: PlaylistItemEdit[], revision?: number): Promise<LocalPlaylistEdited | null> {
    const sequence = ++this.#sequence;
    let answer: LocalPlaylistEdited;
    try {
      answer = await ipc.editLocalPlaylist(id, edits, revision);
    } catch (error) {
      const appError = ipc.toAppError(error);
      // Edits of items already there (and an Undo's, by revision) have one refusal of their
      // input: the playlist changed meanwhile. New tracks have others (not a file here).
      const changedMeanwhile =
        appError.kind === "invalid_input" && (revision !== undefined || edits.every((edit) => edit.kind !== "add"));
      this.#fail(action, changedMeanwhile ? windowError("invalid_input", m.local_playlist_changed_meanwhile()) : appError, sequence);
      return null;
    }
    this.#succeeded(sequence);
    this.#showSummary(answer.playlist, sequence);
    if (this.shownId === id) await this.#readPage(id);
    return answer;
  }

  async #delete(id: string, action: string): Promise<boolean> {
    const sequence = ++this.#sequence;
    try {
      await ipc.deleteLocalPlaylist(id);
    } catch (error) {
      this.#fail(action, error, sequence);
      return false;
    }
    this.#succeeded(sequence);
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

  /** Says why call `sequence` failed (an error worded here keeps the window's words). */
  #fail(action: string, error: unknown, sequence = ++this.#sequence): void {
    this.error = { ...(ipc.isAppError(error) ? error : ipc.toAppError(error)), action };
    this.#errorAt = sequence;
  }

  /** Call `sequence` went through: what an earlier one's failure said is no longer news. */
  #succeeded(sequence: number): void {
    if (this.#errorAt < sequence) this.error = null;
  }
}

export const localPlaylistsStore = new LocalPlaylistsStore();
