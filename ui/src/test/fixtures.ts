import type {
  DownloadsStatus,
  LibraryPlaylist,
  PlayerStatus,
  PlaylistEntry,
  PlaylistView,
  SyncStatus,
  Track,
  TrackPage,
} from "../ipc";

export function makeTrack(id: string, overrides: Partial<Track> = {}): Track {
  return {
    id,
    title: `Title ${id}`,
    artist_id: "ar1",
    artist_name: "Artist",
    album_id: "al1",
    album_title: "Album",
    track_number: 1,
    duration_ms: 180_000,
    cover_path: null,
    replaygain: null,
    ...overrides,
  };
}

export function makePage(ids: string[], nextCursor: string | null): TrackPage {
  return { items: ids.map((id) => makeTrack(id)), next_cursor: nextCursor };
}

export function makeStatus(overrides: Partial<PlayerStatus> = {}): PlayerStatus {
  return {
    state: "idle",
    track: null,
    position_ms: 0,
    duration_ms: null,
    output: { kind: "available", device: "Speakers" },
    error: null,
    buffered_ms: 0,
    queue: [],
    queue_index: null,
    shuffle: false,
    repeat: "off",
    volume: 1,
    ...overrides,
  };
}

/** A status playing `tracks` as the queue, the one at `index` heard. */
export function makeQueueStatus(tracks: Track[], index: number, overrides: Partial<PlayerStatus> = {}): PlayerStatus {
  return makeStatus({ state: "playing", track: tracks[index], queue: tracks, queue_index: index, ...overrides });
}

/** A promise the test settles by hand, to order async steps deterministically. */
export function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export function makePlaylist(id: string, overrides: Partial<LibraryPlaylist> = {}): LibraryPlaylist {
  return {
    id,
    name: `Playlist ${id}`,
    description: "",
    item_count: 0,
    unsynced_edits: 0,
    offline: false,
    ...overrides,
  };
}

/** An entry `i<trackId>` playing the loaded track `trackId`. */
export function makeEntry(trackId: string, overrides: Partial<PlaylistEntry> = {}): PlaylistEntry {
  return { item_id: `i${trackId}`, track_id: trackId, track: makeTrack(trackId), offline: "none", ...overrides };
}

/** A playlist holding one entry per track id, in order. */
export function makeView(
  id: string,
  trackIds: string[],
  overrides: Partial<LibraryPlaylist> = {},
): PlaylistView {
  return {
    playlist: makePlaylist(id, { item_count: trackIds.length, ...overrides }),
    items: trackIds.map((trackId) => makeEntry(trackId)),
  };
}

export function makeSyncStatus(overrides: Partial<SyncStatus> = {}): SyncStatus {
  return { state: "idle", unsynced_edits: 0, last_synced_at: null, error: null, notices: [], ...overrides };
}

export function makeDownloads(overrides: Partial<DownloadsStatus> = {}): DownloadsStatus {
  return {
    paused: false,
    active: 0,
    done: 0,
    failed: 0,
    total: 0,
    bytes_used: 0,
    quota_bytes: 0,
    error: null,
    ...overrides,
  };
}
