import { describe, expect, it, vi } from "vitest";
import { deferred, makeTrack } from "../../test/fixtures";
import type { Track } from "../../ipc";
import { TRACKS_PER_READ, TrackCache } from "./track-cache.svelte";

describe("the track cache of a long list", () => {
  it("reads only what it lacks, in commands of a bounded size, and once while asked", async () => {
    const read = vi.fn(async (ids: readonly string[]) => ids.map((id) => makeTrack(id)));
    const cache = new TrackCache(read);
    cache.put([makeTrack("a")]);
    const ids = ["a", ...Array.from({ length: TRACKS_PER_READ + 5 }, (_, index) => `t${index}`)];
    const first = cache.want(ids);
    const again = cache.want(ids);
    await Promise.all([first, again]);
    expect(read).toHaveBeenCalledTimes(2);
    expect(read.mock.calls.map(([asked]) => asked.length)).toEqual([TRACKS_PER_READ, 5]);
    expect(read.mock.calls[0][0]).not.toContain("a");
    expect(cache.get("t204")?.title).toBe("Title t204");
    expect(cache.pending("t0")).toBe(false);
  });

  it("remembers what the core does not know, and asks again after a failed read", async () => {
    const read = vi.fn<(ids: readonly string[]) => Promise<Track[]>>();
    const cache = new TrackCache(read);
    read.mockResolvedValueOnce([makeTrack("known")]);
    await cache.want(["known", "never-seen"]);
    expect(cache.pending("never-seen")).toBe(false);
    expect(cache.get("never-seen")).toBeUndefined();

    read.mockRejectedValueOnce({ kind: "internal", message: "busy" });
    await cache.want(["later"]);
    expect(cache.pending("later")).toBe(true);
    read.mockResolvedValueOnce([makeTrack("later")]);
    await cache.want(["later"]);
    expect(cache.get("later")?.id).toBe("later");
  });

  it("keeps at most its limit, letting the least recently wanted go first", async () => {
    const read = vi.fn(async (ids: readonly string[]) => ids.map((id) => makeTrack(id)));
    const cache = new TrackCache(read, 3);
    await cache.want(["a", "b", "c"]);
    // "a" is on screen again: wanted, so "b" is now the oldest.
    await cache.want(["a", "d"]);
    expect(cache.size).toBe(3);
    expect(cache.get("b")).toBeUndefined();
    expect(cache.pending("b")).toBe(true);
    expect(["a", "c", "d"].map((id) => cache.get(id)?.id)).toEqual(["a", "c", "d"]);
    // Scrolled back to, it is read again.
    await cache.want(["b"]);
    expect(read).toHaveBeenLastCalledWith(["b"]);
    expect(cache.get("b")?.id).toBe("b");
    expect(cache.size).toBe(3);
  });

  it("drops answers to what was asked before it was cleared (another playlist)", async () => {
    const answer = deferred<Track[]>();
    const cache = new TrackCache(() => answer.promise);
    const asked = cache.want(["old"]);
    cache.clear();
    answer.resolve([makeTrack("old")]);
    await asked;
    expect(cache.get("old")).toBeUndefined();
    expect(cache.pending("old")).toBe(true);
  });
});
