// The listener's devices (the player bar's "Devices" menu, moving playback to another device
// and steering it), and how playback has gone on this one (the Diagnostics screen).
import type { DevicesView, DiagnosticsView, ExportedDiagnostics, RemoteCommand } from "./bindings";
import { call, subscribe, type Unlisten } from "./transport";

/** The listener's devices changed (one came or went, or says what it plays): a `DevicesView`. */
export const DEVICES_CHANGED_EVENT = "devices-changed";

export function devices(): Promise<DevicesView> {
  return call("devices");
}

/** Moves playback (the queue, the track, the position) to `deviceId`; this device pauses. */
export function transferPlayback(deviceId: string): Promise<void> {
  return call("transfer_playback", { deviceId });
}

/** Brings playback here from `deviceId`, which hands it over and pauses. */
export function takePlaybackFrom(deviceId: string): Promise<void> {
  return call("take_playback_from", { deviceId });
}

/** Asks `deviceId` to play, pause, skip, seek or change its volume. */
export function deviceCommand(deviceId: string, command: RemoteCommand): Promise<void> {
  return call("device_command", { deviceId, command });
}

export function onDevicesChanged(callback: (view: DevicesView) => void): Promise<Unlisten> {
  return subscribe(DEVICES_CHANGED_EVENT, callback);
}

/** How playback has gone on this computer: the last day hour by hour, the recent errors. */
export function diagnostics(): Promise<DiagnosticsView> {
  return call("diagnostics");
}

/**
 * Asks where to save a zip of this computer's diagnostics (the OS's save dialog, titled
 * `title`), and writes it there: versions, settings, devices, plays and the newest logs, with
 * nothing secret in them. `null` when the listener cancelled.
 */
export function exportDiagnostics(title: string): Promise<ExportedDiagnostics | null> {
  return call("export_diagnostics", { title });
}
