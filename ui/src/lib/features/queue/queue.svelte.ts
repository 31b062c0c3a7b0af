/**
 * The queue the window shows: follows the core's `queue-changed` events, reads the entries
 * the panel scrolls to with `queue_page`, and shows the listener's edits at once (see
 * `cache.ts`). The commands themselves go through the player store, which owns this one.
 */
import * as ipc from "../../../ipc";
import type { QueueEntry, QueueView, Unlisten } from "../../../ipc";
import * as cache from "./cache";

/** How long an edit shown ahead of the core may go unanswered before the core is asked. */
export const EDIT_ANSWER_MS = 2_000;

export class QueueStore {
  /** Held whole (`$state.raw`): replaced on every change, never deep-reactive. */
  cache = $state.raw<cache.QueueCache>(cache.EMPTY_CACHE);
  #unlisten: Unlisten | null = null;
  #running = false;
  #sawEvent = false;
  /** Pages being read, as `revision:page`, so a page is asked for once (never shown). */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #reading = new Map<string, Promise<void>>();
  #answerTimer: ReturnType<typeof setTimeout> | undefined;

  get length(): number {
    return this.cache.length;
  }

  get current(): number | null {
    return this.cache.current;
  }

  get nowPlaying(): QueueEntry | null {
    return this.cache.nowPlaying;
  }

  get playsNext(): QueueEntry | null {
    return this.cache.playsNext;
  }

  entryAt(index: number): QueueEntry | undefined {
    return cache.entryAt(this.cache, index);
  }

  indexOf(entryId: number): number | null {
    return cache.indexOfEntry(this.cache, entryId);
  }

  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    this.#sawEvent = false;
    const unlisten = await ipc.onQueueChanged((view) => {
      this.#sawEvent = true;
      this.apply(view);
    });
    if (!this.#running) return unlisten();
    this.#unlisten = unlisten;
    const initial = await ipc.queueView();
    // An event that arrived while we were asking is newer than this snapshot.
    if (this.#running && !this.#sawEvent) this.apply(initial);
  }

  stop(): void {
    this.#running = false;
    this.#unlisten?.();
    this.#unlisten = null;
    clearTimeout(this.#answerTimer);
    this.#reading.clear();
    this.cache = cache.EMPTY_CACHE;
  }

  apply(view: QueueView): void {
    this.cache = cache.applyView(this.cache, view);
    if (this.cache.pending.length === 0) clearTimeout(this.#answerTimer);
  }

  /** Reads what is missing or out of date of entries `from` to `to` (exclusive). */
  load(from: number, to: number): void {
    void this.read(from, to);
  }

  /**
   * Reads entries `from` to `to` (exclusive) as `load` does, and settles once every page of
   * them has been answered (a page that could not be read stays missing).
   */
  async read(from: number, to: number): Promise<void> {
    const { revision } = this.cache;
    const pages = cache.pagesToRead(this.cache, from, to).map((page) => {
      const key = `${revision}:${page}`;
      let reading = this.#reading.get(key);
      if (!reading) {
        reading = ipc
          .queuePage(page * cache.PAGE_SIZE, cache.PAGE_SIZE)
          // A page of another revision (another account's, after a stop) is not kept.
          .then((answer) => void (this.cache = cache.applyPage(this.cache, answer)))
          // A page that could not be read is asked for again when next needed.
          .catch(() => {})
          .finally(() => this.#reading.delete(key));
        this.#reading.set(key, reading);
      }
      return reading;
    });
    await Promise.all(pages);
  }

  /** Shows an edit before the core makes it; false when it cannot be shown ahead. */
  showEdit(edit: (queue: cache.QueueCache) => cache.QueueCache | null): boolean {
    const edited = edit(this.cache);
    if (!edited) return false;
    if (edited === this.cache) return true;
    this.cache = edited;
    clearTimeout(this.#answerTimer);
    this.#answerTimer = setTimeout(() => void this.resync(), EDIT_ANSWER_MS);
    return true;
  }

  /** Takes the core's queue as it is, dropping what was shown ahead of it. */
  async resync(): Promise<void> {
    clearTimeout(this.#answerTimer);
    if (!this.#running) return;
    try {
      const view = await ipc.queueView();
      if (this.#running) this.cache = cache.adopt(view);
    } catch {
      // The next event will tell.
    }
  }
}
