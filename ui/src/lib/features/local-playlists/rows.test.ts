import { describe, expect, it } from "vitest";
import { makeLocalTrack } from "../../../test/local-files";
import { localPlaylistRows, playableFrom } from "./rows";

const item = (title: string, position: number, missing = false) => ({
  item_id: `item-${position}`,
  position,
  track: makeLocalTrack(title),
  missing,
});

describe("a playlist on this computer's rows", () => {
  it("are keyed by their items' ids, the same file twice being two rows", () => {
    const rows = localPlaylistRows([item("A", 0), item("B", 1), item("A", 2, true)]);
    expect(rows.map((row) => row.key)).toEqual(["item-0", "item-1", "item-2"]);
    expect(rows.map((row) => row.trackId)).toEqual(["file:///music/A.flac", "file:///music/B.flac", "file:///music/A.flac"]);
    expect(rows.map((row) => row.missing)).toEqual([false, false, true]);
  });
});

describe("playing a playlist on this computer", () => {
  const rows = localPlaylistRows([item("A", 0, true), item("B", 1), item("C", 2, true), item("D", 3)]);

  it("skips the files not found, starting at the row's place among the others", () => {
    expect(playableFrom(rows, 3)).toEqual({ trackIds: ["file:///music/B.flac", "file:///music/D.flac"], start: 1 });
    expect(playableFrom(rows, 1)?.start).toBe(0);
  });

  it("does not play a missing file's row, nor a list of none that play", () => {
    expect(playableFrom(rows, 0)).toBeNull();
    expect(playableFrom(localPlaylistRows([item("A", 0, true)]), 0)).toBeNull();
  });
});
