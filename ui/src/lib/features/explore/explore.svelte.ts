import * as ipc from "../../../ipc";
import type { ListenerProfile, Page, Track } from "../../../ipc";
import { PageLoader } from "../page-loader.svelte";

/** What listeners share, newest first, and a listener's page (their public tracks and playlists). */
export class ExploreStore {
  readonly newest = new PageLoader<Page<Track>>(() => ipc.exploreUploads(null));
  readonly listener = new PageLoader<ListenerProfile>((id) => ipc.listenerProfile(id));

  reset(): void {
    this.newest.reset();
    this.listener.reset();
  }
}

export const exploreStore = new ExploreStore();
