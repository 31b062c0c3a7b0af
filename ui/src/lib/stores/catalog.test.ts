import { beforeEach, describe, expect, it, vi } from "vitest";
import { deferred, makeCatalogStatus, makePage } from "../../test/fixtures";
import type { CatalogChange, CatalogPage, CatalogStatus } from "../../ipc";

vi.mock("../../ipc", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../ipc")>()),
  catalogTracks: vi.fn(),
  refreshCatalog: vi.fn(),
  onCatalogChanged: vi.fn(),
}));

import * as ipc from "../../ipc";
import { CatalogStore } from "./catalog.svelte";

const catalogTracks = vi.mocked(ipc.catalogTracks);
const refreshCatalog = vi.mocked(ipc.refreshCatalog);
const onCatalogChanged = vi.mocked(ipc.onCatalogChanged);
const ids = (store: CatalogStore) => store.tracks.map((track) => track.id);
/** `count` ids from `first` on, with a prefix: p0, p1, ... */
const range = (first: number, count: number, prefix = "t") =>
  Array.from({ length: count }, (_, index) => `${prefix}${first + index}`);

/** The backend's `catalog-changed` listener, once the store subscribed. */
let hear: ((change: CatalogChange) => void) | null;
let unlisten: ReturnType<typeof vi.fn<() => void>>;

function change(changed: CatalogChange["changed"], status: Partial<CatalogStatus> = {}): CatalogChange {
  return { status: makeCatalogStatus({ refreshing: true, ...status }), changed };
}

/** A store that has read `pages` (each answered in turn), and heard nothing yet. */
async function storeWith(...pages: CatalogPage[]): Promise<CatalogStore> {
  const store = new CatalogStore();
  for (const page of pages) {
    catalogTracks.mockResolvedValueOnce(page);
    await store.loadMore();
  }
  await vi.waitFor(() => expect(hear).not.toBeNull());
  catalogTracks.mockClear();
  return store;
}

beforeEach(() => {
  vi.resetAllMocks();
  hear = null;
  unlisten = vi.fn<() => void>();
  onCatalogChanged.mockImplementation((listener) => {
    hear = listener;
    return Promise.resolve(unlisten);
  });
  refreshCatalog.mockResolvedValue(undefined);
});

describe("CatalogStore paging", () => {
  it("starts with a null cursor and follows next_cursor", async () => {
    catalogTracks
      .mockResolvedValueOnce(makePage(["a", "b"], "c1"))
      .mockResolvedValueOnce(makePage(["c"], null, { total: 3 }));
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
    expect(store.total).toBe(3);
  });

  it("does not read past the last page", async () => {
    catalogTracks.mockResolvedValueOnce(makePage(["a"], null));
    const store = new CatalogStore();
    await store.loadMore();
    await store.loadMore();
    expect(catalogTracks).toHaveBeenCalledTimes(1);
  });

  it("asks once while a page is in flight", async () => {
    const page = deferred<CatalogPage>();
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
      .mockRejectedValueOnce({ kind: "storage", message: "Your library on this computer could not be used." })
      .mockResolvedValueOnce(makePage(["b"], null));
    const store = new CatalogStore();
    await store.loadMore();
    await store.loadMore();

    expect(store.error).toEqual({ kind: "storage", message: "Your library on this computer could not be used." });
    expect(store.loading).toBe(false);
    expect(ids(store)).toEqual(["a"]);

    await store.loadMore();
    expect(store.error).toBeNull();
    expect(catalogTracks.mock.calls).toEqual([[null], ["c1"], ["c1"]]);
    expect(ids(store)).toEqual(["a", "b"]);
  });

  it("drops a page that arrives after reset (e.g. sign-out) and stops hearing changes", async () => {
    const stale = deferred<CatalogPage>();
    catalogTracks.mockReturnValueOnce(stale.promise).mockResolvedValueOnce(makePage(["fresh"], null));
    const store = new CatalogStore();

    const pending = store.loadMore();
    await vi.waitFor(() => expect(hear).not.toBeNull());
    store.reset();
    expect(unlisten).toHaveBeenCalledTimes(1);
    await store.loadMore();
    stale.resolve(makePage(["stale"], "c9"));
    await pending;

    expect(ids(store)).toEqual(["fresh"]);
    expect(store.hasMore).toBe(false);
    expect(catalogTracks.mock.calls).toEqual([[null], [null]]);
    // A new account's store subscribes anew.
    expect(onCatalogChanged).toHaveBeenCalledTimes(2);
  });

  it("still reads pages where no events can be heard (outside the app)", async () => {
    onCatalogChanged.mockRejectedValue({ kind: "internal", message: "no window" });
    catalogTracks.mockResolvedValueOnce(makePage(["a"], null));
    const store = new CatalogStore();
    await store.loadMore();
    expect(ids(store)).toEqual(["a"]);
    expect(store.error).toBeNull();
  });
});

describe("CatalogStore following the refresh", () => {
  it("re-reads in place what follows the tracks kept, keeping the list's length", async () => {
    const store = await storeWith(makePage(range(0, 100), "r99"), makePage(range(100, 100), "r199"));
    const reread = makePage([...range(40, 60, "n"), ...range(100, 100)], "r199b", { total: 500 });
    catalogTracks.mockResolvedValueOnce(reread);

    hear?.(change({ kept: 40, cursor: "r39" }));
    await vi.waitFor(() => expect(store.loading).toBe(false));

    expect(catalogTracks.mock.calls).toEqual([["r39", 160]]);
    expect(store.tracks).toHaveLength(200);
    expect(ids(store).slice(38, 42)).toEqual(["t38", "t39", "n40", "n41"]);
    expect(store.total).toBe(500);
    // Reading on continues after what was re-read.
    catalogTracks.mockResolvedValueOnce(makePage(["t200"], null));
    await store.loadMore();
    expect(catalogTracks).toHaveBeenLastCalledWith("r199b");
  });

  it("re-reads a long list in large pages", async () => {
    const store = await storeWith(makePage(range(0, 2_500), "r2499"));
    catalogTracks
      .mockResolvedValueOnce(makePage(range(0, 1_000, "a"), "a999"))
      .mockResolvedValueOnce(makePage(range(0, 1_000, "b"), "b999"))
      .mockResolvedValueOnce(makePage(range(0, 500, "c"), "c499"));

    hear?.(change({ kept: 0, cursor: null }));
    await vi.waitFor(() => expect(store.loading).toBe(false));

    expect(catalogTracks.mock.calls).toEqual([
      [null, 1_000],
      ["a999", 1_000],
      ["b999", 500],
    ]);
    expect(store.tracks).toHaveLength(2_500);
    expect(store.tracks[2_499].id).toBe("c499");
    expect(store.hasMore).toBe(true);
  });

  it("costs nothing when the change is past what it holds, or when nothing changed", async () => {
    const store = await storeWith(makePage(range(0, 100), "r99"));
    hear?.(change({ kept: 300, cursor: "r299" }));
    hear?.(change(null, { total: 900, walked: 900 }));
    expect(catalogTracks).not.toHaveBeenCalled();
    expect(store.total).toBe(900);
    expect(store.status?.walked).toBe(900);
    expect(store.tracks).toHaveLength(100);
  });

  it("reads on from the end it had reached when the list grows there", async () => {
    const store = await storeWith(makePage(["a", "b"], null));
    expect(store.hasMore).toBe(false);
    catalogTracks.mockResolvedValueOnce(makePage(["c", "d"], null));

    hear?.(change({ kept: 2, cursor: "r1" }));
    await vi.waitFor(() => expect(ids(store)).toEqual(["a", "b", "c", "d"]));
    expect(catalogTracks.mock.calls).toEqual([["r1"]]);
  });

  it("folds a change heard while re-reading into one re-read from the earlier place", async () => {
    const store = await storeWith(makePage(range(0, 10), "r9"));
    const first = deferred<CatalogPage>();
    catalogTracks
      .mockReturnValueOnce(first.promise)
      .mockResolvedValueOnce(makePage(range(2, 8, "n"), "n9"));

    hear?.(change({ kept: 6, cursor: "r5" }));
    hear?.(change({ kept: 2, cursor: "r1" }));
    // The first re-read answers late, from before the second change: dropped.
    first.resolve(makePage(range(6, 4, "old"), "x"));
    await vi.waitFor(() => expect(store.loading).toBe(false));

    expect(catalogTracks.mock.calls).toEqual([
      ["r5", 4],
      ["r1", 8],
    ]);
    expect(ids(store)).toEqual(["t0", "t1", ...range(2, 8, "n")]);
  });

  it("asks again for a page on its way when a change may have outdated it", async () => {
    const store = await storeWith(makePage(range(0, 100), "r99"));
    const late = deferred<CatalogPage>();
    catalogTracks.mockReturnValueOnce(late.promise).mockResolvedValueOnce(makePage(["fresh"], null));
    const loading = store.loadMore();

    hear?.(change({ kept: 120, cursor: "r119" }));
    late.resolve(makePage(["outdated"], null));
    await loading;
    await vi.waitFor(() => expect(store.loading).toBe(false));

    expect(catalogTracks.mock.calls).toEqual([["r99"], ["r99"]]);
    expect(ids(store).slice(-1)).toEqual(["fresh"]);
  });

  it("asks again for a first page that a change may have outdated", async () => {
    const store = new CatalogStore();
    const late = deferred<CatalogPage>();
    catalogTracks.mockReturnValueOnce(late.promise).mockResolvedValueOnce(makePage(["fresh"], null));
    const loading = store.loadMore();
    await vi.waitFor(() => expect(hear).not.toBeNull());

    hear?.(change({ kept: 0, cursor: null }));
    late.resolve(makePage(["outdated"], null));
    await loading;
    await vi.waitFor(() => expect(ids(store)).toEqual(["fresh"]));
  });

  it("keeps the newer status when a page read before a change answers after it", async () => {
    const store = await storeWith(makePage(range(0, 100), "r99", { refreshing: true }));
    const late = deferred<CatalogPage>();
    catalogTracks.mockReturnValueOnce(late.promise);
    const loading = store.loadMore();

    hear?.(change(null, { refreshing: false, total: 400 }));
    late.resolve(makePage(range(100, 100), "r199", { refreshing: true, total: 300 }));
    await loading;

    expect(store.tracks).toHaveLength(200);
    expect(store.status?.refreshing).toBe(false);
    expect(store.total).toBe(400);
  });

  it("asks for a refresh and says why it could not start", async () => {
    const store = new CatalogStore();
    await store.refresh();
    expect(refreshCatalog).toHaveBeenCalledTimes(1);
    expect(store.refreshError).toBeNull();

    const offline = { kind: "network" as const, message: "You are offline: this is the catalog as Strato last listed it." };
    refreshCatalog.mockRejectedValueOnce(offline);
    await store.refresh();
    expect(store.refreshError).toEqual(offline);

    // A refresh under way (the service came back) is news enough.
    await vi.waitFor(() => expect(hear).not.toBeNull());
    hear?.(change(null, { refreshing: true }));
    expect(store.refreshError).toBeNull();
  });
});
