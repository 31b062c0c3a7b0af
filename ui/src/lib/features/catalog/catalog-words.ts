// What the catalog screen's header says: how many tracks, and where the refresh stands.
import { m } from "$lib/i18n";
import type { CatalogStatus } from "../../../ipc";

/**
 * The list's size: the catalog's total when the backend knows it, else what has been read so
 * far ("250+" while more may follow), in the window's language.
 */
export function countWords(total: number | null, held: number, hasMore: boolean): string {
  const count = total ?? held;
  return total === null && hasMore ? m.tracks_count_more({ count }) : m.tracks_count({ count });
}

/** While a refresh reads the service's listing: how far it has read. */
export function walkWords(status: Pick<CatalogStatus, "refreshing" | "walked">): string | null {
  if (!status.refreshing) return null;
  return status.walked > 0 ? m.catalog_updating_read({ count: status.walked }) : m.catalog_updating();
}
