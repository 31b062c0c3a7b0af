import { afterEach, describe, expect, it } from "vitest";
import { localPlaylistsStore } from "$lib/features/local-playlists/local-playlists.svelte";
import { libraryStore } from "$lib/stores/library.svelte";
import { makePlaylist } from "../../test/fixtures";
import { playlistTargets } from "./playlist-targets";

afterEach(() => {
  localPlaylistsStore.playlists = [];
  libraryStore.playlists = [];
});

describe("where tracks can be added", () => {
  it("is the playlists on this computer for files here, the account's for the service's", () => {
    localPlaylistsStore.playlists = [
      { id: "local-playlist:1", name: "Porch", items: 0, missing: 0, duration_ms: 0, updated_at_ms: 0, revision: 0 },
    ];
    libraryStore.playlists = [makePlaylist("p1", { name: "Run" })];
    const here = playlistTargets(["file:///music/One.flac"]);
    expect(here?.onThisComputer).toBe(true);
    expect(here?.playlists.map((playlist) => playlist.name)).toEqual(["Porch"]);
    const service = playlistTargets(["tr-1", "tr-2"]);
    expect(service?.onThisComputer).toBe(false);
    expect(service?.playlists.map((playlist) => playlist.name)).toEqual(["Run"]);
  });

  it("is nowhere for a mix of both, or for nothing", () => {
    expect(playlistTargets(["file:///music/One.flac", "tr-1"])).toBeNull();
    expect(playlistTargets([])).toBeNull();
  });
});
