import { format, m } from "$lib/i18n";
import * as ipc from "../../../ipc";
import type { AlbumPage, Track } from "../../../ipc";
import { PageLoader } from "../page-loader.svelte";

/** The album page shown (and the last few seen, for "back"). */
export const albumStore = new PageLoader<AlbumPage>((id) => ipc.albumPage(id));

/** An album's length, from its tracks. */
export function totalMs(tracks: readonly Track[]): number {
  return tracks.reduce((sum, track) => sum + track.duration_ms, 0);
}

/** "Available offline", "Downloading 2 of 5", "1 of 5 failed to download": where keeping it offline got. */
export function offlineWords(page: Pick<AlbumPage, "kept_offline" | "offline">): string {
  if (!page.kept_offline) return "";
  const { tracks, downloaded, failed } = page.offline;
  if (failed > 0) return m.offline_failed_to_download({ failed, tracks });
  if (downloaded >= tracks) return m.offline_available();
  return m.downloads_progress({ done: format.number(downloaded), total: format.number(tracks) });
}
