import { describe, expect, it } from "vitest";
import { makeEntry, makeView } from "../../test/fixtures";
import type { PlaylistChange } from "../../ipc";
import { addedItemIds, applyChanges } from "./changes";

const view = makeView("p1", ["a", "b", "c", "d"], { name: "Run" });
const ids = (changes: PlaylistChange[]) =>
  applyChanges(view, { playlist: { ...view.playlist, name: "Run!" }, changes }).items.map((entry) => entry.track_id);

describe("applying an edit's answer", () => {
  it("inserts added items at their index, and at the end past it", () => {
    expect(ids([{ kind: "added", position: 1, items: [makeEntry("x"), makeEntry("y")] }])).toEqual(["a", "x", "y", "b", "c", "d"]);
    expect(ids([{ kind: "added", position: 99, items: [makeEntry("x")] }])).toEqual(["a", "b", "c", "d", "x"]);
  });

  it("removes items and moves them, in the order the changes came", () => {
    expect(ids([{ kind: "removed", item_ids: ["ib", "id"] }])).toEqual(["a", "c"]);
    expect(
      ids([
        { kind: "moved", item_ids: ["ia"], position: 3 },
        { kind: "moved", item_ids: ["ic"], position: 3 },
      ]),
    ).toEqual(["b", "d", "a", "c"]);
    expect(ids([{ kind: "moved", item_ids: ["id", "ia"], position: 0 }])).toEqual(["d", "a", "b", "c"]);
  });

  it("takes the playlist's new details and leaves the view it was given alone", () => {
    const next = applyChanges(view, { playlist: { ...view.playlist, name: "Run!" }, changes: [] });
    expect(next.playlist.name).toBe("Run!");
    expect(view.playlist.name).toBe("Run");
    applyChanges(view, { playlist: view.playlist, changes: [{ kind: "removed", item_ids: ["ia"] }] });
    expect(view.items).toHaveLength(4);
  });

  it("names the items added", () => {
    const entries = [makeEntry("x", { item_id: "n1" }), makeEntry("y", { item_id: "n2" })];
    expect(
      addedItemIds({
        playlist: view.playlist,
        changes: [
          { kind: "removed", item_ids: ["ia"] },
          { kind: "added", position: 0, items: entries },
        ],
      }),
    ).toEqual(["n1", "n2"]);
  });
});
