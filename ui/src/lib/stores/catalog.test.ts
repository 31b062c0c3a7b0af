import { beforeEach, describe, expect, it, vi } from "vitest";
import { deferred, makePage } from "../../test/fixtures";
import type { TrackPage } from "../../ipc";

vi.mock("../../ipc", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../ipc")>()),
  catalogTracks: vi.fn(),
}));

import * as ipc from "../../ipc";
import { CatalogStore } from "./catalog.svelte";

const catalogTracks = vi.mocked(ipc.catalogTracks);
const ids = (store: CatalogStore) => store.tracks.map((track) => track.id);

beforeEach(() => {
  catalogTracks.mockReset();
});

describe("CatalogStore paging", () => {
  it("starts with a null cursor and follows next_cursor", async () => {
    catalogTracks
      .mockResolvedValueOnce(makePage(["a", "b"], "c1"))
      .mockResolvedValueOnce(makePage(["c"], null));
    const store = new CatalogStore();

    expect(store.hasMore).toBe(true);
    await store.loadMore();
    expect(ids(store)).toEqual(["a", "b"]);
    expect(store.hasMore).toBe(true);

    await store.loadMore();
    expect(ids(store)).toEqual(["a", "b", "c"]);
    expect(catalogTracks.mock.calls).toEqual([[null], ["c1"]]);
    expect(store.hasMore).toBe(false);
    expect(store.loaded).toBe(true);
  });

  it("does not fetch past the last page", async () => {
    catalogTracks.mockResolvedValueOnce(makePage(["a"], null));
    const store = new CatalogStore();
    await store.loadMore();
    await store.loadMore();
    expect(catalogTracks).toHaveBeenCalledTimes(1);
  });

  it("asks once while a page is in flight", async () => {
    const page = deferred<TrackPage>();
    catalogTracks.mockReturnValueOnce(page.promise);
    const store = new CatalogStore();

    const first = store.loadMore();
    const second = store.loadMore();
    expect(store.loading).toBe(true);
    page.resolve(makePage(["a"], "c1"));
    await Promise.all([first, second]);

    expect(catalogTracks).toHaveBeenCalledTimes(1);
    expect(store.loading).toBe(false);
  });

  it("skips tracks it already has when pages overlap", async () => {
    catalogTracks
      .mockResolvedValueOnce(makePage(["a", "b"], "c1"))
      .mockResolvedValueOnce(makePage(["b", "c"], null));
    const store = new CatalogStore();
    await store.loadMore();
    await store.loadMore();
    expect(ids(store)).toEqual(["a", "b", "c"]);
  });

  it("keeps the cursor on failure so a retry asks for the same page", async () => {
    catalogTracks
      .mockResolvedValueOnce(makePage(["a"], "c1"))
      .mockRejectedValueOnce({ kind: "network", message: "Server unreachable" })
      .mockResolvedValueOnce(makePage(["b"], null));
    const store = new CatalogStore();
    await store.loadMore();
    await store.loadMore();

    expect(store.error).toEqual({ kind: "network", message: "Server unreachable" });
    expect(store.loading).toBe(false);
    expect(ids(store)).toEqual(["a"]);

    await store.loadMore();
    expect(store.error).toBeNull();
    expect(catalogTracks.mock.calls).toEqual([[null], ["c1"], ["c1"]]);
    expect(ids(store)).toEqual(["a", "b"]);
  });

  it("drops a page that arrives after reset (e.g. sign-out)", async () => {
    const stale = deferred<TrackPage>();
    catalogTracks.mockReturnValueOnce(stale.promise).mockResolvedValueOnce(makePage(["fresh"], null));
    const store = new CatalogStore();

    const pending = store.loadMore();
    store.reset();
    await store.loadMore();
    stale.resolve(makePage(["stale"], "c9"));
    await pending;

    expect(ids(store)).toEqual(["fresh"]);
    expect(store.hasMore).toBe(false);
    expect(catalogTracks.mock.calls).toEqual([[null], [null]]);
  });
});
