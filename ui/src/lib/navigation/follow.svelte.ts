import { untrack } from "svelte";
import { catalogStore } from "$lib/stores/catalog.svelte";
import { libraryStore } from "$lib/stores/library.svelte";
import { searchStore } from "$lib/stores/search.svelte";
import { sessionStore } from "$lib/stores/session.svelte";
import { navigation } from "./navigation.svelte";
import type { Route } from "./router";
import { worksSignedOut } from "./signed-out";

/**
 * Ties the stores behind the older screens to the router, both ways, while the signed-in
 * window is up (returns the function that stops it):
 *
 * - the route moved: the playlist opens or closes, the search takes the route's query or
 *   clears, the catalog reads its first page when first shown;
 * - a playlist opened elsewhere (a new one) is shown, one closed under the screen (deleted)
 *   is left;
 * - a search typed shows the results, refined in place as it is typed; emptied, the screen
 *   before it comes back.
 */
export function followRoutes(): () => void {
  return $effect.root(() => {
    $effect(() => {
      const shown = navigation.route;
      untrack(() => applyRoute(shown));
    });

    $effect(() => {
      const openId = libraryStore.openId;
      untrack(() => {
        const shown = navigation.route;
        if (openId !== null && !(shown.kind === "playlist" && shown.id === openId)) {
          navigation.go({ kind: "playlist", id: openId });
        } else if (openId === null && shown.kind === "playlist") {
          navigation.dropCurrent();
        }
      });
    });

    $effect(() => {
      const query = searchStore.query;
      untrack(() => {
        const shown = navigation.route;
        if (query.trim()) {
          if (shown.kind === "search") navigation.replace({ kind: "search", query });
          else navigation.go({ kind: "search", query });
        } else if (shown.kind === "search") {
          navigation.dropCurrent();
        }
      });
    });
  });
}

function applyRoute(shown: Route): void {
  // Signed out, a page that needs an account only says so: nothing is asked of the core.
  if (sessionStore.current === null && !worksSignedOut(shown)) return;
  if (shown.kind === "playlist") {
    if (libraryStore.openId !== shown.id) void libraryStore.openPlaylist(shown.id);
  } else if (libraryStore.openId !== null) {
    libraryStore.closePlaylist();
  }
  if (shown.kind === "search") {
    if (searchStore.query !== shown.query) searchStore.setQuery(shown.query);
  } else if (searchStore.query) {
    searchStore.clear();
  }
  if (shown.kind === "catalog" && !catalogStore.loaded) void catalogStore.loadMore();
}
