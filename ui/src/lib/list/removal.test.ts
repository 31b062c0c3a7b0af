import { describe, expect, it } from "vitest";
import { keyAfterRemoval } from "./removal";

describe("the row that takes the keyboard after a removal", () => {
  const keys = ["a", "b", "c", "d", "e"];

  it("is the one that comes into the first removed row's place", () => {
    expect(keyAfterRemoval(keys, ["b"])).toBe("c");
    expect(keyAfterRemoval(keys, ["d", "b", "c"])).toBe("e");
  });

  it("is the one before when the last rows go, and none when all do", () => {
    expect(keyAfterRemoval(keys, ["d", "e"])).toBe("c");
    expect(keyAfterRemoval(keys, keys)).toBeNull();
    expect(keyAfterRemoval(keys, ["x"])).toBeNull();
  });
});
