import { describe, expect, it } from "vitest";
import type { Route } from "./router";
import { SIGNED_OUT_START, worksSignedOut } from "./signed-out";

describe("the screens of the window signed out", () => {
  it("are the music on this computer, its search and Settings", () => {
    const shown: Route[] = [
      SIGNED_OUT_START,
      { kind: "local-playlist", id: "local-playlist:0b9c" },
      { kind: "album", id: "local-album:0123456789abcdef" },
      { kind: "artist", id: "local-artist:fedcba9876543210" },
      { kind: "search", query: "harbour" },
      { kind: "settings" },
      { kind: "equalizer" },
    ];
    for (const route of shown) expect(worksSignedOut(route), route.kind).toBe(true);
  });

  it("leave out what is the account's", () => {
    const hidden: Route[] = [
      { kind: "home" },
      { kind: "catalog" },
      { kind: "explore" },
      { kind: "uploads" },
      { kind: "downloads" },
      { kind: "starred" },
      { kind: "history" },
      { kind: "diagnostics" },
      { kind: "playlist", id: "pl-1" },
      { kind: "album", id: "al-1" },
      { kind: "artist", id: "ar-1" },
      { kind: "listener", id: "u-1" },
      { kind: "shared-playlist", id: "sp-1" },
    ];
    for (const route of hidden) expect(worksSignedOut(route), `${route.kind}`).toBe(false);
  });
});
