import { describe, expect, it } from "vitest";
import { formatLength } from "$lib/format";
import { makeTrack } from "../../../test/fixtures";
import { offlineWords, totalMs } from "./album.svelte";

describe("an album's header", () => {
  it("adds up the tracks' lengths and says it as Spotify does", () => {
    expect(totalMs([makeTrack("a", { duration_ms: 61_400 }), makeTrack("b", { duration_ms: 59_000 })])).toBe(120_400);
    expect(formatLength(120_400)).toBe("2 min");
    expect(formatLength(121_000)).toBe("2 min 1 s");
    expect(formatLength(45_000)).toBe("45 s");
    expect(formatLength(3_900_000)).toBe("1 h 5 min");
    expect(formatLength(Number.NaN)).toBe("0 s");
    expect(formatLength(null)).toBe("0 s");
  });

  it("says how far keeping it offline got", () => {
    const offline = (downloaded: number, failed: number) => ({
      kept_offline: true,
      offline: { tracks: 3, downloaded, failed, bytes: 0 },
    });
    expect(offlineWords({ ...offline(0, 0), kept_offline: false })).toBe("");
    expect(offlineWords(offline(1, 0))).toBe("Downloading 1 of 3");
    expect(offlineWords(offline(3, 0))).toBe("Available offline");
    expect(offlineWords(offline(2, 1))).toBe("1 of 3 failed to download");
  });
});
