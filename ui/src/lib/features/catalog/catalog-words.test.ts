import { afterEach, describe, expect, it } from "vitest";
import { localeStore } from "$lib/i18n";
import { countWords, walkWords } from "./catalog-words";

afterEach(() => localeStore.use(null));

describe("countWords", () => {
  it("says the catalog's total when it is known", () => {
    expect(countWords(100_000, 300, true)).toBe("100,000 tracks");
    expect(countWords(1, 1, false)).toBe("1 track");
    expect(countWords(0, 0, false)).toBe("0 tracks");
  });

  it("says what has been read, and that more may follow, when the total is not known", () => {
    expect(countWords(null, 250, true)).toBe("250+ tracks");
    expect(countWords(null, 1, true)).toBe("1+ tracks");
    expect(countWords(null, 6, false)).toBe("6 tracks");
  });

  it("counts in the window's language, with its grouping", () => {
    localeStore.use("de");
    expect(countWords(100_000, 300, true)).toBe("100.000 Titel");
    expect(countWords(1, 1, false)).toBe("1 Titel");
    expect(countWords(null, 2_500, true)).toBe("2.500+ Titel");
  });
});

describe("walkWords", () => {
  it("says how far a refresh has read, and nothing when none runs", () => {
    expect(walkWords({ refreshing: true, walked: 0 })).toBe("Updating…");
    expect(walkWords({ refreshing: true, walked: 12_400 })).toBe("Updating… 12,400 read");
    expect(walkWords({ refreshing: false, walked: 13 })).toBeNull();
  });

  it("says it in the window's language", () => {
    localeStore.use("de");
    expect(walkWords({ refreshing: true, walked: 0 })).toBe("Wird aktualisiert …");
    expect(walkWords({ refreshing: true, walked: 12_400 })).toBe("Wird aktualisiert … 12.400 gelesen");
  });
});
