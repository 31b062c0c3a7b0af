import { format, m } from "./i18n";

/**
 * Formats a duration in milliseconds as m:ss, or h:mm:ss from one hour on.
 * Rounds down to whole seconds so elapsed time never shows the total before
 * the track has really ended. Missing or invalid input shows as 0:00.
 */
export function formatTime(ms: number | null | undefined): string {
  const totalSeconds = ms == null || !Number.isFinite(ms) || ms < 0 ? 0 : Math.floor(ms / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  const ss = String(seconds).padStart(2, "0");
  if (hours > 0) return `${hours}:${String(minutes).padStart(2, "0")}:${ss}`;
  return `${minutes}:${ss}`;
}

/** Fraction 0..1 of the track played, for the progress bar. */
export function progressFraction(positionMs: number, durationMs: number | null): number {
  if (durationMs == null || !(durationMs > 0) || !Number.isFinite(positionMs)) return 0;
  return Math.min(1, Math.max(0, positionMs / durationMs));
}

/**
 * A fraction of a bar `widthPx` wide as a CSS percentage, rounded to whole pixels, so that
 * the same pixel gives the same string and the page is not repainted for a move no one can
 * see (a position tick moves a bar by a fraction of a pixel). Unrounded when the width is
 * not known yet.
 */
export function pixelPercent(fraction: number, widthPx: number): number {
  if (!(widthPx > 0)) return fraction * 100;
  return (Math.round(fraction * widthPx) / widthPx) * 100;
}

/**
 * A position rounded down to its whole second: what the seek bar shows while a track plays,
 * so the bar and the time beside it change together, once a second. Each change is a frame
 * the webview must composite, and where it composites in software (no GPU, a VM, Xvfb) a
 * frame of the whole window costs tens of milliseconds: four a second kept a core a fifth
 * busy. Invalid input gives 0.
 */
export function wholeSecond(positionMs: number): number {
  if (!Number.isFinite(positionMs) || positionMs < 0) return 0;
  return Math.floor(positionMs / 1000) * 1000;
}

/**
 * Formats a byte count for people: 0 B, 512 B, 1.5 MB, 12 GB (powers of 1024, one decimal
 * below 10), in the window's language. Missing or invalid input shows as 0 B.
 */
export { bytes as formatBytes } from "./i18n/format";

/**
 * A length in words for a page's header, as Spotify writes it: "45 s", "12 min 3 s",
 * "1 h 4 min" ("1 Std. 4 Min." in German). Missing or invalid input shows as "0 s".
 */
export function formatLength(ms: number | null | undefined): string {
  const totalSeconds = ms == null || !Number.isFinite(ms) || ms < 0 ? 0 : Math.round(ms / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (hours > 0) return m.length_hours({ hours: format.number(hours), minutes });
  if (minutes > 0) return seconds > 0 ? m.length_minutes_seconds({ minutes, seconds }) : m.length_minutes({ minutes });
  return m.length_seconds({ seconds });
}
