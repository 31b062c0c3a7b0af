import * as ipc from "../../ipc";
import type { AppError } from "../../ipc";

/** Pages kept in memory, so "back" shows the page at once, where it was scrolled. */
export const PAGES_KEPT = 20;

/**
 * One screen's content read from the core, by key (an album's id): the page last seen under
 * that key shows at once while it is read again, and an answer for a key no longer shown is
 * dropped. `loading` without a page is the only time the screen waits; an error is shown
 * with a way to try again, never an endless spinner.
 */
export class PageLoader<T> {
  key = $state<string | null>(null);
  page = $state.raw<T | null>(null);
  loading = $state(false);
  error = $state<AppError | null>(null);
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a cache, never rendered
  #kept = new Map<string, T>();
  #generation = 0;
  #read: (key: string) => Promise<T>;

  constructor(read: (key: string) => Promise<T>) {
    this.#read = read;
  }

  /** Shows the page under `key`: the one kept at once, then what the core answers now. */
  async show(key: string): Promise<void> {
    const generation = ++this.#generation;
    if (this.key !== key) {
      this.key = key;
      this.page = this.#kept.get(key) ?? null;
    }
    this.error = null;
    this.loading = true;
    try {
      const page = await this.#read(key);
      if (generation !== this.#generation) return;
      this.page = page;
      this.#keep(key, page);
    } catch (error) {
      if (generation === this.#generation) this.error = ipc.toAppError(error);
    } finally {
      if (generation === this.#generation) this.loading = false;
    }
  }

  /** Reads the page shown again (after an action changed it, or "Try again"). */
  reload(): Promise<void> {
    return this.key === null ? Promise.resolve() : this.show(this.key);
  }

  /** Forgets everything (sign-out, another account). */
  reset(): void {
    this.#generation += 1;
    this.#kept.clear();
    this.key = null;
    this.page = null;
    this.loading = false;
    this.error = null;
  }

  #keep(key: string, page: T): void {
    this.#kept.delete(key);
    this.#kept.set(key, page);
    if (this.#kept.size > PAGES_KEPT) {
      const oldest = this.#kept.keys().next().value;
      if (oldest !== undefined) this.#kept.delete(oldest);
    }
  }
}
