import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

vi.mock("../../../ipc", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../../ipc")>()),
  homeShelves: vi.fn(),
  homeFeed: vi.fn(),
}));

import * as ipc from "../../../ipc";
import { deferred } from "../../../test/fixtures";
import type { HomeFeedView, HomeShelves } from "../../../ipc";
import { HomeStore } from "./home.svelte";
import { localeStore } from "$lib/i18n";
import { progressWords, reshuffleWords } from "../words";

const mocked = vi.mocked(ipc);
const shelves: HomeShelves = { recently_played: [], offline: [] };
const feed: HomeFeedView = { picks: null, new_albums: [], source: { kind: "service" } };

beforeEach(() => vi.resetAllMocks());
afterEach(() => localeStore.use(null));

describe("HomeStore", () => {
  it("shows this computer's shelves without waiting for the service", async () => {
    const slowFeed = deferred<HomeFeedView>();
    mocked.homeShelves.mockResolvedValue(shelves);
    mocked.homeFeed.mockReturnValue(slowFeed.promise);
    const store = new HomeStore();
    const loading = store.load();
    await vi.waitFor(() => expect(store.shelves).toEqual(shelves));
    expect(store.feed).toBeNull();
    expect(store.feedLoading).toBe(true);
    slowFeed.resolve(feed);
    await loading;
    expect(store.feed).toEqual(feed);
    expect(store.feedLoading).toBe(false);
  });

  it("ends the wait with the service's failure in words", async () => {
    mocked.homeShelves.mockResolvedValue(shelves);
    mocked.homeFeed.mockRejectedValue({ kind: "server", message: "The service failed." });
    const store = new HomeStore();
    await store.load();
    expect(store.feedLoading).toBe(false);
    expect(store.feedError?.message).toBe("The service failed.");
    expect(store.shelves).toEqual(shelves);
  });
});

describe("home words", () => {
  it("says how far an offline item got", () => {
    const item = (tracks: number, downloaded: number, failed: number) => ({
      progress: { tracks, downloaded, failed, bytes: 0 },
    });
    expect(progressWords(item(3, 3, 0))).toBe("Downloaded");
    expect(progressWords(item(3, 1, 0))).toBe("1 of 3 downloaded");
    expect(progressWords(item(3, 1, 2))).toBe("2 of 3 failed");
  });

  it("says it in German, with German numbers", () => {
    localeStore.use("de");
    const item = (tracks: number, downloaded: number, failed: number) => ({
      progress: { tracks, downloaded, failed, bytes: 0 },
    });
    expect(progressWords(item(3, 3, 0))).toBe("Heruntergeladen");
    expect(progressWords(item(1_200, 1_000, 0))).toBe("1.000 von 1.200 heruntergeladen");
    expect(progressWords(item(3, 1, 2))).toBe("2 von 3 fehlgeschlagen");
  });

  it("says when new picks come, in the listener's time", () => {
    const at = Date.UTC(2026, 0, 5, 15, 0) / 1000;
    expect(reshuffleWords(at, "en-GB")).toBe(
      `New picks at ${new Date(at * 1000).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" })}`,
    );
  });

  it("says when new picks come in German", () => {
    localeStore.use("de");
    const at = new Date(2026, 0, 5, 15, 0).getTime() / 1000;
    expect(reshuffleWords(at, "de-DE")).toBe("Neue Empfehlungen um 15:00");
  });
});
