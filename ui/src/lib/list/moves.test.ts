import { describe, expect, it } from "vitest";
import { applyMoves, blockMoves, dropGap, keyboardGap, restoreMoves, restoreRemovals } from "./moves";

const ORDER = ["a", "b", "c", "d", "e", "f"];

function moved(moving: string[], gap: number): string[] {
  return applyMoves(ORDER, blockMoves(ORDER, moving, gap));
}

describe("moving a selection into a gap", () => {
  it("moves one item down and up", () => {
    expect(moved(["b"], 4)).toEqual(["a", "c", "d", "b", "e", "f"]);
    expect(moved(["e"], 1)).toEqual(["a", "e", "b", "c", "d", "f"]);
  });

  it("moves a scattered selection as one block, in the list's order", () => {
    expect(moved(["a", "c"], 4)).toEqual(["b", "d", "a", "c", "e", "f"]);
    expect(moved(["b", "e"], 0)).toEqual(["b", "e", "a", "c", "d", "f"]);
    expect(moved(["a", "c", "f"], 6)).toEqual(["b", "d", "e", "a", "c", "f"]);
  });

  it("a gap inside the selection gathers it around that place", () => {
    expect(moved(["b", "d"], 3)).toEqual(["a", "c", "b", "d", "e", "f"]);
  });

  it("each move names the item before it: the item left of the gap, then the previous moved one", () => {
    expect(blockMoves(ORDER, ["a", "c"], 4)).toEqual([
      { item_id: "a", after: "d" },
      { item_id: "c", after: "a" },
    ]);
    expect(blockMoves(ORDER, ["e"], 0)).toEqual([{ item_id: "e", after: null }]);
  });

  it("sends nothing when the list would not change", () => {
    expect(blockMoves(ORDER, ["b", "c"], 1)).toEqual([]);
    expect(blockMoves(ORDER, ["b", "c"], 3)).toEqual([]);
    expect(blockMoves(ORDER, ["b"], 2)).toEqual([]);
    expect(blockMoves(ORDER, [], 2)).toEqual([]);
  });
});

describe("undoing a move", () => {
  it("puts every moved item back where it was, whatever the move did", () => {
    const cases: [string[], number][] = [
      [["a", "c"], 4],
      [["c", "e"], 0],
      [["a", "b", "f"], 3],
      [["d"], 6],
      [["a", "c", "e"], 6],
    ];
    for (const [moving, gap] of cases) {
      const after = moved(moving, gap);
      expect(applyMoves(after, restoreMoves(ORDER, after, moving))).toEqual(ORDER);
    }
  });

  it("leaves out items removed since, and keeps the rest in place", () => {
    const after = ["b", "d", "a", "c", "f"]; // "e" went after the move
    expect(applyMoves(after, restoreMoves(ORDER, after, ["a", "c"]))).toEqual(["a", "b", "c", "d", "f"]);
  });
});

describe("keyboard moves", () => {
  it("Alt+Up and Alt+Down move the selection by one row", () => {
    expect(keyboardGap(6, [2, 3], "ArrowUp")).toBe(1);
    expect(keyboardGap(6, [2, 3], "ArrowDown")).toBe(5);
    expect(applyMoves(ORDER, blockMoves(ORDER, ["c", "d"], 1))).toEqual(["a", "c", "d", "b", "e", "f"]);
    expect(applyMoves(ORDER, blockMoves(ORDER, ["c", "d"], 5))).toEqual(["a", "b", "e", "c", "d", "f"]);
  });

  it("stops at the ends and goes to them with Home and End", () => {
    expect(keyboardGap(6, [0, 1], "ArrowUp")).toBe(0);
    expect(keyboardGap(6, [5], "ArrowDown")).toBe(6);
    expect(keyboardGap(6, [3], "Home")).toBe(0);
    expect(keyboardGap(6, [3], "End")).toBe(6);
    expect(keyboardGap(6, [3], "x")).toBeNull();
    expect(keyboardGap(6, [], "ArrowUp")).toBeNull();
  });
});

describe("dropping", () => {
  it("points before a row on its upper half and after it on its lower half", () => {
    expect(dropGap(3, 105, 100, 40)).toBe(3);
    expect(dropGap(3, 125, 100, 40)).toBe(4);
  });
});

describe("undoing a removal", () => {
  function removeAndRestore(indexes: number[]): string[] {
    const removed = indexes.map((index) => ({ index, trackId: ORDER[index] }));
    const list = ORDER.filter((_, index) => !indexes.includes(index));
    for (const insert of restoreRemovals(removed)) list.splice(insert.position, 0, ...insert.trackIds);
    return list;
  }

  it("puts back runs of neighbours at once, in ascending order", () => {
    const removed = [4, 1, 2].map((index) => ({ index, trackId: ORDER[index] }));
    expect(restoreRemovals(removed)).toEqual([
      { trackIds: ["b", "c"], position: 1 },
      { trackIds: ["e"], position: 4 },
    ]);
  });

  it("gives back the list as it was, whatever was removed", () => {
    for (const indexes of [[0], [5], [0, 5], [1, 2, 4], [0, 1, 2, 3, 4, 5], [3, 1]]) {
      expect(removeAndRestore(indexes)).toEqual(ORDER);
    }
  });
});
