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
