import * as ipc from "../../../ipc";
import type { AppError, EqBand, EqMode, EqualizerSettings, EqualizerView, FilterKind } from "../../../ipc";

/** The largest boost or cut of a band, either way (the core holds values to it too). */
export const GAIN_LIMIT_DB = 24;
/** A new parametric band: a gentle peak at 1 kHz, changing nothing until its gain moves. */
export const NEW_BAND: EqBand = { kind: "peaking", frequency_hz: 1000, gain_db: 0, q: 1, enabled: true };
/** The kinds a parametric band can be, in the order the panel offers them. */
export const FILTER_KINDS: readonly FilterKind[] = ["peaking", "low_shelf", "high_shelf", "low_pass", "high_pass"];
/** Bands of these kinds take no gain. */
export function takesGain(kind: FilterKind): boolean {
  return kind !== "low_pass" && kind !== "high_pass";
}

/**
 * The Equaliser panel's state: the equaliser of one output device as the core keeps it. A
 * change shows at once and is sent; changes made while one is on its way (a slider dragged)
 * are folded into one, sent when the core has answered, so the sound follows the hand
 * without a queue of stale settings. The curve comes back with each answer, drawn from the
 * filters the engine runs.
 */
export class EqualizerStore {
  view = $state.raw<EqualizerView | null>(null);
  error = $state<AppError | null>(null);
  /** Whose equaliser is shown: a device's name, or null for the system's default output. */
  device = $state<string | null>(null);
  /** True while an imported profile is being read. */
  importing = $state(false);
  /** The latest change not yet sent, with the device it belongs to. */
  #pending: { device: string | null; settings: EqualizerSettings } | null = null;
  #sending: Promise<void> | null = null;

  get settings(): EqualizerSettings | null {
    return this.view?.settings ?? null;
  }

  async load(device: string | null): Promise<void> {
    this.device = device;
    // A change waiting for another device's equaliser is still sent (it was made there);
    // its answer is not shown here.
    try {
      const view = await ipc.equalizer(device);
      if (this.device === device) this.view = view;
      this.error = null;
    } catch (error) {
      this.error = ipc.toAppError(error);
    }
  }

  /** Applies `change` to a copy of the settings, shows it and sends it. */
  change(change: (settings: EqualizerSettings) => void): Promise<void> {
    const view = this.view;
    if (!view) return Promise.resolve();
    const next = structuredClone($state.snapshot(view.settings)) as EqualizerSettings;
    change(next);
    this.view = { ...view, settings: next };
    this.#pending = { device: this.device, settings: next };
    this.#sending ??= this.#send().finally(() => (this.#sending = null));
    return this.#sending;
  }

  setEnabled(enabled: boolean): Promise<void> {
    return this.change((s) => (s.enabled = enabled));
  }

  setMode(mode: EqMode): Promise<void> {
    return this.change((s) => (s.mode = mode));
  }

  /** Moves one graphic band; the gains no longer are a preset's. */
  setGraphic(index: number, gainDb: number): Promise<void> {
    return this.change((s) => {
      s.graphic_db[index] = clampGain(gainDb);
      s.preset = null;
    });
  }

  applyPreset(name: string): Promise<void> {
    const preset = this.view?.presets.find((p) => p.name === name);
    if (!preset) return Promise.resolve();
    return this.change((s) => {
      s.graphic_db = [...preset.gains_db];
      s.preset = name;
      s.enabled = true;
    });
  }

  setBand(index: number, patch: Partial<EqBand>): Promise<void> {
    return this.change((s) => {
      const band = s.bands[index];
      if (!band) return;
      s.bands[index] = { ...band, ...patch, gain_db: clampGain(patch.gain_db ?? band.gain_db) };
    });
  }

  addBand(): Promise<void> {
    return this.change((s) => {
      s.bands.push({ ...NEW_BAND });
      s.mode = "parametric";
    });
  }

  removeBand(index: number): Promise<void> {
    return this.change((s) => {
      s.bands.splice(index, 1);
    });
  }

  /** A pre-amp in dB the listener sets, or null to follow the curve's largest boost. */
  setPreamp(db: number | null): Promise<void> {
    return this.change((s) => (s.preamp_db = db));
  }

  /** Flat: every band at 0 dB, the profile forgotten, the pre-amp automatic. */
  reset(): Promise<void> {
    return this.change((s) => {
      if (s.mode === "graphic") {
        s.graphic_db = s.graphic_db.map(() => 0);
        s.preset = null;
      } else {
        s.bands = [];
        s.profile = null;
      }
      s.preamp_db = null;
    });
  }

  /** Asks for a headphone profile file (titled `title`) and makes it the parametric equaliser. */
  async importProfile(title: string): Promise<void> {
    this.importing = true;
    try {
      await this.#sending;
      const view = await ipc.importEqualizerProfile(this.device, title);
      if (view) this.view = view;
      this.error = null;
    } catch (error) {
      this.error = ipc.toAppError(error);
    } finally {
      this.importing = false;
    }
  }

  clear(): void {
    this.view = null;
    this.error = null;
    this.device = null;
    this.#pending = null;
  }

  async #send(): Promise<void> {
    while (this.#pending) {
      const { device, settings } = this.#pending;
      this.#pending = null;
      try {
        const view = await ipc.setEqualizer(device, settings);
        // A newer change waiting keeps what it shows; its answer brings the curve.
        if (!this.#pending && this.device === device) this.view = view;
        if (this.device === device) this.error = null;
      } catch (error) {
        if (this.device !== device) continue;
        // What the core keeps comes back, and the words of why stay.
        if (!this.#pending) await this.load(device);
        this.error = ipc.toAppError(error);
      }
    }
  }
}

function clampGain(db: number): number {
  return Number.isFinite(db) ? Math.min(GAIN_LIMIT_DB, Math.max(-GAIN_LIMIT_DB, db)) : 0;
}

export const equalizerStore = new EqualizerStore();
