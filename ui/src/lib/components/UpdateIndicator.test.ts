// @vitest-environment jsdom
import { fireEvent, render, screen } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { tick } from "svelte";

vi.mock("../../ipc", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../ipc")>()),
  updateStatus: vi.fn(),
  checkForUpdates: vi.fn(),
  downloadUpdate: vi.fn(),
  installUpdate: vi.fn(),
  onUpdateStatus: vi.fn(),
  about: vi.fn(),
}));

import * as ipc from "../../ipc";
import type { UpdateOffer, UpdateStatus } from "../../ipc";
import { localeStore } from "$lib/i18n";
import { updatesStore } from "$lib/stores/updates.svelte";
import AboutSettings from "$lib/features/settings/AboutSettings.svelte";
import UpdateIndicator from "./UpdateIndicator.svelte";

const mocked = vi.mocked(ipc);

const offer = (can_install = true): UpdateOffer => ({
  version: "0.2.0",
  current_version: "0.1.0",
  notes: "Crossfade.\nA faster start.",
  published: "2026-12-01T10:00:00Z",
  can_install,
});

const status = (patch: Partial<UpdateStatus>): UpdateStatus => ({
  phase: "idle",
  offer: null,
  received_bytes: 0,
  total_bytes: null,
  error: null,
  failed_step: null,
  last_checked: null,
  ...patch,
});

let sendStatus: (status: UpdateStatus) => void = () => {};

beforeEach(async () => {
  vi.resetAllMocks();
  updatesStore.stop();
  updatesStore.status = null;
  updatesStore.dismissed = false;
  mocked.onUpdateStatus.mockImplementation((callback) => {
    sendStatus = callback;
    return Promise.resolve(() => {});
  });
  mocked.updateStatus.mockResolvedValue(status({}));
  mocked.about.mockResolvedValue({ version: "0.1.0", log_dir: null });
  await updatesStore.start();
});

afterEach(() => localeStore.use(null));

describe("the update offer in the sidebar", () => {
  it("shows nothing while there is nothing newer", async () => {
    render(UpdateIndicator);
    sendStatus(status({ phase: "up_to_date" }));
    await tick();
    expect(screen.queryByTestId("update-offer")).toBeNull();
  });

  it("offers the version and its notes, downloads with progress, then restarts into it", async () => {
    render(UpdateIndicator);
    sendStatus(status({ phase: "available", offer: offer() }));
    await tick();
    expect(screen.getByTestId("update-title").textContent).toBe("Strato 0.2.0 is available");
    expect(screen.getByTestId("update-notes").textContent).toContain("A faster start.");

    mocked.downloadUpdate.mockImplementation(() => {
      sendStatus(status({ phase: "downloading", offer: offer(), received_bytes: 250, total_bytes: 1000 }));
      return new Promise(() => {});
    });
    await fireEvent.click(screen.getByTestId("update-download"));
    expect(mocked.downloadUpdate).toHaveBeenCalledOnce();
    await tick();
    const progress = screen.getByTestId("update-progress") as HTMLProgressElement;
    expect(progress.value).toBe(0.25);
    expect(screen.getByTestId("update-progress-words").textContent).toBe("25%");

    sendStatus(status({ phase: "ready", offer: offer(), received_bytes: 1000, total_bytes: 1000 }));
    await tick();
    expect(screen.getByTestId("update-title").textContent).toBe("Strato 0.2.0 is ready");
    mocked.installUpdate.mockResolvedValue();
    await fireEvent.click(screen.getByTestId("update-restart"));
    expect(mocked.installUpdate).toHaveBeenCalledOnce();
  });

  it("says a copy that cannot replace itself is updated the way it was installed", async () => {
    render(UpdateIndicator);
    sendStatus(status({ phase: "ready", offer: offer(false) }));
    await tick();
    expect(screen.queryByTestId("update-restart")).toBeNull();
    expect(screen.getByTestId("update-cannot-install").textContent).toContain("update it the way you installed it");
  });

  it("puts the offer aside for the run with Later, and brings a newer one back", async () => {
    render(UpdateIndicator);
    sendStatus(status({ phase: "available", offer: offer() }));
    await tick();
    await fireEvent.click(screen.getByTestId("update-later"));
    expect(screen.queryByTestId("update-offer")).toBeNull();
    sendStatus(status({ phase: "available", offer: { ...offer(), version: "0.3.0" } }));
    await tick();
    expect(screen.getByTestId("update-title").textContent).toBe("Strato 0.3.0 is available");
  });

  it("says in the window's language that a package did not verify", async () => {
    localeStore.use("de");
    render(UpdateIndicator);
    sendStatus(
      status({
        phase: "available",
        offer: offer(),
        error: { kind: "untrusted", message: "The downloaded update could not be verified as Strato's." },
        failed_step: "download",
      }),
    );
    await tick();
    const error = screen.getByTestId("update-error");
    expect(error.dataset.kind).toBe("untrusted");
    expect(error.textContent).toContain("nicht als eines von Strato bestätigt");
    expect(screen.getByTestId("update-download")).toBeTruthy();
  });
});

describe("updates in Settings, About", () => {
  it("checks when asked and says what it found", async () => {
    render(AboutSettings, { settingsFile: null });
    expect(screen.getByTestId("about-update-status").textContent).toBe("Not checked yet");
    mocked.checkForUpdates.mockResolvedValue(status({ phase: "up_to_date", last_checked: "2026-12-05T10:00:00Z" }));
    await fireEvent.click(screen.getByTestId("check-for-updates"));
    await tick();
    expect(mocked.checkForUpdates).toHaveBeenCalledOnce();
    expect(screen.getByTestId("about-update-status").textContent).toBe("Strato is up to date");
  });

  it("says a failed check in About, not in the sidebar's offer", async () => {
    render(UpdateIndicator);
    render(AboutSettings, { settingsFile: null });
    sendStatus(
      status({
        phase: "available",
        offer: offer(),
        error: { kind: "server", message: "The update server's answer could not be read, so nothing was downloaded." },
        failed_step: "check",
      }),
    );
    await tick();
    expect(screen.getByTestId("about-update-status").textContent).toBe(
      "The update server's answer could not be read, so nothing was downloaded.",
    );
    expect(screen.queryByTestId("update-error")).toBeNull();
    expect(screen.getByTestId("update-download")).toBeTruthy();
  });

  it("says why a check failed", async () => {
    render(AboutSettings, { settingsFile: null });
    mocked.checkForUpdates.mockRejectedValue({
      kind: "network",
      message: "The update server could not be reached. Check the connection and try again.",
    });
    await fireEvent.click(screen.getByTestId("check-for-updates"));
    await tick();
    expect(screen.getByTestId("about-update-status").textContent).toBe(
      "The update server could not be reached. Check the connection and try again.",
    );
  });
});
