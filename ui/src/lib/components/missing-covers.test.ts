import { describe, expect, it } from "vitest";
import { MISSING_COVER_RETRY_MS, MissingCovers } from "./missing-covers";

describe("covers known to be missing", () => {
  it("are not asked for again until a while has passed, then once more", () => {
    let now = 1_000;
    const missing = new MissingCovers(() => now);
    expect(missing.worthAsking("al1")).toBe(true);
    missing.failed("al1");
    expect(missing.worthAsking("al1")).toBe(false);
    expect(missing.worthAsking("al2")).toBe(true);
    now += MISSING_COVER_RETRY_MS - 1;
    expect(missing.worthAsking("al1")).toBe(false);
    now += 1;
    expect(missing.worthAsking("al1")).toBe(true);
  });
});
