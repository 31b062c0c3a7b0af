import { beforeEach, describe, expect, it, vi, type Mock } from "vitest";
import { deferred, makeStatus, makeTrack } from "../../test/fixtures";
import type { PlayerStatus } from "../../ipc";

vi.mock("../../ipc", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../ipc")>()),
  onPlayerStatus: vi.fn(),
  playerStatus: vi.fn(),
  playTrack: vi.fn(),
  pause: vi.fn(),
  resume: vi.fn(),
}));

import * as ipc from "../../ipc";
import { IDLE_STATUS, PlayerStore } from "./player.svelte";

const mocked = vi.mocked(ipc);
const track = makeTrack("t1", { duration_ms: 200_000 });
let emit: (status: PlayerStatus) => void;
let unlisten: Mock<() => void>;

beforeEach(() => {
  vi.resetAllMocks();
  unlisten = vi.fn<() => void>();
  mocked.onPlayerStatus.mockImplementation(async (callback) => {
    emit = callback;
    return unlisten;
  });
  mocked.playerStatus.mockResolvedValue(makeStatus());
  mocked.playTrack.mockResolvedValue(undefined);
  mocked.pause.mockResolvedValue(undefined);
  mocked.resume.mockResolvedValue(undefined);
});

describe("PlayerStore status", () => {
  it("takes the current status, then follows events", async () => {
    mocked.playerStatus.mockResolvedValue(makeStatus({ state: "paused", track, position_ms: 5_000 }));
    const store = new PlayerStore();
    await store.start();
    expect(store.status.state).toBe("paused");

    emit(makeStatus({ state: "playing", track, position_ms: 5_250 }));
    expect(store.status.position_ms).toBe(5_250);
    expect(store.isPlaying).toBe(true);
  });

  it("keeps an event that arrives before the initial snapshot returns", async () => {
    const snapshot = deferred<PlayerStatus>();
    mocked.playerStatus.mockReturnValue(snapshot.promise);
    const store = new PlayerStore();

    const starting = store.start();
    await vi.waitFor(() => expect(mocked.playerStatus).toHaveBeenCalled());
    emit(makeStatus({ state: "playing", track, position_ms: 9_000 }));
    snapshot.resolve(makeStatus({ state: "paused", track, position_ms: 1_000 }));
    await starting;

    expect(store.status.position_ms).toBe(9_000);
  });

  it("stops listening and forgets the status on stop", async () => {
    const store = new PlayerStore();
    await store.start();
    emit(makeStatus({ state: "playing", track }));
    store.stop();
    expect(unlisten).toHaveBeenCalledOnce();
    expect(store.status).toEqual(IDLE_STATUS);
  });

  it("falls back to the track's duration when the engine doesn't know it yet", async () => {
    const store = new PlayerStore();
    await store.start();
    emit(makeStatus({ state: "loading", track, duration_ms: null }));
    expect(store.durationMs).toBe(200_000);
    emit(makeStatus({ state: "playing", track, duration_ms: 199_500 }));
    expect(store.durationMs).toBe(199_500);
  });
});

describe("PlayerStore commands", () => {
  it.each([
    ["playing", "pause"],
    ["loading", "pause"],
    ["paused", "resume"],
  ] as const)("toggles from %s by calling %s", async (state, command) => {
    const store = new PlayerStore();
    await store.start();
    emit(makeStatus({ state, track }));
    await store.togglePlayPause();
    expect(mocked[command]).toHaveBeenCalledOnce();
    expect(mocked.playTrack).not.toHaveBeenCalled();
  });

  it("replays the track after it ended", async () => {
    const store = new PlayerStore();
    await store.start();
    emit(makeStatus({ state: "ended", track }));
    await store.togglePlayPause();
    expect(mocked.playTrack).toHaveBeenCalledWith("t1");
  });

  it("does nothing without a track", async () => {
    const store = new PlayerStore();
    await store.togglePlayPause();
    expect(mocked.playTrack).not.toHaveBeenCalled();
    expect(mocked.resume).not.toHaveBeenCalled();
  });

  it("reports a failed command, preferring the engine's own error", async () => {
    mocked.playTrack.mockRejectedValue({ kind: "not_found", message: "Track is gone" });
    const store = new PlayerStore();
    await store.start();
    await store.play("t1");
    expect(store.error).toEqual({ kind: "not_found", message: "Track is gone" });

    emit(makeStatus({ state: "error", track, error: { kind: "playback", message: "Decoder failed" } }));
    expect(store.error?.message).toBe("Decoder failed");
  });
});
