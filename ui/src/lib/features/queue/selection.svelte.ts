/**
 * The queue panel's selection: entries named by their ids (an entry keeps its id when it
 * moves, and the same track queued twice is two entries), and the entry a Shift range
 * starts from. Which entries a range or Ctrl+A covers is arithmetic on places
 * (`rangeIndexes`, `sectionIndexes`); since the panel reads a long queue page by page, the
 * places are read first, so a range across entries never scrolled to selects them all.
 */
/* eslint-disable svelte/prefer-svelte-reactivity -- the sets are values, never changed once
   made: each change makes a new one and replaces `ids` whole. */
import type { QueueEntry } from "../../../ipc";
import type { QueueStore } from "./queue.svelte";

export class QueueSelection {
  /** Held whole (`$state.raw`): replaced on every change. */
  ids = $state.raw<ReadonlySet<number>>(new Set());
  /** Where a Shift range starts: the last entry toggled or the first of a range. */
  anchor = $state<number | null>(null);
  readonly #queue: QueueStore;

  constructor(queue: QueueStore) {
    this.#queue = queue;
  }

  get size(): number {
    return this.ids.size;
  }

  has(entry: QueueEntry | undefined): boolean {
    return entry !== undefined && this.ids.has(entry.entry_id);
  }

  /** The places of the selected entries, ascending. */
  indexes(): number[] {
    const indexes: number[] = [];
    this.#queue.cache.slots.forEach((slot, index) => {
      if (slot && this.ids.has(slot.entry.entry_id)) indexes.push(index);
    });
    return indexes;
  }

  /** What an edit from the entry at `index` acts on: the selection when it is in it, else that entry. */
  actedOn(index: number): number[] {
    return this.has(this.#queue.entryAt(index)) ? this.indexes() : [index];
  }

  /** The ids of the entries at `indexes` (those read). */
  idsAt(indexes: readonly number[]): number[] {
    return indexes.flatMap((index) => {
      const entry = this.#queue.entryAt(index);
      return entry ? [entry.entry_id] : [];
    });
  }

  /** Where a range starts: the anchor's place, else `fallback`'s (which becomes the anchor). */
  anchorIndex(fallback: number): number {
    const index = this.anchor === null ? null : this.#queue.indexOf(this.anchor);
    if (index !== null) return index;
    this.anchor = this.#queue.entryAt(fallback)?.entry_id ?? null;
    return fallback;
  }

  /** Selects the entries at `indexes` (ascending), added to the selection with `add`, once read. */
  async select(indexes: readonly number[], add: boolean): Promise<void> {
    if (indexes.length > 0) await this.#queue.read(indexes[0], indexes[indexes.length - 1] + 1);
    const ids = this.idsAt(indexes);
    this.ids = new Set(add ? [...this.ids, ...ids] : ids);
  }

  /** Ctrl/Cmd-click or Ctrl+Space: this entry in or out; it anchors the next range. */
  toggle(entry: QueueEntry): void {
    const ids = new Set(this.ids);
    if (!ids.delete(entry.entry_id)) ids.add(entry.entry_id);
    this.ids = ids;
    this.anchor = entry.entry_id;
  }

  clear(): void {
    if (this.ids.size > 0) this.ids = new Set();
    this.anchor = null;
  }

  /** Drops the entries no longer in the queue, and the one now playing (which cannot move). */
  prune(): void {
    if (this.ids.size === 0) return;
    const cache = this.#queue.cache;
    const present = new Set<number>();
    for (const slot of cache.slots) if (slot) present.add(slot.entry.entry_id);
    const playing = cache.nowPlaying?.entry_id;
    const kept = [...this.ids].filter((id) => present.has(id) && id !== playing);
    if (kept.length !== this.ids.size) this.ids = new Set(kept);
  }
}
