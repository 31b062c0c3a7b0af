// What the catalog screen's header says: how many tracks, and where the refresh stands.
import type { CatalogStatus } from "../../../ipc";

/**
 * The list's size: the catalog's total when the backend knows it, else what has been read so
 * far ("250+" while more may follow).
 */
export function countWords(total: number | null, held: number, hasMore: boolean, locale?: string): string {
  const count = total ?? held;
  const number = count.toLocaleString(locale);
  const more = total === null && hasMore ? "+" : "";
  return `${number}${more} ${count === 1 && !more ? "track" : "tracks"}`;
}

/** While a refresh reads the service's listing: how far it has read. */
export function walkWords(status: Pick<CatalogStatus, "refreshing" | "walked">, locale?: string): string | null {
  if (!status.refreshing) return null;
  return status.walked > 0 ? `Updating… ${status.walked.toLocaleString(locale)} read` : "Updating…";
}
