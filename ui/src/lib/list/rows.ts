import type { OfflineState, PlaylistItem, Track } from "../../ipc";
import type { IconName } from "$lib/components/Icon.svelte";
import { m } from "$lib/i18n";
import type { TrackCache } from "./track-cache.svelte";

/** A row of a track list: a track, or a playlist's item naming one. */
export interface TrackRow {
  /** Unique in its list: a playlist item's id, else the track's id. */
  readonly key: string;
  readonly trackId: string;
  /** Null while the app has not seen the track (a playlist synced from another device). */
  readonly track: Track | null;
  /** Whether it plays offline, where the list knows (a playlist's items). */
  readonly offline?: OfflineState;
  /** Its track's data is being read (a long playlist's rows, as the list scrolls to them). */
  readonly pending?: boolean;
  /** The service said the track is no longer available (deleted or taken down). */
  readonly unavailable?: boolean;
  /**
   * A file on this computer that is not where it was (moved, deleted, its disk unplugged):
   * shown greyed by its kept tags, "File not found", and never played.
   */
  readonly missing?: boolean;
}

export function trackRows(tracks: readonly Track[]): TrackRow[] {
  return tracks.map((track) => ({ key: track.id, trackId: track.id, track }));
}

/**
 * A playlist's rows: its items, each reading its track from `tracks` when a row shows it (so
 * a row follows its own track's arrival, and making 10,000 rows reads no track at all).
 */
export function playlistRows(items: readonly PlaylistItem[], tracks: TrackCache): TrackRow[] {
  return items.map((item) => ({
    key: item.item_id,
    trackId: item.track_id,
    offline: item.offline,
    unavailable: !item.available,
    get track() {
      return tracks.get(item.track_id) ?? null;
    },
    get pending() {
      return tracks.pending(item.track_id);
    },
  }));
}

/** What a row is called, in words (its title, or its id while unknown). */
export function rowTitle(row: TrackRow): string {
  return row.track?.title ?? row.trackId;
}

/** What a row shows of its offline copy: its icon and words, or nothing. */
export function offlineBadge(state: OfflineState | undefined): { icon: IconName; label: string } | null {
  switch (state) {
    case "available":
      return { icon: "downloaded", label: m.offline_available() };
    case "downloading":
      return { icon: "download", label: m.offline_downloading() };
    case "queued":
      return { icon: "clock", label: m.offline_queued() };
    case "failed":
      return { icon: "alert", label: m.offline_failed() };
    default:
      return null;
  }
}
