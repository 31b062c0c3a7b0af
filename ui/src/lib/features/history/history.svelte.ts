import * as ipc from "../../../ipc";
import type { AppError, PlayedTrack } from "../../../ipc";

/**
 * The play history from the library, newest first, read a page at a time as the list is
 * scrolled to its end.
 */
export class HistoryStore {
  plays = $state.raw<readonly PlayedTrack[]>([]);
  loading = $state(false);
  loaded = $state(false);
  error = $state<AppError | null>(null);
  #next: string | null = null;
  #generation = 0;

  get hasMore(): boolean {
    return !this.loaded || this.#next !== null;
  }

  /** From the top again (the screen opened: plays were added since). */
  async load(): Promise<void> {
    this.#generation += 1;
    this.#next = null;
    this.loaded = false;
    this.loading = false;
    await this.#page(true);
  }

  async loadMore(): Promise<void> {
    if (this.loading || !this.hasMore) return;
    await this.#page(false);
  }

  reset(): void {
    this.#generation += 1;
    this.plays = [];
    this.loading = false;
    this.loaded = false;
    this.error = null;
    this.#next = null;
  }

  async #page(first: boolean): Promise<void> {
    const generation = this.#generation;
    this.loading = true;
    this.error = null;
    try {
      const page = await ipc.playHistory(first ? null : this.#next);
      if (generation !== this.#generation) return;
      this.plays = first ? page.items : [...this.plays, ...page.items];
      this.#next = page.next_cursor;
      this.loaded = true;
    } catch (error) {
      if (generation === this.#generation) this.error = ipc.toAppError(error);
    } finally {
      if (generation === this.#generation) this.loading = false;
    }
  }
}

export const historyStore = new HistoryStore();
