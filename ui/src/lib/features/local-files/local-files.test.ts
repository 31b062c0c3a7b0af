import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { deferred } from "../../../test/fixtures";
import {
  localResults,
  makeFolder,
  makeLocalAlbum,
  makeLocalTrack,
  makeLocalView,
  stubLocalFiles,
} from "../../../test/local-files";

vi.mock("../../../ipc", async (importOriginal) => {
  const { LOCAL_FILES_IPC } = await import("../../../test/local-files");
  return {
    ...(await importOriginal<typeof import("../../../ipc")>()),
    ...Object.fromEntries(LOCAL_FILES_IPC.map((name) => [name, vi.fn()])),
  };
});

import * as ipc from "../../../ipc";
import { isLocalAlbumId, isLocalArtistId, isLocalTrackId } from "./ids";
import { FILTER_DEBOUNCE_MS, folderWords, LocalFilesStore, scanWords } from "./local-files.svelte";

const mocked = vi.mocked(ipc);

/** Lets the store's promises (listening, reading) settle. */
const settle = () => vi.waitFor(() => Promise.resolve());

beforeEach(() => {
  vi.resetAllMocks();
});

afterEach(() => {
  vi.useRealTimers();
});

describe("the words", () => {
  it("say how far a scan is: files being read of those to read, or how many were found so far", () => {
    expect(scanWords({ found: 4210, unchanged: 800, read: 1204, failed: 2, removed: 0 })).toBe("Reading 1,204 of 3,410 files…");
    expect(scanWords({ found: 1, unchanged: 0, read: 0, failed: 0, removed: 0 })).toBe("Reading 0 of 1 files…");
    // Everything found as the index had it, or all read: still looking through the folders.
    expect(scanWords({ found: 3000, unchanged: 3000, read: 0, failed: 0, removed: 0 })).toBe(
      "Looking through your folders… 3,000 files found",
    );
    expect(scanWords({ found: 1, unchanged: 1, read: 0, failed: 0, removed: 0 })).toBe("Looking through your folders… 1 file found");
  });

  it("say what a folder holds, or why it cannot be read", () => {
    expect(folderWords(makeFolder("/m", { tracks: 1 }))).toBe("1 track");
    expect(folderWords(makeFolder("/m", { tracks: 1204, failed: 3 }))).toBe("1,204 tracks · 3 cannot be played");
    expect(folderWords(makeFolder("/m", { tracks: 12, state: "missing" }))).toBe(
      "Not found. Is its disk plugged in? Its 12 tracks are kept until the folder is back.",
    );
    expect(folderWords(makeFolder("/m", { state: "unreadable" }))).toBe(
      "Strato is not allowed to read this folder. Check its permissions.",
    );
  });

  it("tell local ids from a service's", () => {
    expect(isLocalTrackId("file:///music/a.flac")).toBe(true);
    expect(isLocalTrackId("FILE:///C:/Music/a.flac")).toBe(true);
    expect(isLocalTrackId("tr-1")).toBe(false);
    expect(isLocalAlbumId("local-album:0a")).toBe(true);
    expect(isLocalAlbumId("al-1")).toBe(false);
    expect(isLocalArtistId("local-artist:0a")).toBe(true);
    expect(isLocalArtistId("local-album:0a")).toBe(false);
  });
});

describe("LocalFilesStore", () => {
  it("listens once for all its users, and stops when the last one leaves", async () => {
    const events = stubLocalFiles(mocked, makeLocalView());
    const store = new LocalFilesStore();
    const stopScreen = store.use({ lists: true });
    const stopSettings = store.use();
    await settle();
    expect(mocked.onLocalFilesChanged).toHaveBeenCalledTimes(1);
    expect(events.listeners()).toBe(1);

    stopScreen();
    stopScreen();
    expect(store.listening).toBe(true);
    stopSettings();
    expect(store.listening).toBe(false);
    expect(events.listeners()).toBe(0);
  });

  it("unsubscribes a subscription the shell grants after its user left", async () => {
    stubLocalFiles(mocked, makeLocalView());
    const granted = deferred<ipc.Unlisten>();
    const unlisten = vi.fn();
    mocked.onLocalFilesChanged.mockReturnValueOnce(granted.promise);
    const store = new LocalFilesStore();
    const stop = store.use();
    stop();
    granted.resolve(unlisten);
    await settle();
    expect(unlisten).toHaveBeenCalledTimes(1);
    expect(store.listening).toBe(false);
  });

  it("reads the lists with the first view, then only when the revision moves", async () => {
    const tracks = [makeLocalTrack("One")];
    const events = stubLocalFiles(mocked, makeLocalView({ revision: 3, tracks: 1 }), { tracks, albums: [makeLocalAlbum()] });
    const store = new LocalFilesStore();
    const stop = store.use({ lists: true });
    await vi.waitFor(() => expect(store.listed).toBe(true));
    expect(store.tracks.map((track) => track.title)).toEqual(["One"]);
    expect(store.albums).toHaveLength(1);
    expect(mocked.localTracks).toHaveBeenCalledTimes(1);

    // A scan moving on without writing anything: the view changes, the lists are not read.
    events.changed(makeLocalView({ revision: 3, scanning: { found: 10, unchanged: 0, read: 2, failed: 0, removed: 0 } }));
    await settle();
    expect(store.view?.scanning?.read).toBe(2);
    expect(mocked.localTracks).toHaveBeenCalledTimes(1);

    // A batch written: read again; the old list stays shown until the new one is there.
    const next = deferred<ipc.Track[]>();
    mocked.localTracks.mockReturnValueOnce(next.promise);
    events.changed(makeLocalView({ revision: 4, tracks: 2 }));
    await settle();
    expect(store.tracks.map((track) => track.title)).toEqual(["One"]);
    next.resolve([...tracks, makeLocalTrack("Two")]);
    await vi.waitFor(() => expect(store.tracks.map((track) => track.title)).toEqual(["One", "Two"]));
    expect(mocked.localTracks).toHaveBeenCalledTimes(2);
    stop();
  });

  it("reads once more after a read under way rather than twice at once", async () => {
    const events = stubLocalFiles(mocked, makeLocalView({ revision: 1 }));
    const store = new LocalFilesStore();
    const stop = store.use({ lists: true });
    await vi.waitFor(() => expect(store.listed).toBe(true));
    const slow = deferred<ipc.Track[]>();
    mocked.localTracks.mockReturnValueOnce(slow.promise).mockResolvedValue([makeLocalTrack("Three")]);
    events.changed(makeLocalView({ revision: 2 }));
    events.changed(makeLocalView({ revision: 3 }));
    events.changed(makeLocalView({ revision: 4 }));
    await settle();
    expect(mocked.localTracks).toHaveBeenCalledTimes(2);
    slow.resolve([]);
    await vi.waitFor(() => expect(store.tracks.map((track) => track.title)).toEqual(["Three"]));
    expect(mocked.localTracks).toHaveBeenCalledTimes(3);
    stop();
  });

  it("leaves the lists unread for a user that shows only the folders", async () => {
    stubLocalFiles(mocked, makeLocalView({ folders: [makeFolder("/music", { tracks: 3 })] }));
    const store = new LocalFilesStore();
    const stop = store.use();
    await vi.waitFor(() => expect(store.view?.folders).toHaveLength(1));
    expect(mocked.localTracks).not.toHaveBeenCalled();
    stop();
  });

  it("adds the folder chosen in the OS's dialog, and nothing when the dialog is cancelled", async () => {
    stubLocalFiles(mocked, makeLocalView());
    const store = new LocalFilesStore();
    mocked.chooseFolder.mockResolvedValueOnce(null);
    await store.addFolder();
    expect(mocked.chooseFolder).toHaveBeenCalledWith("Choose a folder of music");
    expect(mocked.addLocalFolder).not.toHaveBeenCalled();

    mocked.chooseFolder.mockResolvedValueOnce("/home/ana/Music");
    mocked.addLocalFolder.mockResolvedValueOnce(makeLocalView({ folders: [makeFolder("/home/ana/Music")] }));
    await store.addFolder();
    expect(mocked.addLocalFolder).toHaveBeenCalledWith("/home/ana/Music");
    expect(store.view?.folders.map((folder) => folder.path)).toEqual(["/home/ana/Music"]);
    expect(store.busy).toBeNull();
  });

  it("keeps the newer view when the scan's end overtakes the answer to adding the folder", async () => {
    const events = stubLocalFiles(mocked, makeLocalView());
    const store = new LocalFilesStore();
    const stop = store.use();
    await vi.waitFor(() => expect(store.view).not.toBeNull());
    const answer = deferred<ipc.LocalFilesView>();
    mocked.chooseFolder.mockResolvedValueOnce("/music");
    mocked.addLocalFolder.mockReturnValueOnce(answer.promise);
    const adding = store.addFolder();
    await vi.waitFor(() => expect(mocked.addLocalFolder).toHaveBeenCalled());
    const scanned = makeLocalView({ folders: [makeFolder("/music", { tracks: 3 })], tracks: 3, revision: 2 });
    events.changed(scanned);
    mocked.localFiles.mockResolvedValueOnce(scanned);
    answer.resolve(makeLocalView({ folders: [makeFolder("/music")], scanning: { found: 0, unchanged: 0, read: 0, failed: 0, removed: 0 } }));
    await adding;
    expect(store.view?.scanning).toBeNull();
    expect(store.view?.folders[0].tracks).toBe(3);
    stop();
  });

  it("says in words why a folder could not be added", async () => {
    stubLocalFiles(mocked, makeLocalView());
    const store = new LocalFilesStore();
    mocked.chooseFolder.mockResolvedValueOnce("/home/ana");
    mocked.addLocalFolder.mockRejectedValueOnce({ kind: "invalid_input", message: "/home/ana holds a folder you already added." });
    await store.addFolder();
    expect(store.actionError).toMatchObject({
      action: "Couldn't add the folder",
      message: "/home/ana holds a folder you already added.",
    });
  });

  it("asks the index for the filter once typing pauses, and again when the files change", async () => {
    vi.useFakeTimers();
    const events = stubLocalFiles(mocked, makeLocalView({ revision: 1 }));
    const store = new LocalFilesStore();
    const stop = store.use({ lists: true });
    await vi.waitFor(() => expect(store.listed).toBe(true));
    mocked.localSearch.mockResolvedValue(localResults([makeLocalTrack("Porch")]));
    store.setFilter("p");
    store.setFilter("porch");
    await vi.advanceTimersByTimeAsync(FILTER_DEBOUNCE_MS);
    expect(mocked.localSearch).toHaveBeenCalledTimes(1);
    expect(mocked.localSearch).toHaveBeenCalledWith("porch", 500);
    expect(store.matches?.tracks.map((track) => track.title)).toEqual(["Porch"]);

    events.changed(makeLocalView({ revision: 2 }));
    await vi.waitFor(() => expect(mocked.localSearch).toHaveBeenCalledTimes(2));

    // Leaving the screen empties the filter for the next visit.
    stop();
    expect(store.filter).toBe("");
    expect(store.matches).toBeNull();
  });
});
