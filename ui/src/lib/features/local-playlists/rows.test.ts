import { describe, expect, it } from "vitest";
import { applyMoves, blockMoves } from "$lib/list/moves";
import { makeLocalTrack } from "../../../test/local-files";
import { indexMoves, localPlaylistRows, playableFrom, putBackMoves, reversedMoves, type IndexMove } from "./rows";

const item = (title: string, position: number, missing = false) => ({ position, track: makeLocalTrack(title), missing });

/** The list after the core's moves, one after the other. */
function applyIndexMoves(order: readonly string[], moves: readonly IndexMove[]): string[] {
  const list = [...order];
  for (const { from, to } of moves) {
    const [moved] = list.splice(from, 1);
    list.splice(to, 0, moved);
  }
  return list;
}

describe("a playlist on this computer's rows", () => {
  it("are keyed by file and copy, so a key stays with its item when others move or go", () => {
    const rows = localPlaylistRows([item("A", 0), item("B", 1), item("A", 2, true)]);
    expect(rows.map((row) => row.key)).toEqual(["file:///music/A.flac#0", "file:///music/B.flac#0", "file:///music/A.flac#1"]);
    expect(rows.map((row) => row.missing)).toEqual([false, false, true]);
    // B taken out: A's copies keep their keys.
    expect(localPlaylistRows([item("A", 0), item("A", 1, true)]).map((row) => row.key)).toEqual([
      "file:///music/A.flac#0",
      "file:///music/A.flac#1",
    ]);
  });
});

describe("the core's moves", () => {
  const order = ["a", "b", "c", "d", "e"];

  it("do what the list's anchored moves do, one item at a time", () => {
    for (const [moving, gap] of [
      [["b"], 4],
      [["d"], 0],
      [["a", "c"], 5],
      [["b", "e"], 1],
      [["a", "b", "c"], 4],
    ] as const) {
      const moves = blockMoves(order, moving, gap);
      const steps = indexMoves(order, moves);
      expect(applyIndexMoves(order, steps), `${moving} to ${gap}`).toEqual(applyMoves(order, moves));
    }
  });

  it("leave out a move that changes nothing, and are undone by their reverse", () => {
    expect(indexMoves(order, [{ item_id: "b", after: "a" }])).toEqual([]);
    const steps = indexMoves(order, blockMoves(order, ["b", "d"], 5));
    expect(steps).toEqual([
      { from: 1, to: 4 },
      { from: 2, to: 4 },
    ]);
    expect(applyIndexMoves(applyIndexMoves(order, steps), reversedMoves(steps))).toEqual(order);
  });

  it("put removed items back where they were once added again at the end", () => {
    // b and d removed: [a, c, e], then added back: [a, c, e, b, d].
    const moves = putBackMoves([3, 1], 5);
    expect(applyIndexMoves(["a", "c", "e", "b", "d"], moves)).toEqual(order);
    // The last ones removed come back where they were: nothing to move.
    expect(putBackMoves([3, 4], 5)).toEqual([]);
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
