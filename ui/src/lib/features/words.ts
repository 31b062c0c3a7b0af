import { format, m } from "$lib/i18n";
import type { OfflineItem } from "../../ipc";

/*
 * The words the browsing screens put under their items: plain functions of their inputs
 * (the clock passed in), so they are tested without a component or a store. Dates and
 * times are the window's language's, as the system writes them (`format.dateLocale`);
 * `locale` overrides that for tests.
 */

/** "2 of 5 downloaded", "Available offline", "1 failed": under an offline card or row. */
export function progressWords(item: Pick<OfflineItem, "progress">): string {
  const { tracks, downloaded, failed } = item.progress;
  if (failed > 0) return m.offline_failed_of({ failed, tracks });
  if (tracks > 0 && downloaded >= tracks) return m.offline_downloaded();
  return m.offline_downloaded_of({ downloaded, tracks });
}

/** "New picks at 15:00": when the service reshuffles its picks, in the listener's time. */
export function reshuffleWords(nextReshuffleAt: number, locale: string = format.dateLocale()): string {
  return m.home_picks_at({ time: format.time(new Date(nextReshuffleAt * 1000), locale) });
}

/**
 * When a play started, as a history reads it: the time today, "Yesterday 21:04", else the
 * date and time.
 */
export function playedWhen(playedAt: number, now: Date = new Date(), locale: string = format.dateLocale()): string {
  const at = new Date(playedAt * 1000);
  const time = format.time(at, locale);
  const startOfDay = (date: Date) => new Date(date.getFullYear(), date.getMonth(), date.getDate()).getTime();
  const days = Math.round((startOfDay(now) - startOfDay(at)) / 86_400_000);
  if (days === 0) return time;
  if (days === 1) return m.history_yesterday({ time });
  const sameYear = at.getFullYear() === now.getFullYear();
  const date = at.toLocaleDateString(locale, sameYear ? { day: "numeric", month: "short" } : { dateStyle: "medium" });
  return `${date} ${time}`;
}
