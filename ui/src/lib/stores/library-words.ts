/**
 * The library engines' states in words: the sync status, a download failure's tone, the
 * download manager's progress. Pure functions, so they read the same wherever shown.
 */
import type { AppError, DownloadsStatus, SyncStatus } from "../../ipc";

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** The sync engine's state, in words. */
export function describeSync(status: SyncStatus): string {
  const waiting = plural(status.unsynced_edits, "change", "changes");
  switch (status.state) {
    case "syncing":
      return "Syncing…";
    case "offline":
      // Not the network but a service that could not prove who it is: say so, not "offline".
      if (status.error?.kind === "untrusted") return `Not connected: ${status.error.message}`;
      return status.unsynced_edits > 0 ? `Offline — ${waiting} waiting` : "Offline";
    case "error":
      return `Sync failed: ${status.error?.message ?? "unknown error"}`;
    case "idle":
      return status.unsynced_edits > 0 ? `${waiting} waiting` : "Synced";
  }
}

/**
 * How a download failure reads: `warning` when it mends itself (the network: failed
 * downloads start again once the service answers), `full` when only room helps (a full disk
 * or the storage limit, so the space used is what to look at), `error` otherwise. Its words
 * come from the backend and already say what to do.
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
    const progress = `${status.done} of ${status.total}`;
    return status.paused ? `Downloads paused — ${progress}` : `Downloading ${progress}`;
  }
  if (status.done > 0) return `${plural(status.done, "track", "tracks")} available offline`;
  return null;
}
