import { describe, expect, it } from "vitest";
import { dropGap, finalIndex, keyboardTarget } from "./reorder";

describe("finalIndex", () => {
  it("counts without the moved item when moving down", () => {
    // [a b c d]: a dropped after c (gap 3) ends as [b c a d].
    expect(finalIndex(0, 3)).toBe(2);
    expect(finalIndex(1, 4)).toBe(3);
  });

  it("is the gap itself when moving up", () => {
    // [a b c d]: d dropped before b (gap 1) ends as [a d b c].
    expect(finalIndex(3, 1)).toBe(1);
    expect(finalIndex(2, 0)).toBe(0);
  });

  it("leaves the item where it is when dropped next to itself", () => {
    expect(finalIndex(2, 2)).toBe(2);
    expect(finalIndex(2, 3)).toBe(2);
  });
});

describe("dropGap", () => {
  it("points before the row on its upper half and after it on its lower half", () => {
    expect(dropGap(4, 105, 100, 40)).toBe(4);
    expect(dropGap(4, 130, 100, 40)).toBe(5);
  });
});

describe("keyboardTarget", () => {
  it("moves one step, or to either end, within the list", () => {
    expect(keyboardTarget(2, 5, "ArrowUp")).toBe(1);
    expect(keyboardTarget(2, 5, "ArrowDown")).toBe(3);
    expect(keyboardTarget(2, 5, "Home")).toBe(0);
    expect(keyboardTarget(2, 5, "End")).toBe(4);
  });

  it("does nothing past the ends or for other keys", () => {
    expect(keyboardTarget(0, 5, "ArrowUp")).toBeNull();
    expect(keyboardTarget(4, 5, "ArrowDown")).toBeNull();
    expect(keyboardTarget(0, 1, "End")).toBeNull();
    expect(keyboardTarget(2, 5, "Enter")).toBeNull();
  });
});
