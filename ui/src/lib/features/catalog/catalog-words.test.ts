import { describe, expect, it } from "vitest";
import { countWords, walkWords } from "./catalog-words";

describe("countWords", () => {
  it("says the catalog's total when it is known", () => {
    expect(countWords(100_000, 300, true, "en-GB")).toBe("100,000 tracks");
    expect(countWords(1, 1, false, "en-GB")).toBe("1 track");
    expect(countWords(0, 0, false, "en-GB")).toBe("0 tracks");
  });

  it("says what has been read, and that more may follow, when the total is not known", () => {
    expect(countWords(null, 250, true, "en-GB")).toBe("250+ tracks");
    expect(countWords(null, 1, true, "en-GB")).toBe("1+ tracks");
    expect(countWords(null, 6, false, "en-GB")).toBe("6 tracks");
  });
});

describe("walkWords", () => {
  it("says how far a refresh has read, and nothing when none runs", () => {
    expect(walkWords({ refreshing: true, walked: 0 })).toBe("Updating…");
    expect(walkWords({ refreshing: true, walked: 12_400 }, "en-GB")).toBe("Updating… 12,400 read");
    expect(walkWords({ refreshing: false, walked: 13 })).toBeNull();
  });
});
