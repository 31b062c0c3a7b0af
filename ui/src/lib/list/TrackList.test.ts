// @vitest-environment jsdom
import { fireEvent, render, screen } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { makeEntry, makePlaylist, makeTrack, makeSession } from "../../test/fixtures";
import { sessionStore } from "$lib/stores/session.svelte";
import { stubLibrary } from "../../test/library";
import { giveViewport } from "../../test/viewport";

vi.mock("../../ipc", async (importOriginal) => {
  const { LIBRARY_IPC } = await import("../../test/library");
  return {
    ...(await importOriginal<typeof import("../../ipc")>()),
    ...Object.fromEntries(LIBRARY_IPC.map((name) => [name, vi.fn()])),
    playQueue: vi.fn(),
  };
});

import * as ipc from "../../ipc";
import { libraryStore } from "$lib/stores/library.svelte";
import { trackRows } from "./rows";
import TrackList from "./TrackList.svelte";

const mocked = vi.mocked(ipc);
const onplay = vi.fn();

beforeEach(() => {
  // A Strato account: every feature on offer.
  sessionStore.current = makeSession("http://music.local", "ana");
  vi.resetAllMocks();
  giveViewport(520);
  stubLibrary(mocked);
  libraryStore.stop();
});

async function renderList(count: number) {
  const tracks = Array.from({ length: count }, (_, index) => makeTrack(`t${index}`));
  render(TrackList, { rows: trackRows(tracks), label: "Catalog", onplay });
  // The rows mount once the list knows its screen: 520 px, ten 52 px rows.
  await vi.waitFor(() => expect(screen.queryAllByTestId("track-row").length).toBeGreaterThanOrEqual(Math.min(count, 10)));
  return screen.getByRole("grid");
}

const rows = () => screen.getAllByTestId("track-row");
const selectedIds = () =>
  rows()
    .filter((row) => row.getAttribute("aria-selected") === "true")
    .map((row) => row.dataset.trackId);

describe("a long list", () => {
  it("has only the rows on screen and a margin in the page, each saying where it is", async () => {
    const grid = await renderList(1000);
    // 520 px of screen at 52 px a row is 10 rows, with 8 more below as the margin.
    await vi.waitFor(() => expect(rows().length).toBeGreaterThanOrEqual(10));
    expect(rows().length).toBeLessThan(40);
    expect(grid.getAttribute("aria-rowcount")).toBe("1001");
    expect(grid.getAttribute("aria-multiselectable")).toBe("true");
    expect(rows()[0].getAttribute("aria-rowindex")).toBe("2");
    expect(rows()[3].getAttribute("aria-rowindex")).toBe("5");
  });

  it("leaves the Album column out when asked (an album's own page), header and rows alike", async () => {
    const tracks = [makeTrack("t0", { album_title: "Blue Hour" })];
    render(TrackList, { rows: trackRows(tracks), label: "Blue Hour", onplay, albumColumn: false });
    await vi.waitFor(() => expect(rows()).toHaveLength(1));
    const headers = screen.getAllByRole("columnheader").map((header) => header.textContent?.trim());
    expect(headers).not.toContain("Album");
    expect(headers).toContain("Artist");
    expect(rows()[0].textContent).not.toContain("Blue Hour");
    expect(rows()[0].querySelectorAll('[role="gridcell"]')).toHaveLength(headers.length);
  });

  it("shows a track the service no longer has as no longer available, in its place", async () => {
    const list = [
      { key: "i1", trackId: "t1", track: makeTrack("t1", { title: "Still Here" }) },
      { key: "i2", trackId: "up-gone", track: makeTrack("up-gone", { title: "Deleted Song" }), unavailable: true },
    ];
    render(TrackList, { rows: list, label: "Road trip", onplay, albumColumn: false });
    await vi.waitFor(() => expect(rows()).toHaveLength(2));
    expect(rows()[0].textContent).toContain("Still Here");
    expect(screen.getByTestId("track-unavailable").textContent).toBe("Deleted Song");
    expect(rows()[1].textContent).toContain("No longer available");
    const headers = screen.getAllByRole("columnheader");
    expect(rows()[1].querySelectorAll('[role="gridcell"]')).toHaveLength(headers.length);
  });

  it("keeps one row in the Tab order", async () => {
    await renderList(20);
    expect(rows().filter((row) => row.tabIndex === 0)).toHaveLength(1);
  });
});

describe("scrolling", () => {
  it("keeps the focused, selected row in the page while it is scrolled far away", async () => {
    const main = document.body.appendChild(document.createElement("main"));
    main.setAttribute("data-scroll-root", "");
    try {
      const tracks = Array.from({ length: 1000 }, (_, index) => makeTrack(`t${index}`));
      render(TrackList, { target: main, props: { rows: trackRows(tracks), label: "Catalog", onplay } });
      await vi.waitFor(() => expect(rows().length).toBeGreaterThanOrEqual(10));
      // A click selects the row and, in a browser, focuses it (jsdom does not).
      await fireEvent.click(rows()[1]);
      rows()[1].focus();

      Object.defineProperty(main, "scrollTop", { configurable: true, value: 52 * 600 });
      await fireEvent.scroll(main);
      await vi.waitFor(() => expect(rows().some((row) => row.dataset.trackId === "t600")).toBe(true));
      const kept = rows().find((row) => row.dataset.trackId === "t1");
      expect(kept?.getAttribute("aria-selected")).toBe("true");
      expect(document.activeElement).toBe(kept);
      expect(rows().some((row) => row.dataset.trackId === "t100")).toBe(false);
    } finally {
      main.remove();
    }
  });
});

describe("selecting with the pointer", () => {
  it("click, Ctrl-click and Shift-click from the anchor", async () => {
    await renderList(8);
    await fireEvent.click(rows()[1]);
    expect(selectedIds()).toEqual(["t1"]);
    await fireEvent.click(rows()[4], { ctrlKey: true });
    expect(selectedIds()).toEqual(["t1", "t4"]);
    await fireEvent.click(rows()[6], { shiftKey: true });
    expect(selectedIds()).toEqual(["t4", "t5", "t6"]);
    await fireEvent.click(rows()[2], { shiftKey: true });
    expect(selectedIds()).toEqual(["t2", "t3", "t4"]);
  });

  it("a right-click outside the selection selects that row; inside, keeps the selection", async () => {
    await renderList(8);
    await fireEvent.click(rows()[1]);
    await fireEvent.click(rows()[3], { shiftKey: true });
    await fireEvent.contextMenu(rows()[2]);
    expect(selectedIds()).toEqual(["t1", "t2", "t3"]);
    expect(await screen.findByTestId("track-menu")).toBeTruthy();
    await fireEvent.keyDown(screen.getByTestId("track-menu"), { key: "Escape" });

    await fireEvent.contextMenu(rows()[6]);
    expect(selectedIds()).toEqual(["t6"]);
  });
});

describe("selecting with the keyboard", () => {
  it("arrows move, Shift+arrows extend, Ctrl+A selects all, Escape clears", async () => {
    await renderList(8);
    await fireEvent.click(rows()[2]);
    await fireEvent.keyDown(rows()[2], { key: "ArrowDown", shiftKey: true });
    await fireEvent.keyDown(rows()[3], { key: "ArrowDown", shiftKey: true });
    expect(selectedIds()).toEqual(["t2", "t3", "t4"]);
    await vi.waitFor(() => expect((document.activeElement as HTMLElement).dataset.trackId).toBe("t4"));

    await fireEvent.keyDown(rows()[4], { key: "ArrowUp" });
    expect(selectedIds()).toEqual(["t3"]);
    await fireEvent.keyDown(rows()[3], { key: "a", ctrlKey: true });
    expect(selectedIds()).toHaveLength(8);
    await fireEvent.keyDown(rows()[3], { key: "Escape" });
    expect(selectedIds()).toEqual([]);
  });

  it("Enter plays from the focused row", async () => {
    await renderList(4);
    rows()[2].focus();
    await fireEvent.keyDown(rows()[2], { key: "Enter" });
    expect(onplay).toHaveBeenCalledWith(2);
  });
});

describe("the context menu", () => {
  async function openAddToPlaylist(row: number) {
    await fireEvent.click(screen.getAllByTestId("row-menu")[row]);
    await fireEvent.click(await screen.findByTestId("menu-add-to-playlist"));
    return screen.findByTestId("add-to-playlist-menu");
  }

  it("lists the playlists by name under a new one from the selection", async () => {
    mocked.playlists.mockResolvedValue([makePlaylist("p1", { name: "Run" }), makePlaylist("p2", { name: "Walk" })]);
    await libraryStore.start();
    await renderList(3);
    await openAddToPlaylist(1);
    const options = screen.getAllByTestId("add-to-playlist-option");
    expect(options.map((option) => option.textContent?.trim())).toEqual(["Run", "Walk"]);
    expect(screen.getByTestId("menu-new-playlist").textContent).toContain("New playlist from selection");
  });

  it("offers only a new playlist when there is none yet", async () => {
    await libraryStore.start();
    await renderList(3);
    await openAddToPlaylist(0);
    expect(screen.queryByTestId("add-to-playlist-option")).toBeNull();
    expect(screen.getByTestId("menu-new-playlist")).toBeTruthy();
  });

  it("closes on Escape without doing anything, the keyboard back on the row", async () => {
    await renderList(3);
    await fireEvent.click(screen.getAllByTestId("row-menu")[1]);
    await fireEvent.keyDown(await screen.findByTestId("track-menu"), { key: "Escape" });
    expect(screen.queryByTestId("track-menu")).toBeNull();
    await vi.waitFor(() => expect((document.activeElement as HTMLElement).dataset.trackId).toBe("t1"));
    expect(mocked.editPlaylist).not.toHaveBeenCalled();
  });

  it("opens with Shift+F10 on the first entry; arrows, typeahead and Enter drive it", async () => {
    mocked.playlists.mockResolvedValue([makePlaylist("p1", { name: "Run" }), makePlaylist("p2", { name: "Walk" })]);
    await libraryStore.start();
    mocked.editPlaylist.mockResolvedValue({
      playlist: makePlaylist("p2", { name: "Walk", item_count: 2 }),
      changes: [{ kind: "added", position: 0, items: [makeEntry("t1"), makeEntry("t2")] }],
    });
    await renderList(6);
    await fireEvent.click(rows()[1]);
    await fireEvent.keyDown(rows()[1], { key: "ArrowDown", shiftKey: true });
    await fireEvent.keyDown(rows()[2], { key: "F10", shiftKey: true });

    const active = () => document.activeElement as HTMLElement;
    await vi.waitFor(() => expect(active().dataset.testid).toBe("menu-play"));
    await fireEvent.keyDown(active(), { key: "ArrowDown" });
    await vi.waitFor(() => expect(active().dataset.testid).toBe("menu-play-next"));
    await fireEvent.keyDown(active(), { key: "End" });
    await fireEvent.keyDown(active(), { key: "Home" });
    await vi.waitFor(() => expect(active().dataset.testid).toBe("menu-play"));
    await fireEvent.keyDown(active(), { key: "a" });
    await vi.waitFor(() => expect(active().dataset.testid).toBe("menu-add-to-queue"));
    await fireEvent.keyDown(active(), { key: "a" });
    await vi.waitFor(() => expect(active().dataset.testid).toBe("menu-add-to-playlist"));

    await fireEvent.keyDown(active(), { key: "ArrowRight" });
    await vi.waitFor(() => expect(active().dataset.testid).toBe("menu-new-playlist"));
    await fireEvent.keyDown(active(), { key: "ArrowDown" });
    await fireEvent.keyDown(active(), { key: "ArrowDown" });
    await vi.waitFor(() => expect(active().textContent?.trim()).toBe("Walk"));
    await fireEvent.keyDown(active(), { key: "Enter" });

    expect(mocked.editPlaylist).toHaveBeenCalledWith("p2", [{ kind: "add", track_ids: ["t1", "t2"], position: null }]);
    expect(screen.queryByTestId("track-menu")).toBeNull();
    await vi.waitFor(() => expect(libraryStore.notice?.message).toBe("Added 2 tracks to “Walk”."));
    // The keyboard is back on the list.
    await vi.waitFor(() => expect(active().dataset.trackId).toBe("t2"));
  });

  it("Left and Escape close the submenu, then the menu", async () => {
    await renderList(3);
    rows()[0].focus();
    await fireEvent.keyDown(rows()[0], { key: "ContextMenu" });
    const active = () => document.activeElement as HTMLElement;
    await vi.waitFor(() => expect(active().dataset.testid).toBe("menu-play"));
    await fireEvent.keyDown(active(), { key: "ArrowDown" });
    await fireEvent.keyDown(active(), { key: "ArrowDown" });
    await fireEvent.keyDown(active(), { key: "ArrowDown" });
    await fireEvent.keyDown(active(), { key: "Enter" });
    await vi.waitFor(() => expect(screen.getByTestId("add-to-playlist-menu")).toBeTruthy());
    await fireEvent.keyDown(active(), { key: "ArrowLeft" });
    await vi.waitFor(() => expect(screen.queryByTestId("add-to-playlist-menu")).toBeNull());
    expect(active().dataset.testid).toBe("menu-add-to-playlist");
    await fireEvent.keyDown(active(), { key: "Escape" });
    expect(screen.queryByTestId("track-menu")).toBeNull();
    await vi.waitFor(() => expect(active().dataset.trackId).toBe("t0"));
  });

  it("offers to remove the download of a track the list does not know is offline, once the core says", async () => {
    mocked.offlineStates.mockImplementation(async (ids) => ids.map((id) => (id === "t1" ? "available" : "none")));
    await renderList(3);
    await fireEvent.click(screen.getAllByTestId("row-menu")[0]);
    await screen.findByTestId("track-menu");
    expect(mocked.offlineStates).toHaveBeenCalledWith(["t0"]);
    expect(screen.queryByTestId("menu-remove-download")).toBeNull();
    expect(screen.getByTestId("menu-make-offline").getAttribute("aria-disabled")).toBeNull();
    await fireEvent.keyDown(screen.getByTestId("track-menu"), { key: "Escape" });

    await fireEvent.click(screen.getAllByTestId("row-menu")[1]);
    expect((await screen.findByTestId("menu-make-offline")).getAttribute("aria-disabled")).toBe("true");
    await fireEvent.click(screen.getByTestId("menu-remove-download"));
    await vi.waitFor(() => expect(mocked.setOffline).toHaveBeenCalledWith({ kind: "track", id: "t1" }, false));
  });

  it("offers no download where the service's tracks cannot be kept on this computer", async () => {
    mocked.offlineStates.mockImplementation(async (ids) => ids.map(() => "available"));
    sessionStore.current = makeSession("http://127.0.0.1:4040/rest/", "ana", {
      kind: "open_subsonic",
      features: { ...makeSession("", "").features, downloads: false },
    });
    await renderList(3);
    await fireEvent.click(screen.getAllByTestId("row-menu")[1]);
    await screen.findByTestId("track-menu");
    expect(screen.queryByTestId("menu-make-offline")).toBeNull();
    expect(screen.queryByTestId("menu-remove-download")).toBeNull();
    expect(screen.getByTestId("menu-go-to-album")).toBeTruthy();
  });

  it("still opens when the core cannot say what is offline, without offering a removal", async () => {
    mocked.offlineStates.mockRejectedValue({ kind: "not_signed_in", message: "Sign in first." });
    await renderList(3);
    await fireEvent.click(screen.getAllByTestId("row-menu")[2]);
    expect(await screen.findByTestId("menu-make-offline")).toBeTruthy();
    expect(screen.queryByTestId("menu-remove-download")).toBeNull();
  });

  it("makes a new playlist from the selection, named after their album", async () => {
    mocked.createPlaylist.mockResolvedValue(makePlaylist("p9", { name: "Album" }));
    mocked.editPlaylist.mockResolvedValue({
      playlist: makePlaylist("p9", { name: "Album", item_count: 2 }),
      changes: [{ kind: "added", position: 0, items: [makeEntry("t0"), makeEntry("t1")] }],
    });
    await renderList(3);
    await fireEvent.click(rows()[0]);
    await fireEvent.click(rows()[1], { shiftKey: true });
    await fireEvent.contextMenu(rows()[1]);
    await fireEvent.click(await screen.findByTestId("menu-add-to-playlist"));
    await fireEvent.click(await screen.findByTestId("menu-new-playlist"));

    await vi.waitFor(() =>
      expect(mocked.editPlaylist).toHaveBeenCalledWith("p9", [{ kind: "add", track_ids: ["t0", "t1"], position: null }]),
    );
    expect(mocked.createPlaylist).toHaveBeenCalledWith("Album", "");
    await vi.waitFor(() => expect(libraryStore.notice?.message).toBe("Made “Album” with 2 tracks."));
  });
});
