// The Equaliser panel's commands: each output device's equaliser (graphic or parametric, a
// headphone correction profile), read, set and imported.
import type { EqualizerSettings, EqualizerView } from "./bindings";
import { call } from "./transport";

/** The equaliser of `device` (`null`: the system's default output), with its curve. */
export function equalizer(device: string | null): Promise<EqualizerView> {
  return call("equalizer", { device });
}

/** Sets the equaliser of `device`; heard at once when the music plays through it. */
export function setEqualizer(
  device: string | null,
  settings: EqualizerSettings,
): Promise<EqualizerView> {
  return call("set_equalizer", { device, settings });
}

/**
 * Asks for an AutoEQ `ParametricEQ.txt` (the OS's open dialog, titled `title`) and makes it
 * the parametric equaliser of `device`. `null` when the listener cancelled.
 */
export function importEqualizerProfile(
  device: string | null,
  title: string,
): Promise<EqualizerView | null> {
  return call("import_equalizer_profile", { device, title });
}
