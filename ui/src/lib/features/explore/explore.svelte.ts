import * as ipc from "../../../ipc";
import type { ListenerProfile, Page, SharedPlaylist, Track } from "../../../ipc";
import { PageLoader } from "../page-loader.svelte";

/**
 * What listeners share, newest first, a listener's page (their public tracks and playlists),
 * and a public playlist opened from it.
 */
export class ExploreStore {
  readonly newest = new PageLoader<Page<Track>>(() => ipc.exploreUploads(null));
  readonly listener = new PageLoader<ListenerProfile>((id) => ipc.listenerProfile(id));
  readonly playlist = new PageLoader<SharedPlaylist>((id) => ipc.sharedPlaylist(id));

  /** Who shares the playlist `id`, when their page was read. */
  ownerOf(id: string): { id: string; name: string } | null {
    const profile = this.listener.page;
    return profile?.playlists.some((p) => p.id === id) ? profile.listener : null;
  }

  reset(): void {
    this.newest.reset();
    this.listener.reset();
    this.playlist.reset();
  }
}

export const exploreStore = new ExploreStore();
