// @vitest-environment jsdom
import { fireEvent, render, screen } from "@testing-library/svelte";
import { flushSync } from "svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { makeCatalogStatus, makePage } from "../../../test/fixtures";
import type { CatalogChange } from "../../../ipc";

vi.mock("../../../ipc", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../../ipc")>()),
  catalogTracks: vi.fn(),
  refreshCatalog: vi.fn(),
  onCatalogChanged: vi.fn(),
}));

import * as ipc from "../../../ipc";
import { catalogStore } from "$lib/stores/catalog.svelte";
import CatalogHeader from "./CatalogHeader.svelte";

const mocked = vi.mocked(ipc);
let hear: ((change: CatalogChange) => void) | null = null;

beforeEach(() => {
  vi.resetAllMocks();
  catalogStore.reset();
  hear = null;
  mocked.onCatalogChanged.mockImplementation((listener) => {
    hear = listener;
    return Promise.resolve(() => {});
  });
  mocked.refreshCatalog.mockResolvedValue(undefined);
});

const text = (testId: string) => screen.getByTestId(testId).textContent?.trim();

describe("the catalog's header", () => {
  it("counts the catalog's tracks, not only those read", async () => {
    mocked.catalogTracks.mockResolvedValueOnce(makePage(["a", "b"], "r1", { total: 100_000 }));
    render(CatalogHeader);
    await catalogStore.loadMore();
    flushSync();
    expect(text("catalog-count")).toBe((100_000).toLocaleString() + " tracks");
    expect(screen.queryByTestId("catalog-notice")).toBeNull();
  });

  it("says how far a refresh has read, and offers none while one runs", async () => {
    mocked.catalogTracks.mockResolvedValueOnce(makePage(["a"], null, { total: 1 }));
    render(CatalogHeader);
    await catalogStore.loadMore();
    await vi.waitFor(() => expect(hear).not.toBeNull());

    hear?.({ status: makeCatalogStatus({ total: 1, refreshing: true, walked: 200 }), changed: null });
    flushSync();
    expect(text("catalog-refreshing")).toBe("Updating… 200 read");
    expect(screen.getByTestId<HTMLButtonElement>("catalog-refresh").disabled).toBe(true);

    hear?.({ status: makeCatalogStatus({ total: 1, walked: 250 }), changed: null });
    flushSync();
    expect(text("catalog-refreshing")).toBe("");
    expect(screen.getByTestId<HTMLButtonElement>("catalog-refresh").disabled).toBe(false);
  });

  it("says, in words, why the list may be out of date", async () => {
    const offline = { kind: "network" as const, message: "You are offline: this is the catalog as Strato last listed it." };
    mocked.catalogTracks.mockResolvedValueOnce(makePage(["a"], null, { total: 1, problem: offline }));
    render(CatalogHeader);
    await catalogStore.loadMore();
    flushSync();
    expect(text("catalog-notice")).toBe(offline.message);
  });

  it("refreshes on request, and says why it could not", async () => {
    render(CatalogHeader);
    await fireEvent.click(screen.getByTestId("catalog-refresh"));
    expect(mocked.refreshCatalog).toHaveBeenCalledTimes(1);

    mocked.refreshCatalog.mockRejectedValueOnce({ kind: "network", message: "Could not connect to the service." });
    await fireEvent.click(screen.getByTestId("catalog-refresh"));
    await vi.waitFor(() => expect(text("catalog-notice")).toBe("Could not connect to the service."));
  });
});
