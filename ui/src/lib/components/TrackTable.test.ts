// @vitest-environment jsdom
import { fireEvent, render, screen } from "@testing-library/svelte";
import { flushSync } from "svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { makePage, makePlaylist, makeQueueStatus, makeTrack, makeView } from "../../test/fixtures";
import { stubLibrary } from "../../test/library";

vi.mock("../../ipc", async (importOriginal) => {
  const { LIBRARY_IPC } = await import("../../test/library");
  return {
    ...(await importOriginal<typeof import("../../ipc")>()),
    ...Object.fromEntries(LIBRARY_IPC.map((name) => [name, vi.fn()])),
    catalogTracks: vi.fn(),
    playQueue: vi.fn(),
    playTrack: vi.fn(),
  };
});

import * as ipc from "../../ipc";
import { catalogStore } from "$lib/stores/catalog.svelte";
import { libraryStore } from "$lib/stores/library.svelte";
import { playerStore } from "$lib/stores/player.svelte";
import TrackTable from "./TrackTable.svelte";

const mocked = vi.mocked(ipc);

beforeEach(async () => {
  vi.resetAllMocks();
  stubLibrary(mocked);
  libraryStore.stop();
  mocked.playQueue.mockResolvedValue(undefined);
  mocked.catalogTracks.mockResolvedValueOnce(makePage(["a", "b", "c"], null));
  playerStore.stop();
  catalogStore.reset();
  await catalogStore.loadMore();
});

describe("TrackTable", () => {
  it("plays the visible list as the queue, from the clicked row", async () => {
    render(TrackTable);
    await fireEvent.click(screen.getAllByTestId("play-track")[1]);
    expect(mocked.playQueue).toHaveBeenCalledWith(["a", "b", "c"], 1);
    expect(mocked.playTrack).not.toHaveBeenCalled();
  });

  it("does the same on a double click of the row", async () => {
    render(TrackTable);
    await fireEvent.dblClick(screen.getAllByTestId("track-row")[2]);
    expect(mocked.playQueue).toHaveBeenCalledWith(["a", "b", "c"], 2);
  });

  it("marks the row heard now", () => {
    render(TrackTable);
    playerStore.status = makeQueueStatus(catalogStore.tracks, 2);
    flushSync();
    const rows = screen.getAllByTestId("track-row");
    expect(rows.map((row) => row.getAttribute("aria-current"))).toEqual([null, null, "true"]);
  });
});

describe("TrackTable add to playlist", () => {
  async function renderWithPlaylists() {
    mocked.playlists.mockResolvedValue([makePlaylist("p1", { name: "Run" }), makePlaylist("p2", { name: "Walk" })]);
    await libraryStore.start();
    render(TrackTable);
  }

  it("lists the playlists in a row's menu and adds the track to the one chosen", async () => {
    await renderWithPlaylists();
    mocked.addToPlaylist.mockResolvedValue(makeView("p2", ["x", "b"], { name: "Walk" }));
    const button = screen.getAllByTestId("add-to-playlist")[1];
    await fireEvent.click(button);

    expect(button.getAttribute("aria-expanded")).toBe("true");
    const options = screen.getAllByTestId("add-to-playlist-option");
    expect(options.map((option) => option.textContent)).toEqual(["Run", "Walk"]);
    await fireEvent.click(options[1]);

    expect(mocked.addToPlaylist).toHaveBeenCalledWith("p2", ["b"], null);
    expect(screen.queryByTestId("add-to-playlist-menu")).toBeNull();
    await vi.waitFor(() =>
      expect(screen.getByTestId("add-to-playlist-done").textContent).toBe("Added “Title b” to “Walk”."),
    );
    expect(libraryStore.playlists[1].item_count).toBe(2);
  });

  it("closes the menu on Escape without adding", async () => {
    await renderWithPlaylists();
    await fireEvent.click(screen.getAllByTestId("add-to-playlist")[0]);
    expect(screen.getByTestId("add-to-playlist-menu")).toBeTruthy();
    await fireEvent.keyDown(window, { key: "Escape" });

    expect(screen.queryByTestId("add-to-playlist-menu")).toBeNull();
    expect(document.activeElement).toBe(screen.getAllByTestId("add-to-playlist")[0]);
    expect(mocked.addToPlaylist).not.toHaveBeenCalled();
  });

  it("says there are no playlists yet", async () => {
    await libraryStore.start();
    render(TrackTable);
    await fireEvent.click(screen.getAllByTestId("add-to-playlist")[0]);
    expect(screen.getByTestId("add-to-playlist-menu").textContent).toContain("No playlists yet");
    expect(screen.queryByTestId("add-to-playlist-option")).toBeNull();
  });
});

describe("TrackTable given tracks", () => {
  it("shows those tracks, plays them as the queue and does not page the catalog", async () => {
    const tracks = [makeTrack("s1"), makeTrack("s2")];
    render(TrackTable, { tracks });
    const rows = screen.getAllByTestId("track-row");
    expect(rows.map((row) => row.dataset.trackId)).toEqual(["s1", "s2"]);
    expect(screen.queryByText("Load more")).toBeNull();

    await fireEvent.click(screen.getAllByTestId("play-track")[1]);
    expect(mocked.playQueue).toHaveBeenCalledWith(["s1", "s2"], 1);
    expect(mocked.catalogTracks).toHaveBeenCalledTimes(1);
  });
});
