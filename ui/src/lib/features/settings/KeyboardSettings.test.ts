// @vitest-environment jsdom
import { fireEvent, render, screen } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Settings, SettingsView } from "../../../ipc";

vi.mock("../../../ipc", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../../ipc")>()),
  settings: vi.fn(),
  updateSettings: vi.fn(),
}));

import * as ipc from "../../../ipc";
import { shortcutStore } from "$lib/shortcuts";
import { makeSettings, makeSettingsView } from "../../../test/fixtures";
import KeyboardSettings from "./KeyboardSettings.svelte";
import { settingsStore } from "./settings.svelte";

const mocked = vi.mocked(ipc);

const SETTINGS = makeSettings();

const viewOf = (settings: Settings): SettingsView => makeSettingsView(settings);

const keysOf = (action: string) => screen.getByTestId(`shortcut-keys-${action}`);

async function shown() {
  mocked.settings.mockResolvedValue(viewOf(SETTINGS));
  await settingsStore.load();
  render(KeyboardSettings);
}

beforeEach(() => {
  vi.resetAllMocks();
  settingsStore.reset();
  shortcutStore.use({});
  mocked.updateSettings.mockImplementation(async (settings) => viewOf(settings));
});

describe("Settings, Keyboard", () => {
  it("lists every shortcut with its keys and the keys every list answers to", async () => {
    await shown();
    expect(keysOf("search").textContent?.trim()).toBe("Ctrl+K");
    expect(keysOf("play-pause").textContent?.trim()).toBe("Space");
    expect(screen.getByText("Move tracks in a playlist or the queue")).toBeTruthy();
    expect((screen.getByTestId("shortcuts-reset-all") as HTMLButtonElement).disabled).toBe(true);
  });

  it("takes the keys pressed, keeps them in the settings, and resets them", async () => {
    await shown();
    await fireEvent.click(keysOf("search"));
    expect(keysOf("search").textContent).toContain("Press the new keys");
    // A modifier alone is not a chord yet.
    await fireEvent.keyDown(keysOf("search"), { key: "Control", code: "ControlLeft", ctrlKey: true });
    await fireEvent.keyDown(keysOf("search"), { key: "f", code: "KeyF", ctrlKey: true });
    expect(keysOf("search").textContent?.trim()).toBe("Ctrl+F");
    expect(mocked.updateSettings.mock.calls.at(-1)?.[0].shortcuts).toEqual({ search: "Ctrl+F" });
    expect(shortcutStore.keysOf("search")).toBe("Ctrl+F");

    await fireEvent.click(screen.getByTestId("shortcut-reset-search"));
    expect(keysOf("search").textContent?.trim()).toBe("Ctrl+K");
    expect(mocked.updateSettings.mock.calls.at(-1)?.[0].shortcuts).toEqual({});
  });

  it("refuses keys another shortcut has, in words, and keeps listening; Escape leaves it as it was", async () => {
    await shown();
    await fireEvent.click(keysOf("mute"));
    await fireEvent.keyDown(keysOf("mute"), { key: "k", code: "KeyK", ctrlKey: true });
    expect(screen.getByTestId("shortcut-refusal").textContent).toBe(
      "Ctrl+K is already the shortcut for “Search”. Change that one first.",
    );
    expect(mocked.updateSettings).not.toHaveBeenCalled();
    await fireEvent.keyDown(keysOf("mute"), { key: "Escape", code: "Escape" });
    expect(screen.queryByTestId("shortcut-refusal")).toBeNull();
    expect(keysOf("mute").textContent?.trim()).toBe("Ctrl+M");
  });

  it("resets every shortcut at once", async () => {
    await shown();
    await fireEvent.click(keysOf("next"));
    await fireEvent.keyDown(keysOf("next"), { key: "n", code: "KeyN", ctrlKey: true, altKey: true });
    await fireEvent.click(keysOf("previous"));
    await fireEvent.keyDown(keysOf("previous"), { key: "p", code: "KeyP", ctrlKey: true, altKey: true });
    expect(shortcutStore.overrides).toEqual({ next: "Ctrl+Alt+N", previous: "Ctrl+Alt+P" });
    await fireEvent.click(screen.getByTestId("shortcuts-reset-all"));
    expect(shortcutStore.overrides).toEqual({});
    expect(mocked.updateSettings.mock.calls.at(-1)?.[0].shortcuts).toEqual({});
  });
});
