// @vitest-environment jsdom
import { fireEvent, render, screen } from "@testing-library/svelte";
import { flushSync } from "svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { makePage, makePlaylist, makeStatus, makeTrack, makeView } from "../../test/fixtures";
import { stubLibrary } from "../../test/library";

vi.mock("../../ipc", async (importOriginal) => {
  const { LIBRARY_IPC } = await import("../../test/library");
  return {
    ...(await importOriginal<typeof import("../../ipc")>()),
    ...Object.fromEntries(LIBRARY_IPC.map((name) => [name, vi.fn()])),
    catalogTracks: vi.fn(),
    playerStatus: vi.fn(),
    onPlayerStatus: vi.fn(),
    rememberedAccounts: vi.fn(),
    searchLibrary: vi.fn(),
    searchCatalog: vi.fn(),
  };
});

import * as ipc from "../../ipc";
import { catalogStore } from "$lib/stores/catalog.svelte";
import { libraryStore } from "$lib/stores/library.svelte";
import { playerStore } from "$lib/stores/player.svelte";
import { searchStore } from "$lib/stores/search.svelte";
import MainScreen from "./MainScreen.svelte";

const mocked = vi.mocked(ipc);

beforeEach(() => {
  vi.resetAllMocks();
  stubLibrary(mocked);
  libraryStore.stop();
  playerStore.stop();
  catalogStore.reset();
  searchStore.clear();
  mocked.catalogTracks.mockResolvedValue(makePage(["a", "b"], null));
  mocked.playerStatus.mockResolvedValue(makeStatus());
  mocked.onPlayerStatus.mockResolvedValue(() => {});
  mocked.rememberedAccounts.mockResolvedValue([]);
  mocked.playlists.mockResolvedValue([makePlaylist("p1", { name: "Run" })]);
  mocked.searchLibrary.mockResolvedValue({ tracks: [makeTrack("s1")], albums: [], artists: [] });
  mocked.searchCatalog.mockResolvedValue({ tracks: [makeTrack("s1")], albums: [], artists: [] });
});

async function search(query: string) {
  await fireEvent.input(screen.getByTestId("search-input"), { target: { value: query } });
  await vi.waitFor(() => expect(screen.getByTestId("search-results").dataset.source).toBe("catalog"));
}

describe("MainScreen search", () => {
  it("shows the results in place of the catalog while there is a query", async () => {
    render(MainScreen);
    await vi.waitFor(() => expect(screen.getAllByTestId("track-row")).toHaveLength(2));

    await search("nova");
    expect(screen.getAllByTestId("track-row").map((row) => row.dataset.trackId)).toEqual(["s1"]);
    expect(screen.queryByRole("heading", { name: "Catalog" })).toBeNull();

    await fireEvent.keyDown(screen.getByTestId("search-input"), { key: "Escape" });
    await vi.waitFor(() => expect(screen.getAllByTestId("track-row")).toHaveLength(2));
    expect(screen.queryByTestId("search-results")).toBeNull();
  });

  it("leaves the search when a playlist is opened", async () => {
    mocked.playlist.mockResolvedValue(makeView("p1", ["a"], { name: "Run" }));
    render(MainScreen);
    await vi.waitFor(() => expect(screen.getAllByTestId("playlist-row")).toHaveLength(1));

    await search("nova");
    await fireEvent.click(screen.getByTestId("playlist-row"));

    await vi.waitFor(() => expect(screen.getByTestId("playlist-screen")).toBeTruthy());
    expect(screen.queryByTestId("search-results")).toBeNull();
    expect(screen.getByTestId<HTMLInputElement>("search-input").value).toBe("");
  });

  it("keeps the search when the open playlist's id changes under it (its first sync)", async () => {
    mocked.playlist.mockResolvedValue(makeView("local-1", ["a"], { name: "Run" }));
    render(MainScreen);
    await libraryStore.openPlaylist("local-1");
    await search("nova");

    libraryStore.openId = "pl-1";
    flushSync();
    expect(searchStore.query).toBe("nova");
    expect(screen.getByTestId("search-results")).toBeTruthy();
  });
});
