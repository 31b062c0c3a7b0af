import { SvelteMap, SvelteSet } from "svelte/reactivity";
import type { Track } from "../../ipc";

/** Tracks asked of the core in one command, at most. */
export const TRACKS_PER_READ = 200;

/**
 * Tracks kept, at most: many screens' worth either side of any scroll position. Past it the
 * least recently wanted go (and are read again when scrolled back to): a long session of
 * scrolling through a 10,000-item playlist must not keep every track it passed.
 */
export const TRACKS_KEPT = 2_000;

/**
 * The data of the tracks a long list names by id (an opened playlist: its items come as ids,
 * its first tracks with them), read from the core as the list scrolls to them. Reactive per
 * track: a row re-renders when its own track arrives, not when any other does. Tracks the
 * core has never seen are remembered as unknown, so their rows say so instead of waiting.
 * At most `limit` tracks are kept, the least recently wanted going first.
 */
export class TrackCache {
  readonly #tracks = new SvelteMap<string, Track>();
  /**
   * The kept tracks' ids, least recently wanted first (a Map keeps insertion order).
   * Bookkeeping, never shown.
   */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #recency = new Map<string, true>();
  readonly #limit: number;
  readonly #unknown = new SvelteSet<string>();
  /** Asked and not answered yet: not asked again meanwhile. Bookkeeping, never shown. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #asked = new Set<string>();
  readonly #read: (ids: readonly string[]) => Promise<Track[]>;
  /** Bumped by `clear`: answers to what was asked before are dropped. */
  #generation = 0;

  constructor(read: (ids: readonly string[]) => Promise<Track[]>, limit = TRACKS_KEPT) {
    this.#read = read;
    this.#limit = limit;
  }

  /** How many tracks are kept. */
  get size(): number {
    return this.#tracks.size;
  }

  /** A track's data; undefined while not read (see `pending`) or unknown to the core. */
  get(id: string): Track | undefined {
    return this.#tracks.get(id);
  }

  /** Whether a track's data is still to come (neither read nor known to be unknown). */
  pending(id: string): boolean {
    return !this.#tracks.has(id) && !this.#unknown.has(id);
  }

  put(tracks: readonly Track[]): void {
    for (const track of tracks) {
      this.#tracks.set(track.id, track);
      this.#unknown.delete(track.id);
      this.#touch(track.id);
    }
    for (const oldest of this.#recency.keys()) {
      if (this.#tracks.size <= this.#limit) break;
      this.#recency.delete(oldest);
      this.#tracks.delete(oldest);
    }
  }

  /**
   * Reads the tracks among `ids` not read, not unknown and not being read, in commands of at
   * most `TRACKS_PER_READ`. A failed read is forgotten, so the next scroll asks again.
   */
  async want(ids: Iterable<string>): Promise<void> {
    const missing: string[] = [];
    for (const id of ids) {
      // Wanted again (its rows on screen): the last to go.
      if (this.#tracks.has(id)) this.#touch(id);
      if (this.#asked.has(id) || !this.pending(id)) continue;
      this.#asked.add(id);
      missing.push(id);
    }
    const generation = this.#generation;
    const reads: Promise<void>[] = [];
    for (let start = 0; start < missing.length; start += TRACKS_PER_READ) {
      const batch = missing.slice(start, start + TRACKS_PER_READ);
      reads.push(this.#readBatch(batch, generation));
    }
    await Promise.all(reads);
  }

  /** Forgets everything (another playlist, another account). */
  clear(): void {
    this.#generation += 1;
    this.#tracks.clear();
    this.#recency.clear();
    this.#unknown.clear();
    this.#asked.clear();
  }

  #touch(id: string): void {
    this.#recency.delete(id);
    this.#recency.set(id, true);
  }

  async #readBatch(batch: string[], generation: number): Promise<void> {
    let tracks: Track[];
    try {
      tracks = await this.#read(batch);
    } catch {
      // Shown as still loading; the rows ask again when they next come on screen.
      if (generation === this.#generation) for (const id of batch) this.#asked.delete(id);
      return;
    }
    if (generation !== this.#generation) return;
    this.put(tracks);
    // A lookup made and dropped here, never shown.
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    const found = new Set(tracks.map((track) => track.id));
    for (const id of batch) {
      this.#asked.delete(id);
      if (!found.has(id)) this.#unknown.add(id);
    }
  }
}
