import * as ipc from "../../../ipc";
import type { AlbumPage, Track } from "../../../ipc";
import { PageLoader } from "../page-loader.svelte";

/** The album page shown (and the last few seen, for "back"). */
export const albumStore = new PageLoader<AlbumPage>((id) => ipc.albumPage(id));

/** An album's length, from its tracks. */
export function totalMs(tracks: readonly Track[]): number {
  return tracks.reduce((sum, track) => sum + track.duration_ms, 0);
}

/** "Downloaded", "Downloading 2 of 5", "1 failed to download": where keeping it offline got. */
export function offlineWords(page: Pick<AlbumPage, "kept_offline" | "offline">): string {
  if (!page.kept_offline) return "";
  const { tracks, downloaded, failed } = page.offline;
  if (failed > 0) return `${failed} of ${tracks} failed to download`;
  if (downloaded >= tracks) return "Available offline";
  return `Downloading ${downloaded} of ${tracks}`;
}
