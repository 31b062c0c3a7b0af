// The lyrics panel's state: the lyrics of the track playing, looked up once per track (the
// core keeps them in the library, so a second look is instant and works offline), and which
// line is being sung.
import * as ipc from "../../../ipc";
import type { AppError, LyricsLine, TrackLyrics } from "../../../ipc";

/**
 * The index of the line sung at `positionMs`: the last line that has started, or -1 before
 * the first. `lines` are sorted by time (the core sorts them).
 */
export function activeLine(lines: readonly LyricsLine[], positionMs: number): number {
  let low = 0;
  let high = lines.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (lines[mid].at_ms <= positionMs) low = mid + 1;
    else high = mid;
  }
  return low - 1;
}

export class LyricsStore {
  /** The track whose lyrics are shown or looked for; null with nothing playing. */
  trackId = $state<string | null>(null);
  lyrics = $state<TrackLyrics | null>(null);
  error = $state<AppError | null>(null);
  loading = $state(false);
  /** Answers of an earlier track's lookup arriving late are dropped. */
  #generation = 0;

  /** Shows `trackId`'s lyrics, looked up unless that track's are shown or being looked up
   * (a failure stays said until [`retry`](#retry)). */
  show(trackId: string | null): Promise<void> {
    if (trackId === this.trackId) return Promise.resolve();
    return this.#load(trackId);
  }

  /** Looks the shown track's lyrics up again (after a failure, or a change of the setting). */
  retry(): Promise<void> {
    return this.#load(this.trackId);
  }

  /** Forgets everything (signed out, or another account). */
  reset(): void {
    this.#generation += 1;
    this.trackId = null;
    this.lyrics = null;
    this.error = null;
    this.loading = false;
  }

  async #load(trackId: string | null): Promise<void> {
    const generation = ++this.#generation;
    this.trackId = trackId;
    this.lyrics = null;
    this.error = null;
    if (trackId === null) {
      this.loading = false;
      return;
    }
    this.loading = true;
    try {
      const view = await ipc.lyrics(trackId);
      if (generation !== this.#generation) return;
      this.lyrics = view.lyrics;
    } catch (error) {
      if (generation !== this.#generation) return;
      this.error = ipc.toAppError(error);
    } finally {
      if (generation === this.#generation) this.loading = false;
    }
  }
}

export const lyricsStore = new LyricsStore();
