/**
 * The library engines' states in words: the sync status, a download failure's tone, the
 * download manager's progress. Pure functions, so they read the same wherever shown.
 */
import { errorWords, format, m } from "$lib/i18n";
import type { AppError, DownloadsStatus, SyncStatus } from "../../ipc";

/** The sync engine's state, in words. */
export function describeSync(status: SyncStatus): string {
  const count = status.unsynced_edits;
  switch (status.state) {
    case "syncing":
      return m.sync_syncing();
    case "offline":
      // Not the network but a service that could not prove who it is: say so, not "offline".
      if (status.error?.kind === "untrusted") return m.sync_not_connected({ reason: errorWords(status.error) });
      return count > 0 ? m.sync_offline_waiting({ count }) : m.sync_offline();
    case "error":
      return m.sync_failed({ reason: status.error ? errorWords(status.error) : m.sync_unknown_error() });
    case "idle":
      return count > 0 ? m.sync_waiting({ count }) : m.sync_synced();
  }
}

/**
 * How other devices' changes arrive, when the listener should know: polling, while sync itself
 * is fine (offline or failing, the state already says more). Nothing while the live channel is
 * open or opening.
 */
export function describeLiveUpdates(status: SyncStatus): string | undefined {
  const syncWorks = status.state === "idle" || status.state === "syncing";
  return status.live === "polling" && syncWorks ? m.sync_live_polling() : undefined;
}

/**
 * How a download failure reads: `warning` when it mends itself (the network: failed
 * downloads start again once the service answers), `full` when only room helps (a full disk
 * or the storage limit, so the space used is what to look at), `error` otherwise. Its words
 * (`errorWords`) already say what to do.
 */
export function downloadFailureTone(error: AppError | null): "warning" | "full" | "error" {
  switch (error?.kind) {
    case "network":
      return "warning";
    case "storage_full":
      return "full";
    default:
      return "error";
  }
}

/** The download manager's progress, in words; null when nothing was ever asked for. */
export function describeDownloads(status: DownloadsStatus): string | null {
  const pending = status.total - status.done - status.failed;
  if (pending > 0) {
    const counts = { done: format.number(status.done), total: format.number(status.total) };
    return status.paused ? m.downloads_paused(counts) : m.downloads_progress(counts);
  }
  if (status.done > 0) return m.downloads_available({ count: status.done });
  return null;
}
