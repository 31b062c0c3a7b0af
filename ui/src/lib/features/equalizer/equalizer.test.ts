import { beforeEach, describe, expect, it, vi } from "vitest";
import type { EqualizerSettings, EqualizerView } from "../../../ipc";

vi.mock("../../../ipc", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../../ipc")>()),
  equalizer: vi.fn(),
  setEqualizer: vi.fn(),
  importEqualizerProfile: vi.fn(),
}));

import * as ipc from "../../../ipc";
import { decibels, signedDecibels } from "./bands";
import { EqualizerStore } from "./equalizer.svelte";

const mocked = vi.mocked(ipc);

function settings(overrides: Partial<EqualizerSettings> = {}): EqualizerSettings {
  return {
    enabled: false,
    mode: "graphic",
    graphic_db: Array(10).fill(0),
    preset: null,
    bands: [],
    profile: null,
    preamp_db: null,
    ...overrides,
  };
}

function view(s: EqualizerSettings, device: string | null = null): EqualizerView {
  return {
    device,
    settings: s,
    curve_db: [0, 0],
    curve_hz: [20, 20000],
    preamp_db: 0,
    presets: [{ name: "rock", gains_db: [4, 3, 1.5, -0.5, -1.5, -0.5, 1, 2.5, 3, 3] }],
  };
}

/** A promise settled from outside, to hold the core's answer back. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

beforeEach(() => {
  vi.resetAllMocks();
  mocked.equalizer.mockImplementation(async (device) => view(settings(), device));
});

describe("EqualizerStore", () => {
  it("folds the changes made while one is on its way into one, sent when the core answers", async () => {
    const store = new EqualizerStore();
    await store.load("USB DAC");
    const first = deferred<EqualizerView>();
    mocked.setEqualizer.mockReturnValueOnce(first.promise);
    mocked.setEqualizer.mockImplementation(async (device, s) => ({ ...view(s, device), preamp_db: -3 }));

    const sent = store.setGraphic(0, 3);
    void store.setGraphic(0, 4);
    void store.setGraphic(0, 5);
    // Shown at once, sent once so far.
    expect(store.settings?.graphic_db[0]).toBe(5);
    expect(mocked.setEqualizer).toHaveBeenCalledTimes(1);

    first.resolve(view(settings({ graphic_db: [3, 0, 0, 0, 0, 0, 0, 0, 0, 0] }), "USB DAC"));
    await sent;
    expect(mocked.setEqualizer).toHaveBeenCalledTimes(2);
    expect(mocked.setEqualizer.mock.calls[1]).toEqual(["USB DAC", expect.objectContaining({ graphic_db: [5, 0, 0, 0, 0, 0, 0, 0, 0, 0] })]);
    // The last answer is what is shown, the first one's stale gains never were.
    expect(store.settings?.graphic_db[0]).toBe(5);
    expect(store.view?.preamp_db).toBe(-3);
  });

  it("sends a change to the device it was made for, even when another is shown by then", async () => {
    const store = new EqualizerStore();
    await store.load("USB DAC");
    const first = deferred<EqualizerView>();
    mocked.setEqualizer.mockReturnValueOnce(first.promise);
    mocked.setEqualizer.mockImplementation(async (device, s) => view(s, device));
    const sent = store.setGraphic(0, 3);
    void store.setGraphic(0, 6);
    await store.load("Speakers");
    first.resolve(view(settings(), "USB DAC"));
    await sent;
    expect(mocked.setEqualizer.mock.calls.map(([device]) => device)).toEqual(["USB DAC", "USB DAC"]);
    expect(store.device).toBe("Speakers");
    expect(store.view?.device).toBe("Speakers");
    expect(store.settings?.graphic_db[0]).toBe(0);
  });

  it("applies a preset's gains and switches the equaliser on; a band moved makes it custom", async () => {
    const store = new EqualizerStore();
    await store.load(null);
    mocked.setEqualizer.mockImplementation(async (device, s) => view(s, device));
    await store.applyPreset("rock");
    expect(store.settings).toMatchObject({ enabled: true, preset: "rock", graphic_db: [4, 3, 1.5, -0.5, -1.5, -0.5, 1, 2.5, 3, 3] });
    await store.setGraphic(9, 99);
    expect(store.settings?.preset).toBeNull();
    expect(store.settings?.graphic_db[9]).toBe(24);
  });

  it("adds, edits and removes parametric bands, and resets to flat", async () => {
    const store = new EqualizerStore();
    await store.load(null);
    mocked.setEqualizer.mockImplementation(async (device, s) => view(s, device));
    await store.addBand();
    await store.setBand(0, { kind: "low_shelf", gain_db: -30 });
    expect(store.settings?.mode).toBe("parametric");
    expect(store.settings?.bands).toEqual([{ kind: "low_shelf", frequency_hz: 1000, gain_db: -24, q: 1, enabled: true }]);
    await store.addBand();
    await store.removeBand(0);
    expect(store.settings?.bands).toHaveLength(1);
    expect(store.settings?.bands[0].kind).toBe("peaking");
    await store.reset();
    expect(store.settings?.bands).toEqual([]);
    expect(store.settings?.preamp_db).toBeNull();
  });

  it("says why a change was refused and shows what the core keeps", async () => {
    const store = new EqualizerStore();
    await store.load(null);
    mocked.setEqualizer.mockRejectedValueOnce({ kind: "storage", message: "The disk is full." });
    await store.setEnabled(true);
    expect(store.error).toEqual({ kind: "storage", message: "The disk is full." });
    expect(store.settings?.enabled).toBe(false);
  });

  it("keeps the view when the listener cancels an import, and takes the profile otherwise", async () => {
    const store = new EqualizerStore();
    await store.load(null);
    mocked.importEqualizerProfile.mockResolvedValueOnce(null);
    await store.importProfile("Choose");
    expect(store.settings?.profile).toBeNull();
    mocked.importEqualizerProfile.mockResolvedValueOnce(view(settings({ mode: "parametric", profile: "hd-650" })));
    await store.importProfile("Choose");
    expect(mocked.importEqualizerProfile).toHaveBeenLastCalledWith(null, "Choose");
    expect(store.settings?.profile).toBe("hd-650");
    expect(store.importing).toBe(false);
  });
});

describe("decibels", () => {
  it("never says minus zero, and signs boosts", () => {
    expect(decibels(-0.04)).toBe("0.0");
    expect(signedDecibels(-0.0)).toBe("0.0");
    expect(signedDecibels(2.25)).toBe("+2.3");
    expect(signedDecibels(-6.44)).toBe("-6.4");
  });
});
