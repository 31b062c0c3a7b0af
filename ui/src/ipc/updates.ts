// Updates of Strato itself: the shell checks, downloads and verifies; the window shows.
import type { UpdateStatus } from "./bindings";
import { call, subscribe, type Unlisten } from "./transport";

/** The update's status changed: an `UpdateStatus`. */
export const UPDATE_STATUS_EVENT = "update-status";

/** Where the update is now. */
export function updateStatus(): Promise<UpdateStatus> {
  return call("update_status");
}

/** Asks the update server now; rejects with the reason, in words, when it cannot. */
export function checkForUpdates(): Promise<UpdateStatus> {
  return call("check_for_updates");
}

/** Downloads the offered update and verifies its signature; progress comes as events. */
export function downloadUpdate(): Promise<UpdateStatus> {
  return call("download_update");
}

/** Installs the downloaded update and restarts Strato into it. */
export function installUpdate(): Promise<void> {
  return call("install_update");
}

export function onUpdateStatus(callback: (status: UpdateStatus) => void): Promise<Unlisten> {
  return subscribe<UpdateStatus>(UPDATE_STATUS_EVENT, callback);
}
