/**
 * Albums whose cover could not be had, and when: a list scrolled through 10,000 rows mounts a
 * cover for every row it passes, and each mount would ask again (a request to the core, and
 * the core's to the service) for a cover already known to be missing. A miss is trusted for
 * a while only, since it may have been the network's (offline, a 5xx) rather than the
 * album's.
 */
export const MISSING_COVER_RETRY_MS = 5 * 60_000;

export class MissingCovers {
  readonly #failedAt = new Map<string, number>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Whether to show the album's cover at all (not missing, or missing long enough ago). */
  worthAsking(albumId: string): boolean {
    const failedAt = this.#failedAt.get(albumId);
    if (failedAt === undefined) return true;
    if (this.#now() - failedAt < MISSING_COVER_RETRY_MS) return false;
    this.#failedAt.delete(albumId);
    return true;
  }

  failed(albumId: string): void {
    this.#failedAt.set(albumId, this.#now());
  }
}

/** The app's one record, shared by every cover on every screen. */
export const missingCovers = new MissingCovers();
