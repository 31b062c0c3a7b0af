// @vitest-environment jsdom
import { createEvent, fireEvent, render, screen } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { makeEntry, makePlaylist, makeView } from "../../test/fixtures";
import { stubLibrary } from "../../test/library";
import type { PlaylistView } from "../../ipc";

vi.mock("../../ipc", async (importOriginal) => {
  const { LIBRARY_IPC } = await import("../../test/library");
  return {
    ...(await importOriginal<typeof import("../../ipc")>()),
    ...Object.fromEntries(LIBRARY_IPC.map((name) => [name, vi.fn()])),
  };
});

import * as ipc from "../../ipc";
import { libraryStore } from "$lib/stores/library.svelte";
import PlaylistScreen from "./PlaylistScreen.svelte";

const mocked = vi.mocked(ipc);
const ROW_HEIGHT = 40;

beforeEach(() => {
  vi.resetAllMocks();
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
  const rows = screen.queryAllByTestId("playlist-item");
  // jsdom lays nothing out: give each row a 40px box, stacked from the top.
  rows.forEach((row, index) => {
    row.getBoundingClientRect = () => ({ top: index * ROW_HEIGHT, height: ROW_HEIGHT }) as DOMRect;
  });
  return rows;
}

function dragEvent(type: "dragStart" | "dragOver" | "drop" | "dragEnd", element: Element, clientY = 0) {
  const dataTransfer = { setData: vi.fn(), getData: vi.fn(), effectAllowed: "", dropEffect: "" };
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

  it("plays the playlist from the top", async () => {
    await showPlaylist();
    await fireEvent.click(screen.getByTestId("play-playlist"));
    expect(mocked.playPlaylist).toHaveBeenCalledWith("p1", 0);
  });
});

describe("PlaylistScreen rows", () => {
  it("shows unloaded tracks by id, and each row's offline state", async () => {
    const view = makeView("p1", ["a"]);
    view.items.push(makeEntry("zz9", { track: null, offline: "queued" }));
    view.items[0].offline = "available";
    await showPlaylist(view);

    const rows = screen.getAllByTestId("playlist-item");
    expect(rows[1].textContent).toContain("zz9");
    expect(rows[1].textContent).toContain("Not loaded yet");
    const states = screen.getAllByTestId("offline-state");
    expect(states.map((state) => state.dataset.state)).toEqual(["available", "queued"]);
    expect(states[0].textContent).toContain("Available offline");
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

  it("does not play on a double click of a row's remove button", async () => {
    await showPlaylist();
    mocked.removeFromPlaylist.mockResolvedValue(makeView("p1", ["a", "c", "d"], { name: "Run" }));
    await fireEvent.dblClick(screen.getAllByTestId("remove-from-playlist")[1]);
    expect(mocked.playPlaylist).not.toHaveBeenCalled();
  });

  it("removes a row with its button, showing what the backend answered", async () => {
    await showPlaylist();
    mocked.removeFromPlaylist.mockResolvedValue(makeView("p1", ["a", "c", "d"], { name: "Run" }));
    await fireEvent.click(screen.getAllByTestId("remove-from-playlist")[1]);
    expect(mocked.removeFromPlaylist).toHaveBeenCalledWith("p1", "ib");
    await vi.waitFor(() => expect(shownTrackIds()).toEqual(["a", "c", "d"]));
  });

  it("says why an edit failed", async () => {
    await showPlaylist();
    mocked.removeFromPlaylist.mockRejectedValue({ kind: "internal", message: "The library is locked." });
    await fireEvent.click(screen.getAllByTestId("remove-from-playlist")[0]);
    await vi.waitFor(() => expect(libraryStore.error?.message).toBe("The library is locked."));
    expect(shownTrackIds()).toEqual(["a", "b", "c", "d"]);
  });
});

describe("PlaylistScreen reordering", () => {
  it("moving down: a drop on the lower half of a row puts the item after it", async () => {
    const rows = await showPlaylist();
    mocked.moveInPlaylist.mockResolvedValue(makeView("p1", ["b", "c", "a", "d"], { name: "Run" }));
    await dragAndDrop(rows, 0, 2, "lower");
    // [a b c d] → [b c a d]: a ends at index 2.
    expect(mocked.moveInPlaylist).toHaveBeenCalledWith("p1", "ia", 2);
    await vi.waitFor(() => expect(shownTrackIds()).toEqual(["b", "c", "a", "d"]));
  });

  it("moving down: a drop on the upper half of a row puts the item before it", async () => {
    const rows = await showPlaylist();
    mocked.moveInPlaylist.mockResolvedValue(makeView("p1", ["b", "a", "c", "d"]));
    await dragAndDrop(rows, 0, 2, "upper");
    expect(mocked.moveInPlaylist).toHaveBeenCalledWith("p1", "ia", 1);
  });

  it("moving up: a drop on the upper half of a row takes its place", async () => {
    const rows = await showPlaylist();
    mocked.moveInPlaylist.mockResolvedValue(makeView("p1", ["a", "d", "b", "c"]));
    await dragAndDrop(rows, 3, 1, "upper");
    expect(mocked.moveInPlaylist).toHaveBeenCalledWith("p1", "id", 1);
  });

  it("moving up: a drop on the lower half of a row puts the item after it", async () => {
    const rows = await showPlaylist();
    mocked.moveInPlaylist.mockResolvedValue(makeView("p1", ["a", "b", "d", "c"]));
    await dragAndDrop(rows, 3, 1, "lower");
    expect(mocked.moveInPlaylist).toHaveBeenCalledWith("p1", "id", 2);
  });

  it("sends nothing when the item is dropped where it already is", async () => {
    const rows = await showPlaylist();
    await dragAndDrop(rows, 1, 1, "lower");
    await dragAndDrop(rows, 1, 2, "upper");
    await dragAndDrop(rows, 1, 0, "lower");
    expect(mocked.moveInPlaylist).not.toHaveBeenCalled();
  });

  it("ignores drops that did not start on a row of the list", async () => {
    const rows = await showPlaylist();
    await dragEvent("dragOver", rows[1], 10);
    await dragEvent("drop", rows[1], 10);
    expect(mocked.moveInPlaylist).not.toHaveBeenCalled();
  });

  it("moves the focused row with Alt+Arrow keys and keeps the focus on it", async () => {
    const rows = await showPlaylist();
    mocked.moveInPlaylist.mockResolvedValue(makeView("p1", ["a", "c", "b", "d"], { name: "Run" }));
    rows[1].focus();
    await fireEvent.keyDown(rows[1], { key: "ArrowDown", altKey: true });

    expect(mocked.moveInPlaylist).toHaveBeenCalledWith("p1", "ib", 2);
    await vi.waitFor(() => expect(shownTrackIds()).toEqual(["a", "c", "b", "d"]));
    await vi.waitFor(() => expect((document.activeElement as HTMLElement).dataset.itemId).toBe("ib"));

    await fireEvent.keyDown(rows[0], { key: "ArrowUp", altKey: true });
    await fireEvent.keyDown(rows[0], { key: "ArrowDown" });
    expect(mocked.moveInPlaylist).toHaveBeenCalledTimes(1);
  });
});
