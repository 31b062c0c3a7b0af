import type {
  CatalogPage,
  CatalogStatus,
  DownloadsStatus,
  Features,
  LibraryPlaylist,
  PlayerStatus,
  PlaylistEntry,
  PlaylistItem,
  PlaylistView,
  QueueEntry,
  QueueView,
  Settings,
  Session,
  SettingsView,
  SyncStatus,
  Track,
} from "../ipc";

/** Everything a service can offer: the Strato cloud's session, unless a test takes some away. */
export const ALL_FEATURES: Features = {
  uploads: true,
  lyrics: true,
  stars: true,
  playlist_revisions: true,
  playlist_sync: true,
  downloads: true,
  catalog: true,
  live_updates: true,
  scrobble: true,
};

export function makeSession(service_url: string, username: string, overrides: Partial<Session> = {}): Session {
  return { service_url, username, kind: "strato", features: ALL_FEATURES, ...overrides };
}

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

/** The catalog's status: its total unknown unless given, nothing refreshing, no problem. */
export function makeCatalogStatus(overrides: Partial<CatalogStatus> = {}): CatalogStatus {
  return { total: null, refreshing: false, walked: 0, listed_at: 1_800_000_000, problem: null, ...overrides };
}

/** A page of the catalog holding tracks `ids`. */
export function makePage(
  ids: string[],
  nextCursor: string | null,
  status: Partial<CatalogStatus> = {},
): CatalogPage {
  return { items: ids.map((id) => makeTrack(id)), next_cursor: nextCursor, status: makeCatalogStatus(status) };
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
    shuffle: false,
    repeat: "off",
    volume: 1,
    signal: null,
    ...overrides,
  };
}

/** A status playing `tracks[index]` (of a queue such as `makeQueueView(tracks, index)` describes). */
export function makeQueueStatus(tracks: Track[], index: number, overrides: Partial<PlayerStatus> = {}): PlayerStatus {
  return makeStatus({ state: "playing", track: tracks[index], ...overrides });
}

/** Entry ids of the fixtures' queues: the entry at index `i` is `ENTRY_ID_BASE + i`. */
export const ENTRY_ID_BASE = 100;

/** The queue entry for `track` with id `entryId`. */
export function makeQueueEntry(track: Track, entryId: number, queued = false): QueueEntry {
  return { entry_id: entryId, track_id: track.id, track, queued };
}

/**
 * A `queue-changed` view of `tracks` as a queue (entry `i` has id `ENTRY_ID_BASE + i`), the
 * one at `current` playing, with all of them in its window unless `window` says which.
 */
export function makeQueueView(
  tracks: Track[],
  current: number | null,
  { revision = 1, window = { from: 0, to: tracks.length } }: { revision?: number; window?: { from: number; to: number } | null } = {},
): QueueView {
  const entries = tracks.map((track, index) => makeQueueEntry(track, ENTRY_ID_BASE + index));
  const following = current === null || current + 1 >= tracks.length ? null : current + 1;
  return {
    revision,
    length: tracks.length,
    current,
    now_playing: current === null ? null : entries[current],
    plays_next: following === null ? null : entries[following],
    window: window && { revision, offset: window.from, entries: entries.slice(window.from, window.to) },
  };
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
    public: false,
    duration_ms: 0,
    ...overrides,
  };
}

/** An entry `i<trackId>` playing the loaded track `trackId`. */
export function makeEntry(trackId: string, overrides: Partial<PlaylistEntry> = {}): PlaylistEntry {
  return { item_id: `i${trackId}`, track_id: trackId, track: makeTrack(trackId), offline: "none", ...overrides };
}

/** The item `i<trackId>` naming the track `trackId`. */
export function makeItem(trackId: string, overrides: Partial<PlaylistItem> = {}): PlaylistItem {
  return { item_id: `i${trackId}`, track_id: trackId, offline: "none", available: true, ...overrides };
}

/**
 * A playlist holding one item per track id, in order, opened as the core answers it: the
 * tracks of its first `firstTracks` items with it (all of them, unless told).
 */
export function makeView(
  id: string,
  trackIds: string[],
  overrides: Partial<LibraryPlaylist> = {},
  firstTracks = Infinity,
): PlaylistView {
  const tracks = [...new Set(trackIds.slice(0, firstTracks))].map((trackId) => makeTrack(trackId));
  const duration = trackIds.reduce((sum, trackId) => sum + makeTrack(trackId).duration_ms, 0);
  return {
    playlist: makePlaylist(id, { item_count: trackIds.length, duration_ms: duration, ...overrides }),
    items: trackIds.map((trackId) => makeItem(trackId)),
    tracks,
  };
}

export function makeSyncStatus(overrides: Partial<SyncStatus> = {}): SyncStatus {
  return { state: "idle", unsynced_edits: 0, last_synced_at: null, error: null, notices: [], live: "live", ...overrides };
}

export function makeDownloads(overrides: Partial<DownloadsStatus> = {}): DownloadsStatus {
  return {
    paused: false,
    active: 0,
    done: 0,
    failed: 0,
    total: 0,
    bytes_used: 0,
    bytes_cached: 0,
    quota_bytes: 0,
    error: null,
    ...overrides,
  };
}

/** The settings as a fresh install has them (the core's defaults). */
export function makeSettings(): Settings {
  return {
    playback: { volume: 1, muted: false, shuffle: false, repeat: "off" },
    output: { device: null, match_source_rate: false, crossfade_seconds: 0 },
    quality: { streaming: "auto", format: "hls", downloads: "high", buffer_seconds: 30, replay_gain: "track", preamp_db: 0, loudness_target: "lufs14" },
    storage: { quota_mb: 10_000, data_dir: null },
    appearance: { theme: "system", text_scale_percent: 100, compact_rows: false },
    desktop: { close_to_tray: false, notify_track_change: false, take_media_keys: false, check_for_updates: true },
    language: null,
    device_name: null,
    share_playback_reports: false,
    lyrics_local_only: false,
    shortcuts: {},
    sound: { equalizers: {} },
  };
}

/** The Settings screen's view of `settings`: nothing overridden, no notice, no file unless given. */
export function makeSettingsView(settings: Settings, overrides: Partial<SettingsView> = {}): SettingsView {
  return { settings, overridden: [], file: null, notice: null, ...overrides };
}
