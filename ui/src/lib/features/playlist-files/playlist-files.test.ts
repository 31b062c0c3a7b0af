import { beforeEach, describe, expect, it, vi } from "vitest";

vi.mock("../../../ipc", async (importOriginal) => {
  const { LOCAL_PLAYLISTS_IPC } = await import("../../../test/local-playlists");
  return {
    ...(await importOriginal<typeof import("../../../ipc")>()),
    ...Object.fromEntries(LOCAL_PLAYLISTS_IPC.map((name) => [name, vi.fn()])),
    choosePlaylistFile: vi.fn(),
    readPlaylistFile: vi.fn(),
    importPlaylist: vi.fn(),
    exportPlaylist: vi.fn(),
  };
});
vi.mock("$lib/stores/library.svelte", () => ({
  libraryStore: { error: null, refresh: vi.fn(), openPlaylist: vi.fn() },
}));

import * as ipc from "../../../ipc";
import type { LibraryPlaylist, PlaylistImport, Track } from "../../../ipc";
import { navigation } from "$lib/navigation";
import { libraryStore } from "$lib/stores/library.svelte";
import { LocalPlaylistsCore } from "../../../test/local-playlists";
import { localPlaylistsStore } from "../local-playlists/local-playlists.svelte";
import { destinationWords, PlaylistFilesStore, reasonWords } from "./playlist-files.svelte";

const mocked = vi.mocked(ipc);
const library = vi.mocked(libraryStore);

const track = (id: string): Track => ({
  id,
  title: id,
  artist_id: "ar",
  artist_name: "Artist",
  album_id: "al",
  album_title: "Album",
  track_number: 1,
  duration_ms: 200_000,
  cover_path: null,
  replaygain: null,
});

const found: PlaylistImport = {
  name: "Road Trip",
  format: "m3u",
  entries: 3,
  matched: [track("a"), track("b")],
  local_matched: 0,
  unmatched: [{ position: 2, label: "Nobody – Nothing", reason: { kind: "not_found" } }],
};

const created: LibraryPlaylist = {
  id: "pl-1",
  name: "Drive",
  description: "",
  item_count: 2,
  unsynced_edits: 1,
  offline: false,
  public: false,
  duration_ms: 400_000,
};

beforeEach(() => {
  vi.resetAllMocks();
  library.error = null;
});

describe("destinationWords", () => {
  it("say where the files on this computer go, and that both playlists are made when the file names both", () => {
    expect(destinationWords(found)).toBeNull();
    expect(destinationWords({ ...found, local_matched: 2 })).toBe("The 2 files on this computer go into a playlist on this computer.");
    expect(destinationWords({ ...found, matched: [...found.matched, track("c")], local_matched: 1 })).toBe(
      "The file on this computer goes into a playlist on this computer, the 2 tracks of your service into a playlist in your library: both are made, with this name.",
    );
  });
});

describe("reasonWords", () => {
  it("says why each entry matched nothing", () => {
    expect(reasonWords({ kind: "not_found" })).toBe("No track with this title and artist.");
    expect(reasonWords({ kind: "length_differs", expected_ms: 95_000, closest_ms: 17_281 })).toBe(
      "Found, but 0:17 long, not 1:35.",
    );
    expect(reasonWords({ kind: "ambiguous", count: 2 })).toContain("2 tracks by different artists");
    expect(reasonWords({ kind: "nothing_to_look_for" })).toContain("no title to look for");
  });
});

describe("PlaylistFilesStore", () => {
  it("shows nothing when the listener cancels the file dialog", async () => {
    mocked.choosePlaylistFile.mockResolvedValue(null);
    const store = new PlaylistFilesStore();
    await store.startImport();
    expect(store.pending).toBeNull();
    expect(mocked.readPlaylistFile).not.toHaveBeenCalled();
  });

  it("creates the playlist of the tracks matched, under the name chosen, and opens it", async () => {
    mocked.choosePlaylistFile.mockResolvedValue("/music/road.m3u8");
    mocked.readPlaylistFile.mockResolvedValue(found);
    mocked.importPlaylist.mockResolvedValue({ library: created, local: null });
    const store = new PlaylistFilesStore();
    await store.startImport();
    expect(mocked.readPlaylistFile).toHaveBeenCalledWith("/music/road.m3u8");
    expect(store.pending?.name).toBe("Road Trip");
    store.setName("  Drive ");
    await store.confirm();
    expect(mocked.importPlaylist).toHaveBeenCalledWith("Drive", ["a", "b"]);
    expect(store.pending).toBeNull();
    expect(library.openPlaylist).toHaveBeenCalledWith("pl-1");
  });

  it("puts the files on this computer in a playlist on this computer, and opens it", async () => {
    const core = new LocalPlaylistsCore(mocked);
    const files = [track("file:///music/One.flac"), track("file:///music/Two.flac")];
    mocked.choosePlaylistFile.mockResolvedValue("/music/porch.m3u8");
    mocked.readPlaylistFile.mockResolvedValue({ ...found, matched: files, local_matched: 2 });
    mocked.importPlaylist.mockImplementation(async (name, ids) => ({ library: null, local: await mocked.createLocalPlaylist(name, ids) }));
    navigation.reset();
    const store = new PlaylistFilesStore();
    await store.startImport();
    await store.confirm();
    const [id] = core.playlists.keys();
    expect(navigation.route).toEqual({ kind: "local-playlist", id });
    expect(localPlaylistsStore.playlists.map((playlist) => playlist.name)).toEqual(["Road Trip"]);
    expect(library.openPlaylist).not.toHaveBeenCalled();
  });

  it("opens the library's playlist when both were made", async () => {
    new LocalPlaylistsCore(mocked).add("Drive", ["One"]);
    mocked.choosePlaylistFile.mockResolvedValue("/music/mixed.m3u8");
    mocked.readPlaylistFile.mockResolvedValue({ ...found, matched: [...found.matched, track("file:///music/One.flac")], local_matched: 1 });
    mocked.importPlaylist.mockResolvedValue({
      library: created,
      local: { id: "local-playlist:1", name: "Drive", items: 1, missing: 0, duration_ms: 200_000, updated_at_ms: 0, revision: 0 },
    });
    const store = new PlaylistFilesStore();
    await store.startImport();
    await store.confirm();
    expect(library.openPlaylist).toHaveBeenCalledWith("pl-1");
  });

  it("says why a file could not be read, and keeps nothing pending", async () => {
    mocked.choosePlaylistFile.mockResolvedValue("/music/cover.m3u");
    mocked.readPlaylistFile.mockRejectedValue({
      kind: "invalid_input",
      message: "“cover.m3u” could not be read as a playlist: the file is not text, so it is not a playlist.",
    });
    const store = new PlaylistFilesStore();
    await store.startImport();
    expect(store.pending).toBeNull();
    expect(library.error?.message).toContain("cover.m3u");
    expect(library.error?.action).toBe("Could not import the playlist");
  });

  it("keeps the import when creating fails, so it can be tried again", async () => {
    mocked.choosePlaylistFile.mockResolvedValue("/music/road.m3u8");
    mocked.readPlaylistFile.mockResolvedValue(found);
    mocked.importPlaylist.mockRejectedValue({ kind: "storage_full", message: "Your disk is full." });
    const store = new PlaylistFilesStore();
    await store.startImport();
    await store.confirm();
    expect(store.pending?.found).toEqual(found);
    expect(store.pending?.creating).toBe(false);
    expect(store.pending?.error).toBe("Your disk is full.");
    expect(library.error).toBeNull();
  });

  it("drops the answer of an import cancelled while it was read, and of one before a sign-out", async () => {
    mocked.choosePlaylistFile.mockResolvedValue("/music/road.m3u8");
    let answer: (value: PlaylistImport) => void = () => {};
    mocked.readPlaylistFile.mockImplementation(() => new Promise((resolve) => (answer = resolve)));
    const store = new PlaylistFilesStore();
    const reading = store.startImport();
    await vi.waitFor(() => expect(store.pending).not.toBeNull());
    store.cancel();
    answer(found);
    await reading;
    expect(store.pending).toBeNull();

    const again = store.startImport();
    await vi.waitFor(() => expect(store.pending).not.toBeNull());
    await store.startImport();
    expect(mocked.readPlaylistFile).toHaveBeenCalledTimes(2);
    expect(store.pending?.found).toBeNull();
    store.reset();
    answer(found);
    await again;
    expect(store.pending).toBeNull();
  });

  it("says where an export was saved, for that playlist only", async () => {
    mocked.exportPlaylist.mockResolvedValue("/home/me/road.xspf");
    const store = new PlaylistFilesStore();
    await store.export("pl-1", "Road Trip");
    expect(mocked.exportPlaylist).toHaveBeenCalledWith("pl-1", "Road Trip", "Export the playlist");
    expect(store.exported).toEqual({ playlistId: "pl-1", path: "/home/me/road.xspf" });
    mocked.exportPlaylist.mockResolvedValue(null);
    await store.export("pl-2", "Other");
    expect(store.exported?.playlistId).toBe("pl-1");
  });
});
