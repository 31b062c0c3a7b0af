// @vitest-environment jsdom
import { fireEvent, render, screen } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Settings, SettingsView } from "../../../ipc";

vi.mock("../../../ipc", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../../ipc")>()),
  settings: vi.fn(),
  updateSettings: vi.fn(),
  outputDevices: vi.fn(),
  about: vi.fn(),
  openLogFolder: vi.fn(),
  onSettingsChanged: vi.fn(),
  dataFolder: vi.fn(),
}));

import * as ipc from "../../../ipc";
import { navigation } from "$lib/navigation";
import { localeStore } from "$lib/i18n";
import { sessionStore } from "$lib/stores/session.svelte";
import { makeSession, makeSettings, makeSettingsView } from "../../../test/fixtures";
import SettingsScreen from "./SettingsScreen.svelte";
import { DEVICE_POLL_MS, settingsStore } from "./settings.svelte";

const mocked = vi.mocked(ipc);

const DEFAULTS: Settings = makeSettings();

function viewOf(settings: Settings, overrides: Partial<SettingsView> = {}): SettingsView {
  return makeSettingsView(settings, { file: "/home/me/.config/strato/settings.json", ...overrides });
}

async function shown(view: SettingsView) {
  mocked.settings.mockResolvedValue(view);
  render(SettingsScreen);
  await settingsStore.load();
  return screen.findByTestId("setting-replay-gain");
}

beforeEach(() => {
  vi.resetAllMocks();
  settingsStore.reset();
  mocked.updateSettings.mockImplementation(async (settings) => viewOf(settings));
  mocked.outputDevices.mockResolvedValue({ devices: [], choosable: true });
  mocked.about.mockResolvedValue({ version: "0.1.0", log_dir: "/home/me/.local/state/strato/logs" });
  mocked.dataFolder.mockResolvedValue({ path: "/home/me/.local/share/strato", is_default: true });
});

describe("SettingsScreen", () => {
  it("shows the kept choices and where they are kept", async () => {
    await shown(viewOf({ ...DEFAULTS, quality: { ...DEFAULTS.quality, streaming: "low", buffer_seconds: 45 } }));
    expect((screen.getByTestId("setting-streaming-quality") as HTMLSelectElement).value).toBe("low");
    expect((screen.getByTestId("setting-buffer-seconds") as HTMLInputElement).value).toBe("45");
    expect(screen.getByTestId("settings-file").textContent).toBe("/home/me/.config/strato/settings.json");
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Settings");
  });

  it("names the download qualities of the service signed in to", async () => {
    const options = () =>
      Array.from((screen.getByTestId("setting-download-quality") as HTMLSelectElement).options, (option) => option.textContent?.trim());
    sessionStore.current = makeSession("http://music.local", "ana");
    try {
      await shown(viewOf(DEFAULTS));
      expect(options()).toEqual(["Low (96 kbit/s MP3)", "Normal (about 190 kbit/s MP3)", "High (320 kbit/s MP3)"]);
      // A Subsonic server sends its own file for High, and converts for the others.
      sessionStore.current = makeSession("http://navidrome.local", "ana", { kind: "open_subsonic" });
      await vi.waitFor(() =>
        expect(options()).toEqual([
          "Low (96 kbit/s MP3)",
          "Normal (160 kbit/s MP3, converted by the server)",
          "High (the original file, as on the server)",
        ]),
      );
    } finally {
      sessionStore.current = null;
    }
  });

  it("saves a change as the whole settings, changed in that one place", async () => {
    const select = await shown(viewOf(DEFAULTS));
    await fireEvent.change(select, { target: { value: "album" } });
    expect(mocked.updateSettings).toHaveBeenCalledTimes(1);
    expect(mocked.updateSettings.mock.calls[0][0]).toEqual({ ...DEFAULTS, quality: { ...DEFAULTS.quality, replay_gain: "album" } });
    expect(settingsStore.settings?.quality.replay_gain).toBe("album");
  });

  it("saves the loudness target, offered only while loudness is normalised", async () => {
    await shown(viewOf(DEFAULTS));
    const target = screen.getByTestId("setting-loudness-target") as HTMLSelectElement;
    expect(target.value).toBe("lufs14");
    expect([...target.options].map((o) => o.value)).toEqual(["lufs14", "lufs18", "lufs23"]);
    expect(target.getAttribute("aria-describedby")).toBe("loudness-target-hint");
    await fireEvent.change(target, { target: { value: "lufs23" } });
    expect(mocked.updateSettings.mock.calls[0][0]).toEqual({ ...DEFAULTS, quality: { ...DEFAULTS.quality, loudness_target: "lufs23" } });
    expect(settingsStore.settings?.quality.loudness_target).toBe("lufs23");

    await fireEvent.change(screen.getByTestId("setting-replay-gain"), { target: { value: "off" } });
    expect((screen.getByTestId("setting-loudness-target") as HTMLSelectElement).disabled).toBe(true);
  });

  it("saves each of the desktop's choices, all off until asked for", async () => {
    await shown(viewOf(DEFAULTS));
    const choices = [
      ["setting-close-to-tray", "close_to_tray"],
      ["setting-notify-track-change", "notify_track_change"],
      ["setting-take-media-keys", "take_media_keys"],
    ] as const;
    for (const [testId, key] of choices) {
      const box = screen.getByTestId(testId) as HTMLInputElement;
      expect(box.checked).toBe(false);
      mocked.updateSettings.mockClear();
      await fireEvent.click(box);
      expect(mocked.updateSettings.mock.calls[0][0].desktop[key]).toBe(true);
    }
  });

  it("keeps a number within its bounds", async () => {
    await shown(viewOf(DEFAULTS));
    await fireEvent.change(screen.getByTestId("setting-buffer-seconds"), { target: { value: "9000" } });
    expect(mocked.updateSettings.mock.calls[0][0].quality.buffer_seconds).toBe(600);
  });

  it("goes back to what is kept and says why when saving fails", async () => {
    mocked.updateSettings.mockRejectedValue({ kind: "internal", message: "The settings could not be saved." });
    const select = await shown(viewOf(DEFAULTS));
    await fireEvent.change(select, { target: { value: "off" } });
    await vi.waitFor(() => expect(screen.getByTestId("page-error").textContent).toContain("could not be saved"));
    expect(settingsStore.settings?.quality.replay_gain).toBe("track");
  });

  it("names the variable overriding a setting and does not let it be changed here", async () => {
    await shown(viewOf(DEFAULTS, { overridden: ["streaming_quality"] }));
    expect(screen.getByTestId("override-streaming_quality").textContent).toBe("Set by STRATO_QUALITY for this run");
    expect((screen.getByTestId("setting-streaming-quality") as HTMLSelectElement).disabled).toBe(true);
    expect((screen.getByTestId("setting-stream-format") as HTMLSelectElement).disabled).toBe(false);
  });

  it("says what the core noticed about the file", async () => {
    await shown(viewOf(DEFAULTS, { notice: { kind: "storage", message: "Your settings file was damaged and has been kept aside." } }));
    expect(screen.getByTestId("settings-notice").textContent).toContain("kept aside");
  });
});

describe("the output device", () => {
  const SPEAKERS = { name: "Speakers", is_default: true };
  const DAC = { name: "USB DAC", is_default: false };
  const deviceSelect = () => screen.getByTestId("setting-output-device") as HTMLSelectElement;
  const options = () => Array.from(deviceSelect().options, (option) => option.textContent);

  it("lists the system default as a choice of its own, then every device, and keeps one by name", async () => {
    mocked.outputDevices.mockResolvedValue({ devices: [SPEAKERS, DAC], choosable: true });
    await shown(viewOf(DEFAULTS));
    await vi.waitFor(() => expect(options()).toEqual(["System default (Speakers)", "Speakers", "USB DAC"]));
    expect(deviceSelect().value).toBe("");
    await fireEvent.change(deviceSelect(), { target: { value: "USB DAC" } });
    expect(mocked.updateSettings.mock.calls[0][0].output).toEqual({ device: "USB DAC", match_source_rate: false, crossfade_seconds: 0 });
    await fireEvent.change(deviceSelect(), { target: { value: "" } });
    expect(mocked.updateSettings.mock.calls[1][0].output).toEqual({ device: null, match_source_rate: false, crossfade_seconds: 0 });
  });

  it("lets the output follow the music's sample rate, crossfade, and opens the equaliser", async () => {
    mocked.outputDevices.mockResolvedValue({ devices: [SPEAKERS], choosable: true });
    await shown(viewOf(DEFAULTS));
    const match = screen.getByTestId("setting-match-source-rate") as HTMLInputElement;
    expect(match.checked).toBe(false);
    await fireEvent.click(match);
    expect(mocked.updateSettings.mock.calls[0][0].output).toEqual({ device: null, match_source_rate: true, crossfade_seconds: 0 });
    expect(screen.getByText(/short pause between tracks/)).toBeTruthy();
    const crossfade = screen.getByTestId("setting-crossfade") as HTMLSelectElement;
    expect(crossfade.value).toBe("0");
    expect(crossfade.options[0].textContent).toBe("Off");
    expect(crossfade.options).toHaveLength(13);
    await fireEvent.change(crossfade, { target: { value: "6" } });
    expect(mocked.updateSettings.mock.calls[1][0].output).toEqual({ device: null, match_source_rate: true, crossfade_seconds: 6 });
    expect(screen.getByText(/one album played in order/)).toBeTruthy();
    await fireEvent.click(screen.getByTestId("open-equalizer"));
    expect(navigation.route).toEqual({ kind: "equalizer" });
  });

  it("follows devices plugged in and pulled out while shown, keeping a missing choice with a word", async () => {
    vi.useFakeTimers();
    try {
      mocked.outputDevices.mockResolvedValue({ devices: [SPEAKERS, DAC], choosable: true });
      await shown(viewOf({ ...DEFAULTS, output: { device: "USB DAC", match_source_rate: false, crossfade_seconds: 0 } }));
      await vi.waitFor(() => expect(options()).toContain("USB DAC"));
      mocked.outputDevices.mockResolvedValue({ devices: [SPEAKERS], choosable: true });
      await vi.advanceTimersByTimeAsync(DEVICE_POLL_MS);
      await vi.waitFor(() => expect(options()).toEqual(["System default (Speakers)", "Speakers", "USB DAC (not connected)"]));
      expect(deviceSelect().value).toBe("USB DAC");
      expect(screen.getByTestId("output-device-missing").textContent).toContain("system default plays");
      mocked.outputDevices.mockResolvedValue({ devices: [SPEAKERS, DAC], choosable: true });
      await vi.advanceTimersByTimeAsync(DEVICE_POLL_MS);
      await vi.waitFor(() => expect(screen.queryByTestId("output-device-missing")).toBeNull());
    } finally {
      vi.useRealTimers();
    }
  });

  it("says so when this run has no device to choose", async () => {
    mocked.outputDevices.mockResolvedValue({ devices: [], choosable: false });
    await shown(viewOf(DEFAULTS));
    await vi.waitFor(() => expect(screen.getByTestId("output-not-choosable").textContent).toContain("STRATO_AUDIO_OUTPUT"));
    expect(screen.queryByTestId("setting-output-device")).toBeNull();
  });
});

describe("the language", () => {
  it("switches the window's words at once, without leaving the screen, and is kept", async () => {
    localeStore.use(null);
    try {
      await shown(viewOf(DEFAULTS));
      const heading = screen.getByRole("heading", { level: 1 });
      expect(heading.textContent).toBe("Settings");
      await fireEvent.change(screen.getByTestId("setting-language"), { target: { value: "de" } });
      expect(heading.textContent).toBe("Einstellungen");
      expect(screen.getByRole("heading", { level: 1 })).toBe(heading);
      expect(document.documentElement.lang).toBe("de");
      expect(mocked.updateSettings.mock.calls.at(-1)?.[0].language).toBe("de");
      await fireEvent.change(screen.getByTestId("setting-language"), { target: { value: "" } });
      expect(heading.textContent).toBe("Settings");
      expect(mocked.updateSettings.mock.calls.at(-1)?.[0].language).toBeNull();
    } finally {
      localeStore.use(null);
    }
  });
});

describe("About", () => {
  it("shows the version and the log folder, and opens it, saying why when it cannot", async () => {
    await shown(viewOf(DEFAULTS));
    await vi.waitFor(() => expect(screen.getByTestId("about-version").textContent).toBe("0.1.0"));
    expect(screen.getByTestId("about-log-dir").textContent).toBe("/home/me/.local/state/strato/logs");
    mocked.openLogFolder.mockResolvedValueOnce(undefined);
    await fireEvent.click(screen.getByTestId("open-log-folder"));
    expect(mocked.openLogFolder).toHaveBeenCalledTimes(1);
    expect(screen.queryByTestId("about-error")).toBeNull();
    mocked.openLogFolder.mockRejectedValueOnce({ kind: "storage", message: "The log folder could not be opened (no file manager)." });
    await fireEvent.click(screen.getByTestId("open-log-folder"));
    await vi.waitFor(() => expect(screen.getByTestId("about-error").textContent).toContain("no file manager"));
  });

  it("lists the licences of what Strato is built from, once asked", async () => {
    await shown(viewOf(DEFAULTS));
    const details = screen.getByTestId("about-licences") as HTMLDetailsElement;
    expect(screen.queryByTestId("about-licences-count")).toBeNull();
    details.open = true;
    await fireEvent(details, new Event("toggle"));
    await vi.waitFor(() => expect(screen.getByTestId("about-licences-count").textContent).toMatch(/built from \d+ Rust crates and \d+ JavaScript packages/));
    expect(details.textContent).toContain("virtua");
    expect(details.textContent).toContain("symphonia");
  });
});

describe("a save that fails", () => {
  it("is said on the screen when the core tells it, and unsaid when a save succeeds", async () => {
    let tell: (view: SettingsView) => void = () => {};
    mocked.onSettingsChanged.mockImplementation((callback) => {
      tell = callback;
      return Promise.resolve(() => {});
    });
    const stop = settingsStore.follow();
    await shown(viewOf(DEFAULTS));
    expect(screen.queryByTestId("settings-notice")).toBeNull();
    tell(viewOf(DEFAULTS, { notice: { kind: "storage", message: "Your settings could not be saved (disk full)." } }));
    await vi.waitFor(() => expect(screen.getByTestId("settings-notice").textContent).toContain("could not be saved"));
    tell(viewOf(DEFAULTS));
    await vi.waitFor(() => expect(screen.queryByTestId("settings-notice")).toBeNull());
    stop();
  });
});
