// @vitest-environment jsdom
import { fireEvent, render, screen } from "@testing-library/svelte";
import { flushSync } from "svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { deferred, makePage, makePlaylist, makeStatus } from "../../../test/fixtures";
import { giveViewport } from "../../../test/viewport";
import { stubLibrary } from "../../../test/library";

vi.mock("../../../ipc", async (importOriginal) => {
  const { LIBRARY_IPC } = await import("../../../test/library");
  return {
    ...(await importOriginal<typeof import("../../../ipc")>()),
    ...Object.fromEntries(LIBRARY_IPC.map((name) => [name, vi.fn()])),
    catalogTracks: vi.fn(),
    playQueue: vi.fn(),
    playTrack: vi.fn(),
  };
});

import * as ipc from "../../../ipc";
import { catalogStore } from "$lib/stores/catalog.svelte";
import { libraryStore } from "$lib/stores/library.svelte";
import { playerStore } from "$lib/stores/player.svelte";
import CatalogScreen from "./CatalogScreen.svelte";

const mocked = vi.mocked(ipc);

/** `count` track ids from `first` on: t0, t1, ... */
const ids = (first: number, count: number) => Array.from({ length: count }, (_, index) => `t${first + index}`);

/** The main area, which scrolls the catalog (the app marks it so). */
let main: HTMLElement;

beforeEach(() => {
  vi.resetAllMocks();
  main = document.body.appendChild(document.createElement("main"));
  main.setAttribute("data-scroll-root", "");
  giveViewport(520);
  stubLibrary(mocked);
  libraryStore.stop();
  playerStore.stop();
  catalogStore.reset();
  mocked.playQueue.mockResolvedValue(undefined);
});

afterEach(() => {
  main.remove();
});

type Page = ReturnType<typeof makePage>;

/**
 * Shows the catalog with its first page read, as `followRoutes` does, and waits for its
 * rows; the service answers the next reads with `later`, in order.
 */
async function showCatalog(first: Page, ...later: (Page | Error | Promise<Page>)[]) {
  mocked.catalogTracks.mockResolvedValueOnce(first);
  for (const answer of later) {
    if (answer instanceof Error) mocked.catalogTracks.mockRejectedValueOnce({ kind: "network", message: answer.message });
    else mocked.catalogTracks.mockReturnValueOnce(Promise.resolve(answer));
  }
  await catalogStore.loadMore();
  render(CatalogScreen, { target: main });
  // The rows mount once the list knows its screen: 520 px, ten 52 px rows.
  const onScreen = Math.min(first.items.length, 10);
  await vi.waitFor(() => expect(screen.queryAllByTestId("track-row").length).toBeGreaterThanOrEqual(onScreen));
  return screen.getAllByTestId("track-row");
}

/** Scrolls the main area to `top` pixels, as the listener's wheel would. */
async function scrollTo(top: number) {
  Object.defineProperty(main, "scrollTop", { configurable: true, value: top });
  await fireEvent.scroll(main);
}

describe("the catalog screen", () => {
  it("plays the list as loaded as the queue, from the row played or double-clicked", async () => {
    const rows = await showCatalog(makePage(["a", "b", "c"], null));
    await fireEvent.click(screen.getAllByTestId("play-track")[1]);
    expect(mocked.playQueue).toHaveBeenCalledWith(["a", "b", "c"], 1);
    await fireEvent.dblClick(rows[2]);
    expect(mocked.playQueue).toHaveBeenLastCalledWith(["a", "b", "c"], 2);
    expect(mocked.playTrack).not.toHaveBeenCalled();
  });

  it("marks the row heard now", async () => {
    await showCatalog(makePage(["a", "b", "c"], null));
    playerStore.status = makeStatus({ state: "playing", track: catalogStore.tracks[2] });
    flushSync();
    const rows = screen.getAllByTestId("track-row");
    expect(rows.map((row) => row.getAttribute("aria-current"))).toEqual([null, null, "true"]);
  });

  it("reads the next pages at once while the rows read do not fill the screen", async () => {
    await showCatalog(makePage(["a", "b", "c"], "c1"), makePage(["d", "e"], "c2"), makePage(["f"], null));
    await vi.waitFor(() => expect(screen.getAllByTestId("track-row")).toHaveLength(6));
    expect(mocked.catalogTracks.mock.calls).toEqual([[null], ["c1"], ["c2"]]);
    expect(screen.getByTestId("catalog-count").textContent?.trim()).toBe("6 tracks");
  });

  it("reads the next page only as the scroll comes near the last row read", async () => {
    const second = deferred<Page>();
    await showCatalog(makePage(ids(0, 200), "c1"), second.promise);
    // Ten rows on screen, 190 below them: nothing more to read yet.
    await scrollTo(52 * 100);
    expect(mocked.catalogTracks).toHaveBeenCalledTimes(1);

    // 40 rows from the end: the next page is asked for, once, while it is on its way.
    await scrollTo(52 * 150);
    await scrollTo(52 * 151);
    await vi.waitFor(() => expect(mocked.catalogTracks).toHaveBeenCalledTimes(2));
    expect(mocked.catalogTracks).toHaveBeenLastCalledWith("c1");
    second.resolve(makePage(ids(200, 200), null));
    await vi.waitFor(() => expect(catalogStore.tracks).toHaveLength(400));
    expect(screen.getByTestId("catalog-count").textContent?.trim()).toBe("400 tracks");
  });

  it("stops reading after a failed page until Retry", async () => {
    await showCatalog(makePage(["a"], "c1"), new Error("Could not reach the service."));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("Could not reach the service.");
    await scrollTo(10);
    expect(mocked.catalogTracks).toHaveBeenCalledTimes(2);

    mocked.catalogTracks.mockResolvedValueOnce(makePage(["b"], null));
    await fireEvent.click(screen.getByRole("button", { name: "Retry" }));
    await vi.waitFor(() => expect(screen.getAllByTestId("track-row")).toHaveLength(2));
    expect(mocked.catalogTracks).toHaveBeenLastCalledWith("c1");
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("adds a row to a playlist from its menu", async () => {
    mocked.playlists.mockResolvedValue([makePlaylist("p1", { name: "Run" })]);
    await libraryStore.start();
    mocked.editPlaylist.mockResolvedValue({ playlist: makePlaylist("p1", { name: "Run", item_count: 1 }), changes: [] });
    await showCatalog(makePage(["a", "b"], null));
    await fireEvent.click(screen.getAllByTestId("row-menu")[1]);
    await fireEvent.click(await screen.findByTestId("menu-add-to-playlist"));
    await fireEvent.click(await screen.findByTestId("add-to-playlist-option"));
    expect(mocked.editPlaylist).toHaveBeenCalledWith("p1", [{ kind: "add", track_ids: ["b"], position: null }]);
    await vi.waitFor(() => expect(libraryStore.notice?.message).toBe("Added “Title b” to “Run”."));
  });
});
