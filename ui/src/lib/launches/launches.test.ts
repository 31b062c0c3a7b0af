import { beforeEach, describe, expect, it, vi } from "vitest";
import type { LaunchOutcome } from "../../ipc";

const handover = vi.hoisted(() => ({ listener: null as (() => void) | null, unlistened: 0 }));

vi.mock("../../ipc", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../ipc")>()),
  runLaunches: vi.fn(),
  onLaunchesWaiting: vi.fn((listener: () => void) => {
    handover.listener = listener;
    return Promise.resolve(() => {
      handover.listener = null;
      handover.unlistened += 1;
    });
  }),
}));

import * as ipc from "../../ipc";
import { navigation } from "$lib/navigation";
import { playerStore } from "$lib/stores/player.svelte";
import { followLaunches } from "./launches";

const mocked = vi.mocked(ipc);

/** Lets the promises queued so far settle. */
const settled = () => new Promise((resolve) => setTimeout(resolve, 0));

beforeEach(() => {
  navigation.reset();
  playerStore.commandError = null;
  handover.unlistened = 0;
  mocked.runLaunches.mockReset();
});

describe("followLaunches", () => {
  it("asks at start for what the app was opened with and shows the page it names", async () => {
    mocked.runLaunches.mockResolvedValueOnce([{ page: { kind: "album", id: "al-1" }, error: null }]);
    const stop = followLaunches();
    await settled();

    expect(mocked.runLaunches).toHaveBeenCalledTimes(1);
    expect(navigation.route).toEqual({ kind: "album", id: "al-1" });
    stop();
    expect(handover.unlistened).toBe(1);
  });

  it("asks again on each handover, and says what could not be done", async () => {
    mocked.runLaunches.mockResolvedValueOnce([]);
    const stop = followLaunches();
    await settled();
    expect(navigation.route).toEqual({ kind: "home" });

    const refused: LaunchOutcome = {
      page: null,
      error: { kind: "invalid_input", message: "\"strato://artist/x\" is not a link Strato can open." },
    };
    mocked.runLaunches.mockResolvedValueOnce([
      { page: { kind: "playlist", id: "pl-9" }, error: null },
      refused,
    ]);
    handover.listener?.();
    await settled();

    expect(navigation.route).toEqual({ kind: "playlist", id: "pl-9" });
    expect(playerStore.error?.message).toContain("strato://artist/x");
    stop();
  });

  it("says so when the core cannot be asked, and nothing after stopping", async () => {
    mocked.runLaunches.mockRejectedValueOnce({ kind: "internal", message: "the core stopped" });
    const stop = followLaunches();
    await settled();
    expect(playerStore.commandError?.message).toBe("the core stopped");

    stop();
    expect(handover.listener).toBeNull();
    mocked.runLaunches.mockResolvedValue([{ page: { kind: "album", id: "al-2" }, error: null }]);
    await settled();
    expect(navigation.route).toEqual({ kind: "home" });
  });
});
