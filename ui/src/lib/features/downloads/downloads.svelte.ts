import { m } from "$lib/i18n";
import * as ipc from "../../../ipc";
import type { AppError, DownloadsPage, DownloadsStatus, OfflineItem } from "../../../ipc";
import { PageLoader } from "../page-loader.svelte";

/** The Downloads screen's content, and what its buttons do. */
export class DownloadsStore {
  readonly loader = new PageLoader<DownloadsPage>(() => ipc.downloadsPage());
  /** A failed action ("Couldn't remove …"), in words. */
  actionError = $state<(AppError & { action: string }) | null>(null);
  busy = $state(false);

  get page(): DownloadsPage | null {
    return this.loader.page;
  }

  show(): Promise<void> {
    return this.loader.show("downloads");
  }

  /** Stops keeping one album, playlist or track offline; its files go unless another needs them. */
  remove(item: OfflineItem): Promise<void> {
    return this.#act(m.downloads_remove_failed({ title: item.title }), () => ipc.setOffline(item.target, false));
  }

  removeAll(): Promise<void> {
    return this.#act(m.downloads_remove_all_failed(), ipc.removeAllDownloads);
  }

  retryFailed(): Promise<void> {
    return this.#act(m.downloads_retry_failed(), ipc.retryFailedDownloads);
  }

  reset(): void {
    this.loader.reset();
    this.actionError = null;
    this.busy = false;
  }

  async #act(action: string, command: () => Promise<void>): Promise<void> {
    this.actionError = null;
    this.busy = true;
    try {
      await command();
    } catch (error) {
      this.actionError = { ...ipc.toAppError(error), action };
    } finally {
      this.busy = false;
    }
    await this.loader.reload();
  }
}

export const downloadsStore = new DownloadsStore();

/** The share of the storage limit in use, 0..1, for the quota bar. */
export function quotaFraction(status: Pick<DownloadsStatus, "bytes_used" | "quota_bytes">): number {
  if (!(status.quota_bytes > 0)) return 0;
  return Math.min(1, Math.max(0, status.bytes_used / status.quota_bytes));
}

const KIND_WORDS: Readonly<Record<OfflineItem["target"]["kind"], () => string>> = {
  album: () => m.kind_album(),
  playlist: () => m.kind_playlist(),
  track: () => m.kind_track(),
};

/** What an offline item is, for its row: "Album", "Playlist", "Track". */
export function kindWord(item: Pick<OfflineItem, "target">): string {
  return KIND_WORDS[item.target.kind]();
}
