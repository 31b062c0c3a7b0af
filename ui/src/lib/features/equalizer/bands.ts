/** The graphic equaliser's ten octave bands as the panel labels them (31 Hz to 16 kHz). */
export const GRAPHIC_BANDS: readonly { hz: number; label: string }[] = [
  { hz: 31, label: "31" },
  { hz: 62, label: "62" },
  { hz: 125, label: "125" },
  { hz: 250, label: "250" },
  { hz: 500, label: "500" },
  { hz: 1000, label: "1k" },
  { hz: 2000, label: "2k" },
  { hz: 4000, label: "4k" },
  { hz: 8000, label: "8k" },
  { hz: 16000, label: "16k" },
];

import { localeStore } from "$lib/i18n/locale.svelte";

/** A gain to a tenth of a dB in the window's language ("-6.5", "-6,5"), never "-0.0". */
export function decibels(value: number): string {
  const rounded = Math.round(value * 10) / 10 + 0;
  return new Intl.NumberFormat(localeStore.current, { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(rounded);
}

/** A gain with its sign: "+3.0", "0.0", "-6.5". */
export function signedDecibels(value: number): string {
  const text = decibels(value);
  return Math.round(value * 10) > 0 ? `+${text}` : text;
}
