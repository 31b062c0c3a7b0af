import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

vi.mock("../../../ipc", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../../ipc")>()),
  playHistory: vi.fn(),
}));

import * as ipc from "../../../ipc";
import type { PlayedTrack } from "../../../ipc";
import { HistoryStore } from "./history.svelte";
import { localeStore } from "$lib/i18n";
import { playedWhen } from "../words";

const mocked = vi.mocked(ipc);
const play = (trackId: string, playedAt: number): PlayedTrack => ({
  track_id: trackId,
  track: null,
  played_at: playedAt,
  ms_played: 30_000,
});

beforeEach(() => vi.resetAllMocks());
afterEach(() => localeStore.use(null));

describe("HistoryStore", () => {
  it("reads page after page until the history ends, then asks no more", async () => {
    mocked.playHistory
      .mockResolvedValueOnce({ items: [play("a", 300), play("a", 200)], next_cursor: "200:2" })
      .mockResolvedValueOnce({ items: [play("b", 100)], next_cursor: null });
    const store = new HistoryStore();
    await store.load();
    expect(store.plays.map((p) => p.track_id)).toEqual(["a", "a"]);
    expect(store.hasMore).toBe(true);
    await store.loadMore();
    expect(mocked.playHistory).toHaveBeenLastCalledWith("200:2");
    expect(store.plays.map((p) => p.played_at)).toEqual([300, 200, 100]);
    expect(store.hasMore).toBe(false);
    await store.loadMore();
    expect(mocked.playHistory).toHaveBeenCalledTimes(2);
  });

  it("starts from the top again when reopened", async () => {
    mocked.playHistory.mockResolvedValue({ items: [play("a", 1)], next_cursor: null });
    const store = new HistoryStore();
    await store.load();
    await store.load();
    expect(mocked.playHistory).toHaveBeenLastCalledWith(null);
    expect(store.plays).toHaveLength(1);
  });

  it("keeps what it has and says why the next page failed", async () => {
    mocked.playHistory
      .mockResolvedValueOnce({ items: [play("a", 2)], next_cursor: "2:1" })
      .mockRejectedValueOnce({ kind: "storage", message: "The disk is unreadable." });
    const store = new HistoryStore();
    await store.load();
    await store.loadMore();
    expect(store.error?.message).toBe("The disk is unreadable.");
    expect(store.plays).toHaveLength(1);
    expect(store.loading).toBe(false);
  });
});

describe("playedWhen", () => {
  const now = new Date(2026, 4, 20, 18, 30);
  const at = (date: Date) => date.getTime() / 1000;
  const time = (date: Date) => date.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });

  it("says the time today, yesterday's with the word, and the date before", () => {
    const today = new Date(2026, 4, 20, 9, 5);
    const yesterday = new Date(2026, 4, 19, 23, 59);
    const earlier = new Date(2026, 2, 3, 7, 0);
    const lastYear = new Date(2025, 11, 31, 12, 0);
    expect(playedWhen(at(today), now, "en-GB")).toBe(time(today));
    expect(playedWhen(at(yesterday), now, "en-GB")).toBe(`Yesterday ${time(yesterday)}`);
    expect(playedWhen(at(earlier), now, "en-GB")).toBe(`3 Mar ${time(earlier)}`);
    expect(playedWhen(at(lastYear), now, "en-GB")).toContain("2025");
  });

  it("says it in German", () => {
    localeStore.use("de");
    expect(playedWhen(at(new Date(2026, 4, 19, 21, 4)), now, "de-DE")).toBe("Gestern, 21:04");
    expect(playedWhen(at(new Date(2026, 2, 3, 7, 0)), now, "de-DE")).toBe("3. März 07:00");
  });
});
