import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { DeviceView, DevicesView } from "../../ipc";

vi.mock("../../ipc", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../ipc")>()),
  transferPlayback: vi.fn(() => Promise.resolve()),
  takePlaybackFrom: vi.fn(() => Promise.resolve()),
  deviceCommand: vi.fn(() => Promise.resolve()),
}));

import * as ipc from "../../ipc";
import { DevicesStore } from "./devices.svelte";

function device(id: string, overrides: Partial<DeviceView> = {}): DeviceView {
  return { device_id: id, name: id, os: "linux", this_device: false, playback: null, ...overrides };
}

function view(...devices: DeviceView[]): DevicesView {
  return { reachable: true, devices, problem: null };
}

const here = device("here", { this_device: true });
const laptop = device("laptop", {
  playback: {
    track: { track_id: "t1", title: "Morning", artist: "Ana", duration_ms: 60_000 },
    playing: true,
    position_ms: 10_000,
    volume: 0.5,
  },
});

beforeEach(() => {
  vi.useFakeTimers();
  vi.mocked(ipc.transferPlayback).mockClear();
  vi.mocked(ipc.takePlaybackFrom).mockClear();
  vi.mocked(ipc.deviceCommand).mockClear();
});

afterEach(() => {
  vi.useRealTimers();
});

describe("DevicesStore", () => {
  it("moves playback to another device, steers it, and brings it back", async () => {
    const store = new DevicesStore();
    store.apply(view(here, laptop));
    expect(store.others.map((d) => d.device_id)).toEqual(["laptop"]);

    expect(await store.playOn(laptop)).toBe(true);
    expect(ipc.transferPlayback).toHaveBeenCalledWith("laptop");
    expect(store.steered?.device_id).toBe("laptop");

    await store.command({ action: "pause" });
    expect(ipc.deviceCommand).toHaveBeenCalledWith("laptop", { action: "pause" });

    // From the laptop on to the kitchen: the laptop hands its playback on.
    const kitchen = device("kitchen");
    store.apply(view(here, laptop, kitchen));
    expect(await store.playOn(kitchen)).toBe(true);
    expect(ipc.deviceCommand).toHaveBeenCalledWith("laptop", { action: "hand_to", device_id: "kitchen" });
    expect(ipc.transferPlayback).toHaveBeenCalledTimes(1);
    expect(store.steered?.device_id).toBe("kitchen");

    expect(await store.playOn(here)).toBe(true);
    expect(ipc.takePlaybackFrom).toHaveBeenCalledWith("kitchen");
    expect(store.steered).toBeNull();
    store.reset();
  });

  it("moves a playing device's position on between its words, never past the track's end", () => {
    const store = new DevicesStore();
    store.apply(view(here, laptop));
    store.steer(laptop);
    expect(store.positionOf(laptop)).toBe(10_000);
    vi.advanceTimersByTime(2_000);
    expect(store.positionOf(laptop)).toBeGreaterThanOrEqual(11_500);
    vi.advanceTimersByTime(120_000);
    expect(store.positionOf(laptop)).toBe(60_000);
    const paused = device("laptop", { playback: { ...laptop.playback!, playing: false } });
    store.apply(view(here, paused));
    vi.advanceTimersByTime(5_000);
    expect(store.positionOf(paused)).toBe(10_000);
    store.reset();
  });

  it("gives the bar back to this device when the steered one goes, and says why a command failed", async () => {
    const store = new DevicesStore();
    store.apply(view(here, laptop));
    store.steer(laptop);
    store.apply(view(here));
    expect(store.steeringId).toBeNull();
    expect(store.steered).toBeNull();

    store.apply(view(here, laptop));
    vi.mocked(ipc.transferPlayback).mockRejectedValueOnce({ kind: "network", message: "Your other devices can't be reached right now." });
    expect(await store.playOn(laptop)).toBe(false);
    expect(store.problem?.kind).toBe("network");
    expect(store.steered).toBeNull();
    store.reset();
  });
});
