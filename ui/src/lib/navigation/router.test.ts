import { describe, expect, it } from "vitest";
import {
  back,
  canGoBack,
  canGoForward,
  dropCurrent,
  forward,
  go,
  initialState,
  MAX_BACK,
  navigationButton,
  navigationKey,
  renamePlaylist,
  replace,
  routeHref,
  routeKey,
  type NavState,
  type Route,
} from "./router";

const album: Route = { kind: "album", id: "al-1" };
const artist: Route = { kind: "artist", id: "ar-1" };
const catalog: Route = { kind: "catalog" };

function routes(state: NavState) {
  return {
    back: state.back.map((entry) => routeKey(entry.route)),
    current: routeKey(state.current.route),
    forward: state.forward.map((entry) => routeKey(entry.route)),
  };
}

describe("going through screens", () => {
  it("starts at home with nowhere to go back or forward", () => {
    const state = initialState();
    expect(routes(state)).toEqual({ back: [], current: "home", forward: [] });
    expect(canGoBack(state)).toBe(false);
    expect(canGoForward(state)).toBe(false);
  });

  it("goes back and forward through the screens visited, each where it was scrolled", () => {
    let state = go(initialState(), album, 120);
    state = go(state, artist, 340);
    expect(routes(state)).toEqual({ back: ["home", "album/al-1"], current: "artist/ar-1", forward: [] });

    state = back(state, 55);
    expect(routes(state)).toEqual({ back: ["home"], current: "album/al-1", forward: ["artist/ar-1"] });
    expect(state.current.scrollTop).toBe(340);
    state = back(state, 0);
    expect(state.current.scrollTop).toBe(120);
    expect(canGoBack(state)).toBe(false);

    state = forward(state, 7);
    expect(routes(state)).toEqual({ back: ["home"], current: "album/al-1", forward: ["artist/ar-1"] });
    state = forward(state, 8);
    expect(routes(state).current).toBe("artist/ar-1");
    expect(state.current.scrollTop).toBe(55);
    expect(state.back.at(-1)?.scrollTop).toBe(8);
  });

  it("drops the forward screens when a new one is opened, as a browser does", () => {
    let state = go(go(initialState(), album, 0), artist, 0);
    state = back(state, 0);
    state = go(state, catalog, 0);
    expect(routes(state)).toEqual({ back: ["home", "album/al-1"], current: "catalog", forward: [] });
  });

  it("does not grow the history when the screen shown is opened again", () => {
    const state = go(initialState(), album, 0);
    expect(go(state, { kind: "album", id: "al-1" }, 99)).toBe(state);
  });

  it("back and forward with nowhere to go change nothing", () => {
    const state = initialState();
    expect(back(state, 10)).toBe(state);
    expect(forward(state, 10)).toBe(state);
  });

  it("replaces the current screen without a new entry (a search refined as it is typed)", () => {
    let state = go(initialState(), { kind: "search", query: "po" }, 0);
    state = replace(state, { kind: "search", query: "pol" });
    expect(routes(state)).toEqual({ back: ["home"], current: "search/pol", forward: [] });
  });

  it("keeps at most MAX_BACK screens behind, forgetting the oldest", () => {
    let state = initialState();
    for (let i = 0; i < MAX_BACK + 10; i += 1) state = go(state, { kind: "album", id: `al-${i}` }, i);
    expect(state.back).toHaveLength(MAX_BACK);
    expect(routeKey(state.back[0].route)).toBe("album/al-9");
    expect(routeKey(state.current.route)).toBe(`album/al-${MAX_BACK + 9}`);
  });

  it("drops a screen with nothing left to show, without offering it forward", () => {
    let state = go(go(initialState(), catalog, 0), { kind: "playlist", id: "p1" }, 30);
    state = dropCurrent(state);
    expect(routes(state)).toEqual({ back: ["home"], current: "catalog", forward: [] });
    expect(state.current.scrollTop).toBe(30);
    // With nothing behind it, home.
    expect(routes(dropCurrent(initialState(album)))).toEqual({ back: [], current: "home", forward: [] });
  });

  it("follows a playlist's new id everywhere in the history", () => {
    let state = go(initialState(), { kind: "playlist", id: "local-1" }, 0);
    state = go(state, album, 0);
    state = go(state, { kind: "playlist", id: "local-1" }, 0);
    state = back(state, 0);
    state = renamePlaylist(state, "local-1", "pl-9");
    expect(routes(state)).toEqual({
      back: ["home", "playlist/pl-9"],
      current: "album/al-1",
      forward: ["playlist/pl-9"],
    });
  });
});

describe("route addresses", () => {
  it("names each route once and escapes ids", () => {
    expect(routeHref({ kind: "album", id: "al 1/2" })).toBe("#/album/al%201%2F2");
    expect(routeHref({ kind: "downloads" })).toBe("#/downloads");
    expect(routeKey({ kind: "search", query: "x" })).not.toBe(routeKey({ kind: "search", query: "y" }));
    expect(routeKey({ kind: "album", id: "x" })).not.toBe(routeKey({ kind: "artist", id: "x" }));
    // A playlist on this computer is a page of its own, apart from an account's of the same id.
    expect(routeHref({ kind: "local-playlist", id: "local-playlist:1" })).toBe("#/local-playlist/local-playlist%3A1");
    expect(routeKey({ kind: "local-playlist", id: "x" })).not.toBe(routeKey({ kind: "playlist", id: "x" }));
  });
});

describe("keys and mouse buttons", () => {
  const key = (init: Partial<KeyboardEvent>) =>
    ({
      key: "",
      altKey: false,
      ctrlKey: false,
      metaKey: false,
      shiftKey: false,
      repeat: false,
      defaultPrevented: false,
      ...init,
    }) as KeyboardEvent;
  it("takes Cmd+[ and Cmd+] on macOS only, as Safari and Finder do", () => {
    expect(navigationKey(key({ key: "[", metaKey: true }), true)).toBe("back");
    expect(navigationKey(key({ key: "]", metaKey: true }), true)).toBe("forward");
    expect(navigationKey(key({ key: "[", metaKey: true }), false)).toBeNull();
    expect(navigationKey(key({ key: "[", metaKey: true, shiftKey: true }), true)).toBeNull();
    expect(navigationKey(key({ key: "]", metaKey: true, defaultPrevented: true }), true)).toBeNull();
  });

  it("takes the mouse's side buttons", () => {
    expect(navigationButton(3)).toBe("back");
    expect(navigationButton(4)).toBe("forward");
    expect(navigationButton(0)).toBeNull();
    expect(navigationButton(2)).toBeNull();
  });
});
