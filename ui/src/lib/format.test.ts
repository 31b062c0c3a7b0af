import { afterEach, describe, expect, it } from "vitest";
import { formatBytes, formatLength, formatTime, pixelPercent, progressFraction, wholeSecond } from "./format";
import { format, localeStore } from "./i18n";

afterEach(() => localeStore.use(null));

describe("formatTime", () => {
  it.each([
    [0, "0:00"],
    [999, "0:00"],
    [1_000, "0:01"],
    [59_999, "0:59"],
    [60_000, "1:00"],
    [61_500, "1:01"],
    [600_000, "10:00"],
    [3_599_999, "59:59"],
    [3_600_000, "1:00:00"],
    [3_661_000, "1:01:01"],
    [36_000_000, "10:00:00"],
  ])("formats %i ms as %s", (ms, expected) => {
    expect(formatTime(ms)).toBe(expected);
  });

  it("rounds down so elapsed time never reaches the total early", () => {
    expect(formatTime(179_600)).toBe("2:59");
    expect(formatTime(180_000)).toBe("3:00");
  });

  it.each([null, undefined, -5_000, Number.NaN, Number.POSITIVE_INFINITY])(
    "shows 0:00 for missing or invalid input (%s)",
    (ms) => {
      expect(formatTime(ms)).toBe("0:00");
    },
  );
});

describe("pixelPercent", () => {
  it("rounds to the bar's whole pixels", () => {
    expect(pixelPercent(0.25, 400)).toBe(25);
    // 0.2501 and 0.2512 of 400 px are both pixel 100: one value, no repaint.
    expect(pixelPercent(0.2501, 400)).toBe(pixelPercent(0.2512, 400));
    expect(pixelPercent(0.2526, 400)).toBeCloseTo(25.25);
  });

  it("keeps the fraction while the width is unknown", () => {
    expect(pixelPercent(0.325, 0)).toBe(32.5);
  });
});

describe("progressFraction", () => {
  it("is the share of the track played", () => {
    expect(progressFraction(30_000, 120_000)).toBe(0.25);
  });

  it("clamps to 0..1", () => {
    expect(progressFraction(130_000, 120_000)).toBe(1);
    expect(progressFraction(-1, 120_000)).toBe(0);
  });

  it("is 0 without a usable duration", () => {
    expect(progressFraction(1_000, null)).toBe(0);
    expect(progressFraction(1_000, 0)).toBe(0);
  });
});

describe("formatBytes", () => {
  it("uses the largest unit below 1024, with one decimal under 10", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(1536)).toBe("1.5 KB");
    expect(formatBytes(5 * 1024 * 1024)).toBe("5 MB");
    expect(formatBytes(123.4 * 1024 * 1024)).toBe("123 MB");
    expect(formatBytes(2.25 * 1024 ** 3)).toBe("2.3 GB");
    expect(formatBytes(3 * 1024 ** 5)).toBe("3,072 TB");
  });

  it("shows missing or invalid input as 0 B", () => {
    expect(formatBytes(null)).toBe("0 B");
    expect(formatBytes(undefined)).toBe("0 B");
    expect(formatBytes(-5)).toBe("0 B");
    expect(formatBytes(Number.NaN)).toBe("0 B");
  });
});

describe("wholeSecond", () => {
  it("rounds a position down to its second, so the bar moves with the time beside it", () => {
    expect(wholeSecond(0)).toBe(0);
    expect(wholeSecond(999)).toBe(0);
    expect(wholeSecond(1000)).toBe(1000);
    expect(wholeSecond(61_750)).toBe(61_000);
  });

  it("gives 0 for what is not a position", () => {
    expect(wholeSecond(Number.NaN)).toBe(0);
    expect(wholeSecond(-5)).toBe(0);
    expect(wholeSecond(Number.POSITIVE_INFINITY)).toBe(0);
  });
});

describe("formatLength", () => {
  it("words a length's units in the window's language", () => {
    expect(formatLength(3_900_000)).toBe("1 h 5 min");
    localeStore.use("de");
    expect(formatLength(3_900_000)).toBe("1 Std. 5 Min.");
    expect(formatLength(121_000)).toBe("2 Min. 1 Sek.");
    expect(formatLength(120_400)).toBe("2 Min.");
    expect(formatLength(45_000)).toBe("45 Sek.");
    expect(formatLength(null)).toBe("0 Sek.");
  });
});

describe("dates and times", () => {
  it("are written as the system writes the window's language", () => {
    localeStore.use("en");
    expect(format.dateLocale(["en-GB", "de-DE"])).toBe("en-GB");
    expect(format.dateLocale(["fr-FR"])).toBe("en");
    localeStore.use("de");
    expect(format.dateLocale(["en-GB", "de-AT"])).toBe("de-AT");
    expect(format.dateLocale(["en-GB"])).toBe("de");
    expect(format.time(new Date(2026, 4, 20, 15, 4), "de")).toBe("15:04");
  });

  it("write percentages as the language does", () => {
    expect(format.percent(0.5)).toBe("50%");
    localeStore.use("de");
    expect(format.percent(0.5)).toBe("50\u00a0%");
  });
});
