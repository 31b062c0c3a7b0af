// @vitest-environment jsdom
import { createEvent, fireEvent, render, screen } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { deferred, makeEntry, makeItem, makePlaylist, makeTrack, makeView, makeSession } from "../../test/fixtures";
import type { PlaylistChange } from "../../ipc";
import { stubLibrary } from "../../test/library";
import { giveViewport } from "../../test/viewport";
import type { PlaylistView, Track } from "../../ipc";

vi.mock("../../ipc", async (importOriginal) => {
  const { LIBRARY_IPC } = await import("../../test/library");
  return {
    ...(await importOriginal<typeof import("../../ipc")>()),
    ...Object.fromEntries(LIBRARY_IPC.map((name) => [name, vi.fn()])),
  };
});

import * as ipc from "../../ipc";
import { libraryStore } from "$lib/stores/library.svelte";
import { sessionStore } from "$lib/stores/session.svelte";
import EditNotice from "$lib/list/EditNotice.svelte";
import PlaylistScreen from "./PlaylistScreen.svelte";

const mocked = vi.mocked(ipc);
const ROW_HEIGHT = 40;
/** The track list's row height in the app (what its virtual list scrolls by). */
const ROW_HEIGHT_IN_APP = 52;

beforeEach(() => {
  // A Strato account: every feature on show.
  sessionStore.current = makeSession("http://music.local", "ana");
  vi.resetAllMocks();
  giveViewport();
  stubLibrary(mocked);
  libraryStore.stop();
});

/** Starts the library with `view` as its only playlist, opened, and shows the screen. */
async function showPlaylist(view: PlaylistView = makeView("p1", ["a", "b", "c", "d"], { name: "Run" })) {
  mocked.playlists.mockResolvedValue([view.playlist]);
  mocked.playlist.mockResolvedValue(view);
  await libraryStore.start();
  await libraryStore.openPlaylist(view.playlist.id);
  render(PlaylistScreen);
  // The rows mount once the list knows how much screen it has.
  await vi.waitFor(() => expect(screen.queryAllByTestId("playlist-item")).toHaveLength(view.items.length));
  const rows = screen.queryAllByTestId("playlist-item");
  // jsdom lays nothing out: give each row a 40px box, stacked from the top.
  rows.forEach((row, index) => {
    row.getBoundingClientRect = () => ({ top: index * ROW_HEIGHT, height: ROW_HEIGHT }) as DOMRect;
  });
  return rows;
}

function dragEvent(type: "dragStart" | "dragOver" | "drop" | "dragEnd", element: Element, clientY = 0) {
  const dataTransfer = { setData: vi.fn(), getData: vi.fn(), types: [], effectAllowed: "", dropEffect: "" };
  const event = createEvent[type](element, { dataTransfer });
  Object.defineProperty(event, "clientY", { value: clientY });
  return fireEvent(element, event);
}

/** Drags row `from` and drops it on row `onto`, on its upper or lower half. */
async function dragAndDrop(rows: HTMLElement[], from: number, onto: number, half: "upper" | "lower") {
  const y = onto * ROW_HEIGHT + (half === "upper" ? 10 : 30);
  await dragEvent("dragStart", rows[from]);
  await dragEvent("dragOver", rows[onto], y);
  await dragEvent("drop", rows[onto], y);
  await dragEvent("dragEnd", rows[from]);
}

const shownTrackIds = () => screen.getAllByTestId("playlist-item").map((row) => row.dataset.trackId);

/** What the core answers an edit of "Run": its details, and what changed. */
function changed(changes: PlaylistChange[], count = 4) {
  return { playlist: makePlaylist("p1", { name: "Run", item_count: count }), changes };
}

describe("PlaylistScreen header", () => {
  it("shows the name, the description and the count", async () => {
    await showPlaylist(makeView("p1", ["a", "b"], { name: "Run", description: "Fast ones" }));
    expect(screen.getByTestId("playlist-name").textContent).toBe("Run");
    expect(screen.getByTestId("playlist-description").textContent?.trim()).toBe("Fast ones");
    expect(screen.getByTestId("playlist-count").textContent).toBe("2 tracks");
  });

  it("renames inline: Enter saves and shows the name the backend answered", async () => {
    await showPlaylist();
    mocked.renamePlaylist.mockResolvedValue(makePlaylist("p1", { name: "Evening run", item_count: 4 }));

    await fireEvent.click(screen.getByTestId("rename-playlist"));
    const input = screen.getByTestId("rename-playlist-input") as HTMLInputElement;
    expect(input.value).toBe("Run");
    await fireEvent.input(input, { target: { value: "Evening run" } });
    await fireEvent.keyDown(input, { key: "Enter" });

    expect(mocked.renamePlaylist).toHaveBeenCalledWith("p1", "Evening run");
    expect((await screen.findByTestId("playlist-name")).textContent).toBe("Evening run");
    expect(screen.queryByTestId("rename-playlist-input")).toBeNull();
  });

  it("cancels a rename on Escape, also when started by a double click", async () => {
    await showPlaylist();
    await fireEvent.dblClick(screen.getByTestId("playlist-name"));
    const input = screen.getByTestId("rename-playlist-input");
    await fireEvent.input(input, { target: { value: "Nope" } });
    await fireEvent.keyDown(input, { key: "Escape" });

    expect(screen.queryByTestId("rename-playlist-input")).toBeNull();
    expect(screen.getByTestId("playlist-name").textContent).toBe("Run");
    expect(mocked.renamePlaylist).not.toHaveBeenCalled();
  });

  it("deletes only once confirmed", async () => {
    await showPlaylist();
    await fireEvent.click(screen.getByTestId("delete-playlist"));
    expect(mocked.deletePlaylist).not.toHaveBeenCalled();
    await fireEvent.click(screen.getByTestId("cancel-delete-playlist"));
    expect(screen.queryByTestId("delete-confirmation")).toBeNull();
    expect(mocked.deletePlaylist).not.toHaveBeenCalled();

    await fireEvent.click(screen.getByTestId("delete-playlist"));
    expect(screen.getByTestId("delete-confirmation").textContent).toContain("Delete “Run”?");
    await fireEvent.click(screen.getByTestId("confirm-delete-playlist"));

    expect(mocked.deletePlaylist).toHaveBeenCalledWith("p1");
    await vi.waitFor(() => expect(libraryStore.openId).toBeNull());
  });

  it("makes the playlist available offline", async () => {
    await showPlaylist();
    const kept = makeView("p1", ["a", "b", "c", "d"], { name: "Run", offline: true });
    mocked.playlists.mockResolvedValue([kept.playlist]);
    mocked.playlist.mockResolvedValue(kept);
    const toggle = screen.getByTestId("offline-toggle") as HTMLInputElement;
    expect(toggle.checked).toBe(false);

    await fireEvent.click(toggle);
    expect(mocked.setOffline).toHaveBeenCalledWith({ kind: "playlist", id: "p1" }, true);
    await vi.waitFor(() => expect(toggle.checked).toBe(true));
    expect(libraryStore.playlists[0].offline).toBe(true);
  });

  it("shows the playlist on the listener's page, as the service answers, and says so when it cannot", async () => {
    await showPlaylist();
    const toggle = screen.getByTestId("public-toggle") as HTMLInputElement;
    expect(toggle.checked).toBe(false);
    mocked.setPlaylistPublic.mockResolvedValueOnce(makePlaylist("p1", { name: "Run", item_count: 4, public: true }));
    await fireEvent.click(toggle);
    expect(mocked.setPlaylistPublic).toHaveBeenCalledWith("p1", true);
    await vi.waitFor(() => expect(toggle.checked).toBe(true));
    expect(libraryStore.playlists[0].public).toBe(true);

    mocked.setPlaylistPublic.mockRejectedValueOnce({ kind: "network", message: "The service cannot be reached." });
    await fireEvent.click(toggle);
    await vi.waitFor(() => expect(libraryStore.error?.message).toBe("The service cannot be reached."));
    await vi.waitFor(() => expect(toggle.checked).toBe(true));
  });

  it("plays the playlist from the top", async () => {
    await showPlaylist();
    await fireEvent.click(screen.getByTestId("play-playlist"));
    expect(mocked.playPlaylist).toHaveBeenCalledWith("p1", 0);
  });
});

describe("PlaylistScreen rows", () => {
  it("shows tracks the app has never seen by id, and each row's offline state", async () => {
    const view = makeView("p1", ["a"]);
    view.items.push(makeItem("zz9", { offline: "queued" }));
    view.items[0].offline = "available";
    // The core has never seen zz9: reading it answers nothing.
    mocked.tracks.mockResolvedValue([]);
    await showPlaylist(view);

    const rows = screen.getAllByTestId("playlist-item");
    await vi.waitFor(() => expect(rows[1].textContent).toContain("Not loaded yet"));
    expect(rows[1].textContent).toContain("zz9");
    expect(mocked.tracks).toHaveBeenCalledWith(["zz9"]);
    const states = screen.getAllByTestId("offline-state");
    expect(states.map((state) => state.dataset.state)).toEqual(["available", "queued"]);
    expect(states[0].textContent).toContain("Available offline");
  });

  it("reads the tracks of a long playlist's rows as the scroll reaches them, a block at a time", async () => {
    const main = document.body.appendChild(document.createElement("main"));
    main.setAttribute("data-scroll-root", "");
    try {
      const trackIds = Array.from({ length: 300 }, (_, index) => `t${index}`);
      // Opened as the core answers: the first 100 items' tracks come with the playlist.
      const view = makeView("p1", trackIds, { name: "Long" }, 100);
      const block = deferred<Track[]>();
      mocked.tracks.mockReturnValueOnce(block.promise);
      mocked.playlists.mockResolvedValue([view.playlist]);
      mocked.playlist.mockResolvedValue(view);
      await libraryStore.start();
      await libraryStore.openPlaylist("p1");
      render(PlaylistScreen, { target: main });
      await vi.waitFor(() => expect(screen.getAllByTestId("playlist-item")[0].textContent).toContain("Title t0"));
      expect(screen.getByTestId("playlist-count").textContent).toContain("300 tracks");
      // The first screen came with the playlist: nothing read.
      expect(mocked.tracks).not.toHaveBeenCalled();

      // Down to row 150: the second block is read, once, its rows blank until it comes.
      Object.defineProperty(main, "scrollTop", { configurable: true, value: ROW_HEIGHT_IN_APP * 150 });
      await fireEvent.scroll(main);
      await fireEvent.scroll(main);
      await vi.waitFor(() => expect(mocked.tracks).toHaveBeenCalledTimes(1));
      expect(mocked.tracks).toHaveBeenCalledWith(trackIds.slice(100, 200));
      const row150 = () => main.querySelector<HTMLElement>('[data-row-index="150"]');
      await vi.waitFor(() => expect(row150()).not.toBeNull());
      expect(row150()?.querySelector('[aria-label="Loading"]')).not.toBeNull();
      block.resolve(trackIds.slice(100, 200).map((id) => makeTrack(id)));
      await vi.waitFor(() => expect(row150()?.textContent).toContain("Title t150"));
    } finally {
      main.remove();
    }
  });

  it("plays from a row on double click and on Enter", async () => {
    const rows = await showPlaylist();
    await fireEvent.dblClick(rows[2]);
    await fireEvent.keyDown(rows[1], { key: "Enter" });
    expect(mocked.playPlaylist.mock.calls).toEqual([
      ["p1", 2],
      ["p1", 1],
    ]);
  });

  it("does not play on a double click of a row's menu button", async () => {
    await showPlaylist();
    await fireEvent.dblClick(screen.getAllByTestId("row-menu")[1]);
    expect(mocked.playPlaylist).not.toHaveBeenCalled();
  });

  it("removes the selected rows with Delete as one edit, and Undo puts them back in place", async () => {
    const rows = await showPlaylist();
    mocked.editPlaylist.mockResolvedValueOnce(changed([{ kind: "removed", item_ids: ["ib", "ic"] }], 2));
    await fireEvent.click(rows[1]);
    await fireEvent.click(rows[2], { shiftKey: true });
    await fireEvent.keyDown(rows[2], { key: "Delete" });

    expect(mocked.editPlaylist).toHaveBeenCalledWith("p1", [
      { kind: "remove", item_id: "ib" },
      { kind: "remove", item_id: "ic" },
    ]);
    await vi.waitFor(() => expect(shownTrackIds()).toEqual(["a", "d"]));
    expect(libraryStore.notice?.message).toBe("Removed 2 tracks from “Run”.");

    mocked.editPlaylist.mockResolvedValueOnce(
      changed([{ kind: "added", position: 1, items: [makeEntry("b", { item_id: "ib2" }), makeEntry("c", { item_id: "ic2" })] }]),
    );
    render(EditNotice);
    expect(screen.getByTestId("edit-notice-text").textContent).toBe("Removed 2 tracks from “Run”.");
    await fireEvent.keyDown(window, { key: "z", ctrlKey: true });
    expect(mocked.editPlaylist).toHaveBeenLastCalledWith("p1", [{ kind: "add", track_ids: ["b", "c"], position: 1 }]);
    await vi.waitFor(() => expect(shownTrackIds()).toEqual(["a", "b", "c", "d"]));
  });

  it("removes from the context menu, opened and driven by the keyboard", async () => {
    const rows = await showPlaylist();
    mocked.editPlaylist.mockResolvedValue(changed([{ kind: "removed", item_ids: ["ib"] }], 3));
    rows[1].focus();
    await fireEvent.keyDown(rows[1], { key: "F10", shiftKey: true });
    const menu = await screen.findByTestId("track-menu");
    await vi.waitFor(() => expect(document.activeElement?.textContent).toContain("Play"));
    // Typeahead: "r" is "Remove from this playlist".
    await fireEvent.keyDown(document.activeElement ?? menu, { key: "r" });
    await vi.waitFor(() => expect(document.activeElement?.textContent).toContain("Remove from this playlist"));
    await fireEvent.keyDown(document.activeElement ?? menu, { key: "Enter" });

    expect(mocked.editPlaylist).toHaveBeenCalledWith("p1", [{ kind: "remove", item_id: "ib" }]);
    expect(screen.queryByTestId("track-menu")).toBeNull();
  });

  it("says why an edit failed", async () => {
    const rows = await showPlaylist();
    mocked.editPlaylist.mockRejectedValue({ kind: "internal", message: "The library is locked." });
    await fireEvent.click(rows[0]);
    await fireEvent.keyDown(rows[0], { key: "Delete" });
    await vi.waitFor(() => expect(libraryStore.error?.message).toBe("The library is locked."));
    expect(shownTrackIds()).toEqual(["a", "b", "c", "d"]);
  });
});

describe("PlaylistScreen reordering", () => {
  const moved = (...moves: [string, number][]) =>
    changed(moves.map(([item, position]) => ({ kind: "moved", item_ids: [item], position })));

  it("moving down: a drop on the lower half of a row puts the item after it", async () => {
    const rows = await showPlaylist();
    mocked.editPlaylist.mockResolvedValue(moved(["ia", 2]));
    await dragAndDrop(rows, 0, 2, "lower");
    expect(mocked.editPlaylist).toHaveBeenCalledWith("p1", [{ kind: "move", item_id: "ia", after: "ic" }]);
    await vi.waitFor(() => expect(shownTrackIds()).toEqual(["b", "c", "a", "d"]));
  });

  it("moving down: a drop on the upper half of a row puts the item before it", async () => {
    const rows = await showPlaylist();
    mocked.editPlaylist.mockResolvedValue(moved(["ia", 1]));
    await dragAndDrop(rows, 0, 2, "upper");
    expect(mocked.editPlaylist).toHaveBeenCalledWith("p1", [{ kind: "move", item_id: "ia", after: "ib" }]);
  });

  it("moving up: a drop on the upper half of a row takes its place", async () => {
    const rows = await showPlaylist();
    mocked.editPlaylist.mockResolvedValue(moved(["id", 1]));
    await dragAndDrop(rows, 3, 1, "upper");
    expect(mocked.editPlaylist).toHaveBeenCalledWith("p1", [{ kind: "move", item_id: "id", after: "ia" }]);
  });

  it("drags a selection as one edit: the ordered moves, each after the one before", async () => {
    const rows = await showPlaylist();
    mocked.editPlaylist.mockResolvedValue(moved(["ia", 1], ["id", 2]));
    await fireEvent.click(rows[0]);
    await fireEvent.click(rows[3], { ctrlKey: true });
    await dragAndDrop(rows, 3, 1, "lower");
    expect(mocked.editPlaylist).toHaveBeenCalledWith("p1", [
      { kind: "move", item_id: "ia", after: "ib" },
      { kind: "move", item_id: "id", after: "ia" },
    ]);
    await vi.waitFor(() => expect(shownTrackIds()).toEqual(["b", "a", "d", "c"]));
  });

  it("sends nothing when the item is dropped where it already is", async () => {
    const rows = await showPlaylist();
    await dragAndDrop(rows, 1, 1, "lower");
    await dragAndDrop(rows, 1, 2, "upper");
    await dragAndDrop(rows, 1, 0, "lower");
    expect(mocked.editPlaylist).not.toHaveBeenCalled();
  });

  it("ignores drops that did not start on a row of the list", async () => {
    const rows = await showPlaylist();
    await dragEvent("dragOver", rows[1], 10);
    await dragEvent("drop", rows[1], 10);
    expect(mocked.editPlaylist).not.toHaveBeenCalled();
  });

  it("moves the focused row with Alt+Arrow keys and keeps the focus on it; Undo moves it back", async () => {
    const rows = await showPlaylist();
    mocked.editPlaylist.mockResolvedValueOnce(moved(["ib", 2]));
    rows[1].focus();
    await fireEvent.keyDown(rows[1], { key: "ArrowDown", altKey: true });

    expect(mocked.editPlaylist).toHaveBeenCalledWith("p1", [{ kind: "move", item_id: "ib", after: "ic" }]);
    await vi.waitFor(() => expect(shownTrackIds()).toEqual(["a", "c", "b", "d"]));
    await vi.waitFor(() => expect((document.activeElement as HTMLElement).dataset.itemId).toBe("ib"));
    expect(libraryStore.notice?.message).toBe("Moved “Title b” in “Run”.");

    mocked.editPlaylist.mockResolvedValueOnce(moved(["ib", 1]));
    render(EditNotice);
    await fireEvent.click(screen.getByTestId("edit-undo"));
    expect(mocked.editPlaylist).toHaveBeenLastCalledWith("p1", [{ kind: "move", item_id: "ib", after: "ia" }]);
    await vi.waitFor(() => expect(shownTrackIds()).toEqual(["a", "b", "c", "d"]));

    const first = screen.getAllByTestId("playlist-item")[0];
    await fireEvent.keyDown(first, { key: "ArrowUp", altKey: true });
    expect(mocked.editPlaylist).toHaveBeenCalledTimes(2);
  });
});
