// @vitest-environment jsdom
import { fireEvent, render, screen } from "@testing-library/svelte";
import { flushSync } from "svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { makePage, makeQueueStatus } from "../../test/fixtures";

vi.mock("../../ipc", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../ipc")>()),
  catalogTracks: vi.fn(),
  playQueue: vi.fn(),
  playTrack: vi.fn(),
}));

import * as ipc from "../../ipc";
import { catalogStore } from "$lib/stores/catalog.svelte";
import { playerStore } from "$lib/stores/player.svelte";
import TrackTable from "./TrackTable.svelte";

const mocked = vi.mocked(ipc);

beforeEach(async () => {
  vi.resetAllMocks();
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
