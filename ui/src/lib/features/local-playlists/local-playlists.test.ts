import { beforeEach, describe, expect, it, vi } from "vitest";
import { LocalPlaylistsCore } from "../../../test/local-playlists";

vi.mock("../../../ipc", async (importOriginal) => {
  const { LOCAL_PLAYLISTS_IPC } = await import("../../../test/local-playlists");
  return {
    ...(await importOriginal<typeof import("../../../ipc")>()),
    ...Object.fromEntries(LOCAL_PLAYLISTS_IPC.map((name) => [name, vi.fn()])),
    playQueue: vi.fn(),
  };
});

import * as ipc from "../../../ipc";
import { errorWords, localeStore } from "$lib/i18n";
import { UndoSlot } from "$lib/list/undo.svelte";
import { LocalPlaylistsStore } from "./local-playlists.svelte";

const mocked = vi.mocked(ipc);
let core: LocalPlaylistsCore;
let undo: UndoSlot;

beforeEach(() => {
  vi.resetAllMocks();
  core = new LocalPlaylistsCore(mocked);
  undo = new UndoSlot();
  mocked.playQueue.mockResolvedValue(undefined);
});

async function started(): Promise<LocalPlaylistsStore> {
  const store = new LocalPlaylistsStore(undo);
  await store.start();
  return store;
}

/** A store showing playlist `id`'s page. */
async function showing(id: string): Promise<LocalPlaylistsStore> {
  const store = await started();
  await store.show(id);
  return store;
}

const titles = (store: LocalPlaylistsStore) => store.rows.map((row) => row.track?.title);
const keyOf = (store: LocalPlaylistsStore, title: string) => store.rows.find((row) => row.track?.title === title)?.key ?? "";

describe("the playlists on this computer", () => {
  it("are read at start and again when the core says they changed", async () => {
    core.add("Porch", ["One"]);
    const store = await started();
    expect(store.playlists.map((playlist) => playlist.name)).toEqual(["Porch"]);
    expect(store.loaded).toBe(true);
    expect(core.listeners).toBe(1);

    // Made elsewhere (an import): the event brings it.
    core.add("Attic", []);
    core.emit();
    await vi.waitFor(() => expect(store.playlists.map((playlist) => playlist.name)).toEqual(["Attic", "Porch"]));
    store.stop();
    expect(core.listeners).toBe(0);
  });

  it("make one of a selection without leaving the screen, and Undo deletes it", async () => {
    const store = await started();
    const id = await store.createWith("Home Tapes", ["file:///music/One.flac", "file:///music/Two.flac"]);
    expect(id).not.toBeNull();
    expect(core.order(id ?? "")).toEqual(["One", "Two"]);
    expect(store.playlists.map((playlist) => playlist.name)).toEqual(["Home Tapes"]);
    expect(undo.notice?.message).toBe("Made “Home Tapes” with 2 tracks.");

    expect(await undo.undo()).toBe(true);
    expect(core.playlists.size).toBe(0);
    expect(store.playlists).toEqual([]);
  });

  it("add tracks at the end, saying so, and Undo takes exactly those out", async () => {
    const id = core.add("Porch", ["One", "Two"]);
    const store = await showing(id);
    expect(await store.add(id, ["file:///music/Three.flac"], "Three")).toBe(true);
    expect(undo.notice?.message).toBe("Added “Three” to “Porch”.");
    expect(titles(store)).toEqual(["One", "Two", "Three"]);
    expect(store.summary(id)?.items).toBe(3);

    await undo.undo();
    expect(core.order(id)).toEqual(["One", "Two"]);
    await vi.waitFor(() => expect(titles(store)).toEqual(["One", "Two"]));
  });

  it("refuse a service's track in words, adding nothing", async () => {
    const id = core.add("Porch", ["One"]);
    const store = await started();
    expect(await store.add(id, ["tr-1"])).toBe(false);
    expect(store.error).toMatchObject({
      action: "Couldn't add to the playlist",
      message: "A playlist on this computer holds files on this computer only.",
    });
    expect(core.order(id)).toEqual(["One"]);
  });
});

describe("a playlist on this computer's page", () => {
  it("takes rows out as one edit, and Undo puts them back where they were", async () => {
    const id = core.add("Porch", ["A", "B", "C", "D", "E"]);
    const store = await showing(id);
    const chosen = [keyOf(store, "B"), keyOf(store, "D")];
    expect(await store.removeRows(chosen)).toBe(true);
    expect(mocked.editLocalPlaylist).toHaveBeenCalledTimes(1);
    expect(mocked.editLocalPlaylist).toHaveBeenCalledWith(id, chosen.map((item_id) => ({ kind: "remove", item_id })), undefined);
    expect(titles(store)).toEqual(["A", "C", "E"]);
    expect(undo.notice?.message).toBe("Removed 2 tracks from “Porch”.");

    await undo.undo();
    expect(core.order(id)).toEqual(["A", "B", "C", "D", "E"]);
    await vi.waitFor(() => expect(titles(store)).toEqual(["A", "B", "C", "D", "E"]));
  });

  it("takes out each row chosen by quick Deletes, and only those, before the page is read again", async () => {
    const id = core.add("Porch", ["A", "B", "C", "D"]);
    const store = await showing(id);
    const [b, c] = [keyOf(store, "B"), keyOf(store, "C")];
    // Two Deletes sent before either answer: both rows go, nothing else.
    expect(await Promise.all([store.removeRows([b]), store.removeRows([c])])).toEqual([true, true]);
    expect(core.order(id)).toEqual(["A", "D"]);
    // C's place was read before B went: its Undo cannot know it, and refuses.
    expect(await undo.undo()).toBe(false);
    expect(core.order(id)).toEqual(["A", "D"]);
    // A third on a row already gone removes nothing else, and says why in the window's words.
    expect(await store.removeRows([b])).toBe(false);
    expect(store.error?.message).toBe("The playlist changed meanwhile; look again.");
    expect(core.order(id)).toEqual(["A", "D"]);
    await vi.waitFor(() => expect(titles(store)).toEqual(["A", "D"]));
  });

  it("removes the copy chosen when a file is listed twice", async () => {
    const id = core.add("Porch", ["A", "B", "A"]);
    const store = await showing(id);
    const second = store.rows[2].key;
    expect(second).not.toBe(store.rows[0].key);
    expect(await store.removeRows([second])).toBe(true);
    expect(core.order(id)).toEqual(["A", "B"]);
    expect(store.rows[0].key).not.toBe(second);
  });

  it("refuses an Undo of a removal after another change, in the window's words, changing nothing", async () => {
    const id = core.add("Porch", ["A", "B", "C"]);
    const store = await showing(id);
    await store.removeRows([keyOf(store, "B")]);
    // Another window adds a track: B's place is not known to be where it was.
    core.append(id, "D");
    expect(await undo.undo()).toBe(false);
    expect(core.order(id)).toEqual(["A", "C", "D"]);
    expect(store.error).toMatchObject({ action: "Couldn't put the tracks back", message: "The playlist changed meanwhile; look again." });

    // A German window says it in German (the core's words are English).
    localeStore.use("de");
    try {
      await store.removeRows([keyOf(store, "C")]);
      core.append(id, "E");
      expect(await undo.undo()).toBe(false);
      expect(errorWords(store.error ?? { kind: "internal", message: "" })).toBe(
        "Die Playlist hat sich inzwischen geändert. Bitte sehen Sie noch einmal nach.",
      );
    } finally {
      localeStore.use(null);
    }
  });

  it("moves rows as the list asks, in one edit, and Undo moves them back", async () => {
    const id = core.add("Porch", ["A", "B", "C", "D"]);
    const store = await showing(id);
    // B and D to the top, together: [B, D, A, C].
    const moving = [keyOf(store, "B"), keyOf(store, "D")];
    const moves = [
      { item_id: moving[0], after: null },
      { item_id: moving[1], after: moving[0] },
    ];
    expect(await store.moveRows(moves, moving)).toBe(true);
    expect(mocked.editLocalPlaylist).toHaveBeenCalledTimes(1);
    expect(mocked.editLocalPlaylist).toHaveBeenCalledWith(id, moves.map((move) => ({ kind: "move", ...move })), undefined);
    expect(core.order(id)).toEqual(["B", "D", "A", "C"]);
    expect(titles(store)).toEqual(["B", "D", "A", "C"]);
    expect(undo.notice?.message).toBe("Moved 2 tracks in “Porch”.");
    // The keys stayed with their rows.
    expect(keyOf(store, "D")).toBe(moving[1]);

    await undo.undo();
    expect(core.order(id)).toEqual(["A", "B", "C", "D"]);
  });

  it("says it could not be read, on the page, and reads it again on Try again", async () => {
    const id = core.add("Porch", ["A"]);
    mocked.localPlaylist.mockRejectedValueOnce({ kind: "storage", message: "The index of local files is damaged." });
    const store = await showing(id);
    expect(store.page).toBeNull();
    expect(store.pageError).toMatchObject({ kind: "storage" });
    await store.retryPage();
    expect(store.pageError).toBeNull();
    expect(titles(store)).toEqual(["A"]);
  });

  it("says the playlist is gone once it is, here or elsewhere", async () => {
    const id = core.add("Porch", ["A"]);
    const store = await showing(id);
    expect(store.gone).toBe(false);
    core.playlists.delete(id);
    core.emit();
    await vi.waitFor(() => expect(store.gone).toBe(true));
    expect(store.page).toBeNull();
  });

  it("renames, deletes leaving the files, and Undo makes it again with its items", async () => {
    const id = core.add("Porch", ["A", "B", "A"]);
    const store = await showing(id);
    expect(await store.rename(id, "  Back porch ")).toBe(true);
    expect(mocked.renameLocalPlaylist).toHaveBeenCalledWith(id, "Back porch");
    expect(store.page?.name).toBe("Back porch");
    expect(await store.delete(id)).toBe(true);
    expect(store.playlists).toEqual([]);
    expect(store.gone).toBe(true);
    expect(undo.notice?.message).toBe("Deleted “Back porch”.");

    expect(await undo.undo()).toBe(true);
    const [again] = store.playlists;
    expect(again).toMatchObject({ name: "Back porch", items: 3 });
    expect(core.order(again.id)).toEqual(["A", "B", "A"]);
  });

  it("plays from a row, skipping the files not found; a missing file's row plays nothing", async () => {
    const id = core.add("Porch", ["A", "B", "C"]);
    core.missing.add("file:///music/A.flac");
    const store = await showing(id);
    await store.play();
    expect(mocked.playQueue).toHaveBeenLastCalledWith(["file:///music/B.flac", "file:///music/C.flac"], 0);
    await store.playFrom(2);
    expect(mocked.playQueue).toHaveBeenLastCalledWith(["file:///music/B.flac", "file:///music/C.flac"], 1);
    await store.playFrom(0);
    expect(mocked.playQueue).toHaveBeenCalledTimes(2);
  });
});
