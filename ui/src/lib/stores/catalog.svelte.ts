import * as ipc from "../../ipc";
import type { AppError, CatalogChange, CatalogSplice, CatalogStatus, Track } from "../../ipc";

/** Tracks asked for per re-read call: what changed is read back in a few large pages. */
const REREAD_PAGE = 1_000;
/** A page read by `loadMore` (the backend's default): a page in flight covers no more. */
const PAGE = 100;

/**
 * The catalog screen's list: the catalog read a page at a time as the list scrolls
 * (`loadMore`, from this computer's library, so at once and offline too), kept current while
 * the backend refreshes it from the service (`catalog-changed`).
 *
 * A change says how many of the tracks listed are as they were (`kept`); the store re-reads
 * what it holds after them, in place, so the list keeps its length and its scroll position;
 * a change past the end of what it holds costs nothing until the scroll gets there, and
 * when it had read to the end, the list goes on from there. Changes that come while a
 * re-read is on its way fold into it (the smallest `kept` wins).
 */
export class CatalogStore {
  /** The tracks read so far, in catalog order. Large: replaced, never deeply proxied. */
  tracks = $state.raw<Track[]>([]);
  loading = $state(false);
  /** Why the last page could not be read. */
  error = $state<AppError | null>(null);
  /** Where the list stands (its total, a refresh under way, why it may be out of date). */
  status = $state<CatalogStatus | null>(null);
  /** Why the last refresh asked for could not start (offline, signed out). */
  refreshError = $state<AppError | null>(null);
  /** Where the next page starts (null: at the start). */
  #cursor: string | null = null;
  #end = $state(false);
  #firstPageLoaded = $state(false);
  /** A change not yet read back: what is held from `kept` on is out of date. */
  #stale: CatalogSplice | null = null;
  // Bumped by reset() and by changes that outdate what is on its way, whose answers are
  // then dropped.
  #generation = 0;
  /** Changes heard so far: a page asked for before the last one has an older status. */
  #heard = 0;
  /** Bumped by reset(): a subscription made before belongs to no one. */
  #resets = 0;
  #unlisten: ipc.Unlisten | null = null;
  #following = false;

  get hasMore(): boolean {
    return !this.#firstPageLoaded || !this.#end;
  }

  get loaded(): boolean {
    return this.#firstPageLoaded;
  }

  /** How many tracks the catalog lists, when known (else only what is read so far is). */
  get total(): number | null {
    return this.status?.total ?? null;
  }

  /** Reads the next page, unless one is in flight or the end was reached. */
  async loadMore(): Promise<void> {
    this.#follow();
    if (this.loading || !this.hasMore) return;
    const generation = this.#generation;
    const heard = this.#heard;
    this.loading = true;
    this.error = null;
    try {
      const page = await ipc.catalogTracks(this.#cursor);
      if (generation !== this.#generation) return;
      // eslint-disable-next-line svelte/prefer-svelte-reactivity -- local lookup, never rendered
      const known = new Set(this.tracks.map((track) => track.id));
      this.tracks = [...this.tracks, ...page.items.filter((track) => !known.has(track.id))];
      this.#cursor = page.next_cursor;
      this.#end = page.next_cursor === null;
      this.#firstPageLoaded = true;
      if (heard === this.#heard) this.status = page.status;
    } catch (error) {
      if (generation === this.#generation) this.error = ipc.toAppError(error);
    } finally {
      if (generation === this.#generation) this.loading = false;
    }
  }

  /** Asks the backend to read the catalog again from the service; progress comes as changes. */
  async refresh(): Promise<void> {
    this.#follow();
    this.refreshError = null;
    try {
      await ipc.refreshCatalog();
    } catch (error) {
      this.refreshError = ipc.toAppError(error);
    }
  }

  /** Takes in a `catalog-changed` event. */
  applyChange(change: CatalogChange): void {
    this.#heard += 1;
    this.status = change.status;
    if (change.status.refreshing) this.refreshError = null;
    const splice = change.changed;
    if (!splice) return;
    if (!this.#firstPageLoaded) {
      // The first page on its way may be from before the change: ask again.
      if (this.loading) this.#askAgain();
      return;
    }
    const stale = this.#stale === null || splice.kept < this.#stale.kept ? splice : this.#stale;
    if (stale.kept < this.tracks.length) {
      this.#stale = stale;
      void this.#reread();
      return;
    }
    // Nothing held changed.
    if (this.#end) {
      // It had read to the end, which may be on screen, and the list goes on: read on.
      this.#cursor = stale.cursor;
      this.#end = false;
      void this.loadMore();
    } else if (this.loading && stale.kept < this.tracks.length + PAGE) {
      // The page on its way may be from before the change.
      this.#askAgain();
    }
  }

  /** Drops the page on its way and asks for it again. */
  #askAgain(): void {
    this.#generation += 1;
    this.loading = false;
    void this.loadMore();
  }

  /** Reads back, in place, what is held from the first change on. */
  async #reread(): Promise<void> {
    const stale = this.#stale;
    if (stale === null) return;
    this.#generation += 1;
    const generation = this.#generation;
    this.loading = true;
    this.error = null;
    const heard = this.#heard;
    const wanted = this.tracks.length - stale.kept;
    const read: Track[] = [];
    let cursor = stale.cursor;
    let end = false;
    try {
      while (read.length < wanted && !end) {
        const page = await ipc.catalogTracks(cursor, Math.min(REREAD_PAGE, wanted - read.length));
        if (generation !== this.#generation) return;
        read.push(...page.items);
        cursor = page.next_cursor;
        end = cursor === null;
        if (heard === this.#heard) this.status = page.status;
      }
      this.tracks = [...this.tracks.slice(0, stale.kept), ...read];
      this.#cursor = cursor;
      this.#end = end;
      this.#stale = null;
    } catch (error) {
      // What is held stays shown; the next change or a retry reads it again.
      if (generation === this.#generation) this.error = ipc.toAppError(error);
    } finally {
      if (generation === this.#generation) this.loading = false;
    }
  }

  /** Starts hearing the backend's changes (once, until `reset`). */
  #follow(): void {
    if (this.#following) return;
    this.#following = true;
    const resets = this.#resets;
    ipc
      .onCatalogChanged((change) => this.applyChange(change))
      .then((unlisten) => {
        // Reset while the subscription was on its way: it belongs to no one.
        if (resets !== this.#resets) unlisten();
        else this.#unlisten = unlisten;
      })
      .catch(() => {
        // Outside the app (unit tests, a plain browser) there are no events: pages still read.
      });
  }

  reset(): void {
    this.#generation += 1;
    this.#resets += 1;
    this.#unlisten?.();
    this.#unlisten = null;
    this.#following = false;
    this.tracks = [];
    this.loading = false;
    this.error = null;
    this.status = null;
    this.refreshError = null;
    this.#cursor = null;
    this.#end = false;
    this.#stale = null;
    this.#firstPageLoaded = false;
  }
}

export const catalogStore = new CatalogStore();
