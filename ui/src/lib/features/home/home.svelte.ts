import * as ipc from "../../../ipc";
import type { AppError, HomeFeedView, HomeShelves } from "../../../ipc";

/**
 * The home page's two halves, read side by side: the shelves from this computer (recently
 * played, available offline; instant, offline too) and the feed from the service (its picks,
 * new albums; offline, the newest albums seen here). Each shows as soon as it answers, and
 * what was shown before stays until then, so coming back home does not flash empty.
 */
export class HomeStore {
  shelves = $state.raw<HomeShelves | null>(null);
  shelvesError = $state<AppError | null>(null);
  feed = $state.raw<HomeFeedView | null>(null);
  feedError = $state<AppError | null>(null);
  feedLoading = $state(false);
  #generation = 0;

  async load(): Promise<void> {
    const generation = ++this.#generation;
    const current = () => generation === this.#generation;
    this.feedLoading = true;
    const shelves = ipc.homeShelves().then(
      (shelves) => {
        if (!current()) return;
        this.shelves = shelves;
        this.shelvesError = null;
      },
      (error) => {
        if (current()) this.shelvesError = ipc.toAppError(error);
      },
    );
    try {
      const feed = await ipc.homeFeed();
      if (!current()) return;
      this.feed = feed;
      this.feedError = null;
    } catch (error) {
      if (current()) this.feedError = ipc.toAppError(error);
    } finally {
      if (current()) this.feedLoading = false;
    }
    await shelves;
  }

  reset(): void {
    this.#generation += 1;
    this.shelves = null;
    this.shelvesError = null;
    this.feed = null;
    this.feedError = null;
    this.feedLoading = false;
  }
}

export const homeStore = new HomeStore();
