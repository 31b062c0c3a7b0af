import { describe, expect, it } from "vitest";
import { isContextMenuKey, isTypeaheadKey, navigate, placeMenu, placeSubmenu, typeahead } from "./menu";

const ITEMS = [
  { label: "Play" },
  { label: "Play next" },
  { label: "Add to queue" },
  { label: "Add to playlist" },
  { label: "Remove download", disabled: true },
  { label: "Remove from this playlist" },
];

describe("arrow keys, Home and End", () => {
  it("move down and up, wrapping at the ends", () => {
    expect(navigate(ITEMS, 0, "ArrowDown")).toBe(1);
    expect(navigate(ITEMS, 5, "ArrowDown")).toBe(0);
    expect(navigate(ITEMS, 0, "ArrowUp")).toBe(5);
  });

  it("skip disabled items", () => {
    expect(navigate(ITEMS, 3, "ArrowDown")).toBe(5);
    expect(navigate(ITEMS, 5, "ArrowUp")).toBe(3);
  });

  it("start from the ends when nothing is active yet", () => {
    expect(navigate(ITEMS, -1, "ArrowDown")).toBe(0);
    expect(navigate(ITEMS, -1, "ArrowUp")).toBe(5);
  });

  it("Home and End go to the first and last enabled items", () => {
    const items = [{ label: "a", disabled: true }, { label: "b" }, { label: "c" }, { label: "d", disabled: true }];
    expect(navigate(items, 2, "Home")).toBe(1);
    expect(navigate(items, 1, "End")).toBe(2);
  });

  it("ignore other keys, and menus with nothing enabled", () => {
    expect(navigate(ITEMS, 0, "x")).toBeNull();
    expect(navigate([{ label: "a", disabled: true }], 0, "ArrowDown")).toBeNull();
  });
});

describe("typeahead", () => {
  it("goes to the next item starting with the letter, from the one after the active", () => {
    expect(typeahead(ITEMS, 0, "a")).toBe(2);
    expect(typeahead(ITEMS, 0, "p")).toBe(1);
  });

  it("the same letter again moves on through the items starting with it, wrapping", () => {
    expect(typeahead(ITEMS, 1, "pp")).toBe(0);
    expect(typeahead(ITEMS, 2, "aa")).toBe(3);
  });

  it("letters typed together search for the whole prefix, case aside", () => {
    expect(typeahead(ITEMS, 0, "add to p")).toBe(3);
    expect(typeahead(ITEMS, 0, "PLAY N")).toBe(1);
    // A longer prefix may stay on the item it is on.
    expect(typeahead(ITEMS, 0, "pl")).toBe(0);
  });

  it("skips disabled items and finds nothing for unknown letters", () => {
    expect(typeahead(ITEMS, 3, "r")).toBe(5);
    expect(typeahead(ITEMS, 0, "z")).toBeNull();
    expect(typeahead(ITEMS, 0, "")).toBeNull();
  });

  it("takes single printable keys without modifiers", () => {
    expect(isTypeaheadKey({ key: "a", ctrlKey: false, metaKey: false, altKey: false })).toBe(true);
    expect(isTypeaheadKey({ key: "a", ctrlKey: true, metaKey: false, altKey: false })).toBe(false);
    expect(isTypeaheadKey({ key: "ArrowDown", ctrlKey: false, metaKey: false, altKey: false })).toBe(false);
    expect(isTypeaheadKey({ key: " ", ctrlKey: false, metaKey: false, altKey: false })).toBe(false);
  });
});

describe("opening keys", () => {
  const none = { shiftKey: false, ctrlKey: false, metaKey: false, altKey: false };

  it("are the Menu key and Shift+F10", () => {
    expect(isContextMenuKey({ ...none, key: "ContextMenu" })).toBe(true);
    expect(isContextMenuKey({ ...none, key: "F10", shiftKey: true })).toBe(true);
    expect(isContextMenuKey({ ...none, key: "F10" })).toBe(false);
    expect(isContextMenuKey({ ...none, key: "F10", shiftKey: true, ctrlKey: true })).toBe(false);
  });
});

describe("placement", () => {
  const viewport = { width: 800, height: 600 };
  const size = { width: 200, height: 300 };

  it("opens at the point when it fits", () => {
    expect(placeMenu({ x: 100, y: 50 }, size, viewport)).toEqual({ x: 100, y: 50 });
  });

  it("flips to the left of and above the point near the right and bottom edges", () => {
    expect(placeMenu({ x: 750, y: 550 }, size, viewport)).toEqual({ x: 550, y: 250 });
  });

  it("is pushed in when it fits on neither side", () => {
    expect(placeMenu({ x: 100, y: 400 }, { width: 200, height: 500 }, viewport)).toEqual({ x: 100, y: 92 });
  });

  it("keeps the top-left margin when larger than the window", () => {
    expect(placeMenu({ x: 300, y: 300 }, { width: 900, height: 700 }, viewport)).toEqual({ x: 8, y: 8 });
  });

  it("puts a submenu right of its item, else left of it", () => {
    const item = { left: 100, right: 300, top: 40 };
    expect(placeSubmenu(item, size, viewport)).toEqual({ x: 300, y: 40 });
    const nearEdge = { left: 500, right: 700, top: 400 };
    expect(placeSubmenu(nearEdge, size, viewport)).toEqual({ x: 300, y: 100 });
  });
});
