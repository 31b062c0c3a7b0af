// @vitest-environment jsdom
import { fireEvent, render, screen } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Settings } from "../../../ipc";

vi.mock("../../../ipc", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../../ipc")>()),
  updateSettings: vi.fn(),
  dataFolder: vi.fn(),
  moveDataFolder: vi.fn(),
  clearStreamCache: vi.fn(),
  chooseFolder: vi.fn(),
}));

import * as ipc from "../../../ipc";
import { localeStore } from "$lib/i18n";
import { libraryStore } from "$lib/stores/library.svelte";
import { makeDownloads, makeSettings, makeSettingsView } from "../../../test/fixtures";
import StorageSettings from "./StorageSettings.svelte";
import { settingsStore } from "./settings.svelte";

const mocked = vi.mocked(ipc);
const MB = 1024 * 1024;

const SETTINGS: Settings = makeSettings();

beforeEach(() => {
  vi.resetAllMocks();
  settingsStore.reset();
  settingsStore.view = makeSettingsView(structuredClone(SETTINGS), { file: "/c/settings.json" });
  libraryStore.downloads = makeDownloads({ bytes_used: 30 * MB, bytes_cached: 10 * MB, quota_bytes: 100 * MB, done: 4, total: 4 });
  mocked.dataFolder.mockResolvedValue({ path: "/home/me/.local/share/strato", is_default: true });
});

afterEach(() => {
  localeStore.use(null);
  libraryStore.downloads = null;
});

describe("StorageSettings", () => {
  it("shows the space used, offline music and the cache apart, against the limit", async () => {
    render(StorageSettings);
    const bar = screen.getByTestId("storage-bar");
    expect(bar.getAttribute("aria-valuetext")).toBe("30 MB of 100 MB used");
    const [offline, cache] = Array.from(bar.children) as HTMLElement[];
    expect(offline.style.width).toBe("20%");
    expect(cache.style.width).toBe("10%");
    expect(screen.getByTestId("storage-offline").textContent).toBe("Offline music 20 MB");
    expect(screen.getByTestId("storage-cache").textContent).toBe("Stream cache 10 MB");
    await vi.waitFor(() => expect(screen.getByTestId("setting-data-dir").textContent).toContain("/home/me/.local/share/strato"));
  });

  it("clears the cache and says what it freed; disabled with nothing to clear", async () => {
    mocked.clearStreamCache.mockResolvedValue({ tracks: 3, bytes: 10 * MB });
    render(StorageSettings);
    await fireEvent.click(screen.getByTestId("clear-cache"));
    await vi.waitFor(() => expect(screen.getByTestId("storage-outcome").textContent).toBe("Cleared 10 MB (3 tracks)."));
    libraryStore.downloads = makeDownloads({ bytes_used: 20 * MB, bytes_cached: 0, quota_bytes: 100 * MB });
    await vi.waitFor(() => expect((screen.getByTestId("clear-cache") as HTMLButtonElement).disabled).toBe(true));
  });

  it("moves the data folder, then shows where it is", async () => {
    mocked.moveDataFolder.mockResolvedValue({ path: "/media/disk/Strato", files: 5, bytes: 30 * MB, leftover: null });
    render(StorageSettings);
    const field = await screen.findByTestId("move-to");
    await fireEvent.input(field, { target: { value: "  /media/disk  " } });
    mocked.dataFolder.mockResolvedValue({ path: "/media/disk/Strato", is_default: false });
    await fireEvent.click(screen.getByTestId("move-data-dir"));
    expect(mocked.moveDataFolder).toHaveBeenCalledWith("/media/disk");
    await vi.waitFor(() => expect(screen.getByTestId("storage-outcome").textContent).toBe("Moved 30 MB to /media/disk/Strato."));
    expect(screen.getByTestId("setting-data-dir").textContent?.trim()).toBe("/media/disk/Strato");
  });

  it("fills the field with the folder chosen in the OS's dialog, and moves on Move", async () => {
    mocked.chooseFolder.mockResolvedValueOnce(null).mockResolvedValueOnce("/media/usb/Music");
    mocked.moveDataFolder.mockResolvedValue({ path: "/media/usb/Music", files: 1, bytes: 1, leftover: null });
    render(StorageSettings);
    const field = (await screen.findByTestId("move-to")) as HTMLInputElement;
    await fireEvent.click(screen.getByTestId("choose-folder"));
    await vi.waitFor(() => expect(mocked.chooseFolder).toHaveBeenCalledTimes(1));
    expect(field.value).toBe("");
    expect(mocked.moveDataFolder).not.toHaveBeenCalled();
    await fireEvent.click(screen.getByTestId("choose-folder"));
    await vi.waitFor(() => expect(field.value).toBe("/media/usb/Music"));
    expect(mocked.chooseFolder).toHaveBeenLastCalledWith("Where should Strato keep your music?");
    expect(document.activeElement).toBe(screen.getByTestId("move-data-dir"));
    await fireEvent.click(screen.getByTestId("move-data-dir"));
    expect(mocked.moveDataFolder).toHaveBeenCalledWith("/media/usb/Music");
  });

  it("says why a move was refused, in the window's language", async () => {
    mocked.moveDataFolder.mockRejectedValue({ kind: "storage_full", message: "Your disk is full, so Strato could not copy your music." });
    render(StorageSettings);
    await fireEvent.input(await screen.findByTestId("move-to"), { target: { value: "/media/small" } });
    await fireEvent.click(screen.getByTestId("move-data-dir"));
    await vi.waitFor(() => expect(screen.getByTestId("storage-failure").textContent).toContain("Your disk is full"));
    localeStore.use("de");
    await vi.waitFor(() => expect(screen.getByTestId("storage-failure").textContent).not.toContain("Your disk is full"));
  });

  it("names the variable that fixes the folder, and offers no move", async () => {
    settingsStore.view = makeSettingsView(structuredClone(SETTINGS), { overridden: ["data_dir"] });
    render(StorageSettings);
    expect(screen.getByTestId("override-data_dir").textContent).toContain("STRATO_DATA_DIR");
    await vi.waitFor(() => expect(screen.getByTestId("setting-data-dir").textContent).toContain("strato"));
    expect(screen.queryByTestId("move-to")).toBeNull();
  });
});
