import * as ipc from "../../../ipc";
import type { AppError, OutputDevices, SettingKey, Settings, SettingsView } from "../../../ipc";

/** How often the device list is read while the screen is shown: devices come and go. */
export const DEVICE_POLL_MS = 2_000;

/** The environment variable that fixes each setting for a run, as the screen names it. */
export const OVERRIDING_VARIABLE: Record<SettingKey, string> = {
  output_device: "STRATO_AUDIO_DEVICE",
  streaming_quality: "STRATO_QUALITY",
  stream_format: "STRATO_STREAM_FORMAT",
  buffer_seconds: "STRATO_BUFFER_SECONDS",
  replay_gain: "STRATO_REPLAYGAIN",
  storage_quota: "STRATO_STORAGE_QUOTA_MB",
  data_dir: "STRATO_DATA_DIR",
};

/**
 * The Settings screen's state: the listener's choices as the core keeps them, changed one
 * at a time. A change shows at once; when the core refuses it, the screen goes back to
 * what is kept and says why.
 */
export class SettingsStore {
  view = $state.raw<SettingsView | null>(null);
  error = $state<AppError | null>(null);
  /** The output devices as last listed; null until read. */
  devices = $state.raw<OutputDevices | null>(null);
  devicesError = $state<AppError | null>(null);
  #loading: Promise<void> | null = null;

  get settings(): Settings | null {
    return this.view?.settings ?? null;
  }

  /** The variable overriding `key` for this run, or null. */
  overriddenBy(key: SettingKey): string | null {
    return this.view?.overridden.includes(key) ? OVERRIDING_VARIABLE[key] : null;
  }

  /**
   * Keeps the view as the core tells it: a change from elsewhere, or a save that failed
   * (its notice says so) or succeeded again. Returns the stop.
   */
  follow(): () => void {
    let stopped = false;
    let unlisten: ipc.Unlisten | null = null;
    void ipc.onSettingsChanged((view) => (this.view = view)).then((stop) => {
      if (stopped) stop();
      else unlisten = stop;
    });
    return () => {
      stopped = true;
      unlisten?.();
    };
  }

  load(): Promise<void> {
    this.#loading ??= this.#read().finally(() => (this.#loading = null));
    return this.#loading;
  }

  /** Applies `change` to a copy of the settings and saves it. */
  async change(change: (settings: Settings) => void): Promise<void> {
    const view = this.view;
    if (!view) return;
    const next = structuredClone($state.snapshot(view.settings)) as Settings;
    change(next);
    this.view = { ...view, settings: next };
    this.error = null;
    try {
      this.view = await ipc.updateSettings(next);
    } catch (error) {
      this.error = ipc.toAppError(error);
      this.view = view;
    }
  }

  /**
   * Keeps the device list current while the caller (the screen) is shown: read now and
   * every `DEVICE_POLL_MS`, as devices are plugged in and pulled out. Returns the stop.
   */
  watchDevices(): () => void {
    let stopped = false;
    const read = async () => {
      try {
        const devices = await ipc.outputDevices();
        if (stopped) return;
        this.devices = devices;
        this.devicesError = null;
      } catch (error) {
        if (!stopped) this.devicesError = ipc.toAppError(error);
      }
    };
    void read();
    const timer = setInterval(() => void read(), DEVICE_POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }

  reset(): void {
    this.view = null;
    this.error = null;
    this.devices = null;
    this.devicesError = null;
  }

  async #read(): Promise<void> {
    try {
      this.view = await ipc.settings();
      this.error = null;
    } catch (error) {
      this.error = ipc.toAppError(error);
    }
  }
}

export const settingsStore = new SettingsStore();
