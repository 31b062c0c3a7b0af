import type { OfflineState, PlaylistEntry, Track } from "../../ipc";

/** A row of a track list: a track, or a playlist's item naming one. */
export interface TrackRow {
  /** Unique in its list: a playlist item's id, else the track's id. */
  readonly key: string;
  readonly trackId: string;
  /** Null while the app has not seen the track (a playlist synced from another device). */
  readonly track: Track | null;
  /** Whether it plays offline, where the list knows (a playlist's items). */
  readonly offline?: OfflineState;
}

export function trackRows(tracks: readonly Track[]): TrackRow[] {
  return tracks.map((track) => ({ key: track.id, trackId: track.id, track }));
}

export function playlistRows(items: readonly PlaylistEntry[]): TrackRow[] {
  return items.map((entry) => ({ key: entry.item_id, trackId: entry.track_id, track: entry.track, offline: entry.offline }));
}

/** What a row is called, in words (its title, or its id while unknown). */
export function rowTitle(row: TrackRow): string {
  return row.track?.title ?? row.trackId;
}
