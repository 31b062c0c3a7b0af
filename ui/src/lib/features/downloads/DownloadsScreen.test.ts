// @vitest-environment jsdom
import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { DownloadsPage, OfflineItem } from "../../../ipc";
import { makeDownloads } from "../../../test/fixtures";
import { stubLibrary } from "../../../test/library";
import { giveViewport } from "../../../test/viewport";

vi.mock("../../../ipc", async (importOriginal) => {
  const { LIBRARY_IPC } = await import("../../../test/library");
  return {
    ...(await importOriginal<typeof import("../../../ipc")>()),
    ...Object.fromEntries(LIBRARY_IPC.map((name) => [name, vi.fn()])),
    downloadsPage: vi.fn(),
    removeAllDownloads: vi.fn(),
    retryFailedDownloads: vi.fn(),
  };
});

import * as ipc from "../../../ipc";
import { navigation } from "$lib/navigation";
import { libraryStore } from "$lib/stores/library.svelte";
import DownloadsScreen from "./DownloadsScreen.svelte";
import { downloadsStore, quotaFraction } from "./downloads.svelte";

const mocked = vi.mocked(ipc);

const album: OfflineItem = {
  target: { kind: "album", id: "al-1" },
  title: "Northern Drift",
  subtitle: "Aurora Lane",
  cover_album_id: "al-1",
  artist_id: "ar-1",
  progress: { tracks: 3, downloaded: 3, failed: 0, bytes: 3 * 1024 * 1024 },
  requested_at: 20,
};
const playlist: OfflineItem = {
  target: { kind: "playlist", id: "pl-1" },
  title: "Road trip",
  subtitle: "",
  cover_album_id: null,
  artist_id: null,
  progress: { tracks: 4, downloaded: 2, failed: 1, bytes: 2048 },
  requested_at: 10,
};

function page(items: OfflineItem[]): DownloadsPage {
  return {
    items,
    cached_tracks: 2,
    cached_bytes: 5 * 1024 * 1024,
    status: makeDownloads({ done: 5, total: 7, failed: 1, bytes_used: 8 * 1024 * 1024, quota_bytes: 32 * 1024 * 1024 }),
  };
}

beforeEach(async () => {
  vi.resetAllMocks();
  giveViewport();
  stubLibrary(mocked);
  libraryStore.stop();
  downloadsStore.reset();
  navigation.reset();
  mocked.downloadsPage.mockResolvedValue(page([album, playlist]));
  mocked.setOffline.mockResolvedValue(undefined);
  mocked.removeAllDownloads.mockResolvedValue(undefined);
  mocked.retryFailedDownloads.mockResolvedValue(undefined);
});

describe("Downloads", () => {
  it("lists what is kept offline with its progress and size, and the quota as a bar", async () => {
    render(DownloadsScreen);
    const rows = await vi.waitFor(() => {
      const found = screen.getAllByTestId("download-item");
      expect(found).toHaveLength(2);
      return found;
    });
    expect(within(rows[0]).getByTestId("download-progress").textContent).toBe("Downloaded");
    expect(within(rows[0]).getByTestId("download-size").textContent).toBe("3 MB");
    expect(within(rows[1]).getByTestId("download-progress").textContent).toBe("1 of 4 failed");
    expect(screen.getByTestId("downloads-used").textContent).toBe("8 MB");
    const meter = screen.getByRole("meter");
    expect(meter.getAttribute("aria-valuetext")).toBe("8 MB of 32 MB");
    expect(screen.getByTestId("downloads-cache").textContent).toContain("2 tracks (5 MB)");

    // A name opens its page.
    await fireEvent.click(within(rows[0]).getByText("Northern Drift"));
    expect(navigation.route).toEqual({ kind: "album", id: "al-1" });
  });

  it("removes one, retries the failed, and removes all only once confirmed", async () => {
    render(DownloadsScreen);
    const rows = await vi.waitFor(() => {
      const found = screen.getAllByTestId("download-item");
      expect(found).toHaveLength(2);
      return found;
    });
    mocked.downloadsPage.mockResolvedValue(page([album]));
    await fireEvent.click(within(rows[1]).getByTestId("download-remove"));
    expect(mocked.setOffline).toHaveBeenCalledWith({ kind: "playlist", id: "pl-1" }, false);
    await vi.waitFor(() => expect(screen.getAllByTestId("download-item")).toHaveLength(1));

    await fireEvent.click(screen.getByTestId("downloads-retry"));
    expect(mocked.retryFailedDownloads).toHaveBeenCalledOnce();

    await fireEvent.click(screen.getByTestId("downloads-remove-all"));
    expect(mocked.removeAllDownloads).not.toHaveBeenCalled();
    mocked.downloadsPage.mockResolvedValue({ ...page([]), cached_tracks: 0 });
    await fireEvent.click(screen.getByTestId("downloads-remove-all-confirm"));
    expect(mocked.removeAllDownloads).toHaveBeenCalledOnce();
    await vi.waitFor(() => expect(screen.getByTestId("downloads-empty")).toBeTruthy());
  });

  it("says why an action failed", async () => {
    mocked.retryFailedDownloads.mockRejectedValue({ kind: "network", message: "Downloads need the service." });
    render(DownloadsScreen);
    await vi.waitFor(() => expect(screen.getAllByTestId("download-item")).toHaveLength(2));
    await fireEvent.click(screen.getByTestId("downloads-retry"));
    await vi.waitFor(() =>
      expect(screen.getByRole("alert").textContent).toBe(
        "Couldn't retry the failed downloads: Downloads need the service.",
      ),
    );
  });

  it("measures the quota bar within its ends", () => {
    expect(quotaFraction({ bytes_used: 5, quota_bytes: 10 })).toBe(0.5);
    expect(quotaFraction({ bytes_used: 50, quota_bytes: 10 })).toBe(1);
    expect(quotaFraction({ bytes_used: 5, quota_bytes: 0 })).toBe(0);
  });
});
