import { describe, expect, it } from "vitest";
import {
  EMPTY_SELECTION,
  clear,
  click,
  forContextMenu,
  inOrder,
  moveTo,
  navigationTarget,
  prune,
  selectAll,
  selectOnly,
  selectRange,
  selectedIndexes,
  toggle,
  type Selection,
} from "./selection";

const KEYS = ["a", "b", "c", "d", "e", "f"];
const PLAIN = { range: false, toggle: false };
const CTRL = { range: false, toggle: true };
const SHIFT = { range: true, toggle: false };
const CTRL_SHIFT = { range: true, toggle: true };

function selected(state: Selection): string[] {
  return inOrder(state, KEYS);
}

describe("clicks", () => {
  it("a plain click selects only that row and anchors there", () => {
    const state = click(selectOnly("a"), KEYS, "c", PLAIN);
    expect(selected(state)).toEqual(["c"]);
    expect(state.anchor).toBe("c");
    expect(state.focus).toBe("c");
  });

  it("Ctrl-click toggles a row in and out, keeping the others", () => {
    let state = click(selectOnly("a"), KEYS, "c", CTRL);
    expect(selected(state)).toEqual(["a", "c"]);
    state = click(state, KEYS, "a", CTRL);
    expect(selected(state)).toEqual(["c"]);
    expect(state.anchor).toBe("a");
  });

  it("Shift-click selects from the anchor, in either direction", () => {
    expect(selected(click(selectOnly("b"), KEYS, "e", SHIFT))).toEqual(["b", "c", "d", "e"]);
    expect(selected(click(selectOnly("e"), KEYS, "b", SHIFT))).toEqual(["b", "c", "d", "e"]);
  });

  it("a second Shift-click redraws the range from the same anchor, not from the selection's edge", () => {
    let state = click(selectOnly("c"), KEYS, "f", SHIFT);
    state = click(state, KEYS, "a", SHIFT);
    expect(selected(state)).toEqual(["a", "b", "c"]);
    expect(state.anchor).toBe("c");
    expect(state.focus).toBe("a");
  });

  it("Shift-click ranges from the last row toggled", () => {
    let state = click(selectOnly("a"), KEYS, "d", CTRL);
    state = click(state, KEYS, "f", SHIFT);
    expect(selected(state)).toEqual(["d", "e", "f"]);
  });

  it("Ctrl+Shift-click adds the range to the selection", () => {
    let state = click(selectOnly("a"), KEYS, "d", CTRL);
    state = click(state, KEYS, "f", CTRL_SHIFT);
    expect(selected(state)).toEqual(["a", "d", "e", "f"]);
  });

  it("Shift-click with no anchor selects that row and anchors there", () => {
    const state = selectRange(EMPTY_SELECTION, KEYS, "c");
    expect(selected(state)).toEqual(["c"]);
    expect(state.anchor).toBe("c");
  });

  it("Shift-click on a key not in the list changes nothing", () => {
    const state = selectOnly("a");
    expect(selectRange(state, KEYS, "zz")).toBe(state);
  });

  it("never changes the state it is given", () => {
    const state = selectOnly("a");
    toggle(state, "b");
    selectRange(state, KEYS, "d");
    selectAll(state, KEYS);
    expect(selected(state)).toEqual(["a"]);
  });
});

describe("context menu", () => {
  it("inside the selection keeps it", () => {
    const state = forContextMenu(selectRange(selectOnly("b"), KEYS, "d"), "c");
    expect(selected(state)).toEqual(["b", "c", "d"]);
    expect(state.focus).toBe("c");
  });

  it("outside the selection selects that row alone", () => {
    const state = forContextMenu(selectRange(selectOnly("b"), KEYS, "d"), "f");
    expect(selected(state)).toEqual(["f"]);
  });
});

describe("keyboard", () => {
  it("an arrow selects the row it moves to", () => {
    const state = moveTo(selectOnly("b"), KEYS, 2, "select");
    expect(selected(state)).toEqual(["c"]);
    expect(state.focus).toBe("c");
  });

  it("Shift+arrows extend from the anchor and shrink back past it", () => {
    let state = selectOnly("c");
    state = moveTo(state, KEYS, 3, "extend");
    state = moveTo(state, KEYS, 4, "extend");
    expect(selected(state)).toEqual(["c", "d", "e"]);
    state = moveTo(state, KEYS, 3, "extend");
    state = moveTo(state, KEYS, 2, "extend");
    state = moveTo(state, KEYS, 1, "extend");
    expect(selected(state)).toEqual(["b", "c"]);
    expect(state.anchor).toBe("c");
  });

  it("the first Shift+arrow after Escape starts from the row the keyboard is on", () => {
    let state = clear(selectOnly("d"));
    state = moveTo(state, KEYS, 4, "extend");
    expect(selected(state)).toEqual(["d", "e"]);
  });

  it("Ctrl+arrow moves only the focus", () => {
    const state = moveTo(selectOnly("b"), KEYS, 4, "focus");
    expect(selected(state)).toEqual(["b"]);
    expect(state.focus).toBe("e");
  });

  it("clamps to the list", () => {
    expect(moveTo(selectOnly("a"), KEYS, 99, "select").focus).toBe("f");
    expect(moveTo(selectOnly("a"), KEYS, -3, "select").focus).toBe("a");
    expect(moveTo(selectOnly("a"), [], 2, "select").focus).toBe("a");
  });

  it("Ctrl+A selects every row and keeps the anchor; Escape clears and keeps the focus", () => {
    let state = selectAll(selectOnly("c"), KEYS);
    expect(selected(state)).toEqual(KEYS);
    expect(state.anchor).toBe("c");
    state = clear(state);
    expect(selected(state)).toEqual([]);
    expect(state.anchor).toBeNull();
    expect(state.focus).toBe("c");
  });

  it("finds the row a navigation key goes to", () => {
    expect(navigationTarget("ArrowDown", 2, 6, 3)).toBe(3);
    expect(navigationTarget("ArrowDown", 5, 6, 3)).toBe(5);
    expect(navigationTarget("ArrowUp", 0, 6, 3)).toBe(0);
    expect(navigationTarget("PageDown", 0, 6, 4)).toBe(3);
    expect(navigationTarget("PageDown", 4, 6, 4)).toBe(5);
    expect(navigationTarget("PageUp", 4, 6, 4)).toBe(1);
    expect(navigationTarget("Home", 4, 6, 4)).toBe(0);
    expect(navigationTarget("End", 1, 6, 4)).toBe(5);
    expect(navigationTarget("x", 1, 6, 4)).toBeNull();
    expect(navigationTarget("ArrowDown", 0, 0, 4)).toBeNull();
  });
});

describe("when the list changes", () => {
  it("drops rows no longer there, and the anchor and focus with them", () => {
    let state = selectRange(selectOnly("b"), KEYS, "d");
    state = prune(state, ["a", "c", "e"]);
    expect([...state.selected]).toEqual(["c"]);
    expect(state.anchor).toBeNull();
    expect(state.focus).toBeNull();
  });

  it("gives back the same state when nothing went", () => {
    const state = selectRange(selectOnly("b"), KEYS, "d");
    expect(prune(state, KEYS)).toBe(state);
  });

  it("lists the selection in the list's order, and its indexes", () => {
    const state = toggle(toggle(selectOnly("e"), "a"), "c");
    expect(inOrder(state, KEYS)).toEqual(["a", "c", "e"]);
    expect(selectedIndexes(state, KEYS)).toEqual([0, 2, 4]);
  });
});
