/**
 * The screens of the main area as routes, and the history of those visited: a back stack, the
 * current entry and a forward stack, as a web browser keeps them. Pure functions over plain
 * values; `navigation.svelte.ts` holds the state and the window's listeners.
 */

export type Route =
  | { kind: "home" }
  | { kind: "catalog" }
  | { kind: "album"; id: string }
  | { kind: "artist"; id: string }
  | { kind: "playlist"; id: string }
  | { kind: "local-playlist"; id: string }
  | { kind: "search"; query: string }
  | { kind: "downloads" }
  | { kind: "uploads" }
  | { kind: "explore" }
  | { kind: "listener"; id: string }
  | { kind: "shared-playlist"; id: string }
  | { kind: "history" }
  | { kind: "local-files" }
  | { kind: "starred" }
  | { kind: "settings" }
  | { kind: "equalizer" }
  | { kind: "diagnostics" };

export type RouteKind = Route["kind"];

/** A screen visited, with how far down it was scrolled when left. */
export interface Entry {
  route: Route;
  scrollTop: number;
}

export interface NavState {
  back: readonly Entry[];
  current: Entry;
  forward: readonly Entry[];
}

export const HOME: Route = { kind: "home" };

/** Screens kept behind the current one; the oldest go first (a browser keeps about 50). */
export const MAX_BACK = 100;

export function initialState(route: Route = HOME): NavState {
  return { back: [], current: { route, scrollTop: 0 }, forward: [] };
}

export function sameRoute(a: Route, b: Route): boolean {
  return routeKey(a) === routeKey(b);
}

/** A string naming the route, the same for equal routes (a key for `{#key}` and caches). */
export function routeKey(route: Route): string {
  switch (route.kind) {
    case "album":
    case "artist":
    case "playlist":
    case "local-playlist":
    case "listener":
    case "shared-playlist":
      return `${route.kind}/${route.id}`;
    case "search":
      return `search/${route.query}`;
    default:
      return route.kind;
  }
}

/** The link address of a route (`#/album/al-1`); links are followed by the router, not the page. */
export function routeHref(route: Route): string {
  switch (route.kind) {
    case "album":
    case "artist":
    case "playlist":
    case "local-playlist":
    case "listener":
    case "shared-playlist":
      return `#/${route.kind}/${encodeURIComponent(route.id)}`;
    case "search":
      return `#/search/${encodeURIComponent(route.query)}`;
    default:
      return `#/${route.kind}`;
  }
}

/**
 * Opens `route`, remembering where the current screen was scrolled. Opening the screen shown
 * changes nothing (a second click on a link does not grow the history); the forward stack is
 * dropped, as in a browser.
 */
export function go(state: NavState, route: Route, scrollTop: number): NavState {
  if (sameRoute(state.current.route, route)) return state;
  const back = [...state.back, { ...state.current, scrollTop }].slice(-MAX_BACK);
  return { back, current: { route, scrollTop: 0 }, forward: [] };
}

/** Shows `route` in place of the current entry (a search refined as it is typed). */
export function replace(state: NavState, route: Route): NavState {
  if (sameRoute(state.current.route, route)) return state;
  return { ...state, current: { route, scrollTop: 0 } };
}

export function canGoBack(state: NavState): boolean {
  return state.back.length > 0;
}

export function canGoForward(state: NavState): boolean {
  return state.forward.length > 0;
}

/** The previous screen, where it was scrolled; the state unchanged when there is none. */
export function back(state: NavState, scrollTop: number): NavState {
  const previous = state.back.at(-1);
  if (!previous) return state;
  return {
    back: state.back.slice(0, -1),
    current: previous,
    forward: [{ ...state.current, scrollTop }, ...state.forward],
  };
}

export function forward(state: NavState, scrollTop: number): NavState {
  const next = state.forward[0];
  if (!next) return state;
  return {
    back: [...state.back, { ...state.current, scrollTop }].slice(-MAX_BACK),
    current: next,
    forward: state.forward.slice(1),
  };
}

/**
 * Leaves a screen that has nothing to show any more (a playlist deleted, a search emptied):
 * the previous one comes back, and the one left is not offered by "forward".
 */
export function dropCurrent(state: NavState): NavState {
  const previous = state.back.at(-1);
  if (!previous) return state.current.route.kind === "home" ? state : initialState();
  return { back: state.back.slice(0, -1), current: previous, forward: state.forward };
}

/**
 * Renames a playlist everywhere in the history: its first sync gives it the service's id, and
 * the screens visited follow it (the old id still opens it, but two ids for one playlist
 * would count as two screens).
 */
export function renamePlaylist(state: NavState, from: string, to: string): NavState {
  const rename = (entry: Entry): Entry =>
    entry.route.kind === "playlist" && entry.route.id === from
      ? { ...entry, route: { kind: "playlist", id: to } }
      : entry;
  return {
    back: state.back.map(rename),
    current: rename(state.current),
    forward: state.forward.map(rename),
  };
}

type KeyLike = Pick<KeyboardEvent, "key" | "altKey" | "ctrlKey" | "metaKey" | "shiftKey" | "repeat" | "defaultPrevented">;

/**
 * Which way a keydown moves through the screens visited, beyond the shortcuts a listener
 * binds (Alt+Left / Alt+Right by default, see `$lib/shortcuts`): on macOS Cmd+[ / Cmd+], as
 * in Safari and Finder, which are fixed there.
 */
export function navigationKey(event: KeyLike, mac: boolean): "back" | "forward" | null {
  if (event.defaultPrevented || !mac) return null;
  if (event.metaKey && !event.altKey && !event.ctrlKey && !event.shiftKey) {
    if (event.key === "[") return "back";
    if (event.key === "]") return "forward";
  }
  return null;
}

/** The mouse's back (button 3) and forward (button 4) side buttons. */
export function navigationButton(button: number): "back" | "forward" | null {
  if (button === 3) return "back";
  if (button === 4) return "forward";
  return null;
}
