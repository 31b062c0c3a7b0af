import type { PlayerStatus, Track, TrackPage } from "../ipc";

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
