import { isLocalAlbumId, isLocalArtistId } from "$lib/features/local-files/ids";
import type { Route } from "./router";

/**
 * The screens of the window signed out ("Play music on this computer"): what the core serves
 * without a session. The listener's own files and their albums and artists, the playlists
 * kept on this computer, the search over those files, Settings and the equalizer; the rest
 * (Home, the catalog, the account's playlists, history, diagnostics...) is the account's.
 */

/** Where the window signed out opens: the listener's own music. */
export const SIGNED_OUT_START: Route = { kind: "local-files" };

/** Whether `route` can be shown without an account. */
export function worksSignedOut(route: Route): boolean {
  switch (route.kind) {
    case "local-files":
    case "local-playlist":
    case "search":
    case "settings":
    case "equalizer":
      return true;
    case "album":
      return isLocalAlbumId(route.id);
    case "artist":
      return isLocalArtistId(route.id);
    default:
      return false;
  }
}
