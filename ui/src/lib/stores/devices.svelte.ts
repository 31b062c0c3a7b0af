import * as ipc from "../../ipc";
import type { AppError, DeviceView, DevicesView, RemoteCommand } from "../../ipc";

const EMPTY: DevicesView = { reachable: false, devices: [], problem: null };
/** How often the position of a device playing elsewhere moves on in the bar. */
const TICK_MS = 500;

/**
 * The listener's devices with Strato open, and which one the player bar steers (`null`: this
 * one). The list comes from the core (`devices-changed`); a remote device's position is moved
 * on here between its words, from when the list arrived.
 */
export class DevicesStore {
  view = $state<DevicesView>(EMPTY);
  /** The device the bar steers, when it is another one. */
  steeringId = $state<string | null>(null);
  /** A command that failed here (the core's problems come in the view). */
  error = $state<AppError | null>(null);
  /** The clock the remote position is read against; ticks while a remote device plays. */
  now = $state(Date.now());
  #receivedAt = Date.now();
  #timer: ReturnType<typeof setInterval> | undefined;

  /** The other devices, by name. */
  get others(): DeviceView[] {
    return this.view.devices.filter((device) => !device.this_device);
  }

  get thisDevice(): DeviceView | null {
    return this.view.devices.find((device) => device.this_device) ?? null;
  }

  /** The device the bar steers, while it is still there. */
  get steered(): DeviceView | null {
    if (this.steeringId === null) return null;
    return this.others.find((device) => device.device_id === this.steeringId) ?? null;
  }

  /** The problem to show: the last command's, or the core's. */
  get problem(): AppError | null {
    return this.error ?? this.view.problem;
  }

  /** Where `device` is in its track now. */
  positionOf(device: DeviceView): number {
    const playback = device.playback;
    if (!playback) return 0;
    const moved = playback.playing ? Math.max(0, this.now - this.#receivedAt) : 0;
    const position = playback.position_ms + moved;
    const duration = playback.track?.duration_ms;
    return duration ? Math.min(position, duration) : position;
  }

  /** Reads the list and follows it; returns the function that stops following. */
  start(): ipc.Unlisten {
    let stopped = false;
    let unlisten: ipc.Unlisten | null = null;
    ipc.onDevicesChanged((view) => this.apply(view)).then(
      (stop) => {
        if (stopped) stop();
        else unlisten = stop;
      },
      () => {},
    );
    ipc.devices().then(
      (view) => {
        if (!stopped) this.apply(view);
      },
      () => {},
    );
    return () => {
      stopped = true;
      unlisten?.();
      this.#stopTicking();
    };
  }

  apply(view: DevicesView): void {
    this.view = view;
    this.#receivedAt = Date.now();
    this.now = this.#receivedAt;
    // The device steered went (closed, or offline): the bar is this device's again.
    if (this.steeringId !== null && !this.steered) this.steeringId = null;
    if (this.steered?.playback?.playing) this.#startTicking();
    else this.#stopTicking();
  }

  /**
   * Plays on `device`: another device takes this one's queue, track and position (this one
   * pauses) and the bar steers it; this device takes playback back from the one steered;
   * from one steered device to another, the one steered hands its playback on.
   */
  async playOn(device: DeviceView): Promise<boolean> {
    return this.#attempt(async () => {
      const steering = this.steeringId;
      if (device.this_device) {
        if (steering !== null) await ipc.takePlaybackFrom(steering);
        this.steeringId = null;
      } else if (steering !== null) {
        await ipc.deviceCommand(steering, { action: "hand_to", device_id: device.device_id });
        this.steeringId = device.device_id;
      } else {
        await ipc.transferPlayback(device.device_id);
        this.steeringId = device.device_id;
      }
    });
  }

  /** Steers `device` without moving playback (it plays something of its own). */
  steer(device: DeviceView): void {
    this.error = null;
    this.steeringId = device.this_device ? null : device.device_id;
    if (this.steered?.playback?.playing) this.#startTicking();
  }

  /** Sends `command` to the device steered. */
  async command(command: RemoteCommand): Promise<boolean> {
    const target = this.steeringId;
    if (target === null) return false;
    return this.#attempt(() => ipc.deviceCommand(target, command));
  }

  reset(): void {
    this.view = EMPTY;
    this.steeringId = null;
    this.error = null;
    this.#stopTicking();
  }

  async #attempt(act: () => Promise<void>): Promise<boolean> {
    this.error = null;
    try {
      await act();
      return true;
    } catch (error) {
      this.error = ipc.toAppError(error);
      return false;
    }
  }

  #startTicking(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => (this.now = Date.now()), TICK_MS);
  }

  #stopTicking(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}

export const devicesStore = new DevicesStore();
