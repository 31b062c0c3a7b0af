import type { OfflineItem } from "../../ipc";

/*
 * The words the browsing screens put under their items: plain functions of their inputs
 * (the clock passed in), so they are tested without a component or a store.
 */

/** "2 of 5 downloaded", "Available offline", "1 failed": under an offline card or row. */
export function progressWords(item: Pick<OfflineItem, "progress">): string {
  const { tracks, downloaded, failed } = item.progress;
  if (failed > 0) return `${failed} of ${tracks} failed`;
  if (tracks > 0 && downloaded >= tracks) return "Downloaded";
  return `${downloaded} of ${tracks} downloaded`;
}

/** "New picks at 15:00": when the service reshuffles its picks, in the listener's time. */
export function reshuffleWords(nextReshuffleAt: number, locale?: string): string {
  const at = new Date(nextReshuffleAt * 1000);
  return `New picks at ${at.toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit" })}`;
}

/**
 * When a play started, as a history reads it: the time today, "Yesterday 21:04", else the
 * date and time.
 */
export function playedWhen(playedAt: number, now: Date = new Date(), locale?: string): string {
  const at = new Date(playedAt * 1000);
  const time = at.toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit" });
  const startOfDay = (date: Date) => new Date(date.getFullYear(), date.getMonth(), date.getDate()).getTime();
  const days = Math.round((startOfDay(now) - startOfDay(at)) / 86_400_000);
  if (days === 0) return time;
  if (days === 1) return `Yesterday ${time}`;
  const sameYear = at.getFullYear() === now.getFullYear();
  const date = at.toLocaleDateString(locale, sameYear ? { day: "numeric", month: "short" } : { dateStyle: "medium" });
  return `${date} ${time}`;
}
