import * as ipc from "../../ipc";
import type { AppError, Track } from "../../ipc";

export class CatalogStore {
  tracks = $state<Track[]>([]);
  loading = $state(false);
  error = $state<AppError | null>(null);
  #nextCursor = $state<string | null>(null);
  #firstPageLoaded = $state(false);
  // Bumped by reset() so a page that arrives after sign-out is dropped.
  #generation = 0;

  get hasMore(): boolean {
    return !this.#firstPageLoaded || this.#nextCursor !== null;
  }

  get loaded(): boolean {
    return this.#firstPageLoaded;
  }

  /** Fetches the next page, unless one is in flight or the end was reached. */
  async loadMore(): Promise<void> {
    if (this.loading || !this.hasMore) return;
    const generation = this.#generation;
    this.loading = true;
    this.error = null;
    try {
      const page = await ipc.catalogTracks(this.#nextCursor);
      if (generation !== this.#generation) return;
      // eslint-disable-next-line svelte/prefer-svelte-reactivity -- local lookup, never rendered
      const known = new Set(this.tracks.map((track) => track.id));
      this.tracks.push(...page.items.filter((track) => !known.has(track.id)));
      this.#nextCursor = page.next_cursor;
      this.#firstPageLoaded = true;
    } catch (error) {
      if (generation === this.#generation) this.error = ipc.toAppError(error);
    } finally {
      if (generation === this.#generation) this.loading = false;
    }
  }

  reset(): void {
    this.#generation += 1;
    this.tracks = [];
    this.loading = false;
    this.error = null;
    this.#nextCursor = null;
    this.#firstPageLoaded = false;
  }
}

export const catalogStore = new CatalogStore();
