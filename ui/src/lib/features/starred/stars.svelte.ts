// Stars in the window: the set of starred tracks, albums and artists the buttons show
// (changed at once on a click, put back on a refusal), and the Starred page's lists.
import { SvelteSet } from "svelte/reactivity";
import * as ipc from "../../../ipc";
import type { AppError, StarKind, StarRef, StarredPage } from "../../../ipc";
import { m } from "$lib/i18n";
import { libraryStore } from "$lib/stores/library.svelte";
import { sessionStore } from "$lib/stores/session.svelte";

/** One star's key in the set: `track:id`, `album:id`, `artist:id`. */
export function starKey(kind: StarKind, id: string): string {
  return `${kind}:${id}`;
}

/**
 * The stars the window shows (where the service has them, `features.stars`): read from the
 * core once signed in (its copy works offline), and changed at once on a click, before the
 * core answers. A refusal puts the star back as it was and says why in words (in the
 * sidebar's notice, as a failed playlist edit does).
 */
export class StarsStore {
  readonly #keys = new SvelteSet<string>();
  /** Toggles handed to the core and not answered yet, by key: shown over any read meanwhile. */
  // Read only by `load`, never shown itself (the keys above are): no need for a reactive map.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #pending = new Map<string, boolean>();
  #generation = 0;

  has(kind: StarKind, id: string): boolean {
    return this.#keys.has(starKey(kind, id));
  }

  /** Reads the stars kept by the core (after sign-in, and after an account switch). */
  async load(): Promise<void> {
    const generation = ++this.#generation;
    if (!sessionStore.features.stars) {
      this.#keys.clear();
      return;
    }
    try {
      const kept = await ipc.stars();
      if (generation !== this.#generation) return;
      this.#keys.clear();
      for (const star of kept) this.#keys.add(starKey(star.kind, star.id));
      // A click the core has not recorded yet may be missing from what it kept: still shown.
      for (const [key, starred] of this.#pending) {
        if (starred) this.#keys.add(key);
        else this.#keys.delete(key);
      }
    } catch {
      // Signed out meanwhile, or the library unreadable: no stars shown, toggles still work.
    }
  }

  /**
   * Stars `ids` (all of `kind`) when `starred`, else unstars them; each shown at once. All
   * are handed to the core together (it keeps each before sending, so none waits behind
   * another's slow server); only those refused go back, with the first refusal's words.
   */
  async set(kind: StarKind, ids: readonly string[], starred: boolean): Promise<void> {
    const changing = ids.filter((id) => this.has(kind, id) !== starred);
    if (changing.length === 0) return;
    this.#show(kind, changing, starred);
    const keys = changing.map((id) => starKey(kind, id));
    for (const key of keys) this.#pending.set(key, starred);
    const answers = await Promise.allSettled(
      changing.map((id) => ipc.setStarred({ kind, id } satisfies StarRef, starred)),
    );
    for (const key of keys) if (this.#pending.get(key) === starred) this.#pending.delete(key);
    const refused = changing.filter((_, index) => answers[index].status === "rejected");
    const first = answers.find((answer) => answer.status === "rejected");
    if (first) {
      this.#show(kind, refused, !starred);
      libraryStore.error = { ...ipc.toAppError(first.reason), action: m.star_failed() };
    }
  }

  toggle(kind: StarKind, id: string): Promise<void> {
    return this.set(kind, [id], !this.has(kind, id));
  }

  /**
   * Reads the stars again whenever the core says they changed (a star refused during a sync
   * pass goes back), and the Starred page with them when it is shown; the function stops it.
   */
  follow(): () => void {
    let stopped = false;
    let unlisten: ipc.Unlisten | null = null;
    ipc
      .onStarsChanged(() => {
        // The page reads the stars after its own (see StarredPageStore.load).
        if (starredPageStore.shown) void starredPageStore.load();
        else void this.load();
      })
      .then((stop) => (stopped ? stop() : (unlisten = stop)))
      .catch(() => {
        // No shell to listen to (a page without Tauri): nothing will change behind the window.
      });
    return () => {
      stopped = true;
      unlisten?.();
    };
  }

  reset(): void {
    this.#generation += 1;
    this.#keys.clear();
    this.#pending.clear();
  }

  #show(kind: StarKind, ids: readonly string[], starred: boolean): void {
    for (const id of ids) {
      if (starred) this.#keys.add(starKey(kind, id));
      else this.#keys.delete(starKey(kind, id));
    }
  }
}

export const starsStore = new StarsStore();

/** The Starred page: read from the server each time it opens. */
export class StarredPageStore {
  page = $state.raw<StarredPage | null>(null);
  /** The Starred screen is up: a change told by the core reads the page again. */
  shown = false;
  error = $state<AppError | null>(null);
  loading = $state(false);
  #generation = 0;

  async load(): Promise<void> {
    const generation = ++this.#generation;
    this.loading = true;
    this.error = null;
    try {
      const page = await ipc.starredPage();
      if (generation !== this.#generation) return;
      this.page = page;
      // The server's list is the truth now (a star made on another client shows too).
      await starsStore.load();
    } catch (error) {
      if (generation === this.#generation) this.error = ipc.toAppError(error);
    } finally {
      if (generation === this.#generation) this.loading = false;
    }
  }

  reset(): void {
    this.#generation += 1;
    this.page = null;
    this.error = null;
    this.loading = false;
  }
}

export const starredPageStore = new StarredPageStore();
