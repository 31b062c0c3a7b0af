// @vitest-environment jsdom
import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { deferred, makeTrack } from "../../test/fixtures";
import { stubLibrary } from "../../test/library";
import { giveViewport } from "../../test/viewport";
import type { SearchResults as Results } from "../../ipc";

vi.mock("../../ipc", async (importOriginal) => {
  const { LIBRARY_IPC } = await import("../../test/library");
  return {
    ...(await importOriginal<typeof import("../../ipc")>()),
    ...Object.fromEntries(LIBRARY_IPC.map((name) => [name, vi.fn()])),
    searchLibrary: vi.fn(),
    searchCatalog: vi.fn(),
    playQueue: vi.fn(),
  };
});

import * as ipc from "../../ipc";
import { navigation } from "$lib/navigation";
import { libraryStore } from "$lib/stores/library.svelte";
import { playerStore } from "$lib/stores/player.svelte";
import { searchStore } from "$lib/stores/search.svelte";
import SearchBox from "./SearchBox.svelte";
import SearchResults from "./SearchResults.svelte";

const mocked = vi.mocked(ipc);

function found(trackIds: string[], extra: Partial<Results> = {}): Results {
  return {
    tracks: trackIds.map((id) => makeTrack(id, { title: `Song ${id}` })),
    albums: [],
    artists: [],
    ...extra,
  };
}

const rowTitles = () =>
  within(screen.getByTestId("search-results"))
    .queryAllByTestId("track-row")
    .map((row) => row.querySelector(".title")?.textContent);

async function renderSearch() {
  render(SearchBox);
  render(SearchResults);
  return screen.getByTestId<HTMLInputElement>("search-input");
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
});

describe("Search", () => {
  it("shows the local results as the listener types, then the catalog's", async () => {
    const catalog = deferred<Results>();
    mocked.searchLibrary.mockResolvedValue(found(["l1"]));
    mocked.searchCatalog.mockReturnValue(catalog.promise);
    const input = await renderSearch();

    await fireEvent.input(input, { target: { value: "song" } });
    await vi.waitFor(() => expect(rowTitles()).toEqual(["Song l1"]));
    expect(screen.getByTestId("search-status").textContent).toContain("Searching the catalog");

    catalog.resolve(
      found(["c1", "c2"], {
        albums: [
          {
            id: "al9",
            title: "Night Drive",
            artist_id: "ar9",
            artist_name: "Nova",
            year: 2021,
            track_count: 9,
            gapless: false,
            cover_path: null,
          },
        ],
        artists: [{ id: "ar9", name: "Nova" }],
      }),
    );
    await vi.waitFor(() => expect(rowTitles()).toEqual(["Song c1", "Song c2"]));
    expect(screen.getByTestId("search-album").textContent).toContain("Night Drive");
    expect(screen.getByTestId("search-album").textContent).toContain("2021 · Nova");
    expect(screen.getByTestId("search-artist").textContent).toContain("Nova");
    expect(screen.getByTestId("search-results").dataset.source).toBe("catalog");
    expect(mocked.searchCatalog).toHaveBeenCalledWith("song");
  });

  it("plays the results as the queue, from the row played", async () => {
    mocked.searchLibrary.mockResolvedValue(found(["l1"]));
    mocked.searchCatalog.mockResolvedValue(found(["c1", "c2", "c3"]));
    const input = await renderSearch();

    await fireEvent.input(input, { target: { value: "song" } });
    await vi.waitFor(() => expect(rowTitles()).toHaveLength(3));
    await fireEvent.click(screen.getAllByTestId("play-track")[1]);

    expect(mocked.playQueue).toHaveBeenCalledWith(["c1", "c2", "c3"], 1);
  });

  it("opens an album's and an artist's page from their results", async () => {
    const album = {
      id: "al9",
      title: "Night Drive",
      artist_id: "ar9",
      artist_name: "Nova",
      year: 2021,
      track_count: 9,
      gapless: false,
      cover_path: null,
    };
    mocked.searchLibrary.mockResolvedValue(found([]));
    mocked.searchCatalog.mockResolvedValue(found([], { albums: [album], artists: [{ id: "ar7", name: "Vela" }] }));
    const input = await renderSearch();

    await fireEvent.input(input, { target: { value: "night" } });
    const albumCard = await vi.waitFor(() => screen.getByTestId("search-album"));
    await fireEvent.click(within(albumCard).getByTestId("card-open"));
    expect(navigation.route).toEqual({ kind: "album", id: "al9" });

    // The album's artist is a link of its own on the card.
    await fireEvent.click(within(albumCard).getByTestId("artist-link"));
    expect(navigation.route).toEqual({ kind: "artist", id: "ar9" });

    await fireEvent.click(within(screen.getByTestId("search-artist")).getByTestId("card-open"));
    expect(navigation.route).toEqual({ kind: "artist", id: "ar7" });
    expect(navigation.canGoBack).toBe(true);
  });

  it("says when nothing is found", async () => {
    mocked.searchLibrary.mockResolvedValue(found([]));
    mocked.searchCatalog.mockResolvedValue(found([]));
    const input = await renderSearch();

    await fireEvent.input(input, { target: { value: "zzz " } });
    await vi.waitFor(() => expect(screen.getByTestId("search-empty").textContent).toBe("Nothing found for “zzz”."));
  });

  it("shows the catalog's failure next to the local results", async () => {
    mocked.searchLibrary.mockResolvedValue(found(["l1"]));
    mocked.searchCatalog.mockRejectedValue({ kind: "server", message: "The service failed" });
    const input = await renderSearch();

    await fireEvent.input(input, { target: { value: "song" } });
    await vi.waitFor(() => expect(screen.getByTestId("search-error").textContent).toContain("The service failed"));
    expect(rowTitles()).toEqual(["Song l1"]);
  });

  it("clears on Escape", async () => {
    mocked.searchLibrary.mockResolvedValue(found(["l1"]));
    mocked.searchCatalog.mockResolvedValue(found(["c1"]));
    const input = await renderSearch();

    await fireEvent.input(input, { target: { value: "song" } });
    await vi.waitFor(() => expect(rowTitles()).toEqual(["Song c1"]));
    const escape = new KeyboardEvent("keydown", { key: "Escape", bubbles: true, cancelable: true });
    input.dispatchEvent(escape);
    await vi.waitFor(() => expect(rowTitles()).toEqual([]));

    expect(escape.defaultPrevented).toBe(true);
    expect(input.value).toBe("");
    expect(searchStore.active).toBe(false);
  });
});
