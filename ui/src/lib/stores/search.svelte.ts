import * as ipc from "../../ipc";
import type { AppError, SearchResults } from "../../ipc";

/** How long typing must pause before a search is sent. */
export const SEARCH_DEBOUNCE_MS = 150;

/** The most tracks "On this computer" shows of the listener's own files. */
export const LOCAL_FILES_LIMIT = 20;

/** Where the results shown came from: the local index (instant) or the service's catalog. */
export type SearchSource = "library" | "catalog";

/**
 * The search box's state. Each query asks the local index first (its answer shows at once)
 * and the service's catalog second (its answer replaces the local one). Answers to a query
 * that is no longer the one typed are dropped. The listener's own files on this computer
 * (Local files) are searched beside them, shown apart as `localFiles`.
 */
export class SearchStore {
  query = $state("");
  results = $state<SearchResults | null>(null);
  source = $state<SearchSource | null>(null);
  /** The catalog's answer to the current query is still awaited. */
  searching = $state(false);
  /** Why the catalog search failed (the local results, if any, stay shown). */
  error = $state<AppError | null>(null);
  /** The local files matching the query ("On this computer"); null until they answer. */
  localFiles = $state.raw<SearchResults | null>(null);
  /**
   * The window is signed out: only the files on this computer are searched (there is no
   * library or catalog to ask).
   */
  onlyThisComputer = $state(false);
  #timer: ReturnType<typeof setTimeout> | null = null;
  // Bumped by each new query and by clear(), so older answers are recognised and dropped.
  #generation = 0;

  /** Whether there is a query, so results (or "searching") replace the current view. */
  get active(): boolean {
    return this.query.trim() !== "";
  }

  /** Takes the text typed; the searches start once typing pauses. */
  setQuery(query: string): void {
    this.query = query;
    this.#cancelPending();
    const generation = ++this.#generation;
    const trimmed = query.trim();
    if (!trimmed) {
      this.#forgetResults();
      return;
    }
    this.searching = true;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#search(trimmed, generation);
    }, SEARCH_DEBOUNCE_MS);
  }

  clear(): void {
    this.query = "";
    this.#cancelPending();
    this.#generation += 1;
    this.#forgetResults();
  }

  async #search(query: string, generation: number): Promise<void> {
    const current = () => generation === this.#generation;
    let catalogAnswered = false;
    this.error = null;
    const files = ipc.localSearch(query, LOCAL_FILES_LIMIT).then(
      (results) => {
        if (current()) this.localFiles = results;
      },
      // No local files to search (none added, the index unreadable): the section stays away.
      () => {
        if (current()) this.localFiles = null;
      },
    );
    if (this.onlyThisComputer) {
      await files;
      if (current()) this.searching = false;
      return;
    }
    const local = ipc.searchLibrary(query).then(
      (results) => {
        if (current() && !catalogAnswered) {
          this.results = results;
          this.source = "library";
        }
      },
      // The local index failing is not worth a message: the catalog's answer follows.
      () => {},
    );
    try {
      const results = await ipc.searchCatalog(query);
      catalogAnswered = true;
      if (!current()) return;
      this.results = results;
      this.source = "catalog";
      this.error = null;
    } catch (error) {
      if (current()) this.error = ipc.toAppError(error);
    } finally {
      if (current()) this.searching = false;
    }
    await Promise.all([local, files]);
  }

  #cancelPending(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #forgetResults(): void {
    this.results = null;
    this.localFiles = null;
    this.source = null;
    this.searching = false;
    this.error = null;
  }
}

export const searchStore = new SearchStore();
