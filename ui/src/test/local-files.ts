import { vi, type MockedObject } from "vitest";
import type * as ipcModule from "../ipc";
import type { Album, Artist, LocalFilesView, LocalFolder, SearchResults, Track } from "../ipc";
import { makeTrack } from "./fixtures";

/** The ipc functions of Local files (and the folder dialog); mock them all in a test that shows them. */
export const LOCAL_FILES_IPC = [
  "localFiles",
  "onLocalFilesChanged",
  "addLocalFolder",
  "removeLocalFolder",
  "rescanLocalFiles",
  "localTracks",
  "localAlbums",
  "localArtists",
  "localAlbum",
  "localArtist",
  "localSearch",
  "chooseFolder",
] as const;

export function makeLocalView(overrides: Partial<LocalFilesView> = {}): LocalFilesView {
  return {
    unavailable: null,
    folders: [],
    tracks: 0,
    scanning: null,
    scan_problem: null,
    watch_problem: null,
    failed: [],
    failed_count: 0,
    revision: 1,
    ...overrides,
  };
}

export function makeFolder(path: string, overrides: Partial<LocalFolder> = {}): LocalFolder {
  return { path, tracks: 0, failed: 0, state: "ready", ...overrides };
}

export const LOCAL_ALBUM_ID = "local-album:0123456789abcdef";
export const LOCAL_ARTIST_ID = "local-artist:fedcba9876543210";

/** A local track: its id the file's URL, of the local album and artist above. */
export function makeLocalTrack(name: string, overrides: Partial<Track> = {}): Track {
  return makeTrack(`file:///music/${name}.flac`, {
    title: name,
    album_id: LOCAL_ALBUM_ID,
    album_title: "Home Tapes",
    artist_id: LOCAL_ARTIST_ID,
    artist_name: "The Locals",
    ...overrides,
  });
}

export function makeLocalAlbum(overrides: Partial<Album> = {}): Album {
  return {
    id: LOCAL_ALBUM_ID,
    title: "Home Tapes",
    artist_id: LOCAL_ARTIST_ID,
    artist_name: "The Locals",
    year: 2019,
    track_count: 2,
    gapless: false,
    cover_path: null,
    ...overrides,
  };
}

export function makeLocalArtist(overrides: Partial<Artist> = {}): Artist {
  return { id: LOCAL_ARTIST_ID, name: "The Locals", ...overrides };
}

export function localResults(tracks: Track[], albums: Album[] = [], artists: Artist[] = []): SearchResults {
  return { tracks, albums, artists };
}

export type LocalFilesEvents = {
  /** Sends `local-files-changed` with `view`, as the core does. */
  changed: (view: LocalFilesView) => void;
  /** How many listeners are subscribed now. */
  listeners: () => number;
};

/**
 * Gives the mocked Local files ipc `view` and these lists, and returns the function that
 * sends the core's event to every listener subscribed (none once they unsubscribed).
 */
export function stubLocalFiles(
  mocked: MockedObject<typeof ipcModule>,
  view: LocalFilesView,
  lists: { tracks?: Track[]; albums?: Album[] } = {},
): LocalFilesEvents {
  const callbacks = new Set<(view: LocalFilesView) => void>();
  mocked.onLocalFilesChanged.mockImplementation(async (callback) => {
    callbacks.add(callback);
    return vi.fn(() => void callbacks.delete(callback));
  });
  mocked.localFiles.mockResolvedValue(view);
  mocked.localTracks.mockResolvedValue(lists.tracks ?? []);
  mocked.localAlbums.mockResolvedValue(lists.albums ?? []);
  mocked.localSearch.mockResolvedValue(localResults([]));
  return {
    changed: (next) => {
      for (const callback of [...callbacks]) callback(next);
    },
    listeners: () => callbacks.size,
  };
}
