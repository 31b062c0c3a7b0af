import { describe, expect, it } from "vitest";
import { NO_ROWS, blocksAround, nearEnd, visibleRows } from "./range";

describe("the rows on screen", () => {
  it("counts whole and partly shown rows from the top of the list", () => {
    // 500 px of screen over 50 px rows, the list starting 120 px down (a header above it).
    expect(visibleRows(0, 500, 120, 50, 1000)).toEqual({ start: 0, end: 8 });
    expect(visibleRows(120, 500, 120, 50, 1000)).toEqual({ start: 0, end: 10 });
    expect(visibleRows(145, 500, 120, 50, 1000)).toEqual({ start: 0, end: 11 });
    expect(visibleRows(170, 500, 120, 50, 1000)).toEqual({ start: 1, end: 11 });
  });

  it("stops at the last row, and has none before it is measured or when empty", () => {
    expect(visibleRows(10_000, 500, 0, 50, 30)).toEqual({ start: 30, end: 30 });
    expect(visibleRows(1000, 500, 0, 50, 30)).toEqual({ start: 20, end: 30 });
    expect(visibleRows(0, 0, 0, 50, 30)).toEqual(NO_ROWS);
    expect(visibleRows(0, 500, 0, 50, 0)).toEqual(NO_ROWS);
  });
});

describe("reading ahead", () => {
  it("is near the end within the rows ahead of the last loaded", () => {
    expect(nearEnd({ start: 0, end: 10 }, 100, 30)).toBe(false);
    expect(nearEnd({ start: 60, end: 70 }, 100, 30)).toBe(true);
    // A short first page fits on screen: read on at once.
    expect(nearEnd({ start: 0, end: 13 }, 13, 30)).toBe(true);
  });

  it("is near when the list ends above the screen, never with nothing measured", () => {
    expect(nearEnd({ start: 30, end: 30 }, 30, 5)).toBe(true);
    expect(nearEnd(NO_ROWS, 0, 30)).toBe(false);
    expect(nearEnd(NO_ROWS, 100, 30)).toBe(false);
  });
});

describe("the rows to read around the screen", () => {
  it("takes the whole blocks the screen and its margin touch", () => {
    expect(blocksAround({ start: 0, end: 14 }, 10_000, 100, 20)).toEqual({ start: 0, end: 100 });
    // Near a block's end, the margin reaches into the next one before the screen does.
    expect(blocksAround({ start: 70, end: 84 }, 10_000, 100, 20)).toEqual({ start: 0, end: 200 });
    expect(blocksAround({ start: 130, end: 144 }, 10_000, 100, 20)).toEqual({ start: 100, end: 200 });
    expect(blocksAround({ start: 105, end: 119 }, 10_000, 100, 20)).toEqual({ start: 0, end: 200 });
  });

  it("stops at the list's end and reads nothing before anything is on screen", () => {
    expect(blocksAround({ start: 9_990, end: 10_000 }, 10_000, 100, 20)).toEqual({ start: 9_900, end: 10_000 });
    expect(blocksAround({ start: 0, end: 3 }, 3, 100, 20)).toEqual({ start: 0, end: 3 });
    expect(blocksAround(NO_ROWS, 10_000, 100, 20)).toEqual(NO_ROWS);
  });
});
