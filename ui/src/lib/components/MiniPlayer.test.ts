// @vitest-environment jsdom
import { fireEvent, render, screen } from "@testing-library/svelte";
import { flushSync } from "svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { makeQueueStatus, makeQueueView, makeStatus, makeTrack } from "../../test/fixtures";

vi.mock("../../ipc", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../ipc")>()),
  onPlayerStatus: vi.fn(),
  playerStatus: vi.fn(),
  onQueueChanged: vi.fn(),
  queueView: vi.fn(),
  pause: vi.fn(),
  resume: vi.fn(),
  next: vi.fn(),
  previous: vi.fn(),
  seek: vi.fn(),
  setWindowShown: vi.fn(),
  showMainWindow: vi.fn(),
}));

import * as ipc from "../../ipc";
import type { PlayerStatus } from "../../ipc";
import { playerStore } from "$lib/stores/player.svelte";
import MiniPlayer from "./MiniPlayer.svelte";

const mocked = vi.mocked(ipc);
const album = ["a1", "a2"].map((id, i) =>
  makeTrack(id, { title: `Song ${i + 1}`, artist_name: "Aurora Lane", duration_ms: 200_000 }),
);

/** Renders the mini-player once the store has followed the (idle) player. */
async function shown(): Promise<void> {
  render(MiniPlayer);
  await vi.waitFor(() => expect(mocked.playerStatus).toHaveBeenCalled());
  await Promise.resolve();
}

function engine(status: PlayerStatus) {
  playerStore.status = status;
  flushSync();
}

beforeEach(() => {
  vi.resetAllMocks();
  playerStore.stop();
  mocked.onPlayerStatus.mockResolvedValue(() => {});
  mocked.onQueueChanged.mockResolvedValue(() => {});
  mocked.playerStatus.mockResolvedValue(makeStatus());
  mocked.queueView.mockResolvedValue(makeQueueView([], null, { revision: 0 }));
  for (const command of ["pause", "resume", "next", "previous", "seek", "setWindowShown", "showMainWindow"] as const) {
    mocked[command].mockResolvedValue(undefined);
  }
});

describe("MiniPlayer", () => {
  it("says nothing plays, its controls off, until something does", async () => {
    await shown();
    expect(screen.getByTestId("mini-title").textContent).toBe("Nothing playing");
    expect((screen.getByTestId("mini-play-pause") as HTMLButtonElement).disabled).toBe(true);
  });

  it("shows what plays and plays, pauses and skips it", async () => {
    await shown();
    playerStore.queue.apply(makeQueueView(album, 0));
    engine(makeQueueStatus(album, 0));
    expect(screen.getByTestId("mini-title").textContent).toBe("Song 1");
    expect(screen.getByTestId("mini-artist").textContent).toBe("Aurora Lane");

    await fireEvent.click(screen.getByTestId("mini-play-pause"));
    expect(mocked.pause).toHaveBeenCalledOnce();
    await fireEvent.click(screen.getByTestId("mini-next"));
    await fireEvent.click(screen.getByTestId("mini-prev"));
    expect(mocked.next).toHaveBeenCalledOnce();
    expect(mocked.previous).toHaveBeenCalledOnce();

    engine(makeQueueStatus(album, 0, { state: "paused" }));
    await fireEvent.keyDown(window, { key: " " });
    expect(mocked.resume).toHaveBeenCalledOnce();
  });

  it("brings the full window back", async () => {
    await shown();
    await fireEvent.click(screen.getByTestId("mini-back"));
    expect(mocked.showMainWindow).toHaveBeenCalledOnce();
  });
});
