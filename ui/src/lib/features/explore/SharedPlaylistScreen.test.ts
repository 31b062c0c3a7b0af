// @vitest-environment jsdom
import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { makeItem, makeTrack } from "../../../test/fixtures";
import { giveViewport } from "../../../test/viewport";
import type { ListenerProfile, SharedPlaylist } from "../../../ipc";

vi.mock("../../../ipc", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../../ipc")>()),
  sharedPlaylist: vi.fn(),
  listenerProfile: vi.fn(),
  sharedTracks: vi.fn(),
  playQueue: vi.fn(),
}));

import * as ipc from "../../../ipc";
import { navigation } from "$lib/navigation";
import ListenerScreen from "./ListenerScreen.svelte";
import SharedPlaylistScreen from "./SharedPlaylistScreen.svelte";
import { exploreStore } from "./explore.svelte";

const mocked = vi.mocked(ipc);

/** "Porch Songs" by Ada: three items, the second deleted by its owner since. */
function shared(): SharedPlaylist {
  const items = ["up-a", "up-gone", "up-c"].map((id) => makeItem(id, { available: id !== "up-gone" }));
  return {
    playlist: {
      id: "pl-ada",
      name: "Porch Songs",
      description: "Summer evenings",
      revision: 4,
      item_count: items.length,
      updated_at: 0,
      public: true,
    },
    items,
    tracks: [makeTrack("up-a", { title: "First Light" }), makeTrack("up-c", { title: "Last Call" })],
  };
}

const PROFILE: ListenerProfile = {
  listener: { id: "u-ada", name: "Ada" },
  tracks: [],
  playlists: [shared().playlist],
};

beforeEach(() => {
  vi.resetAllMocks();
  giveViewport();
  exploreStore.reset();
  navigation.reset();
  mocked.sharedPlaylist.mockResolvedValue(shared());
  mocked.listenerProfile.mockResolvedValue(PROFILE);
  mocked.sharedTracks.mockResolvedValue([]);
  mocked.playQueue.mockResolvedValue(undefined as never);
});

describe("a listener's public playlist", () => {
  it("opens from the listener's page", async () => {
    render(ListenerScreen, { id: "u-ada" });
    const link = await screen.findByTestId("listener-playlist");
    expect(link.textContent).toContain("Porch Songs");
    await fireEvent.click(link);
    expect(navigation.route).toEqual({ kind: "shared-playlist", id: "pl-ada" });
  });

  it("shows its items, the ones gone as no longer available, and who shares it", async () => {
    await exploreStore.listener.show("u-ada");
    render(SharedPlaylistScreen, { id: "pl-ada" });
    expect((await screen.findByTestId("shared-playlist-name")).textContent).toBe("Porch Songs");
    expect(screen.getByTestId("shared-playlist-owner").textContent).toBe("by Ada");
    await vi.waitFor(() => expect(screen.queryAllByTestId("track-row")).toHaveLength(3));
    const rows = screen.getAllByTestId("track-row");
    expect(rows[0].textContent).toContain("First Light");
    expect(within(rows[1]).getByTestId("track-unavailable")).toBeTruthy();
    expect(rows[1].textContent).toContain("No longer available");
  });

  it("reads the tracks of rows past the first as the list shows them", async () => {
    mocked.sharedPlaylist.mockResolvedValue({ ...shared(), tracks: [] });
    mocked.sharedTracks.mockImplementation(async (ids) =>
      ids.filter((id) => id !== "up-gone").map((id) => makeTrack(id, { title: `Read ${id}` })),
    );
    render(SharedPlaylistScreen, { id: "pl-ada" });
    await vi.waitFor(() => expect(screen.getAllByTestId("track-row")[2].textContent).toContain("Read up-c"));
    expect(mocked.sharedTracks).toHaveBeenCalledWith(expect.arrayContaining(["up-a", "up-c"]));
  });

  it("plays from a row what can be played, and nothing from a row that cannot", async () => {
    render(SharedPlaylistScreen, { id: "pl-ada" });
    await vi.waitFor(() => expect(screen.queryAllByTestId("track-row")).toHaveLength(3));
    const plays = screen.getAllByTestId("play-track");
    await fireEvent.click(plays[2]);
    expect(mocked.playQueue).toHaveBeenCalledWith(["up-a", "up-c"], 1);
    mocked.playQueue.mockClear();
    await fireEvent.click(plays[1]);
    expect(mocked.playQueue).not.toHaveBeenCalled();
    await fireEvent.click(screen.getByTestId("shared-playlist-play"));
    expect(mocked.playQueue).toHaveBeenCalledWith(["up-a", "up-c"], 0);
  });

  it("says so in words when the service refuses, with a way to try again", async () => {
    mocked.sharedPlaylist.mockRejectedValueOnce({ kind: "not_found", message: "This playlist is not shared." });
    render(SharedPlaylistScreen, { id: "pl-ada" });
    expect(await screen.findByText(/not shared/)).toBeTruthy();
    await fireEvent.click(screen.getByRole("button", { name: /try again/i }));
    expect(await screen.findByTestId("shared-playlist-name")).toBeTruthy();
  });
});
