import { beforeEach, describe, expect, it, vi } from "vitest";
import { deferred, makeDownloads, makeEntry, makePlaylist, makeSyncStatus, makeView } from "../../test/fixtures";
import { stubLibrary, type LibraryEvents } from "../../test/library";
import type { LibraryPlaylist, PlaylistView, SyncStatus } from "../../ipc";

vi.mock("../../ipc", async (importOriginal) => {
  const { LIBRARY_IPC } = await import("../../test/library");
  return {
    ...(await importOriginal<typeof import("../../ipc")>()),
    ...Object.fromEntries(LIBRARY_IPC.map((name) => [name, vi.fn()])),
  };
});

import * as ipc from "../../ipc";
import { localeStore } from "$lib/i18n";
import { describeDownloads, describeSync, downloadFailureTone, LibraryStore } from "./library.svelte";

const mocked = vi.mocked(ipc);
let events: LibraryEvents;

beforeEach(() => {
  vi.resetAllMocks();
  events = stubLibrary(mocked);
});

async function startedStore(playlists: LibraryPlaylist[] = []): Promise<LibraryStore> {
  mocked.playlists.mockResolvedValue(playlists);
  const store = new LibraryStore();
  await store.start();
  return store;
}

const names = (store: LibraryStore) => store.playlists.map((playlist) => playlist.name);
const trackIds = (store: LibraryStore) => store.open?.items.map((entry) => entry.track_id);

describe("LibraryStore reading", () => {
  it("reads the playlists, the sync status and the downloads at start", async () => {
    mocked.syncStatus.mockResolvedValue(makeSyncStatus({ state: "offline", unsynced_edits: 2 }));
    mocked.downloadsStatus.mockResolvedValue(makeDownloads({ done: 3, total: 3 }));
    const store = await startedStore([makePlaylist("p1", { name: "Run" })]);

    expect(names(store)).toEqual(["Run"]);
    expect(store.loaded).toBe(true);
    expect(store.sync?.state).toBe("offline");
    expect(store.downloads?.done).toBe(3);
  });

  it("re-reads the list and the open playlist on playlists-changed", async () => {
    const store = await startedStore([makePlaylist("p1", { name: "Run" })]);
    mocked.playlist.mockResolvedValueOnce(makeView("p1", ["a"], { name: "Run" }));
    await store.openPlaylist("p1");
    expect(trackIds(store)).toEqual(["a"]);

    mocked.playlists.mockResolvedValue([makePlaylist("p1", { name: "Run" }), makePlaylist("p2", { name: "Walk" })]);
    mocked.playlist.mockResolvedValueOnce(makeView("p1", ["a", "b"], { name: "Run" }));
    events.playlistsChanged();

    await vi.waitFor(() => expect(trackIds(store)).toEqual(["a", "b"]));
    expect(names(store)).toEqual(["Run", "Walk"]);
    expect(mocked.playlist).toHaveBeenLastCalledWith("p1");
  });

  it("follows the open playlist to the id its first sync gave it", async () => {
    const store = await startedStore([makePlaylist("local-1", { name: "New", unsynced_edits: 1 })]);
    mocked.playlist.mockResolvedValueOnce(makeView("local-1", [], { name: "New", unsynced_edits: 1 }));
    await store.openPlaylist("local-1");

    // Synced: the library answers the old id with the playlist under the service's id.
    mocked.playlists.mockResolvedValue([makePlaylist("pl-9", { name: "New", unsynced_edits: 0 })]);
    mocked.playlist.mockResolvedValueOnce(makeView("pl-9", [], { name: "New", unsynced_edits: 0 }));
    events.playlistsChanged();

    await vi.waitFor(() => expect(store.openId).toBe("pl-9"));
    expect(store.open?.playlist.unsynced_edits).toBe(0);
    expect(store.playlists.map((playlist) => playlist.id)).toEqual(["pl-9"]);
  });

  it("keeps a re-keyed playlist once when its view answers before the list", async () => {
    const store = await startedStore([makePlaylist("local-1", { name: "New", unsynced_edits: 1 })]);
    mocked.playlist.mockResolvedValueOnce(makeView("local-1", [], { name: "New", unsynced_edits: 1 }));
    await store.openPlaylist("local-1");

    // Both reads of one refresh, answered in the other order: the view (already under the
    // service's id) first, then the list. The list is as fresh as the view and must be kept.
    const list = deferred<LibraryPlaylist[]>();
    mocked.playlists.mockReturnValueOnce(list.promise);
    mocked.playlist.mockResolvedValueOnce(makeView("pl-9", [], { name: "New", unsynced_edits: 0 }));
    events.playlistsChanged();
    await vi.waitFor(() => expect(store.openId).toBe("pl-9"));
    list.resolve([makePlaylist("pl-9", { name: "New", unsynced_edits: 0 })]);

    await vi.waitFor(() => expect(store.playlists.map((playlist) => playlist.id)).toEqual(["pl-9"]));
    expect(store.playlists[0]?.unsynced_edits).toBe(0);
  });

  it("follows the sync and downloads events", async () => {
    const store = await startedStore();
    events.syncStatus(makeSyncStatus({ state: "syncing" }));
    events.downloadsStatus(makeDownloads({ active: 1, total: 4 }));
    expect(store.sync?.state).toBe("syncing");
    expect(store.downloads?.total).toBe(4);
  });

  it("keeps a sync event that arrives before the first read answers", async () => {
    const first = deferred<SyncStatus>();
    mocked.syncStatus.mockReturnValue(first.promise);
    const store = new LibraryStore();
    const starting = store.start();
    await vi.waitFor(() => expect(mocked.syncStatus).toHaveBeenCalled());

    events.syncStatus(makeSyncStatus({ state: "syncing" }));
    first.resolve(makeSyncStatus({ state: "idle" }));
    await starting;
    expect(store.sync?.state).toBe("syncing");
  });

  it("goes back to the catalog when the open playlist was deleted elsewhere", async () => {
    const store = await startedStore([makePlaylist("p1")]);
    mocked.playlist.mockResolvedValueOnce(makeView("p1", ["a"]));
    await store.openPlaylist("p1");

    mocked.playlists.mockResolvedValue([]);
    mocked.playlist.mockRejectedValueOnce({ kind: "not_found", message: "No such playlist." });
    await store.refresh();

    expect(store.openId).toBeNull();
    expect(store.open).toBeNull();
    expect(store.error).toBeNull();
  });

  it("stops listening and forgets everything on stop", async () => {
    const store = await startedStore([makePlaylist("p1")]);
    store.stop();
    expect(events.unlisten).toHaveBeenCalledTimes(3);
    expect(store.playlists).toEqual([]);
    expect(store.sync).toBeNull();
  });
});

describe("LibraryStore edits", () => {
  it("shows the view an edit answers, not a guess", async () => {
    const store = await startedStore([makePlaylist("p1", { item_count: 3 })]);
    mocked.playlist.mockResolvedValueOnce(makeView("p1", ["a", "b", "c"]));
    await store.openPlaylist("p1");

    // The backend's answer is the truth, even where it differs from the obvious guess.
    mocked.moveInPlaylist.mockResolvedValueOnce({
      playlist: makePlaylist("p1", { item_count: 3, unsynced_edits: 1 }),
      changes: [{ kind: "moved", item_ids: ["ia"], position: 2 }],
    });
    await expect(store.moveItem("ia", 2)).resolves.toBe(true);

    expect(mocked.moveInPlaylist).toHaveBeenCalledWith("p1", "ia", 2);
    expect(trackIds(store)).toEqual(["b", "c", "a"]);
    expect(store.playlists[0].unsynced_edits).toBe(1);
  });

  it("leaves the list as it was and says why when an edit fails", async () => {
    const store = await startedStore([makePlaylist("p1")]);
    mocked.playlist.mockResolvedValueOnce(makeView("p1", ["a", "b"]));
    await store.openPlaylist("p1");

    mocked.removeFromPlaylist.mockRejectedValueOnce({ kind: "internal", message: "The library is locked." });
    await expect(store.removeItem("ia")).resolves.toBe(false);

    expect(trackIds(store)).toEqual(["a", "b"]);
    expect(store.error).toEqual({
      kind: "internal",
      message: "The library is locked.",
      action: "Couldn't remove the track",
    });
  });

  it("drops a re-read that was sent before an edit and answers after it", async () => {
    const store = await startedStore([makePlaylist("p1")]);
    mocked.playlist.mockResolvedValueOnce(makeView("p1", ["a", "b"]));
    await store.openPlaylist("p1");

    const stale = deferred<PlaylistView>();
    mocked.playlist.mockReturnValueOnce(stale.promise);
    const rereading = store.refresh();
    mocked.removeFromPlaylist.mockResolvedValueOnce({
      playlist: makePlaylist("p1", { item_count: 1 }),
      changes: [{ kind: "removed", item_ids: ["ia"] }],
    });
    await store.removeItem("ia");
    stale.resolve(makeView("p1", ["a", "b"]));
    await rereading;

    expect(trackIds(store)).toEqual(["b"]);
  });

  it("updates a playlist that is not open from what adding to it answers", async () => {
    const store = await startedStore([makePlaylist("p1", { name: "Run" })]);
    mocked.addToPlaylist.mockResolvedValueOnce({
      playlist: makePlaylist("p1", { name: "Run", item_count: 2 }),
      changes: [{ kind: "added", position: 1, items: [makeEntry("t9")] }],
    });
    await store.addTracks("p1", ["t9"]);

    expect(mocked.addToPlaylist).toHaveBeenCalledWith("p1", ["t9"], null);
    expect(store.playlists[0].item_count).toBe(2);
    expect(store.open).toBeNull();
  });

  it("creates a playlist, lists it and opens it", async () => {
    const store = await startedStore();
    mocked.createPlaylist.mockResolvedValueOnce(makePlaylist("p9", { name: "New" }));
    mocked.playlist.mockResolvedValueOnce(makeView("p9", [], { name: "New" }));

    await expect(store.create("  New  ")).resolves.toBe(true);
    expect(mocked.createPlaylist).toHaveBeenCalledWith("New", "");
    expect(names(store)).toEqual(["New"]);
    expect(store.openId).toBe("p9");
    expect(store.open?.playlist.name).toBe("New");
  });

  it("does not send a blank name", async () => {
    const store = await startedStore([makePlaylist("p1")]);
    await expect(store.create("   ")).resolves.toBe(false);
    await expect(store.rename("p1", " ")).resolves.toBe(false);
    expect(mocked.createPlaylist).not.toHaveBeenCalled();
    expect(mocked.renamePlaylist).not.toHaveBeenCalled();
  });

  it("renames from the answer, in the list and in the open view", async () => {
    const store = await startedStore([makePlaylist("p1", { name: "Old" })]);
    mocked.playlist.mockResolvedValueOnce(makeView("p1", ["a"], { name: "Old" }));
    await store.openPlaylist("p1");
    mocked.renamePlaylist.mockResolvedValueOnce(makePlaylist("p1", { name: "Renamed", item_count: 1 }));

    await store.rename("p1", "Renamed");
    expect(names(store)).toEqual(["Renamed"]);
    expect(store.open?.playlist.name).toBe("Renamed");
    expect(trackIds(store)).toEqual(["a"]);
  });

  it("deletes a playlist and closes it", async () => {
    const store = await startedStore([makePlaylist("p1"), makePlaylist("p2")]);
    mocked.playlist.mockResolvedValueOnce(makeView("p1", []));
    await store.openPlaylist("p1");

    await expect(store.remove("p1")).resolves.toBe(true);
    expect(mocked.deletePlaylist).toHaveBeenCalledWith("p1");
    expect(store.playlists.map((playlist) => playlist.id)).toEqual(["p2"]);
    expect(store.openId).toBeNull();
  });

  it("plays the open playlist from a row", async () => {
    const store = await startedStore([makePlaylist("p1")]);
    mocked.playlist.mockResolvedValueOnce(makeView("p1", ["a", "b"]));
    await store.openPlaylist("p1");
    await store.play(1);
    expect(mocked.playPlaylist).toHaveBeenCalledWith("p1", 1);
  });

  it("keeps a playlist offline, then reads back what the library says", async () => {
    const store = await startedStore([makePlaylist("p1")]);
    mocked.playlists.mockResolvedValue([makePlaylist("p1", { offline: true })]);
    await store.setPlaylistOffline("p1", true);
    expect(mocked.setOffline).toHaveBeenCalledWith({ kind: "playlist", id: "p1" }, true);
    expect(store.playlists[0].offline).toBe(true);
  });

  it("dismisses a sync notice and pauses downloads, reading the new status back", async () => {
    const notice = { id: 4, message: "Kept both versions of “Run”.", created_at: 0 };
    mocked.syncStatus.mockResolvedValue(makeSyncStatus({ notices: [notice] }));
    const store = await startedStore();
    expect(store.sync?.notices).toHaveLength(1);

    mocked.syncStatus.mockResolvedValue(makeSyncStatus());
    mocked.downloadsStatus.mockResolvedValue(makeDownloads({ paused: true }));
    await store.dismissNotice(4);
    await store.pauseDownloads();

    expect(mocked.dismissSyncNotice).toHaveBeenCalledWith(4);
    expect(store.sync?.notices).toEqual([]);
    expect(store.downloads?.paused).toBe(true);
  });

  it("says why sync could not start", async () => {
    const store = await startedStore();
    mocked.syncNow.mockRejectedValueOnce({ kind: "not_signed_in", message: "Sign in to sync." });
    await store.syncNow();
    expect(store.error?.action).toBe("Couldn't start syncing");
    expect(store.error?.message).toBe("Sign in to sync.");
  });
});

describe("LibraryStore undo", () => {
  const run = makePlaylist("p1", { name: "Run", item_count: 2 });

  it("takes back an add: the items it made go, and the notice says it was undone", async () => {
    const store = await startedStore([run]);
    mocked.editPlaylist.mockResolvedValueOnce({
      playlist: { ...run, item_count: 4 },
      changes: [{ kind: "added", position: 2, items: [makeEntry("x", { item_id: "n1" }), makeEntry("y", { item_id: "n2" })] }],
    });
    await expect(store.addToPlaylist("p1", ["x", "y"])).resolves.toBe(true);
    expect(mocked.editPlaylist).toHaveBeenCalledWith("p1", [{ kind: "add", track_ids: ["x", "y"], position: null }]);
    expect(store.notice).toMatchObject({ message: "Added 2 tracks to “Run”.", canUndo: true });
    expect(store.playlists[0].item_count).toBe(4);

    mocked.editPlaylist.mockResolvedValueOnce({
      playlist: run,
      changes: [{ kind: "removed", item_ids: ["n1", "n2"] }],
    });
    await expect(store.undo()).resolves.toBe(true);
    expect(mocked.editPlaylist).toHaveBeenLastCalledWith("p1", [
      { kind: "remove", item_id: "n1" },
      { kind: "remove", item_id: "n2" },
    ]);
    expect(store.notice).toMatchObject({ message: "Undone: Added 2 tracks to “Run”.", canUndo: false });
    expect(store.playlists[0].item_count).toBe(2);
    // Once undone, there is nothing left to undo.
    await expect(store.undo()).resolves.toBe(false);
    expect(mocked.editPlaylist).toHaveBeenCalledTimes(2);
  });

  it("undoes only the last edit", async () => {
    const store = await startedStore([run, makePlaylist("p2", { name: "Walk" })]);
    mocked.editPlaylist
      .mockResolvedValueOnce({ playlist: run, changes: [{ kind: "added", position: 2, items: [makeEntry("x", { item_id: "n1" })] }] })
      .mockResolvedValueOnce({
        playlist: makePlaylist("p2", { name: "Walk" }),
        changes: [{ kind: "added", position: 0, items: [makeEntry("y", { item_id: "n2" })] }],
      });
    await store.addToPlaylist("p1", ["x"], "Ex");
    await store.addToPlaylist("p2", ["y"], "Why");
    expect(store.notice?.message).toBe("Added “Why” to “Walk”.");

    mocked.editPlaylist.mockResolvedValueOnce({ playlist: makePlaylist("p2"), changes: [] });
    await store.undo();
    expect(mocked.editPlaylist).toHaveBeenLastCalledWith("p2", [{ kind: "remove", item_id: "n2" }]);
    await expect(store.undo()).resolves.toBe(false);
  });

  it("takes back a new playlist from a selection by deleting it", async () => {
    const store = await startedStore([run]);
    mocked.createPlaylist.mockResolvedValueOnce(makePlaylist("p9", { name: "Northern Drift" }));
    mocked.editPlaylist.mockResolvedValueOnce({
      playlist: makePlaylist("p9", { name: "Northern Drift", item_count: 2 }),
      changes: [{ kind: "added", position: 0, items: [makeEntry("a"), makeEntry("b")] }],
    });
    await expect(store.createWith("Northern Drift", ["a", "b"])).resolves.toBe("p9");
    expect(names(store)).toEqual(["Run", "Northern Drift"]);
    expect(store.openId).toBeNull();
    expect(store.notice?.message).toBe("Made “Northern Drift” with 2 tracks.");

    await store.undo();
    expect(mocked.deletePlaylist).toHaveBeenCalledWith("p9");
    expect(names(store)).toEqual(["Run"]);
  });

  it("tells of an edit in the window's language, with its plurals", async () => {
    localeStore.use("de");
    try {
      const store = await startedStore([run]);
      mocked.createPlaylist.mockResolvedValueOnce(makePlaylist("p9", { name: "Nordlicht" }));
      mocked.editPlaylist.mockResolvedValueOnce({
        playlist: makePlaylist("p9", { name: "Nordlicht", item_count: 2 }),
        changes: [{ kind: "added", position: 0, items: [makeEntry("a"), makeEntry("b")] }],
      });
      await store.createWith("Nordlicht", ["a", "b"]);
      expect(store.notice?.message).toBe("„Nordlicht“ mit 2 Titeln erstellt.");
    } finally {
      localeStore.use(null);
    }
  });

  it("makes a deleted playlist again, with its tracks in order and its offline wish", async () => {
    const kept = makeView("p1", ["a", "b", "c"], { name: "Run", description: "Morning", offline: true });
    const store = await startedStore([kept.playlist]);
    mocked.playlist.mockResolvedValueOnce(kept);
    await store.openPlaylist("p1");
    await expect(store.remove("p1")).resolves.toBe(true);
    expect(store.openId).toBeNull();
    expect(store.notice?.message).toBe("Deleted “Run”.");

    mocked.createPlaylist.mockResolvedValueOnce(makePlaylist("p7", { name: "Run", description: "Morning" }));
    mocked.editPlaylist.mockResolvedValueOnce({
      playlist: makePlaylist("p7", { name: "Run", item_count: 3 }),
      changes: [{ kind: "added", position: 0, items: ["a", "b", "c"].map((id) => makeEntry(id)) }],
    });
    await expect(store.undo()).resolves.toBe(true);
    expect(mocked.createPlaylist).toHaveBeenCalledWith("Run", "Morning");
    expect(mocked.editPlaylist).toHaveBeenCalledWith("p7", [{ kind: "add", track_ids: ["a", "b", "c"], position: null }]);
    expect(mocked.setOffline).toHaveBeenCalledWith({ kind: "playlist", id: "p7" }, true);
  });

  it("says why an undo failed, and does not offer it again", async () => {
    const store = await startedStore([run]);
    mocked.editPlaylist.mockResolvedValueOnce({
      playlist: run,
      changes: [{ kind: "added", position: 2, items: [makeEntry("x", { item_id: "n1" })] }],
    });
    await store.addToPlaylist("p1", ["x"]);
    mocked.editPlaylist.mockRejectedValueOnce({ kind: "not_found", message: "That playlist is gone." });
    await expect(store.undo()).resolves.toBe(false);
    expect(store.error).toMatchObject({ action: "Couldn't undo the add", message: "That playlist is gone." });
    expect(store.canUndo).toBe(false);
  });

  it("removes nothing when a row chosen is no longer in the playlist, and says so", async () => {
    const store = await startedStore([run]);
    mocked.playlist.mockResolvedValueOnce(makeView("p1", ["a", "b"], { name: "Run" }));
    await store.openPlaylist("p1");
    await expect(store.removeItems(["ia", "i-gone"])).resolves.toBe(false);
    expect(mocked.editPlaylist).not.toHaveBeenCalled();
    expect(store.error).toMatchObject({
      kind: "not_found",
      action: "Couldn't remove the tracks",
      message: "The playlist changed while you chose: select the tracks again.",
    });
    expect(trackIds(store)).toEqual(["a", "b"]);
  });

  it("keeps the edit undoable after its notice is closed", async () => {
    const store = await startedStore([run]);
    mocked.editPlaylist.mockResolvedValue({
      playlist: run,
      changes: [{ kind: "added", position: 2, items: [makeEntry("x", { item_id: "n1" })] }],
    });
    await store.addToPlaylist("p1", ["x"]);
    store.dismissEditNotice(store.notice?.id ?? -1);
    expect(store.notice).toBeNull();
    expect(store.canUndo).toBe(true);
    await expect(store.undo()).resolves.toBe(true);
    expect(mocked.editPlaylist).toHaveBeenLastCalledWith("p1", [{ kind: "remove", item_id: "n1" }]);
  });
});

describe("describeSync", () => {
  it.each([
    [makeSyncStatus(), "Synced"],
    [makeSyncStatus({ unsynced_edits: 1 }), "1 change waiting"],
    [makeSyncStatus({ state: "syncing", unsynced_edits: 3 }), "Syncing…"],
    [makeSyncStatus({ state: "offline", unsynced_edits: 3 }), "Offline — 3 changes waiting"],
    [makeSyncStatus({ state: "offline" }), "Offline"],
    [
      makeSyncStatus({
        state: "offline",
        error: { kind: "untrusted", message: "The service's certificate is not valid for this address." },
      }),
      "Not connected: The service's certificate is not valid for this address.",
    ],
    [
      makeSyncStatus({ state: "error", error: { kind: "server", message: "The service refused the edit." } }),
      "Sync failed: The service refused the edit.",
    ],
    [makeSyncStatus({ state: "error" }), "Sync failed: unknown error"],
  ])("describes %o as %s", (status, words) => {
    expect(describeSync(status)).toBe(words);
  });
});

describe("downloadFailureTone", () => {
  it.each([
    [{ kind: "network", message: "Could not reach the service." }, "warning"],
    [{ kind: "storage_full", message: "Your disk is full." }, "full"],
    [{ kind: "corrupt_download", message: "The downloaded file was damaged." }, "error"],
    [{ kind: "forbidden", message: "The music server refused access." }, "error"],
    [null, "error"],
  ] as const)("reads %o as %s", (error, tone) => {
    expect(downloadFailureTone(error)).toBe(tone);
  });
});

describe("describeDownloads", () => {
  it.each([
    [makeDownloads(), null],
    [makeDownloads({ active: 1, done: 2, total: 5 }), "Downloading 2 of 5"],
    [makeDownloads({ paused: true, done: 2, total: 5 }), "Downloads paused — 2 of 5"],
    [makeDownloads({ done: 5, total: 5 }), "5 tracks available offline"],
    [makeDownloads({ done: 1, total: 2, failed: 1 }), "1 track available offline"],
  ])("describes %o as %s", (status, words) => {
    expect(describeDownloads(status)).toBe(words);
  });
});
