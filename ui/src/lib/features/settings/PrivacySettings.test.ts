// @vitest-environment jsdom
import { fireEvent, render, screen } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Settings } from "../../../ipc";

vi.mock("../../../ipc", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../../ipc")>()),
  settings: vi.fn(),
  updateSettings: vi.fn(),
  exportDiagnostics: vi.fn(),
}));

import * as ipc from "../../../ipc";
import { makeSettings, makeSettingsView } from "../../../test/fixtures";
import PrivacySettings from "./PrivacySettings.svelte";
import { settingsStore } from "./settings.svelte";

const mocked = vi.mocked(ipc);

async function shown(settings: Settings = makeSettings()) {
  mocked.settings.mockResolvedValue(makeSettingsView(settings));
  render(PrivacySettings);
  await settingsStore.load();
  return (await screen.findByTestId("setting-share-playback-reports")) as HTMLInputElement;
}

beforeEach(() => {
  vi.resetAllMocks();
  settingsStore.reset();
  mocked.updateSettings.mockImplementation(async (settings) => makeSettingsView(settings));
});

describe("PrivacySettings", () => {
  it("sends no playback reports unless the listener turns them on, and says what they hold", async () => {
    const box = await shown();
    expect(box.checked).toBe(false);
    expect(screen.getByText(/Never what you play/)).toBeTruthy();
    await fireEvent.click(box);
    expect(mocked.updateSettings).toHaveBeenCalledTimes(1);
    expect(mocked.updateSettings.mock.calls[0][0].share_playback_reports).toBe(true);
  });

  it("exports diagnostics where the dialog says, and says where", async () => {
    await shown();
    mocked.exportDiagnostics.mockResolvedValueOnce({ path: "/home/me/strato-diagnostics.zip", entries: 7, bytes: 4096 });
    await fireEvent.click(screen.getByTestId("export-diagnostics"));
    expect(mocked.exportDiagnostics).toHaveBeenCalledWith("Save Strato's diagnostics");
    await vi.waitFor(() => expect(screen.getByTestId("export-saved").textContent).toBe("Saved to /home/me/strato-diagnostics.zip"));

    // Cancelled in the dialog: nothing new is said.
    mocked.exportDiagnostics.mockResolvedValueOnce(null);
    const button = screen.getByTestId("export-diagnostics") as HTMLButtonElement;
    await fireEvent.click(button);
    await vi.waitFor(() => expect(button.disabled).toBe(false));
    expect(mocked.exportDiagnostics).toHaveBeenCalledTimes(2);
    expect(screen.getByTestId("export-saved").textContent).toBe("Saved to /home/me/strato-diagnostics.zip");
    expect(screen.queryByTestId("export-error")).toBeNull();
  });

  it("says in words why the zip could not be written, and no longer where an old one went", async () => {
    await shown();
    mocked.exportDiagnostics.mockResolvedValueOnce({ path: "/home/me/old.zip", entries: 7, bytes: 4096 });
    await fireEvent.click(screen.getByTestId("export-diagnostics"));
    await vi.waitFor(() => expect(screen.getByTestId("export-saved").textContent).toBe("Saved to /home/me/old.zip"));
    mocked.exportDiagnostics.mockRejectedValueOnce({
      kind: "storage_full",
      message: "Your disk is full, so Strato could not save your diagnostics. Free some space and try again.",
    });
    await fireEvent.click(screen.getByTestId("export-diagnostics"));
    expect((await screen.findByTestId("export-error")).textContent).toContain("disk is full");
    expect(screen.getByTestId("export-saved").textContent).toBe("");
    expect((screen.getByTestId("export-diagnostics") as HTMLButtonElement).disabled).toBe(false);
  });
});
