// @vitest-environment jsdom
import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { SearchResults } from "../../../ipc";
import { makeTrack } from "../../../test/fixtures";
import { stubLibrary } from "../../../test/library";
import { LOCAL_ALBUM_ID, localResults, makeLocalAlbum, makeLocalTrack } from "../../../test/local-files";
import { giveViewport } from "../../../test/viewport";

vi.mock("../../../ipc", async (importOriginal) => {
  const { LIBRARY_IPC } = await import("../../../test/library");
  return {
    ...(await importOriginal<typeof import("../../../ipc")>()),
    ...Object.fromEntries(LIBRARY_IPC.map((name) => [name, vi.fn()])),
    searchLibrary: vi.fn(),
    searchCatalog: vi.fn(),
    localSearch: vi.fn(),
    playQueue: vi.fn(),
  };
});

import * as ipc from "../../../ipc";
import SearchBox from "$lib/components/SearchBox.svelte";
import SearchResultsScreen from "$lib/components/SearchResults.svelte";
import { navigation } from "$lib/navigation";
import { libraryStore } from "$lib/stores/library.svelte";
import { playerStore } from "$lib/stores/player.svelte";
import { searchStore } from "$lib/stores/search.svelte";

const mocked = vi.mocked(ipc);

const catalog = (ids: string[]): SearchResults => ({
  tracks: ids.map((id) => makeTrack(id, { title: `Song ${id}` })),
  albums: [],
  artists: [],
});

async function search(query: string): Promise<void> {
  render(SearchBox);
  render(SearchResultsScreen);
  await fireEvent.input(screen.getByTestId("search-input"), { target: { value: query } });
}

beforeEach(() => {
  vi.resetAllMocks();
  giveViewport();
  navigation.reset();
  stubLibrary(mocked);
  libraryStore.stop();
  playerStore.stop();
  searchStore.clear();
  mocked.playQueue.mockResolvedValue(undefined);
  mocked.searchLibrary.mockResolvedValue(catalog([]));
});

describe("search's “On this computer”", () => {
  it("shows the local files matching beside the service's results, and plays them by their files", async () => {
    mocked.searchCatalog.mockResolvedValue(catalog(["c1"]));
    mocked.localSearch.mockResolvedValue(localResults([makeLocalTrack("Porch Song"), makeLocalTrack("Porch Reprise")], [makeLocalAlbum()]));
    await search("porch");

    // A region named by its heading, for a screen reader's list of landmarks.
    const section = await screen.findByRole("region", { name: "On this computer" });
    expect(section.dataset.testid).toBe("search-local-files");
    await vi.waitFor(() =>
      expect(within(section).getAllByTestId("local-track-row").map((row) => row.querySelector(".title")?.textContent)).toEqual([
        "Porch Song",
        "Porch Reprise",
      ]),
    );
    expect(within(section).getByTestId("search-local-album").getAttribute("data-id")).toBe(LOCAL_ALBUM_ID);
    // The service's own results are there too, apart.
    await vi.waitFor(() => expect(screen.getAllByTestId("track-row")).toHaveLength(1));
    expect(mocked.localSearch).toHaveBeenCalledWith("porch", 20);

    await fireEvent.dblClick(within(section).getAllByTestId("local-track-row")[1]);
    expect(mocked.playQueue).toHaveBeenCalledWith(["file:///music/Porch Song.flac", "file:///music/Porch Reprise.flac"], 1);
  });

  it("is not there when no local file matches, nor when there are none to search", async () => {
    mocked.searchCatalog.mockResolvedValue(catalog(["c1"]));
    mocked.localSearch.mockResolvedValueOnce(localResults([]));
    await search("song");
    await vi.waitFor(() => expect(screen.getAllByTestId("track-row")).toHaveLength(1));
    expect(screen.queryByTestId("search-local-files")).toBeNull();

    mocked.localSearch.mockRejectedValueOnce({ kind: "storage", message: "The index of your local files cannot be read." });
    await fireEvent.input(screen.getByTestId("search-input"), { target: { value: "songs" } });
    await vi.waitFor(() => expect(mocked.localSearch).toHaveBeenCalledTimes(2));
    expect(screen.queryByTestId("search-local-files")).toBeNull();
    expect(screen.queryByTestId("search-error")).toBeNull();
  });

  it("counts the local matches before saying nothing was found", async () => {
    mocked.searchCatalog.mockResolvedValue(catalog([]));
    mocked.localSearch.mockResolvedValue(localResults([makeLocalTrack("Only Here")]));
    await search("only");
    await screen.findByTestId("search-local-files");
    await vi.waitFor(() => expect(searchStore.searching).toBe(false));
    expect(screen.queryByTestId("search-empty")).toBeNull();
  });
});
