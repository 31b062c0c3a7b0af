import { localeStore } from "./locale.svelte";

/**
 * Numbers, sizes and dates in the window's language, by `Intl` (grouping, the decimal
 * sign, the names of months). Each reads the locale when called, so a switch redraws them.
 */

const BYTE_UNITS = ["B", "KB", "MB", "GB", "TB"] as const;

export function number(value: number): string {
  return new Intl.NumberFormat(localeStore.current).format(value);
}

/** A byte count for people: 0 B, 512 B, 1.5 MB (1,5 MB in German), 12 GB; powers of 1024. */
export function bytes(count: number | null | undefined): string {
  let value = count == null || !Number.isFinite(count) || count < 0 ? 0 : count;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit > 0 && value < 10 ? 1 : 0;
  const shown = new Intl.NumberFormat(localeStore.current, { maximumFractionDigits: digits }).format(value);
  return `${shown} ${BYTE_UNITS[unit]}`;
}

/** A moment (seconds since the epoch) as a date and a time. */
export function dateTime(epochSeconds: number): string {
  return new Intl.DateTimeFormat(localeStore.current, { dateStyle: "medium", timeStyle: "short" }).format(
    new Date(epochSeconds * 1000),
  );
}
