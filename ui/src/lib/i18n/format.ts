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

/**
 * The tag dates and times are written in: the system's own where it speaks the window's
 * language, so an English window writes 15:00 and 3 Mar in Britain, 3:00 PM and Mar 3 in
 * the States; else the window's language alone.
 */
export function dateLocale(languages: readonly string[] = globalThis.navigator?.languages ?? []): string {
  const language = localeStore.current;
  for (const tag of languages) {
    if (tag.toLowerCase().split("-")[0] !== language) continue;
    try {
      return Intl.getCanonicalLocales(tag)[0];
    } catch {
      // Not a tag Intl takes: the next one, or the language alone.
    }
  }
  return language;
}

/** A moment (seconds since the epoch) as a date and a time. */
export function dateTime(epochSeconds: number): string {
  return new Intl.DateTimeFormat(dateLocale(), { dateStyle: "medium", timeStyle: "short" }).format(
    new Date(epochSeconds * 1000),
  );
}

/** The time of day, as a clock shows it: 15:04 (3:04 PM where that is the custom). */
export function time(date: Date, locale: string = dateLocale()): string {
  return date.toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit" });
}

/** A share (0..1) as a percentage: 50% in English, 50 % in German. */
export function percent(fraction: number): string {
  return new Intl.NumberFormat(localeStore.current, { style: "percent", maximumFractionDigits: 0 }).format(fraction);
}
