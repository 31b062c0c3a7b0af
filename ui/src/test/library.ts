import { vi, type MockedObject } from "vitest";
import type * as ipcModule from "../ipc";
import type { DownloadsStatus, SyncStatus } from "../ipc";
import { makeDownloads, makeSyncStatus } from "./fixtures";

/** The ipc functions the library store calls; mock them all in a test that starts it. */
export const LIBRARY_IPC = [
  "playlists",
  "playlist",
  "tracks",
  "offlineStates",
  "createPlaylist",
  "renamePlaylist",
  "describePlaylist",
  "setPlaylistPublic",
  "deletePlaylist",
  "addToPlaylist",
  "removeFromPlaylist",
  "moveInPlaylist",
  "editPlaylist",
  "playPlaylist",
  "syncStatus",
  "syncNow",
  "dismissSyncNotice",
  "setOffline",
  "downloadsStatus",
  "pauseDownloads",
  "resumeDownloads",
  "onPlaylistsChanged",
  "onSyncStatus",
  "onDownloadsStatus",
] as const;

export type LibraryEvents = {
  playlistsChanged: () => void;
  syncStatus: (status: SyncStatus) => void;
  downloadsStatus: (status: DownloadsStatus) => void;
  unlisten: ReturnType<typeof vi.fn>;
};

/**
 * Gives the mocked library ipc an empty library, idle sync and no downloads, and returns
 * the functions that emit its events.
 */
export function stubLibrary(mocked: MockedObject<typeof ipcModule>): LibraryEvents {
  const unlisten = vi.fn();
  const events: LibraryEvents = {
    playlistsChanged: () => {},
    syncStatus: () => {},
    downloadsStatus: () => {},
    unlisten,
  };
  mocked.onPlaylistsChanged.mockImplementation(async (callback) => {
    events.playlistsChanged = callback;
    return unlisten;
  });
  mocked.onSyncStatus.mockImplementation(async (callback) => {
    events.syncStatus = callback;
    return unlisten;
  });
  mocked.onDownloadsStatus.mockImplementation(async (callback) => {
    events.downloadsStatus = callback;
    return unlisten;
  });
  mocked.playlists.mockResolvedValue([]);
  mocked.tracks.mockResolvedValue([]);
  mocked.offlineStates.mockImplementation(async (ids) => ids.map(() => "none"));
  mocked.syncStatus.mockResolvedValue(makeSyncStatus());
  mocked.downloadsStatus.mockResolvedValue(makeDownloads());
  for (const command of [
    "deletePlaylist",
    "playPlaylist",
    "syncNow",
    "dismissSyncNotice",
    "setOffline",
    "pauseDownloads",
    "resumeDownloads",
  ] as const) {
    mocked[command].mockResolvedValue(undefined);
  }
  return events;
}
