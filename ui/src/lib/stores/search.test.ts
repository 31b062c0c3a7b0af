import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { deferred, makeTrack } from "../../test/fixtures";
import type { SearchResults } from "../../ipc";

vi.mock("../../ipc", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../ipc")>()),
  searchLibrary: vi.fn(),
  searchCatalog: vi.fn(),
}));

import * as ipc from "../../ipc";
import { SEARCH_DEBOUNCE_MS, SearchStore } from "./search.svelte";

const mocked = vi.mocked(ipc);

function found(...trackIds: string[]): SearchResults {
  return { tracks: trackIds.map((id) => makeTrack(id)), albums: [], artists: [] };
}

const shown = (store: SearchStore) => store.results?.tracks.map((track) => track.id) ?? null;

/** Lets every settled promise's callbacks run. */
const settle = () => vi.advanceTimersByTimeAsync(0);

beforeEach(() => {
  vi.useFakeTimers();
  mocked.searchLibrary.mockReset();
  mocked.searchCatalog.mockReset();
});

afterEach(() => {
  vi.useRealTimers();
});

describe("SearchStore", () => {
  it("waits for typing to pause, then searches the trimmed query once", async () => {
    mocked.searchLibrary.mockResolvedValue(found("a"));
    mocked.searchCatalog.mockResolvedValue(found("a"));
    const store = new SearchStore();

    store.setQuery("n");
    store.setQuery("no");
    await vi.advanceTimersByTimeAsync(SEARCH_DEBOUNCE_MS - 1);
    expect(mocked.searchLibrary).not.toHaveBeenCalled();
    store.setQuery("nova ");
    await vi.advanceTimersByTimeAsync(SEARCH_DEBOUNCE_MS);

    expect(mocked.searchLibrary.mock.calls).toEqual([["nova"]]);
    expect(mocked.searchCatalog.mock.calls).toEqual([["nova"]]);
    expect(store.query).toBe("nova ");
  });

  it("shows the local results at once, then the catalog's in their place", async () => {
    const catalog = deferred<SearchResults>();
    mocked.searchLibrary.mockResolvedValue(found("local"));
    mocked.searchCatalog.mockReturnValue(catalog.promise);
    const store = new SearchStore();

    store.setQuery("nova");
    await vi.advanceTimersByTimeAsync(SEARCH_DEBOUNCE_MS);
    expect(shown(store)).toEqual(["local"]);
    expect(store.source).toBe("library");
    expect(store.searching).toBe(true);

    catalog.resolve(found("c1", "c2"));
    await settle();
    expect(shown(store)).toEqual(["c1", "c2"]);
    expect(store.source).toBe("catalog");
    expect(store.searching).toBe(false);
  });

  it("keeps the catalog's results when the local answer comes after them", async () => {
    const local = deferred<SearchResults>();
    mocked.searchLibrary.mockReturnValue(local.promise);
    mocked.searchCatalog.mockResolvedValue(found("c1"));
    const store = new SearchStore();

    store.setQuery("nova");
    await vi.advanceTimersByTimeAsync(SEARCH_DEBOUNCE_MS);
    local.resolve(found("local"));
    await settle();

    expect(shown(store)).toEqual(["c1"]);
    expect(store.source).toBe("catalog");
  });

  it("drops the answers to a query that is no longer the one typed", async () => {
    const oldCatalog = deferred<SearchResults>();
    const oldLocal = deferred<SearchResults>();
    mocked.searchLibrary.mockReturnValueOnce(oldLocal.promise).mockResolvedValueOnce(found("new-local"));
    mocked.searchCatalog.mockReturnValueOnce(oldCatalog.promise).mockResolvedValueOnce(found("new"));
    const store = new SearchStore();

    store.setQuery("no");
    await vi.advanceTimersByTimeAsync(SEARCH_DEBOUNCE_MS);
    store.setQuery("nova");
    await vi.advanceTimersByTimeAsync(SEARCH_DEBOUNCE_MS);
    expect(shown(store)).toEqual(["new"]);

    oldLocal.resolve(found("old-local"));
    oldCatalog.resolve(found("old"));
    await settle();
    expect(shown(store)).toEqual(["new"]);
    expect(store.source).toBe("catalog");
    expect(store.searching).toBe(false);
  });

  it("keeps the local results and says why when the catalog search fails", async () => {
    mocked.searchLibrary.mockResolvedValue(found("local"));
    mocked.searchCatalog.mockRejectedValue({ kind: "network", message: "The service is unreachable" });
    const store = new SearchStore();

    store.setQuery("nova");
    await vi.advanceTimersByTimeAsync(SEARCH_DEBOUNCE_MS);

    expect(shown(store)).toEqual(["local"]);
    expect(store.source).toBe("library");
    expect(store.error?.message).toBe("The service is unreachable");
    expect(store.searching).toBe(false);
  });

  it("clears the query and results, and ignores answers still on their way", async () => {
    const catalog = deferred<SearchResults>();
    mocked.searchLibrary.mockResolvedValue(found("local"));
    mocked.searchCatalog.mockReturnValue(catalog.promise);
    const store = new SearchStore();

    store.setQuery("nova");
    await vi.advanceTimersByTimeAsync(SEARCH_DEBOUNCE_MS);
    store.clear();
    catalog.resolve(found("c1"));
    await settle();

    expect(store.query).toBe("");
    expect(store.active).toBe(false);
    expect(store.results).toBeNull();
    expect(store.searching).toBe(false);
  });

  it("does not search for blank input, and cancels a search not yet sent", async () => {
    const store = new SearchStore();
    store.setQuery("nova");
    store.setQuery("   ");
    await vi.advanceTimersByTimeAsync(SEARCH_DEBOUNCE_MS * 2);

    expect(mocked.searchLibrary).not.toHaveBeenCalled();
    expect(mocked.searchCatalog).not.toHaveBeenCalled();
    expect(store.active).toBe(false);
    expect(store.results).toBeNull();
  });
});
